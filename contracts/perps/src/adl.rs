//! Auto-deleveraging (ADL): when the traders' Σ unrealized PnL in a market (the LP pool's
//! liability there, from the O(1) aggregates) exceeds the market's `max_pool_exposure`,
//! anyone may close part of a *profitable* position at the oracle price, without fee, and
//! settle it with the vault as market-initiated (`trader_addr: None`, `RiskChange::Reduce`).
//!
//! Ranking is advisory. Choosing the globally best target on chain would need a sort over
//! every position of the market, which no execute may do (O(1) in positions). So
//! `AdlRanking` ranks one page at a time, keepers merge pages off chain and pick targets, and
//! `Deleverage` enforces only what protects traders: the market is over its limit and the
//! target is in profit. A keeper picking a worse-ranked winner only changes which winner is
//! reduced, never whether a loser or a market under its limit is touched.

use cosmwasm_std::{
    to_json_binary, CosmosMsg, Decimal256, Deps, DepsMut, Env, Int128, MessageInfo, Order,
    Response, SignedDecimal256, StdResult, WasmMsg,
};
use cw_storage_plus::Bound;

use bulwark_types::circuit_breaker::ActionClass;
use bulwark_types::market::VaultSettleMsg;
use bulwark_types::market::{CashFlows, RiskChange, Settlement};
use bulwark_types::perps::{
    AdlCandidate, AdlRankingResponse, MarketAggregates, Position, DEFAULT_PAGE_LIMIT,
    MAX_PAGE_LIMIT,
};

use crate::aggregates::{self, position_pnl, unrealized_pnl};
use crate::error::{ContractError, OrOverflow};
use crate::funding::accrue;
use crate::order::{commit_fill, load_market};
use crate::position::apply_fill;
use crate::price::{ensure_allowed, market_funding_params, usable_price, PriceUse};
use crate::risk::account_risk;
use crate::state::{AGGREGATES, CONFIG, FUNDING, MARKET_POSITIONS, POSITIONS};
use crate::units::{
    abs, neg, pow10_u128, samount, signed, to_amount, to_uamount_ceil, uamount, Round,
};

/// The market's Σ unrealized trader PnL in settlement units, rounded up (as `PoolExposure`:
/// the pool's liability is never understated).
fn market_exposure(
    agg: &MarketAggregates,
    price: Decimal256,
    index: SignedDecimal256,
    decimals: u8,
) -> Result<Int128, ContractError> {
    to_amount(unrealized_pnl(agg, price, index)?, decimals, Round::Ceil)
}

/// `(pnl / entry_notional) × (notional / entry_notional)`: the profit ratio times a leverage
/// proxy. Perps does not know the account's equity (the vault does), so the position's own
/// notional growth stands in for leverage; zero for a degenerate zero entry.
pub fn adl_score(
    p: &Position,
    price: Decimal256,
    pnl: SignedDecimal256,
) -> Result<SignedDecimal256, ContractError> {
    let held = abs(p.size);
    let entry_notional = signed(held.checked_mul(p.entry_price).or_overflow()?)?;
    if entry_notional.is_zero() {
        return Ok(SignedDecimal256::zero());
    }
    let notional = signed(held.checked_mul(price).or_overflow()?)?;
    let ratio = pnl.checked_div(entry_notional).or_overflow()?;
    let leverage = notional.checked_div(entry_notional).or_overflow()?;
    ratio.checked_mul(leverage).or_overflow()
}

