//! State operations shared by the execute paths and the queries: price and breaker reads,
//! position bookkeeping (open interest, locked liquidity, settlement index, pool greeks) and
//! the account's risk report.

use cosmwasm_std::{
    to_json_binary, Addr, CosmosMsg, Decimal256, Deps, Env, Int128, Order, QuerierWrapper,
    SignedDecimal256, Storage, Uint128, WasmMsg,
};

use bulwark_types::circuit_breaker::{is_action_allowed, ActionClass};
use bulwark_types::market::VaultSettleMsg;
use bulwark_types::market::{
    query_grid_raw, AccountRisk, ScenarioGrid, Settlement, UnderlyingRisk,
    MAX_UNDERLYINGS_PER_REPORT,
};
use bulwark_types::options::{Greeks, OptionType, MAX_POSITIONS_PER_ACCOUNT};
use bulwark_types::oracle::{query_usable_price, PricePurpose};

use crate::error::ContractError;
use crate::pricing::{cash_ceil, max_payoff_unit, sd_int};
use crate::risk::{underlying_risk, RiskParams, RiskPosition};
use crate::state::{
    market_id, split_series_id, Board, Config, SeriesState, Strike, Wiring, ACCOUNT_POSITION_COUNT,
    BOARDS, BOARD_ACCOUNTS, CONFIG, POOL, POSITIONS, STRIKES,
};
use crate::surface::series_vol;

pub fn wiring(cfg: &Config) -> Result<Wiring, ContractError> {
    let missing = |m: &str| ContractError::NotConfigured {
        missing: m.to_string(),
    };
    Ok(Wiring {
        vault_addr: cfg.vault_addr.clone().ok_or_else(|| missing("vault"))?,
        oracle_addr: cfg.oracle_addr.clone().ok_or_else(|| missing("oracle"))?,
        breaker_addr: cfg
            .circuit_breaker_addr
            .clone()
            .ok_or_else(|| missing("circuit_breaker"))?,
    })
}

pub fn load_wired(storage: &dyn Storage) -> Result<(Config, Wiring), ContractError> {
    let cfg = CONFIG.load(storage)?;
    let w = wiring(&cfg)?;
    Ok((cfg, w))
}

pub fn spot(
    querier: &QuerierWrapper,
    env: &Env,
    oracle_addr: &Addr,
    asset_id: &str,
    max_age_secs: u64,
    purpose: PricePurpose,
) -> Result<Decimal256, ContractError> {
    query_usable_price(querier, env, oracle_addr, asset_id, max_age_secs, purpose).map_err(|e| {
        ContractError::PriceUnusable {
            asset_id: asset_id.to_string(),
            reason: e.to_string(),
        }
    })
}

pub fn check_breaker(
    querier: &QuerierWrapper,
    env: &Env,
    breaker_addr: &Addr,
    board_id: u64,
    action: ActionClass,
) -> Result<(), ContractError> {
    let market = market_id(board_id);
    if is_action_allowed(
        querier,
        breaker_addr,
        &env.contract.address,
        Some(&market),
        action,
        env.block.time,
    )? {
        Ok(())
    } else {
        Err(ContractError::BreakerBlocked {
            action: format!("{action:?}"),
            market_id: market,
        })
    }
}

pub fn load_series(
    storage: &dyn Storage,
    series_id: u64,
) -> Result<(Board, Strike, OptionType), ContractError> {
    let (strike_id, kind) = split_series_id(series_id);
    let strike = STRIKES
        .may_load(storage, strike_id)?
        .ok_or(ContractError::UnknownSeries { series_id })?;
    let board = BOARDS.load(storage, strike.board_id)?;
    Ok((board, strike, kind))
}

pub fn load_position(
    storage: &dyn Storage,
    account_id: u64,
    series_id: u64,
) -> Result<i128, ContractError> {
    Ok(POSITIONS
        .may_load(storage, (account_id, series_id))?
        .map(|p| p.i128())
        .unwrap_or(0))
}

/// Traders' net contracts of a series (long − short); the pool holds the opposite.
pub fn trader_net(s: &SeriesState) -> Result<i128, ContractError> {
    let l = i128::try_from(s.long_oi.u128()).map_err(|_| ContractError::PositionTooLarge)?;
    let sh = i128::try_from(s.short_oi.u128()).map_err(|_| ContractError::PositionTooLarge)?;
    l.checked_sub(sh).ok_or(ContractError::PositionTooLarge)
}

