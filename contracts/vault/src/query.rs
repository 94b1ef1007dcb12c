use cosmwasm_std::{Addr, Decimal256, Deps, Env, Int128, Order, StdResult, Uint128};
use cw_storage_plus::Bound;

use bulwark_types::market::{MarketQueryMsg, PoolExposure, ScenarioGrid, SCENARIO_GRIDS};
use bulwark_types::oracle::PricePurpose;
use bulwark_types::vault::{
    AccountResponse, CollateralConfig, ConfigResponse, DenomKind, HealthResponse,
    LpPositionResponse, MarketExposure, MarketResponse, PoolResponse, SystemRiskResponse,
    TotalsResponse, UnderlyingHealth, DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT,
};

use crate::error::ContractError;
use crate::execute::{load_account, pool_exposure};
use crate::health::live_snapshot;
use crate::lp;
use crate::margin;
use crate::shares::share_denom;
use crate::state::{
    load_totals, Account, ACCOUNTS, BAD_DEBT, COLLATERALS, COLLATERAL_COUNT, CONFIG, LP_REQUESTS,
    LP_SHARES, MARKETS, MARKET_COUNT, OWNER_ACCOUNTS, TOTALS, TOTAL_SHARES,
};

pub fn limit(l: Option<u32>) -> usize {
    l.unwrap_or(DEFAULT_PAGE_LIMIT).min(MAX_PAGE_LIMIT) as usize
}

pub fn config(deps: Deps) -> Result<ConfigResponse, ContractError> {
    let c = CONFIG.load(deps.storage)?;
    Ok(ConfigResponse {
        settlement_denom: c.settlement_denom,
        settlement_decimals: c.settlement_decimals,
        oracle_addr: c.oracle_addr,
        circuit_breaker_addr: c.circuit_breaker_addr,
        params: c.params,
        lp_share_denom: share_denom(deps.storage)?,
        market_count: MARKET_COUNT.may_load(deps.storage)?.unwrap_or(0),
        collateral_count: COLLATERAL_COUNT.may_load(deps.storage)?.unwrap_or(0),
        gateway_addr: crate::remote::GATEWAY.may_load(deps.storage)?,
    })
}

fn account_response(account_id: u64, a: Account) -> AccountResponse {
    AccountResponse {
        account_id,
        owner_addr: a.owner_addr,
        settlement_balance: a.settlement_balance,
        collateral: a.collateral,
        markets: a.markets,
    }
}

pub fn account(deps: Deps, account_id: u64) -> Result<AccountResponse, ContractError> {
    Ok(account_response(
        account_id,
        load_account(deps.storage, account_id)?,
    ))
}

pub fn accounts_by_owner(
    deps: Deps,
    owner: String,
    start_after: Option<u64>,
    l: Option<u32>,
) -> Result<Vec<AccountResponse>, ContractError> {
    let owner_addr = deps.api.addr_validate(&owner)?;
    let ids: Vec<u64> = OWNER_ACCOUNTS
        .prefix(&owner_addr)
        .keys(
            deps.storage,
            start_after.map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(limit(l))
        .collect::<StdResult<_>>()?;
    ids.into_iter()
        .map(|id| Ok(account_response(id, ACCOUNTS.load(deps.storage, id)?)))
        .collect()
}

pub fn health(deps: Deps, env: Env, account_id: u64) -> Result<HealthResponse, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let account = load_account(deps.storage, account_id)?;
    let snap = live_snapshot(
        deps,
        &env,
        &config,
        account_id,
        &account,
        PricePurpose::ReduceOrLiquidate,
    )?;
    let p = &snap.portfolio;
    Ok(HealthResponse {
        collateral_value: snap.collateral_value,
        settlement_balance: snap.settlement_balance,
        unrealized_pnl: p.unrealized_pnl,
        equity: snap.equity,
        maintenance_requirement: p.maintenance,
        initial_requirement: p.initial,
        health: margin::health(snap.equity, p.maintenance),
        liquidatable: !margin::meets(snap.equity, p.maintenance),
        underlyings: p
            .underlyings
            .iter()
            .map(|(asset_id, (pnl, loss))| UnderlyingHealth {
                asset_id: asset_id.clone(),
                scenario_pnl: pnl.clone(),
                worst_loss: *loss,
            })
            .collect(),
    })
}

pub fn pool(deps: Deps) -> Result<PoolResponse, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let totals = load_totals(deps.storage, &config.settlement_denom)?;
    let (pnl, owed, locked) = pool_exposure(deps)?;
    let nav = lp::nav(totals.pool, pnl)?;
    let total_shares = TOTAL_SHARES.may_load(deps.storage)?.unwrap_or_default();
    let bad = BAD_DEBT.may_load(deps.storage)?.unwrap_or_default();
    Ok(PoolResponse {
        denom: config.settlement_denom,
        assets: totals.pool,
        unrealized_trader_pnl: pnl,
        nav,
        redeem_nav: totals.backed_pool().saturating_sub(owed),
        account_debt: totals.debt,
        total_shares,
        share_price: lp::share_price(nav, total_shares),
        locked_liquidity: locked,
        insurance: totals.insurance,
        protocol_fees: totals.fees,
        bad_debt_covered_by_insurance: bad.covered_by_insurance,
        bad_debt_covered_by_pool: bad.covered_by_pool,
        bad_debt_uncovered: totals.uncovered,
    })
}

