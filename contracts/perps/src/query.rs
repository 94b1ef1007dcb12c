//! Queries. Paged queries are bounded by `MAX_PAGE_LIMIT`; `PoolExposure` is O(markets).

use cosmwasm_std::{Deps, Env, Int128, Order, StdResult, Uint128};
use cw_storage_plus::Bound;

use bulwark_types::market::PoolExposure;
use bulwark_types::perps::{
    ConfigResponse, FundingRateResponse, MarketAggregates, MarketResponse, MarketsResponse,
    PositionResponse, PositionsResponse, DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT,
};

use crate::aggregates::{side_pnl, skew, unrealized_pnl, Side};
use crate::error::{ContractError, OrOverflow};
use crate::funding::{accrue, velocity};
use crate::order::load_market;
use crate::position::{funding_owed, mark_pnl};
use crate::price::{market_funding_params, usable_price, PriceUse};
use crate::state::{Market, AGGREGATES, CONFIG, FUNDING, MARKETS, OPEN_POSITIONS, POSITIONS};
use crate::units::{abs, to_amount, to_uamount_ceil, unsigned, zero, Round};

fn limit(limit: Option<u32>) -> usize {
    limit.unwrap_or(DEFAULT_PAGE_LIMIT).min(MAX_PAGE_LIMIT) as usize
}

pub fn config(deps: Deps) -> Result<ConfigResponse, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    Ok(ConfigResponse {
        vault_addr: cfg.vault_addr,
        oracle_addr: cfg.oracle_addr,
        circuit_breaker_addr: cfg.circuit_breaker_addr,
        settlement_decimals: cfg.settlement_decimals,
        oracle_max_age_secs: cfg.oracle_max_age_secs,
        open_positions: OPEN_POSITIONS.may_load(deps.storage)?.unwrap_or_default(),
    })
}

fn market_response(deps: Deps, market: Market) -> Result<MarketResponse, ContractError> {
    Ok(MarketResponse {
        funding: FUNDING.load(deps.storage, &market.market_id)?,
        aggregates: AGGREGATES.load(deps.storage, &market.market_id)?,
        market_id: market.market_id,
        asset_id: market.asset_id,
        params: market.params,
    })
}

pub fn market(deps: Deps, market_id: String) -> Result<MarketResponse, ContractError> {
    let market = load_market(deps, &market_id)?;
    market_response(deps, market)
}

pub fn markets(
    deps: Deps,
    start_after: Option<String>,
    limit_: Option<u32>,
) -> Result<MarketsResponse, ContractError> {
    let start = start_after.as_deref().map(Bound::exclusive);
    let markets = MARKETS
        .range(deps.storage, start, None, Order::Ascending)
        .take(limit(limit_))
        .map(|r| r.map(|(_, m)| m))
        .collect::<StdResult<Vec<_>>>()?;
    Ok(MarketsResponse {
        markets: markets
            .into_iter()
            .map(|m| market_response(deps, m))
            .collect::<Result<_, _>>()?,
    })
}

pub fn aggregates(deps: Deps, market_id: String) -> Result<MarketAggregates, ContractError> {
    load_market(deps, &market_id)?;
    Ok(AGGREGATES.load(deps.storage, &market_id)?)
}

pub fn position(
    deps: Deps,
    env: Env,
    account_id: u64,
    market_id: String,
) -> Result<PositionResponse, ContractError> {
    let market = load_market(deps, &market_id)?;
    let position = POSITIONS.may_load(deps.storage, (account_id, &market_id))?;
    let cfg = CONFIG.load(deps.storage)?;
    let price = usable_price(deps, &env, &cfg, &market.asset_id, PriceUse::Valuation).ok();
    let (mut mark, mut accrued, mut notional) = (None, None, None);
    if let (Some(p), Some(price)) = (&position, price) {
        let agg = AGGREGATES.load(deps.storage, &market_id)?;
        let funding = accrue(
            &FUNDING.load(deps.storage, &market_id)?,
            skew(&agg)?,
            price,
            &market_funding_params(&market.params),
            env.block.time.seconds(),
        )?;
        mark = Some(mark_pnl(p, price, cfg.settlement_decimals)?);
        accrued = Some(funding_owed(p, funding.index, cfg.settlement_decimals)?);
        notional = Some(to_uamount_ceil(
            abs(p.size).checked_mul(price).or_overflow()?,
            cfg.settlement_decimals,
        )?);
    }
    Ok(PositionResponse {
        position,
        price,
        mark_pnl: mark,
        accrued_funding: accrued,
        notional,
    })
}