pub fn deleverage(
    mut deps: DepsMut,
    env: Env,
    info: MessageInfo,
    market_id: String,
    account_id: u64,
    size: Decimal256,
) -> Result<Response, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    let market = load_market(deps.as_ref(), &market_id)?;
    if size.is_zero() {
        return Err(ContractError::ZeroSize);
    }
    let limit = market
        .params
        .max_pool_exposure
        .ok_or_else(|| ContractError::AdlDisabled {
            market_id: market_id.clone(),
        })?;
    let position = POSITIONS
        .may_load(deps.storage, (account_id, &market_id))?
        .ok_or_else(|| ContractError::NoPosition {
            account_id,
            market_id: market_id.clone(),
        })?;
    // A reduction: gated and priced like a trader's close.
    ensure_allowed(deps.as_ref(), &env, &cfg, &market_id, ActionClass::Reduce)?;
    let price = usable_price(
        deps.as_ref(),
        &env,
        &cfg,
        &market.asset_id,
        PriceUse::Reduce,
    )?;
    let now = env.block.time.seconds();
    let mut agg = AGGREGATES.load(deps.storage, &market_id)?;
    let funding = accrue(
        &FUNDING.load(deps.storage, &market_id)?,
        aggregates::skew(&agg)?,
        price,
        &market_funding_params(&market.params),
        now,
    )?;
    let exposure_before = market_exposure(&agg, price, funding.index, cfg.settlement_decimals)?;
    let limit_signed = samount(limit)?;
    if exposure_before <= limit_signed {
        return Err(ContractError::ExposureWithinLimit {
            market_id,
            exposure: exposure_before,
            limit,
        });
    }
    let pnl = position_pnl(&position, price, funding.index)?;
    if pnl <= SignedDecimal256::zero() {
        return Err(ContractError::NotInProfit {
            account_id,
            market_id,
            pnl,
        });
    }

    // Close no more than what brings the exposure back to the limit: closing c of |s| units
    // takes c × pnl / |s| out of the market's unrealized PnL. One atomic up covers the
    // truncating division.
    let held = abs(position.size);
    let excess = uamount(exposure_before.checked_sub(limit_signed).or_overflow()?)?;
    let excess_whole = Decimal256::checked_from_ratio(excess, pow10_u128(cfg.settlement_decimals)?)
        .or_overflow()?;
    // A tiny per-unit profit can overflow the quotient: then no cap beyond the position.
    let needed = excess_whole
        .checked_mul(held)
        .ok()
        .and_then(|x| x.checked_div(abs(pnl)).ok())
        .and_then(|x| x.checked_add(Decimal256::raw(1)).ok())
        .unwrap_or(held);
    let mut close = size.min(held).min(needed);
    // never leave a remainder below the minimum position size (as ForceReduce)
    if held.checked_sub(close).or_overflow()? < market.params.min_position_size {
        close = held;
    }
    let close_signed = signed(close)?;
    let delta = if position.size.is_negative() {
        close_signed
    } else {
        neg(close_signed)?
    };
    let fill = apply_fill(
        Some(&position),
        account_id,
        &market_id,
        delta,
        price,
        funding.index,
        now,
        cfg.settlement_decimals,
    )?;
    aggregates::remove(&mut agg, &position)?;
    if let Some(p) = &fill.position {
        aggregates::add(&mut agg, p)?;
    }
    commit_fill(
        &mut deps,
        account_id,
        &market_id,
        &funding,
        &agg,
        fill.position.as_ref(),
        if fill.position.is_none() { -1 } else { 0 },
    )?;
    let exposure_after = market_exposure(&agg, price, funding.index, cfg.settlement_decimals)?;

    let pnl_vs_pool = fill
        .realized_pnl
        .checked_sub(fill.funding_owed)
        .or_overflow()?;
    let risk = account_risk(deps.as_ref(), &env, &cfg, account_id)?;
    // No trader asked for this: market-initiated, reduce only, no fee.
    let settlement = Settlement {
        account_id,
        trader_addr: None,
        cash: CashFlows {
            pnl_vs_pool,
            ..CashFlows::default()
        },
        risk,
        change: RiskChange::Reduce,
    };
    let msg = CosmosMsg::Wasm(WasmMsg::Execute {
        contract_addr: cfg.vault_addr.to_string(),
        msg: to_json_binary(&VaultSettleMsg::Settle(settlement))?,
        funds: vec![],
    });
    let new_size = fill.position.as_ref().map(|p| p.size).unwrap_or_default();
    Ok(Response::new()
        .add_message(msg)
        .add_attribute("action", "deleverage")
        .add_attribute("market_id", market_id)
        .add_attribute("account_id", account_id.to_string())
        .add_attribute("keeper", info.sender)
        .add_attribute("oracle_price", price.to_string())
        .add_attribute("closed_size", close.to_string())
        .add_attribute("new_size", new_size.to_string())
        .add_attribute("realized_pnl", fill.realized_pnl.to_string())
        .add_attribute("funding_owed", fill.funding_owed.to_string())
        .add_attribute("exposure_before", exposure_before.to_string())
        .add_attribute("exposure_after", exposure_after.to_string())
        .add_attribute("max_pool_exposure", limit.to_string()))
}

/// `AdlRanking`: one page of the market's positions ranked by `adl_score`, bounded by
/// `MAX_PAGE_LIMIT`.
pub fn adl_ranking(
    deps: Deps,
    env: Env,
    market_id: String,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> Result<AdlRankingResponse, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    let market = load_market(deps, &market_id)?;
    let price = usable_price(deps, &env, &cfg, &market.asset_id, PriceUse::Valuation)?;
    let agg = AGGREGATES.load(deps.storage, &market_id)?;
    let funding = accrue(
        &FUNDING.load(deps.storage, &market_id)?,
        aggregates::skew(&agg)?,
        price,
        &market_funding_params(&market.params),
        env.block.time.seconds(),
    )?;
    let exposure = market_exposure(&agg, price, funding.index, cfg.settlement_decimals)?;
    let over_limit = match market.params.max_pool_exposure {
        Some(l) => exposure > samount(l)?,
        None => false,
    };
    let take = limit.unwrap_or(DEFAULT_PAGE_LIMIT).min(MAX_PAGE_LIMIT) as usize;
    let ids = MARKET_POSITIONS
        .prefix(&market_id)
        .keys(
            deps.storage,
            start_after.map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(take)
        .collect::<StdResult<Vec<u64>>>()?;
    let next_start_after = if ids.len() == take {
        ids.last().copied()
    } else {
        None
    };
    let mut candidates = Vec::with_capacity(ids.len());
    for account_id in ids {
        let p = POSITIONS.load(deps.storage, (account_id, &market_id))?;
        let pnl = position_pnl(&p, price, funding.index)?;
        candidates.push(AdlCandidate {
            account_id,
            size: p.size,
            entry_price: p.entry_price,
            unrealized_pnl: to_amount(pnl, cfg.settlement_decimals, Round::Floor)?,
            notional: to_uamount_ceil(
                abs(p.size).checked_mul(price).or_overflow()?,
                cfg.settlement_decimals,
            )?,
            adl_score: adl_score(&p, price, pnl)?,
        });
    }
    // best target first; ties by account id so the order is deterministic
    candidates.sort_by(|a, b| {
        b.adl_score
            .cmp(&a.adl_score)
            .then(a.account_id.cmp(&b.account_id))
    });
    Ok(AdlRankingResponse {
        market_id,
        price,
        exposure,
        max_pool_exposure: market.params.max_pool_exposure,
        over_limit,
        candidates,
        next_start_after,
    })
}
