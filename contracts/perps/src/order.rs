//! Market orders: increase, decrease, close, flip; one net position per (account, market).
//!
//! Order of operations (all in one transaction, any error reverts everything):
//! 1. classify the order (adds exposure or only reduces it); refuse a `reduce_only` order that
//!    would increase or flip, and any added exposure on a disabled market;
//! 2. breaker: `Open` for added exposure, `Reduce` otherwise;
//! 3. oracle price: `Open` purpose for added exposure, `ReduceOrLiquidate` otherwise, and
//!    never a price stored in the current block;
//! 4. accrue the market's funding to now at the pre-trade skew;
//! 5. fill price with price impact, slippage check against `acceptable_price`;
//! 6. new position, realized PnL, funding settled, fee; caps (position size, OI per side,
//!    positions per account) checked when exposure is added, minimum size always;
//! 7. aggregates and counters updated, O(1);
//! 8. `Settle` to the vault with the cash flows and the account's fresh risk.

use cosmwasm_std::{
    to_json_binary, CosmosMsg, Decimal256, Deps, DepsMut, Empty, Env, MessageInfo, Response,
    SignedDecimal256, Uint128, WasmMsg,
};

use bulwark_types::circuit_breaker::ActionClass;
use bulwark_types::market::VaultSettleMsg;
use bulwark_types::market::{CashFlows, RiskChange, Settlement};
use bulwark_types::perps::{
    FundingState, MarketAggregates, Position, QuoteResponse, MAX_POSITIONS_PER_ACCOUNT,
};

use crate::aggregates;
use crate::error::{ContractError, OrOverflow};
use crate::funding::accrue;
use crate::position::{apply_fill, classify, Fill};
use crate::price::{ensure_allowed, market_funding_params, usable_price, PriceUse};
use crate::pricing::{check_slippage, fill_price, trading_fee};
use crate::risk::account_risk;
use crate::state::{
    Config, Market, ACCOUNT_POSITIONS, AGGREGATES, CONFIG, FUNDING, MARKETS, MARKET_POSITIONS,
    OPEN_POSITIONS, POSITIONS,
};
use crate::units::abs;

/// Everything an order changes, computed without writing.
pub struct Plan {
    pub market: Market,
    pub oracle_price: Decimal256,
    pub fill_price: Decimal256,
    pub funding: FundingState,
    pub fill: Fill,
    pub aggregates: MarketAggregates,
    pub fee_to_pool: Uint128,
    pub fee_to_protocol: Uint128,
    /// +1 when a position opens, −1 when one closes, 0 otherwise.
    pub position_count_change: i8,
}

pub fn load_market(deps: Deps, market_id: &str) -> Result<Market, ContractError> {
    MARKETS
        .may_load(deps.storage, market_id)?
        .ok_or_else(|| ContractError::UnknownMarket {
            market_id: market_id.to_string(),
        })
}

/// Prices, fills and checks an order of `size_delta` for `account_id` at `oracle_price`.
pub fn plan_order(
    deps: Deps,
    env: &Env,
    cfg: &Config,
    market: Market,
    account_id: u64,
    size_delta: SignedDecimal256,
    oracle_price: Decimal256,
) -> Result<Plan, ContractError> {
    let params = &market.params;
    let old = POSITIONS.may_load(deps.storage, (account_id, &market.market_id))?;
    let mut agg = AGGREGATES.load(deps.storage, &market.market_id)?;
    let skew = aggregates::skew(&agg)?;
    let now = env.block.time.seconds();
    let funding = accrue(
        &FUNDING.load(deps.storage, &market.market_id)?,
        skew,
        oracle_price,
        &market_funding_params(params),
        now,
    )?;
    let fill_px = fill_price(oracle_price, skew, size_delta, params.skew_scale)?;
    let fill = apply_fill(
        old.as_ref(),
        account_id,
        &market.market_id,
        size_delta,
        fill_px,
        funding.index,
        now,
        cfg.settlement_decimals,
    )?;
    if let Some(o) = &old {
        aggregates::remove(&mut agg, o)?;
    }
    if let Some(p) = &fill.position {
        aggregates::add(&mut agg, p)?;
        let size = abs(p.size);
        if size < params.min_position_size {
            return Err(ContractError::PositionTooSmall {
                size: p.size,
                min: params.min_position_size,
            });
        }
        if fill.increases_risk {
            if size > params.max_position_size {
                return Err(ContractError::PositionTooLarge {
                    size,
                    max: params.max_position_size,
                });
            }
            let (side, oi, cap) = if p.size.is_negative() {
                ("short", agg.oi_short, params.max_oi_short)
            } else {
                ("long", agg.oi_long, params.max_oi_long)
            };
            if oi > cap {
                return Err(ContractError::OiCapExceeded {
                    side: side.to_string(),
                    oi,
                    cap,
                });
            }
        }
    }
    let position_count_change = match (&old, &fill.position) {
        (None, Some(_)) => 1,
        (Some(_), None) => -1,
        _ => 0,
    };
    if position_count_change == 1 {
        let count = ACCOUNT_POSITIONS
            .may_load(deps.storage, account_id)?
            .unwrap_or_default();
        if count >= MAX_POSITIONS_PER_ACCOUNT {
            return Err(ContractError::TooManyPositions {
                max: MAX_POSITIONS_PER_ACCOUNT,
            });
        }
    }
    let (fee_to_pool, fee_to_protocol) = trading_fee(
        size_delta,
        fill_px,
        params.trading_fee_rate,
        params.protocol_fee_share,
        cfg.settlement_decimals,
    )?;
    Ok(Plan {
        market,
        oracle_price,
        fill_price: fill_px,
        funding,
        fill,
        aggregates: agg,
        fee_to_pool,
        fee_to_protocol,
        position_count_change,
    })
}