pub fn positions_by_account(
    deps: Deps,
    account_id: u64,
    start_after: Option<String>,
    limit_: Option<u32>,
) -> Result<PositionsResponse, ContractError> {
    let start = start_after.as_deref().map(Bound::exclusive);
    let positions = POSITIONS
        .prefix(account_id)
        .range(deps.storage, start, None, Order::Ascending)
        .take(limit(limit_))
        .map(|r| r.map(|(_, p)| p))
        .collect::<StdResult<Vec<_>>>()?;
    Ok(PositionsResponse { positions })
}

pub fn funding_rate(
    deps: Deps,
    env: Env,
    market_id: String,
) -> Result<FundingRateResponse, ContractError> {
    let market = load_market(deps, &market_id)?;
    let cfg = CONFIG.load(deps.storage)?;
    let price = usable_price(deps, &env, &cfg, &market.asset_id, PriceUse::Valuation)?;
    let agg = AGGREGATES.load(deps.storage, &market_id)?;
    let k = skew(&agg)?;
    let params = market_funding_params(&market.params);
    let funding = accrue(
        &FUNDING.load(deps.storage, &market_id)?,
        k,
        price,
        &params,
        env.block.time.seconds(),
    )?;
    Ok(FundingRateResponse {
        market_id,
        rate: funding.rate,
        velocity: velocity(k, &params)?,
        index: funding.index,
        price,
        skew: k,
    })
}

/// Σ over markets of the traders' unrealized PnL (rounded up: the pool's liability is never
/// understated) and the liquidity locked, `Σ |skew| × price` (the pool is the counterparty of
/// the net skew only), rounded up. `trader_gains` is Σ over markets and sides of
/// max(0, side PnL), each rounded up: a losing side's loss is collectable only up to each
/// loser's equity, so it must not hide what the winning side is owed.
pub fn pool_exposure(deps: Deps, env: Env) -> Result<PoolExposure, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    let markets = MARKETS
        .range(deps.storage, None, None, Order::Ascending)
        .map(|r| r.map(|(_, m)| m))
        .collect::<StdResult<Vec<_>>>()?;
    let mut total = Int128::zero();
    let mut locked = Uint128::zero();
    let mut gains = Uint128::zero();
    for market in markets {
        let agg = AGGREGATES.load(deps.storage, &market.market_id)?;
        if agg.positions == 0 {
            continue;
        }
        let price = usable_price(deps, &env, &cfg, &market.asset_id, PriceUse::Valuation)?;
        let k = skew(&agg)?;
        let funding = accrue(
            &FUNDING.load(deps.storage, &market.market_id)?,
            k,
            price,
            &market_funding_params(&market.params),
            env.block.time.seconds(),
        )?;
        let pnl = unrealized_pnl(&agg, price, funding.index)?;
        total = total
            .checked_add(to_amount(pnl, cfg.settlement_decimals, Round::Ceil)?)
            .or_overflow()?;
        locked = locked
            .checked_add(to_uamount_ceil(
                abs(k).checked_mul(price).or_overflow()?,
                cfg.settlement_decimals,
            )?)
            .or_overflow()?;
        for side in [Side::Long, Side::Short] {
            let side_gain = side_pnl(&agg, side, price, funding.index)?.max(zero());
            gains = gains
                .checked_add(to_uamount_ceil(
                    unsigned(side_gain)?,
                    cfg.settlement_decimals,
                )?)
                .or_overflow()?;
        }
    }
    Ok(PoolExposure {
        unrealized_trader_pnl: total,
        locked_liquidity: locked,
        trader_gains: gains,
    })
}