pub fn system_risk(deps: Deps) -> Result<SystemRiskResponse, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let totals = load_totals(deps.storage, &config.settlement_denom)?;
    let mut markets = Vec::new();
    let mut pnl = Int128::zero();
    let mut locked = Uint128::zero();
    // bounded: at most MAX_MARKETS registered markets
    for item in MARKETS.keys(deps.storage, None, None, Order::Ascending) {
        let market_addr = item?;
        let e: PoolExposure = bulwark_types::querier::query_wasm_smart(
            &deps.querier,
            market_addr.as_str(),
            &MarketQueryMsg::PoolExposure {},
        )?;
        pnl = pnl.checked_add(e.unrealized_trader_pnl)?;
        locked = locked.checked_add(e.locked_liquidity)?;
        markets.push(MarketExposure {
            market_addr,
            unrealized_trader_pnl: e.unrealized_trader_pnl,
            locked_liquidity: e.locked_liquidity,
        });
    }
    Ok(SystemRiskResponse {
        markets,
        pool_assets: totals.pool,
        nav: lp::nav(totals.pool, pnl)?,
        total_unrealized_trader_pnl: pnl,
        total_locked_liquidity: locked,
        utilization: Decimal256::checked_from_ratio(locked, totals.pool).ok(),
        free_liquidity: totals.backed_pool().saturating_sub(locked),
        insurance: totals.insurance,
        bad_debt_uncovered: totals.uncovered,
    })
}

pub fn lp_position(deps: Deps, lp_addr: String) -> Result<LpPositionResponse, ContractError> {
    let lp_addr = deps.api.addr_validate(&lp_addr)?;
    // tokenfactory shares: the bank holds each holder's balance
    let shares = match share_denom(deps.storage)? {
        Some(denom) => {
            bulwark_types::querier::query_balance(&deps.querier, lp_addr.as_str(), &denom)?
        }
        None => LP_SHARES
            .may_load(deps.storage, &lp_addr)?
            .unwrap_or_default(),
    };
    Ok(LpPositionResponse {
        shares,
        pending: LP_REQUESTS.may_load(deps.storage, &lp_addr)?,
        lp_addr,
    })
}

pub fn markets(
    deps: Deps,
    start_after: Option<String>,
    l: Option<u32>,
) -> Result<Vec<MarketResponse>, ContractError> {
    let start = start_after.map(Addr::unchecked);
    MARKETS
        .range(
            deps.storage,
            start.as_ref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(limit(l))
        .map(|r| {
            let (market_addr, info) = r?;
            Ok(MarketResponse {
                market_addr,
                kind: info.kind,
            })
        })
        .collect()
}

pub fn collateral_configs(
    deps: Deps,
    start_after: Option<String>,
    l: Option<u32>,
) -> Result<Vec<CollateralConfig>, ContractError> {
    COLLATERALS
        .range(
            deps.storage,
            start_after.as_deref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(limit(l))
        .map(|r| Ok(r?.1))
        .collect()
}

pub fn scenario_grid(deps: Deps, asset_id: String) -> Result<Option<ScenarioGrid>, ContractError> {
    Ok(SCENARIO_GRIDS.may_load(deps.storage, &asset_id)?)
}

/// Per-denom conservation check: the ledger sums against the actual balance.
pub fn totals(
    deps: Deps,
    env: Env,
    start_after: Option<String>,
    l: Option<u32>,
) -> Result<Vec<TotalsResponse>, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let rows: Vec<_> = TOTALS
        .range(
            deps.storage,
            start_after.as_deref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(limit(l))
        .collect::<StdResult<_>>()?;
    rows.into_iter()
        .map(|(denom, t)| {
            let kind = if denom == config.settlement_denom {
                DenomKind::Native
            } else {
                COLLATERALS
                    .may_load(deps.storage, &denom)?
                    .map(|c| c.kind)
                    .unwrap_or(DenomKind::Native)
            };
            let balance = match kind {
                DenomKind::Native => bulwark_types::querier::query_balance(
                    &deps.querier,
                    env.contract.address.as_str(),
                    &denom,
                )?,
                DenomKind::Cw20 => {
                    let b: cw20::BalanceResponse = bulwark_types::querier::query_wasm_smart(
                        &deps.querier,
                        denom.as_str(),
                        &Cw20BalanceQuery::Balance {
                            address: env.contract.address.as_str(),
                        },
                    )?;
                    b.balance
                }
            };
            let ledger_total = t.ledger_total()?;
            let surplus = Int128::try_from(balance)?.checked_sub(ledger_total)?;
            Ok(TotalsResponse {
                denom,
                kind,
                accounts: t.accounts,
                pool: t.pool,
                insurance: t.insurance,
                fees: t.fees,
                ibc_pending: t.ibc_pending,
                ledger_total,
                balance,
                conserved: surplus >= Int128::zero(),
                surplus,
            })
        })
        .collect()
}

/// `cw20::Cw20QueryMsg::Balance` on the wire, without the whole enum's serializer.
#[derive(cosmwasm_schema::serde::Serialize)]
#[serde(crate = "::cosmwasm_schema::serde", rename_all = "snake_case")]
enum Cw20BalanceQuery<'a> {
    Balance { address: &'a str },
}