/// Liquidity locked for a series: the pool's maximum payoff, max(0, long − short) × maximum
/// payoff per contract, rounded up.
pub fn series_locked(
    s: &SeriesState,
    kind: OptionType,
    strike: Decimal256,
    board: &Board,
) -> Result<Uint128, ContractError> {
    let net_long = s.long_oi.saturating_sub(s.short_oi);
    cash_ceil(
        max_payoff_unit(kind, strike, board.cap_price),
        net_long,
        board.multiplier,
    )
}

fn scale_greeks(g: &Greeks, n: i128) -> Result<Greeks, ContractError> {
    let n = sd_int(n)?;
    Ok(Greeks {
        delta: g.delta.checked_mul(n)?,
        gamma: g.gamma.checked_mul(n)?,
        vega: g.vega.checked_mul(n)?,
        theta: g.theta.checked_mul(n)?,
    })
}

pub fn add_greeks(a: &Greeks, b: &Greeks) -> Result<Greeks, ContractError> {
    Ok(Greeks {
        delta: a.delta.checked_add(b.delta)?,
        gamma: a.gamma.checked_add(b.gamma)?,
        vega: a.vega.checked_add(b.vega)?,
        theta: a.theta.checked_add(b.theta)?,
    })
}

fn sub_greeks(a: &Greeks, b: &Greeks) -> Result<Greeks, ContractError> {
    Ok(Greeks {
        delta: a.delta.checked_sub(b.delta)?,
        gamma: a.gamma.checked_sub(b.gamma)?,
        vega: a.vega.checked_sub(b.vega)?,
        theta: a.theta.checked_sub(b.theta)?,
    })
}

/// The pool's contribution of a series: (short − long) × cached greeks.
pub fn pool_contribution(s: &SeriesState) -> Result<Greeks, ContractError> {
    let net = trader_net(s)?;
    scale_greeks(
        &s.cached_greeks,
        net.checked_neg().ok_or(ContractError::PositionTooLarge)?,
    )
}

/// Replaces a series' state (open interest and cached greeks) and keeps the board's pool
/// greeks and the pool's locked liquidity in step with it.
pub fn replace_series(
    storage: &mut dyn Storage,
    board: &mut Board,
    strike: &mut Strike,
    kind: OptionType,
    new_state: SeriesState,
) -> Result<(), ContractError> {
    let old_state = strike.series(kind).clone();
    let old_locked = series_locked(&old_state, kind, strike.strike, board)?;
    let new_locked = series_locked(&new_state, kind, strike.strike, board)?;
    board.pool_greeks = add_greeks(
        &sub_greeks(&board.pool_greeks, &pool_contribution(&old_state)?)?,
        &pool_contribution(&new_state)?,
    )?;
    let mut pool = POOL.load(storage)?;
    pool.locked_liquidity = pool
        .locked_liquidity
        .checked_sub(old_locked)?
        .checked_add(new_locked)?;
    POOL.save(storage, &pool)?;
    *strike.series_mut(kind) = new_state;
    Ok(())
}

