//! Queries. Every list is paged; the market-interface queries are bounded by the position
//! and board limits.

use cosmwasm_std::{Deps, Env, Int128, Order, StdResult, Uint128};
use cw_storage_plus::Bound;

use bulwark_types::market::{AccountRisk, PoolExposure};
use bulwark_types::options::{
    BoardResponse, BoardsResponse, ConfigResponse, GreeksResponse, OptionType, PositionResponse,
    PositionsResponse, QuoteResponse, SeriesListResponse, SeriesResponse, StrikeInfo,
    DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT,
};
use bulwark_types::oracle::PricePurpose;

use crate::core::{
    account_risk, add_greeks, load_account, load_position, load_series, load_wired, spot,
    trader_net, SpotCache,
};
use crate::error::ContractError;
use crate::pricing::{
    cash_ceil, cash_floor, mid_price, payoff_unit, quote_trade, sd_int, to_int128, zero_greeks,
    ModelInput, TradeInput,
};
use crate::state::{
    market_id, series_id, Board, Strike, ACTIVE_BOARDS, BOARDS, CONFIG, POOL, POSITIONS, STRIKES,
};
use crate::surface::series_vol;

fn page(limit: Option<u32>) -> usize {
    limit.unwrap_or(DEFAULT_PAGE_LIMIT).min(MAX_PAGE_LIMIT) as usize
}

pub fn config(deps: Deps) -> Result<ConfigResponse, ContractError> {
    let c = CONFIG.load(deps.storage)?;
    Ok(ConfigResponse {
        vault_addr: c.vault_addr,
        oracle_addr: c.oracle_addr,
        circuit_breaker_addr: c.circuit_breaker_addr,
        vol_feeder_addr: c.vol_feeder_addr,
        params: c.params,
    })
}

fn board_response(deps: Deps, b: Board) -> Result<BoardResponse, ContractError> {
    let strikes = b
        .strike_ids
        .iter()
        .map(|id| {
            let s = STRIKES.load(deps.storage, *id)?;
            Ok(StrikeInfo {
                strike_id: s.id,
                strike: s.strike,
                skew: s.skew,
                call_series_id: series_id(s.id, OptionType::Call),
                put_series_id: series_id(s.id, OptionType::Put),
            })
        })
        .collect::<Result<Vec<_>, ContractError>>()?;
    Ok(BoardResponse {
        board_id: b.id,
        market_id: market_id(b.id),
        asset_id: b.asset_id,
        expiry: b.expiry,
        base_iv: b.base_iv,
        cap_price: b.cap_price,
        multiplier: b.multiplier,
        status: b.status,
        settlement_price: b.settlement_price,
        strikes,
    })
}

pub fn board(deps: Deps, board_id: u64) -> Result<BoardResponse, ContractError> {
    let b = BOARDS
        .may_load(deps.storage, board_id)?
        .ok_or(ContractError::UnknownBoard { board_id })?;
    board_response(deps, b)
}

