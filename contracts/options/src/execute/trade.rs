//! Buy and Sell: price the trade on the surface, move the surface, update the position and
//! the pool's aggregates, and settle the premium, fees and the account's fresh risk with the
//! vault (whose refusal reverts everything).

use cosmwasm_std::{DepsMut, Env, Int128, MessageInfo, Response, Uint128};

use bulwark_types::circuit_breaker::ActionClass;
use bulwark_types::market::{CashFlows, RiskChange, Settlement};
use bulwark_types::options::{BoardStatus, Greeks, MAX_RISK_EVALUATIONS_PER_ACCOUNT};
use bulwark_types::oracle::PricePurpose;

use crate::core::{
    abs_sd, account_risk_counted, add_greeks, check_breaker, load_position, load_series,
    load_wired, move_position, pool_contribution, replace_series, settle_msg, spot, SpotCache,
};
use crate::error::ContractError;
use crate::pricing::{quote_trade, split_fee, to_int128, TradeInput};
use crate::state::{BOARDS, STRIKES};

pub struct TradeRequest {
    pub account_id: u64,
    pub series_id: u64,
    pub amount: Uint128,
    /// Buy: max cost; sell: min proceeds.
    pub limit: Uint128,
    pub is_buy: bool,
}

/// Whether moving from `old` to `new` adds exposure (a larger position or a side flip).
pub fn increases(old: i128, new: i128) -> bool {
    new.unsigned_abs() > old.unsigned_abs() || (old != 0 && new != 0 && (old > 0) != (new > 0))
}

fn check_cap(
    board_id: u64,
    greek: &str,
    before: cosmwasm_std::SignedDecimal256,
    after: cosmwasm_std::SignedDecimal256,
    cap: cosmwasm_std::Decimal256,
) -> Result<(), ContractError> {
    // A trade is refused only if it leaves the pool beyond the cap *and* further out than it
    // found it, so risk-reducing trades always pass.
    if abs_sd(after) > cap && abs_sd(after) > abs_sd(before) {
        return Err(ContractError::PoolGreekCap {
            board_id,
            greek: greek.to_string(),
            value: after,
            cap,
        });
    }
    Ok(())
}