/// Moves an account's position in a series from `old` to `new` contracts: position map,
/// per-account count (bounded), settlement index, and the series' open interest (returned,
/// not yet applied: pass it to [`replace_series`]).
pub fn move_position(
    storage: &mut dyn Storage,
    account_id: u64,
    board_id: u64,
    series_id: u64,
    series: &SeriesState,
    old: i128,
    new: i128,
) -> Result<SeriesState, ContractError> {
    let mut s = series.clone();
    // open interest: remove the old side, add the new one
    let old_abs = Uint128::new(old.unsigned_abs());
    let new_abs = Uint128::new(new.unsigned_abs());
    if old > 0 {
        s.long_oi = s.long_oi.checked_sub(old_abs)?;
    } else if old < 0 {
        s.short_oi = s.short_oi.checked_sub(old_abs)?;
    }
    if new > 0 {
        s.long_oi = s.long_oi.checked_add(new_abs)?;
    } else if new < 0 {
        s.short_oi = s.short_oi.checked_add(new_abs)?;
    }
    if old == 0 && new != 0 {
        let count = ACCOUNT_POSITION_COUNT
            .may_load(storage, account_id)?
            .unwrap_or(0)
            .checked_add(1)
            .ok_or(ContractError::PositionTooLarge)?;
        if count > MAX_POSITIONS_PER_ACCOUNT {
            return Err(ContractError::TooManyPositions {
                account_id,
                max: MAX_POSITIONS_PER_ACCOUNT,
            });
        }
        ACCOUNT_POSITION_COUNT.save(storage, account_id, &count)?;
        let in_board = BOARD_ACCOUNTS
            .may_load(storage, (board_id, account_id))?
            .unwrap_or(0)
            .saturating_add(1);
        BOARD_ACCOUNTS.save(storage, (board_id, account_id), &in_board)?;
    } else if old != 0 && new == 0 {
        let count = ACCOUNT_POSITION_COUNT
            .may_load(storage, account_id)?
            .unwrap_or(0)
            .saturating_sub(1);
        if count == 0 {
            ACCOUNT_POSITION_COUNT.remove(storage, account_id);
        } else {
            ACCOUNT_POSITION_COUNT.save(storage, account_id, &count)?;
        }
        let in_board = BOARD_ACCOUNTS
            .may_load(storage, (board_id, account_id))?
            .unwrap_or(0)
            .saturating_sub(1);
        if in_board == 0 {
            BOARD_ACCOUNTS.remove(storage, (board_id, account_id));
        } else {
            BOARD_ACCOUNTS.save(storage, (board_id, account_id), &in_board)?;
        }
    }
    if new == 0 {
        POSITIONS.remove(storage, (account_id, series_id));
    } else {
        POSITIONS.save(storage, (account_id, series_id), &Int128::new(new))?;
    }
    Ok(s)
}

/// Every non-zero position of an account (at most `MAX_POSITIONS_PER_ACCOUNT`).
pub fn account_positions(
    storage: &dyn Storage,
    account_id: u64,
) -> Result<Vec<(u64, i128)>, ContractError> {
    POSITIONS
        .prefix(account_id)
        .range(storage, None, None, Order::Ascending)
        .take(MAX_POSITIONS_PER_ACCOUNT as usize)
        .map(|r| r.map(|(k, v)| (k, v.i128())).map_err(ContractError::from))
        .collect()
}

/// A position with everything the risk and valuation code needs.
pub struct LoadedPosition {
    pub series_id: u64,
    pub net: i128,
    pub board: Board,
    pub strike: Strike,
    pub kind: OptionType,
}

impl LoadedPosition {
    pub fn risk_position(&self, now: u64) -> Result<RiskPosition, ContractError> {
        Ok(RiskPosition {
            kind: self.kind,
            strike: self.strike.strike,
            secs_to_expiry: self.board.expiry.saturating_sub(now),
            vol: series_vol(self.board.base_iv, self.strike.skew)?,
            net: self.net,
            multiplier: self.board.multiplier,
            settlement_price: self.board.settlement_price,
            cap: self.board.cap_price,
        })
    }
}

pub fn load_account(
    storage: &dyn Storage,
    account_id: u64,
) -> Result<Vec<LoadedPosition>, ContractError> {
    // Positions of one board share its record: read each board once (≤ MAX_ACTIVE_BOARDS).
    let mut boards: Vec<Board> = vec![];
    account_positions(storage, account_id)?
        .into_iter()
        .map(|(series_id, net)| {
            let (strike_id, kind) = split_series_id(series_id);
            let strike = STRIKES
                .may_load(storage, strike_id)?
                .ok_or(ContractError::UnknownSeries { series_id })?;
            let board = match boards.iter().find(|b| b.id == strike.board_id) {
                Some(b) => b.clone(),
                None => {
                    let b = BOARDS.load(storage, strike.board_id)?;
                    boards.push(b.clone());
                    b
                }
            };
            Ok(LoadedPosition {
                series_id,
                net,
                board,
                strike,
                kind,
            })
        })
        .collect()
}

/// Spots already read in this transaction, so one underlying is read once and a trade's risk
/// uses the very price it was priced at.
#[derive(Default)]
pub struct SpotCache(pub Vec<(String, Decimal256)>);

impl SpotCache {
    pub fn get_or_read(
        &mut self,
        querier: &QuerierWrapper,
        env: &Env,
        oracle_addr: &Addr,
        asset_id: &str,
        max_age_secs: u64,
    ) -> Result<Decimal256, ContractError> {
        if let Some((_, p)) = self.0.iter().find(|(a, _)| a == asset_id) {
            return Ok(*p);
        }
        let p = spot(
            querier,
            env,
            oracle_addr,
            asset_id,
            max_age_secs,
            PricePurpose::ReduceOrLiquidate,
        )?;
        self.0.push((asset_id.to_string(), p));
        Ok(p)
    }
}