pub fn boards(
    deps: Deps,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> Result<BoardsResponse, ContractError> {
    let boards = BOARDS
        .range(
            deps.storage,
            start_after.map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(page(limit))
        .map(|r| {
            let (_, b) = r?;
            board_response(deps, b)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(BoardsResponse { boards })
}

fn series_response(board: &Board, strike: &Strike, kind: OptionType) -> SeriesResponse {
    let s = strike.series(kind);
    SeriesResponse {
        series_id: series_id(strike.id, kind),
        board_id: board.id,
        strike_id: strike.id,
        asset_id: board.asset_id.clone(),
        strike: strike.strike,
        expiry: board.expiry,
        option_type: kind,
        long_open_interest: s.long_oi,
        short_open_interest: s.short_oi,
    }
}

pub fn series(deps: Deps, series_id: u64) -> Result<SeriesResponse, ContractError> {
    let (board, strike, kind) = load_series(deps.storage, series_id)?;
    Ok(series_response(&board, &strike, kind))
}

pub fn series_list(
    deps: Deps,
    board_id: u64,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> Result<SeriesListResponse, ContractError> {
    let b = BOARDS
        .may_load(deps.storage, board_id)?
        .ok_or(ContractError::UnknownBoard { board_id })?;
    let mut ids: Vec<u64> = b
        .strike_ids
        .iter()
        .flat_map(|id| {
            [
                series_id(*id, OptionType::Call),
                series_id(*id, OptionType::Put),
            ]
        })
        .filter(|id| start_after.is_none_or(|s| *id > s))
        .collect();
    ids.sort_unstable();
    let series = ids
        .into_iter()
        .take(page(limit))
        .map(|id| {
            let (board, strike, kind) = load_series(deps.storage, id)?;
            Ok(series_response(&board, &strike, kind))
        })
        .collect::<Result<Vec<_>, ContractError>>()?;
    Ok(SeriesListResponse { series })
}

pub fn quote(
    deps: Deps,
    env: Env,
    series_id: u64,
    amount: Uint128,
    is_buy: bool,
) -> Result<QuoteResponse, ContractError> {
    let (cfg, w) = load_wired(deps.storage)?;
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount);
    }
    let (board, strike, kind) = load_series(deps.storage, series_id)?;
    let now = env.block.time.seconds();
    let closed_at = board.expiry.saturating_sub(cfg.params.trading_cutoff_secs);
    if board.status != bulwark_types::options::BoardStatus::Open {
        return Err(ContractError::BoardNotOpen { board_id: board.id });
    }
    if now >= closed_at {
        return Err(ContractError::TradingClosed {
            board_id: board.id,
            closed_at,
            now,
        });
    }
    let s = spot(
        &deps.querier,
        &env,
        &w.oracle_addr,
        &board.asset_id,
        cfg.params.max_price_age_secs,
        PricePurpose::ReduceOrLiquidate,
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
            amount,
            multiplier: board.multiplier,
            is_buy,
        },
        &cfg.params,
    )?;
    let total = if is_buy {
        q.premium.checked_add(q.fee)?
    } else {
        q.premium.saturating_sub(q.fee)
    };
    Ok(QuoteResponse {
        series_id,
        amount,
        is_buy,
        spot: s,
        vol: q.vol_before,
        trade_vol: q.trade_vol,
        unit_price: q.unit_price,
        premium: q.premium,
        fee: q.fee,
        total,
        greeks: q.greeks_before,
    })
}

pub fn position(
    deps: Deps,
    account_id: u64,
    series_id: u64,
) -> Result<PositionResponse, ContractError> {
    Ok(PositionResponse {
        account_id,
        series_id,
        amount: Int128::new(load_position(deps.storage, account_id, series_id)?),
    })
}

pub fn positions(
    deps: Deps,
    account_id: u64,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> Result<PositionsResponse, ContractError> {
    let positions = POSITIONS
        .prefix(account_id)
        .range(
            deps.storage,
            start_after.map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(page(limit))
        .map(|r| {
            r.map(|(series_id, amount)| PositionResponse {
                account_id,
                series_id,
                amount,
            })
        })
        .collect::<StdResult<Vec<_>>>()?;
    Ok(PositionsResponse { positions })
}

/// Σ net contracts × the series' cached greeks per unit (as of the series' last trade or
/// refresh), over every position of the account.
pub fn account_greeks(deps: Deps, account_id: u64) -> Result<GreeksResponse, ContractError> {
    let mut g = zero_greeks();
    for p in load_account(deps.storage, account_id)? {
        let c = &p.strike.series(p.kind).cached_greeks;
        let n = sd_int(p.net)?;
        g = add_greeks(
            &g,
            &bulwark_types::options::Greeks {
                delta: c.delta.checked_mul(n)?,
                gamma: c.gamma.checked_mul(n)?,
                vega: c.vega.checked_mul(n)?,
                theta: c.theta.checked_mul(n)?,
            },
        )?;
    }
    Ok(GreeksResponse { greeks: g })
}

pub fn pool_greeks(deps: Deps, board_id: u64) -> Result<GreeksResponse, ContractError> {
    let b = BOARDS
        .may_load(deps.storage, board_id)?
        .ok_or(ContractError::UnknownBoard { board_id })?;
    Ok(GreeksResponse {
        greeks: b.pool_greeks,
    })
}

pub fn account_risk_query(
    deps: Deps,
    env: Env,
    account_id: u64,
) -> Result<AccountRisk, ContractError> {
    let (cfg, w) = load_wired(deps.storage)?;
    account_risk(deps, &env, &cfg, &w, account_id, &mut SpotCache::default())
}

/// Σ over active boards (≤ 8) and their series (≤ 32 each) of traders' net open interest ×
/// mark (settlement payoff once fixed, else the model mid at the surface), rounded against
/// the pool (traders' longs up, shorts down). `trader_gains` is Σ long OI × mark, rounded
/// up: what the pool owes long holders, not netted against the writers' liabilities, which
/// are collectable only up to each writer's equity. Independent of the number of positions.
pub fn pool_exposure(deps: Deps, env: Env) -> Result<PoolExposure, ContractError> {
    let (cfg, w) = load_wired(deps.storage)?;
    let pool = POOL.load(deps.storage)?;
    let now = env.block.time.seconds();
    let mut total = Int128::zero();
    let mut gains = Uint128::zero();
    let mut spots = SpotCache::default();
    let board_ids = ACTIVE_BOARDS
        .keys(deps.storage, None, None, Order::Ascending)
        .collect::<StdResult<Vec<_>>>()?;
    for board_id in board_ids {
        let b = BOARDS.load(deps.storage, board_id)?;
        for id in &b.strike_ids {
            let strike = STRIKES.load(deps.storage, *id)?;
            for kind in [OptionType::Call, OptionType::Put] {
                let series = strike.series(kind);
                let net = trader_net(series)?;
                // a flat series (net 0) still owes its long holders
                if net == 0 && series.long_oi.is_zero() {
                    continue;
                }
                let unit = match b.settlement_price {
                    Some(sp) => payoff_unit(kind, strike.strike, sp),
                    None => {
                        let s = spots.get_or_read(
                            &deps.querier,
                            &env,
                            &w.oracle_addr,
                            &b.asset_id,
                            cfg.params.max_price_age_secs,
                        )?;
                        mid_price(&ModelInput {
                            kind,
                            spot: s,
                            strike: strike.strike,
                            secs_to_expiry: b.expiry.saturating_sub(now),
                            vol: series_vol(b.base_iv, strike.skew)?,
                            rate: cfg.params.rate,
                            cap: b.cap_price,
                        })?
                    }
                };
                let abs = Uint128::new(net.unsigned_abs());
                let v = if net > 0 {
                    to_int128(cash_ceil(unit, abs, b.multiplier)?, false)?
                } else {
                    to_int128(cash_floor(unit, abs, b.multiplier)?, true)?
                };
                total = total.checked_add(v)?;
                gains = gains.checked_add(cash_ceil(unit, series.long_oi, b.multiplier)?)?;
            }
        }
    }
    Ok(PoolExposure {
        unrealized_trader_pnl: total,
        locked_liquidity: pool.locked_liquidity,
        trader_gains: gains,
    })
}