pub fn trade(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    req: TradeRequest,
) -> Result<Response, ContractError> {
    let (cfg, w) = load_wired(deps.storage)?;
    if req.amount.is_zero() {
        return Err(ContractError::ZeroAmount);
    }
    let (mut board, mut strike, kind) = load_series(deps.storage, req.series_id)?;
    let now = env.block.time.seconds();
    if board.status != BoardStatus::Open {
        return Err(ContractError::BoardNotOpen { board_id: board.id });
    }
    let closed_at = board.expiry.saturating_sub(cfg.params.trading_cutoff_secs);
    if now >= closed_at {
        return Err(ContractError::TradingClosed {
            board_id: board.id,
            closed_at,
            now,
        });
    }
    let old = load_position(deps.storage, req.account_id, req.series_id)?;
    let amount_i =
        i128::try_from(req.amount.u128()).map_err(|_| ContractError::PositionTooLarge)?;
    let new = if req.is_buy {
        old.checked_add(amount_i)
    } else {
        old.checked_sub(amount_i)
    }
    .ok_or(ContractError::PositionTooLarge)?;
    let adds_risk = increases(old, new);
    let (action, purpose) = if adds_risk {
        (ActionClass::Open, PricePurpose::Open)
    } else {
        (ActionClass::Reduce, PricePurpose::ReduceOrLiquidate)
    };
    check_breaker(&deps.querier, &env, &w.breaker_addr, board.id, action)?;
    let s = spot(
        &deps.querier,
        &env,
        &w.oracle_addr,
        &board.asset_id,
        cfg.params.max_price_age_secs,
        purpose,
    )?;

    let q = quote_trade(
        &TradeInput {
            kind,
            spot: s,
            strike: strike.strike,
            cap: board.cap_price,
            secs_to_expiry: board.expiry - now, // safe: now < closed_at ≤ expiry
            base_iv: board.base_iv,
            skew: strike.skew,
            amount: req.amount,
            multiplier: board.multiplier,
            is_buy: req.is_buy,
        },
        &cfg.params,
    )?;
    let (pnl_vs_pool, reported) = if req.is_buy {
        let cost = q.premium.checked_add(q.fee)?;
        if cost > req.limit {
            return Err(ContractError::MaxCostExceeded {
                cost,
                max: req.limit,
            });
        }
        (to_int128(q.premium, true)?, cost)
    } else {
        let needed = q.fee.checked_add(req.limit)?;
        if q.premium < needed {
            return Err(ContractError::MinProceedsNotMet {
                premium: q.premium,
                fee: q.fee,
                min: req.limit,
            });
        }
        (to_int128(q.premium, false)?, q.premium - q.fee) // safe: premium ≥ fee + limit
    };

    // Surface moves.
    board.base_iv = q.new_base_iv;
    strike.skew = q.new_skew;

    // Position, open interest, greeks (the series is re-marked at the post-trade surface).
    let greeks_before_trade = {
        let mut refreshed = strike.series(kind).clone();
        refreshed.cached_greeks = q.greeks_after.clone();
        let old_contrib = pool_contribution(strike.series(kind))?;
        let new_contrib = pool_contribution(&refreshed)?;
        add_greeks(
            &board.pool_greeks,
            &Greeks {
                delta: new_contrib.delta.checked_sub(old_contrib.delta)?,
                gamma: new_contrib.gamma.checked_sub(old_contrib.gamma)?,
                vega: new_contrib.vega.checked_sub(old_contrib.vega)?,
                theta: new_contrib.theta.checked_sub(old_contrib.theta)?,
            },
        )?
    };
    let mut new_state = move_position(
        deps.storage,
        req.account_id,
        board.id,
        req.series_id,
        strike.series(kind),
        old,
        new,
    )?;
    new_state.cached_greeks = q.greeks_after.clone();
    replace_series(deps.storage, &mut board, &mut strike, kind, new_state)?;
    check_cap(
        board.id,
        "delta",
        greeks_before_trade.delta,
        board.pool_greeks.delta,
        cfg.params.max_pool_delta,
    )?;
    check_cap(
        board.id,
        "vega",
        greeks_before_trade.vega,
        board.pool_greeks.vega,
        cfg.params.max_pool_vega,
    )?;
    BOARDS.save(deps.storage, board.id, &board)?;
    STRIKES.save(deps.storage, strike.id, &strike)?;

    let mut spots = SpotCache(vec![(board.asset_id.clone(), s)]);
    let (risk, evaluations) =
        account_risk_counted(deps.as_ref(), &env, &cfg, &w, req.account_id, &mut spots)?;
    // Opening a series must keep the account's risk report within the trade gas budget;
    // trades that only change existing positions are never refused by it.
    if old == 0 && new != 0 && evaluations > MAX_RISK_EVALUATIONS_PER_ACCOUNT {
        return Err(ContractError::TooManyRiskEvaluations {
            account_id: req.account_id,
            evaluations,
            max: MAX_RISK_EVALUATIONS_PER_ACCOUNT,
        });
    }
    let (fee_to_pool, fee_to_protocol) = split_fee(q.fee, cfg.params.protocol_fee_share)?;
    let settlement = Settlement {
        account_id: req.account_id,
        trader_addr: Some(info.sender),
        cash: CashFlows {
            pnl_vs_pool,
            fee_to_pool,
            fee_to_protocol,
        },
        risk,
        change: if adds_risk {
            RiskChange::Increase
        } else {
            RiskChange::Reduce
        },
    };
    Ok(Response::new()
        .add_message(settle_msg(&w.vault_addr, settlement)?)
        .add_attribute("action", if req.is_buy { "buy" } else { "sell" })
        .add_attribute("account_id", req.account_id.to_string())
        .add_attribute("series_id", req.series_id.to_string())
        .add_attribute("amount", req.amount)
        .add_attribute("spot", s.to_string())
        .add_attribute("trade_vol", q.trade_vol.to_string())
        .add_attribute("premium", q.premium)
        .add_attribute("fee", q.fee)
        .add_attribute(if req.is_buy { "cost" } else { "proceeds" }, reported)
        .add_attribute("position", Int128::new(new).to_string())
        .add_attribute("base_iv", board.base_iv.to_string())
        .add_attribute("skew", strike.skew.to_string()))
}

#[cfg(test)]
mod tests {
    use super::increases;

    #[test]
    fn risk_direction() {
        assert!(increases(0, 1));
        assert!(increases(0, -1));
        assert!(increases(2, 3));
        assert!(increases(-2, -3));
        assert!(increases(2, -1)); // flip
        assert!(!increases(2, 1));
        assert!(!increases(-2, 0));
        assert!(!increases(-2, -1));
    }
}