type UnderlyingRiskFn = fn(
    Decimal256,
    &[RiskPosition],
    &ScenarioGrid,
    &RiskParams,
) -> Result<UnderlyingRisk, ContractError>;

/// `underlying_risk` behind an opaque function pointer: wasm-opt inlines functions with a
/// single caller, and inlined into `account_risk` the pair comes close to wasmvm's limit of 100
/// locals per function (cosmwasm-check static validation). The indirection keeps it separate.
fn underlying_risk_out_of_line() -> UnderlyingRiskFn {
    std::hint::black_box(underlying_risk as UnderlyingRiskFn)
}

/// The account's risk on every underlying it holds, against the vault's current grids.
/// Bounded: ≤ 32 positions, ≤ 16 underlyings, ≤ 64 scenarios each.
pub fn account_risk(
    deps: Deps,
    env: &Env,
    cfg: &Config,
    w: &Wiring,
    account_id: u64,
    spots: &mut SpotCache,
) -> Result<AccountRisk, ContractError> {
    Ok(account_risk_counted(deps, env, cfg, w, account_id, spots)?.0)
}

/// Black-Scholes evaluations of one position's risk on a grid of `scenarios`: each leg once
/// per scenario and once at the base; none once its settlement price is fixed.
pub fn risk_evaluations(p: &RiskPosition, scenarios: usize) -> u32 {
    if p.settlement_price.is_some() {
        return 0;
    }
    let legs: u32 = match p.kind {
        OptionType::Call => 2,
        OptionType::Put => 1,
    };
    legs.saturating_mul(
        u32::try_from(scenarios)
            .unwrap_or(u32::MAX)
            .saturating_add(1),
    )
}

/// [`account_risk`] and the number of Black-Scholes evaluations it took.
pub fn account_risk_counted(
    deps: Deps,
    env: &Env,
    cfg: &Config,
    w: &Wiring,
    account_id: u64,
    spots: &mut SpotCache,
) -> Result<(AccountRisk, u32), ContractError> {
    let positions = load_account(deps.storage, account_id)?;
    let now = env.block.time.seconds();
    let mut assets: Vec<String> = vec![];
    for p in &positions {
        if !assets.contains(&p.board.asset_id) {
            assets.push(p.board.asset_id.clone());
        }
    }
    if assets.len() > MAX_UNDERLYINGS_PER_REPORT {
        return Err(ContractError::TooManyUnderlyings {
            max: MAX_UNDERLYINGS_PER_REPORT,
        });
    }
    let params = RiskParams {
        rate: cfg.params.rate,
        maintenance_addon_rate: cfg.params.maintenance_addon_rate,
        initial_addon_rate: cfg.params.initial_addon_rate,
    };
    let mut underlyings = Vec::with_capacity(assets.len());
    let mut evaluations = 0u32;
    for asset in assets {
        let grid = query_grid_raw(&deps.querier, &w.vault_addr, &asset)?.ok_or_else(|| {
            ContractError::NoScenarioGrid {
                asset_id: asset.clone(),
            }
        })?;
        let s = spots.get_or_read(
            &deps.querier,
            env,
            &w.oracle_addr,
            &asset,
            cfg.params.max_price_age_secs,
        )?;
        let rps = positions
            .iter()
            .filter(|p| p.board.asset_id == asset)
            .map(|p| p.risk_position(now))
            .collect::<Result<Vec<_>, _>>()?;
        evaluations = rps.iter().fold(evaluations, |n, p| {
            n.saturating_add(risk_evaluations(p, grid.len()))
        });
        let mut r = underlying_risk_out_of_line()(s, &rps, &grid, &params)?;
        r.asset_id = asset;
        underlyings.push(r);
    }
    Ok((AccountRisk { underlyings }, evaluations))
}

pub fn settle_msg(vault_addr: &Addr, settlement: Settlement) -> Result<CosmosMsg, ContractError> {
    Ok(CosmosMsg::Wasm(WasmMsg::Execute {
        contract_addr: vault_addr.to_string(),
        msg: to_json_binary(&VaultSettleMsg::Settle(settlement))?,
        funds: vec![],
    }))
}

pub fn abs_sd(x: SignedDecimal256) -> Decimal256 {
    x.abs_diff(SignedDecimal256::zero())
}