/// Writes a planned fill: funding, aggregates, the position and the counters.
pub fn commit_fill(
    deps: &mut DepsMut,
    account_id: u64,
    market_id: &str,
    funding: &FundingState,
    aggregates: &MarketAggregates,
    position: Option<&Position>,
    position_count_change: i8,
) -> Result<(), ContractError> {
    FUNDING.save(deps.storage, market_id, funding)?;
    AGGREGATES.save(deps.storage, market_id, aggregates)?;
    match position {
        Some(p) => {
            POSITIONS.save(deps.storage, (account_id, market_id), p)?;
            MARKET_POSITIONS.save(deps.storage, (market_id, account_id), &Empty {})?;
        }
        None => {
            POSITIONS.remove(deps.storage, (account_id, market_id));
            MARKET_POSITIONS.remove(deps.storage, (market_id, account_id));
        }
    }
    if position_count_change != 0 {
        let count = ACCOUNT_POSITIONS
            .may_load(deps.storage, account_id)?
            .unwrap_or_default();
        let total = OPEN_POSITIONS.may_load(deps.storage)?.unwrap_or_default();
        let (count, total) = if position_count_change > 0 {
            (
                count.checked_add(1).ok_or(ContractError::Overflow)?,
                total.checked_add(1).ok_or(ContractError::Overflow)?,
            )
        } else {
            (
                count.checked_sub(1).ok_or(ContractError::Overflow)?,
                total.checked_sub(1).ok_or(ContractError::Overflow)?,
            )
        };
        if count == 0 {
            ACCOUNT_POSITIONS.remove(deps.storage, account_id);
        } else {
            ACCOUNT_POSITIONS.save(deps.storage, account_id, &count)?;
        }
        OPEN_POSITIONS.save(deps.storage, &total)?;
    }
    Ok(())
}

/// The fields of `ExecuteMsg::SubmitOrder`.
pub struct OrderRequest {
    pub account_id: u64,
    pub market_id: String,
    pub size_delta: SignedDecimal256,
    pub acceptable_price: Decimal256,
    pub reduce_only: bool,
}

pub fn submit_order(
    mut deps: DepsMut,
    env: Env,
    info: MessageInfo,
    req: OrderRequest,
) -> Result<Response, ContractError> {
    let OrderRequest {
        account_id,
        market_id,
        size_delta,
        acceptable_price,
        reduce_only,
    } = req;
    let cfg = CONFIG.load(deps.storage)?;
    let market = load_market(deps.as_ref(), &market_id)?;
    if size_delta.is_zero() {
        return Err(ContractError::ZeroSize);
    }
    let old_size = POSITIONS
        .may_load(deps.storage, (account_id, &market_id))?
        .map(|p| p.size)
        .unwrap_or_default();
    let (_, increases) = classify(old_size, size_delta)?;
    if increases && reduce_only {
        return Err(ContractError::ReduceOnlyWouldIncrease);
    }
    if increases && !market.params.enabled {
        return Err(ContractError::MarketDisabled { market_id });
    }
    let (action, price_use) = if increases {
        (ActionClass::Open, PriceUse::Open)
    } else {
        (ActionClass::Reduce, PriceUse::Reduce)
    };
    ensure_allowed(deps.as_ref(), &env, &cfg, &market_id, action)?;
    let price = usable_price(deps.as_ref(), &env, &cfg, &market.asset_id, price_use)?;
    let plan = plan_order(
        deps.as_ref(),
        &env,
        &cfg,
        market,
        account_id,
        size_delta,
        price,
    )?;
    check_slippage(size_delta, plan.fill_price, acceptable_price)?;
    commit_fill(
        &mut deps,
        account_id,
        &market_id,
        &plan.funding,
        &plan.aggregates,
        plan.fill.position.as_ref(),
        plan.position_count_change,
    )?;

    let pnl_vs_pool = plan
        .fill
        .realized_pnl
        .checked_sub(plan.fill.funding_owed)
        .or_overflow()?;
    let risk = account_risk(deps.as_ref(), &env, &cfg, account_id)?;
    let settlement = Settlement {
        account_id,
        trader_addr: Some(info.sender.clone()),
        cash: CashFlows {
            pnl_vs_pool,
            fee_to_pool: plan.fee_to_pool,
            fee_to_protocol: plan.fee_to_protocol,
        },
        risk,
        change: if increases {
            RiskChange::Increase
        } else {
            RiskChange::Reduce
        },
    };
    let msg = CosmosMsg::Wasm(WasmMsg::Execute {
        contract_addr: cfg.vault_addr.to_string(),
        msg: to_json_binary(&VaultSettleMsg::Settle(settlement))?,
        funds: vec![],
    });
    let new_size = plan
        .fill
        .position
        .as_ref()
        .map(|p| p.size)
        .unwrap_or_default();
    Ok(Response::new()
        .add_message(msg)
        .add_attribute("action", "submit_order")
        .add_attribute("account_id", account_id.to_string())
        .add_attribute("market_id", market_id)
        .add_attribute("trader", info.sender)
        .add_attribute("size_delta", size_delta.to_string())
        .add_attribute("oracle_price", plan.oracle_price.to_string())
        .add_attribute("fill_price", plan.fill_price.to_string())
        .add_attribute("new_size", new_size.to_string())
        .add_attribute("realized_pnl", plan.fill.realized_pnl.to_string())
        .add_attribute("funding_owed", plan.fill.funding_owed.to_string())
        .add_attribute(
            "fee",
            plan.fee_to_pool
                .checked_add(plan.fee_to_protocol)
                .or_overflow()?
                .to_string(),
        )
        .add_attribute("increase", increases.to_string()))
}

pub fn close_position(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    account_id: u64,
    market_id: String,
    acceptable_price: Decimal256,
) -> Result<Response, ContractError> {
    let position = POSITIONS
        .may_load(deps.storage, (account_id, &market_id))?
        .ok_or_else(|| ContractError::NoPosition {
            account_id,
            market_id: market_id.clone(),
        })?;
    let size_delta = crate::units::neg(position.size)?;
    submit_order(
        deps,
        env,
        info,
        OrderRequest {
            account_id,
            market_id,
            size_delta,
            acceptable_price,
            reduce_only: true,
        },
    )
}

/// The `Quote` query: the order simulated at the current block without gating.
pub fn quote(
    deps: Deps,
    env: Env,
    account_id: u64,
    market_id: String,
    size_delta: SignedDecimal256,
) -> Result<QuoteResponse, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    let market = load_market(deps, &market_id)?;
    if size_delta.is_zero() {
        return Err(ContractError::ZeroSize);
    }
    let price = usable_price(deps, &env, &cfg, &market.asset_id, PriceUse::Valuation)?;
    let plan = plan_order(deps, &env, &cfg, market, account_id, size_delta, price)?;
    Ok(QuoteResponse {
        oracle_price: plan.oracle_price,
        fill_price: plan.fill_price,
        fee: plan
            .fee_to_pool
            .checked_add(plan.fee_to_protocol)
            .or_overflow()?,
        realized_pnl: plan.fill.realized_pnl,
        funding_owed: plan.fill.funding_owed,
        resulting_size: plan
            .fill
            .position
            .as_ref()
            .map(|p| p.size)
            .unwrap_or_default(),
        resulting_entry_price: plan.fill.position.as_ref().map(|p| p.entry_price),
        increases_risk: plan.fill.increases_risk,
    })
}
