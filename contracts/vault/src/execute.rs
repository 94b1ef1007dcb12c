//! Execute handlers: configuration, accounts, deposits and withdrawals, LP pool, insurance
//! and fees. Settlement is in `settle.rs`, liquidation in `liquidate.rs`.

use cosmwasm_std::{
    from_json, to_json_binary, Addr, BankMsg, Coin, CosmosMsg, Decimal, Decimal256, Deps, DepsMut,
    Empty, Env, Int128, MessageInfo, Response, SignedDecimal256, Storage, Uint128, WasmMsg,
};

use bulwark_types::circuit_breaker::{is_action_allowed, ActionClass};
use bulwark_types::market::{
    MarketQueryMsg, PoolExposure, ScenarioGrid, MAX_SCENARIOS, SCENARIO_GRIDS,
};
use bulwark_types::oracle::{query_price_raw, PricePurpose};
use bulwark_types::ownership::assert_owner;
use bulwark_types::vault::{
    CollateralConfig, Cw20HookMsg, Cw20ReceiveMsg, DenomKind, LpWithdrawRequest, MarketKind,
    VaultParams, MAX_ACCOUNTS_PER_OWNER, MAX_COLLATERAL_TYPES, MAX_LP_WITHDRAW_WINDOW_SECS,
    MAX_MARKETS, MAX_SCENARIO_GRIDS,
};

use crate::error::ContractError;
use crate::health::live_snapshot;
use crate::lp;
use crate::margin;
use crate::shares::{burn_msg, mint_msg, share_denom};
use crate::state::{
    load_totals, Account, Config, MarketInfo, ACCOUNTS, COLLATERALS, COLLATERAL_COUNT, CONFIG,
    LP_REQUESTS, LP_SHARES, MARKETS, MARKET_COUNT, NEXT_ACCOUNT_ID, OWNER_ACCOUNTS,
    OWNER_ACCOUNT_COUNT, TOTALS, TOTAL_SHARES,
};

// ---------------------------------------------------------------------------------------------
// Helpers

fn invalid(name: &str, reason: &str) -> ContractError {
    ContractError::InvalidParam {
        name: name.to_string(),
        reason: reason.to_string(),
    }
}

pub fn validate_params(p: &VaultParams) -> Result<(), ContractError> {
    if p.maintenance_factor < Decimal::one() {
        return Err(invalid("maintenance_factor", "must be at least 1"));
    }
    if p.initial_factor <= p.maintenance_factor {
        return Err(invalid("initial_factor", "must exceed maintenance_factor"));
    }
    if p.initial_factor > Decimal::percent(1000) {
        return Err(invalid("initial_factor", "must be at most 10"));
    }
    if p.price_max_age_secs == 0 {
        return Err(invalid("price_max_age_secs", "must be positive"));
    }
    if p.lp_withdraw_window_secs == 0 || p.lp_withdraw_window_secs > MAX_LP_WITHDRAW_WINDOW_SECS {
        return Err(invalid("lp_withdraw_window_secs", "must be in (0, 7 days]"));
    }
    if p.lp_price_tolerance > Decimal::percent(5) {
        return Err(invalid("lp_price_tolerance", "must be at most 0.05"));
    }
    if p.liquidation_close_factor.is_zero() || p.liquidation_close_factor > Decimal::one() {
        return Err(invalid("liquidation_close_factor", "must be in (0, 1]"));
    }
    if p.liquidation_penalty > Decimal::percent(20) {
        return Err(invalid("liquidation_penalty", "must be at most 0.2"));
    }
    if p.keeper_share > Decimal::one() {
        return Err(invalid("keeper_share", "must be at most 1"));
    }
    Ok(())
}

/// Fails closed: no breaker configured, or the breaker blocks `action` for the vault.
pub fn ensure_allowed(
    deps: &cosmwasm_std::Deps,
    env: &Env,
    config: &Config,
    action: ActionClass,
) -> Result<(), ContractError> {
    let breaker = config
        .circuit_breaker_addr
        .as_ref()
        .ok_or(ContractError::BreakerNotConfigured)?;
    if !is_action_allowed(
        &deps.querier,
        breaker,
        &env.contract.address,
        None,
        action,
        env.block.time,
    )? {
        return Err(ContractError::ActionBlocked { action });
    }
    Ok(())
}

/// Wire-identical to the breaker's `ExecuteMsg::ReportOutflow`: the vault only ever sends
/// this variant, and a dedicated type keeps the serializer of the whole enum out of the wasm.
#[cosmwasm_schema::cw_serde]
enum OutflowReport {
    ReportOutflow {
        denom: String,
        channel: Option<String>,
        amount: Uint128,
        reference_value: Uint128,
    },
}

/// Wire-identical to `cw20::Cw20ExecuteMsg::Transfer` (the only cw20 message the vault sends).
#[cosmwasm_schema::cw_serde]
enum Cw20Transfer {
    Transfer { recipient: String, amount: Uint128 },
}

/// The breaker's `ReportOutflow`, sent before the coins leave; it reverts the transaction
/// when the denom's quota is exceeded. `reference_value` = the vault's ledger total of the
/// denom before the outflow.
pub fn report_outflow(
    config: &Config,
    denom: &str,
    amount: Uint128,
    reference_value: Int128,
) -> Result<CosmosMsg, ContractError> {
    report_outflow_on(config, denom, None, amount, reference_value)
}

/// [`report_outflow`] for an outflow over an IBC channel (counted against the denom's limit
/// and the (denom, channel) limit).
pub fn report_outflow_on(
    config: &Config,
    denom: &str,
    channel: Option<String>,
    amount: Uint128,
    reference_value: Int128,
) -> Result<CosmosMsg, ContractError> {
    let breaker = config
        .circuit_breaker_addr
        .as_ref()
        .ok_or(ContractError::BreakerNotConfigured)?;
    let reference_value = Uint128::try_from(reference_value.max(Int128::zero()))?;
    Ok(WasmMsg::Execute {
        contract_addr: breaker.to_string(),
        msg: to_json_binary(&OutflowReport::ReportOutflow {
            denom: denom.to_string(),
            channel,
            amount,
            reference_value,
        })?,
        funds: vec![],
    }
    .into())
}

pub fn transfer_msg(
    kind: DenomKind,
    denom: &str,
    amount: Uint128,
    recipient: &Addr,
) -> Result<CosmosMsg, ContractError> {
    Ok(match kind {
        DenomKind::Native => BankMsg::Send {
            to_address: recipient.to_string(),
            amount: vec![Coin::new(amount, denom)],
        }
        .into(),
        DenomKind::Cw20 => WasmMsg::Execute {
            contract_addr: denom.to_string(),
            msg: to_json_binary(&Cw20Transfer::Transfer {
                recipient: recipient.to_string(),
                amount,
            })?,
            funds: vec![],
        }
        .into(),
    })
}

/// Exactly one non-zero coin.
pub fn one_coin(info: &MessageInfo) -> Result<Coin, ContractError> {
    match info.funds.len() {
        0 => Err(ContractError::NoFunds),
        1 => {
            // safe: the length is 1
            let coin = info.funds[0].clone();
            if coin.amount.is_zero() {
                return Err(ContractError::ZeroAmount);
            }
            Ok(coin)
        }
        count => Err(ContractError::MultipleCoins { count }),
    }
}

pub fn one_settlement_coin(info: &MessageInfo, config: &Config) -> Result<Uint128, ContractError> {
    let coin = one_coin(info)?;
    if coin.denom != config.settlement_denom {
        return Err(ContractError::WrongDenom {
            denom: coin.denom,
            expected: config.settlement_denom.clone(),
        });
    }
    Ok(coin.amount)
}

/// `Slippage` when `got` is below the caller's minimum.
fn check_min(got: Uint128, min: Option<Uint128>) -> Result<(), ContractError> {
    match min {
        Some(min) if got < min => Err(ContractError::Slippage { got, min }),
        _ => Ok(()),
    }
}

pub fn load_account(storage: &dyn Storage, account_id: u64) -> Result<Account, ContractError> {
    ACCOUNTS
        .may_load(storage, account_id)?
        .ok_or(ContractError::AccountNotFound { account_id })
}

pub fn load_owned_account(
    storage: &dyn Storage,
    account_id: u64,
    sender: &Addr,
) -> Result<Account, ContractError> {
    let account = load_account(storage, account_id)?;
    if account.owner_addr != *sender {
        return Err(ContractError::NotAccountOwner {
            account_id,
            sender: sender.to_string(),
        });
    }
    Ok(account)
}

/// Over every registered market (≤ MAX_MARKETS): Σ traders' unrealized PnL, Σ of its positive
/// parts (what the pool owes the markets' traders, counting no market's net trader loss as
/// collectable) and Σ locked liquidity.
pub fn pool_exposure(
    deps: cosmwasm_std::Deps,
) -> Result<(Int128, Uint128, Uint128), ContractError> {
    let mut pnl = Int128::zero();
    let mut owed = Uint128::zero();
    let mut locked = Uint128::zero();
    // bounded: at most MAX_MARKETS registered markets
    for item in MARKETS.keys(deps.storage, None, None, cosmwasm_std::Order::Ascending) {
        let market_addr = item?;
        let e: PoolExposure = bulwark_types::querier::query_wasm_smart(
            &deps.querier,
            market_addr.as_str(),
            &MarketQueryMsg::PoolExposure {},
        )?;
        pnl = pnl.checked_add(e.unrealized_trader_pnl)?;
        // what the market's winners are owed, not netted against its losers (whose losses
        // are collectable only up to their equity); a market without the figure: its net
        let net = Uint128::try_from(e.unrealized_trader_pnl.max(Int128::zero()))?;
        owed = owed.checked_add(e.trader_gains.max(net))?;
        locked = locked.checked_add(e.locked_liquidity)?;
    }
    Ok((pnl, owed, locked))
}

/// LP pricing needs the markets' valuation to be current. It is not while an underlying's
/// oracle record is paused or move-blocked (markets value at the last accepted price), or
/// holds a value stored in this block that moved more than `lp_price_tolerance` from the
/// previous one (markets value at the previous value until the next block, D9): an LP would
/// leave or join at a superseded NAV. Smaller moves pass, so a permissionless `Refresh` in
/// every block cannot hold LPs off. Bounded: at most MAX_SCENARIO_GRIDS underlyings.
pub fn ensure_lp_prices_settled(
    deps: Deps,
    env: &Env,
    config: &Config,
) -> Result<(), ContractError> {
    for asset_id in SCENARIO_GRIDS.keys(deps.storage, None, None, cosmwasm_std::Order::Ascending) {
        let asset_id = asset_id?;
        let oracle = config
            .oracle_addr
            .as_ref()
            .ok_or(ContractError::OracleNotConfigured)?;
        if let Some(r) = query_price_raw(&deps.querier, oracle, &asset_id)? {
            let moved = match r.prev_price {
                Some(prev) => {
                    let band =
                        prev.checked_mul(Decimal256::from(config.params.lp_price_tolerance))?;
                    r.price.abs_diff(prev) > band
                }
                None => true,
            };
            if r.is_paused() || r.is_move_blocked() || (r.block_height >= env.block.height && moved)
            {
                return Err(ContractError::LpPriceUnsettled { asset_id });
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Owner configuration

pub fn update_config(
    deps: DepsMut,
    info: MessageInfo,
    oracle: Option<String>,
    circuit_breaker: Option<String>,
    params: Option<VaultParams>,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    let mut config = CONFIG.load(deps.storage)?;
    if let Some(o) = oracle {
        config.oracle_addr = Some(deps.api.addr_validate(&o)?);
    }
    if let Some(b) = circuit_breaker {
        config.circuit_breaker_addr = Some(deps.api.addr_validate(&b)?);
    }
    if let Some(p) = params {
        validate_params(&p)?;
        config.params = p;
    }
    CONFIG.save(deps.storage, &config)?;
    Ok(Response::new().add_attribute("action", "update_config"))
}

pub fn set_collateral(
    deps: DepsMut,
    info: MessageInfo,
    mut cc: CollateralConfig,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    let config = CONFIG.load(deps.storage)?;
    if cc.denom == config.settlement_denom {
        return Err(ContractError::SettlementDenomNotCollateral { denom: cc.denom });
    }
    // the vault's balance of the share denom is the custody of pending requests only
    if share_denom(deps.storage)?.as_deref() == Some(cc.denom.as_str()) {
        return Err(ContractError::ShareDenomNotCollateral { denom: cc.denom });
    }
    if cc.kind == DenomKind::Cw20 {
        cc.denom = deps.api.addr_validate(&cc.denom)?.to_string();
    } else if cc.denom.is_empty() || cc.denom.len() > 128 {
        return Err(invalid("denom", "must be 1..=128 bytes"));
    }
    if cc.haircut >= Decimal::one() {
        return Err(invalid("haircut", "must be below 1"));
    }
    if cc.decimals > 18 {
        return Err(invalid("decimals", "must be at most 18"));
    }
    if cc.oracle_asset_id.is_empty() || cc.oracle_asset_id.len() > 64 {
        return Err(invalid("oracle_asset_id", "must be 1..=64 bytes"));
    }
    match COLLATERALS.may_load(deps.storage, &cc.denom)? {
        Some(old) => {
            if old.kind != cc.kind || old.decimals != cc.decimals {
                return Err(ContractError::CollateralImmutable { denom: cc.denom });
            }
        }
        None => {
            let count = COLLATERAL_COUNT.may_load(deps.storage)?.unwrap_or(0);
            if count >= MAX_COLLATERAL_TYPES {
                return Err(ContractError::LimitReached {
                    what: "collateral types".into(),
                    max: MAX_COLLATERAL_TYPES,
                });
            }
            // safe: count < MAX_COLLATERAL_TYPES
            COLLATERAL_COUNT.save(deps.storage, &(count + 1))?;
        }
    }
    COLLATERALS.save(deps.storage, &cc.denom, &cc)?;
    Ok(Response::new()
        .add_attribute("action", "set_collateral")
        .add_attribute("denom", cc.denom))
}

/// Default grid: spot −15 % … +15 % in 5 % steps × vol −30 %, 0, +30 % (21 scenarios).
pub fn default_spot_shocks() -> Vec<SignedDecimal256> {
    [-15i64, -10, -5, 0, 5, 10, 15]
        .iter()
        .map(|p| SignedDecimal256::percent(*p))
        .collect()
}

pub fn default_vol_shocks() -> Vec<SignedDecimal256> {
    [-30i64, 0, 30]
        .iter()
        .map(|p| SignedDecimal256::percent(*p))
        .collect()
}

pub fn set_scenario_grid(
    deps: DepsMut,
    info: MessageInfo,
    asset_id: String,
    spot_shocks: Option<Vec<SignedDecimal256>>,
    vol_shocks: Option<Vec<SignedDecimal256>>,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    if asset_id.is_empty() || asset_id.len() > 64 {
        return Err(ContractError::InvalidGrid {
            reason: "asset id must be 1..=64 bytes".into(),
        });
    }
    let spot_shocks = spot_shocks.unwrap_or_else(default_spot_shocks);
    let vol_shocks = vol_shocks.unwrap_or_else(default_vol_shocks);
    let minus_one = SignedDecimal256::negative_one();
    for s in spot_shocks.iter().chain(vol_shocks.iter()) {
        if *s <= minus_one || *s > SignedDecimal256::percent(1000) {
            return Err(ContractError::InvalidGrid {
                reason: format!("shock {s} outside (-1, 10]"),
            });
        }
    }
    let version = match SCENARIO_GRIDS.may_load(deps.storage, &asset_id)? {
        Some(g) => g.version.saturating_add(1),
        None => {
            // bounded: counts at most MAX_SCENARIO_GRIDS keys
            let count = SCENARIO_GRIDS
                .keys(deps.storage, None, None, cosmwasm_std::Order::Ascending)
                .take(MAX_SCENARIO_GRIDS as usize)
                .count();
            if count >= MAX_SCENARIO_GRIDS as usize {
                return Err(ContractError::LimitReached {
                    what: "scenario grids".into(),
                    max: MAX_SCENARIO_GRIDS,
                });
            }
            1
        }
    };
    let grid = ScenarioGrid {
        asset_id: asset_id.clone(),
        version,
        spot_shocks,
        vol_shocks,
    };
    if grid.is_empty() || grid.len() > MAX_SCENARIOS {
        return Err(ContractError::InvalidGrid {
            reason: format!("1..={MAX_SCENARIOS} scenarios required, got {}", grid.len()),
        });
    }
    if !grid.spot_shocks.iter().any(|s| s.is_zero()) {
        return Err(ContractError::InvalidGrid {
            reason: "spot shocks must include 0".into(),
        });
    }
    SCENARIO_GRIDS.save(deps.storage, &asset_id, &grid)?;
    Ok(Response::new()
        .add_attribute("action", "set_scenario_grid")
        .add_attribute("asset_id", asset_id)
        .add_attribute("version", version.to_string()))
}

pub fn register_market(
    deps: DepsMut,
    info: MessageInfo,
    market_addr: String,
    kind: MarketKind,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    let market_addr = deps.api.addr_validate(&market_addr)?;
    if MARKETS.has(deps.storage, &market_addr) {
        return Err(ContractError::MarketAlreadyRegistered {
            market_addr: market_addr.to_string(),
        });
    }
    let count = MARKET_COUNT.may_load(deps.storage)?.unwrap_or(0);
    if count >= MAX_MARKETS {
        return Err(ContractError::LimitReached {
            what: "markets".into(),
            max: MAX_MARKETS,
        });
    }
    // safe: count < MAX_MARKETS
    MARKET_COUNT.save(deps.storage, &(count + 1))?;
    MARKETS.save(deps.storage, &market_addr, &MarketInfo { kind })?;
    Ok(Response::new()
        .add_attribute("action", "register_market")
        .add_attribute("market_addr", market_addr))
}

pub fn deregister_market(
    deps: DepsMut,
    info: MessageInfo,
    market_addr: String,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    let market_addr = deps.api.addr_validate(&market_addr)?;
    if !MARKETS.has(deps.storage, &market_addr) {
        return Err(ContractError::UnregisteredMarket {
            market_addr: market_addr.to_string(),
        });
    }
    let e: PoolExposure = bulwark_types::querier::query_wasm_smart(
        &deps.querier,
        market_addr.as_str(),
        &MarketQueryMsg::PoolExposure {},
    )?;
    if !e.unrealized_trader_pnl.is_zero() || !e.locked_liquidity.is_zero() {
        return Err(ContractError::MarketHasExposure {
            market_addr: market_addr.to_string(),
            unrealized_trader_pnl: e.unrealized_trader_pnl,
            locked_liquidity: e.locked_liquidity,
        });
    }
    MARKETS.remove(deps.storage, &market_addr);
    let count = MARKET_COUNT.may_load(deps.storage)?.unwrap_or(0);
    MARKET_COUNT.save(deps.storage, &count.saturating_sub(1))?;
    Ok(Response::new()
        .add_attribute("action", "deregister_market")
        .add_attribute("market_addr", market_addr))
}

// ---------------------------------------------------------------------------------------------
// Accounts, deposits, withdrawals

pub fn create_account(deps: DepsMut, info: MessageInfo) -> Result<Response, ContractError> {
    let count = OWNER_ACCOUNT_COUNT
        .may_load(deps.storage, &info.sender)?
        .unwrap_or(0);
    if count >= MAX_ACCOUNTS_PER_OWNER {
        return Err(ContractError::TooManyAccounts {
            max: MAX_ACCOUNTS_PER_OWNER,
        });
    }
    let account_id = NEXT_ACCOUNT_ID.may_load(deps.storage)?.unwrap_or(1);
    NEXT_ACCOUNT_ID.save(
        deps.storage,
        &account_id.checked_add(1).ok_or(ContractError::Overflow)?,
    )?;
    // safe: count < MAX_ACCOUNTS_PER_OWNER
    OWNER_ACCOUNT_COUNT.save(deps.storage, &info.sender, &(count + 1))?;
    OWNER_ACCOUNTS.save(deps.storage, (&info.sender, account_id), &Empty {})?;
    ACCOUNTS.save(
        deps.storage,
        account_id,
        &Account {
            owner_addr: info.sender.clone(),
            settlement_balance: Int128::zero(),
            collateral: vec![],
            markets: vec![],
            written_off: Uint128::zero(),
        },
    )?;
    Ok(Response::new()
        .add_attribute("action", "create_account")
        .add_attribute("account_id", account_id.to_string())
        .add_attribute("owner", info.sender)
        .set_data(to_json_binary(&account_id)?))
}

/// Credits `amount` of `denom` to the account (settlement ledger or listed collateral).
pub fn credit_account(
    storage: &mut dyn Storage,
    config: &Config,
    account_id: u64,
    account: &mut Account,
    denom: &str,
    kind: DenomKind,
    amount: Uint128,
) -> Result<(), ContractError> {
    let mut totals = load_totals(storage, denom)?;
    if denom == config.settlement_denom && kind == DenomKind::Native {
        // repays debt first (and with it any part written off)
        totals.shift(account, Int128::try_from(amount)?)?;
    } else {
        let cc = COLLATERALS
            .may_load(storage, denom)?
            .filter(|c| c.kind == kind)
            .ok_or_else(|| ContractError::UnlistedDenom {
                denom: denom.to_string(),
            })?;
        let held = Uint128::try_from(totals.accounts.max(Int128::zero()))?;
        let after = held.checked_add(amount)?;
        if after > cc.deposit_cap {
            return Err(ContractError::DepositCapExceeded {
                denom: denom.to_string(),
                amount,
                total: held,
                cap: cc.deposit_cap,
            });
        }
        account.credit(denom, amount)?;
        totals.accounts = totals.accounts.checked_add(Int128::try_from(amount)?)?;
    }
    TOTALS.save(storage, denom, &totals)?;
    ACCOUNTS.save(storage, account_id, account)?;
    Ok(())
}

pub fn deposit(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    account_id: u64,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let coin = one_coin(&info)?;
    let mut account = load_owned_account(deps.storage, account_id, &info.sender)?;
    ensure_allowed(&deps.as_ref(), &env, &config, ActionClass::Deposit)?;
    credit_account(
        deps.storage,
        &config,
        account_id,
        &mut account,
        &coin.denom,
        DenomKind::Native,
        coin.amount,
    )?;
    Ok(Response::new()
        .add_attribute("action", "deposit")
        .add_attribute("account_id", account_id.to_string())
        .add_attribute("denom", coin.denom)
        .add_attribute("amount", coin.amount))
}

pub fn receive_cw20(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: Cw20ReceiveMsg,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let token = info.sender.to_string();
    // the sender must be a listed cw20 contract (checked in credit_account with the kind)
    if !COLLATERALS
        .may_load(deps.storage, &token)?
        .is_some_and(|c| c.kind == DenomKind::Cw20)
    {
        return Err(ContractError::UnlistedDenom { denom: token });
    }
    if msg.amount.is_zero() {
        return Err(ContractError::ZeroAmount);
    }
    let hook: Cw20HookMsg = from_json(&msg.msg).map_err(|e| ContractError::InvalidHook {
        reason: e.to_string(),
    })?;
    let Cw20HookMsg::Deposit { account_id } = hook;
    let sender = deps.api.addr_validate(&msg.sender)?;
    let mut account = load_owned_account(deps.storage, account_id, &sender)?;
    ensure_allowed(&deps.as_ref(), &env, &config, ActionClass::Deposit)?;
    credit_account(
        deps.storage,
        &config,
        account_id,
        &mut account,
        &token,
        DenomKind::Cw20,
        msg.amount,
    )?;
    Ok(Response::new()
        .add_attribute("action", "deposit")
        .add_attribute("account_id", account_id.to_string())
        .add_attribute("denom", token)
        .add_attribute("amount", msg.amount))
}

/// After a withdrawal's debit (local, or a remote release in flight, which counts zero): an
/// account with exposure or debt must still meet its initial requirement. Without either there
/// is nothing to protect, so no price is needed and a stale oracle never traps funds.
pub(crate) fn ensure_withdrawal_keeps_initial(
    deps: Deps,
    env: &Env,
    config: &Config,
    account_id: u64,
    account: &Account,
) -> Result<(), ContractError> {
    if account.markets.is_empty() && account.settlement_balance >= Int128::zero() {
        return Ok(());
    }
    let snap = live_snapshot(deps, env, config, account_id, account, PricePurpose::Open)?;
    if !margin::meets(snap.equity, snap.portfolio.initial) {
        return Err(ContractError::WithdrawBelowInitial {
            equity: snap.equity,
            required: snap.portfolio.initial,
        });
    }
    Ok(())
}

pub fn withdraw(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    account_id: u64,
    denom: String,
    amount: Uint128,
    recipient: Option<String>,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount);
    }
    let mut account = load_owned_account(deps.storage, account_id, &info.sender)?;
    let recipient_addr = match recipient {
        Some(r) => deps.api.addr_validate(&r)?,
        None => info.sender.clone(),
    };
    let kind = if denom == config.settlement_denom {
        DenomKind::Native
    } else {
        COLLATERALS
            .may_load(deps.storage, &denom)?
            .ok_or_else(|| ContractError::UnlistedDenom {
                denom: denom.clone(),
            })?
            .kind
    };
    ensure_allowed(&deps.as_ref(), &env, &config, ActionClass::Withdraw)?;

    if denom == config.settlement_denom {
        let signed = Int128::try_from(amount)?;
        if account.settlement_balance < signed {
            return Err(ContractError::InsufficientSettlementBalance {
                balance: account.settlement_balance,
                amount,
            });
        }
        account.settlement_balance = account.settlement_balance.checked_sub(signed)?;
    } else {
        account.debit(&denom, amount)?;
    }

    ensure_withdrawal_keeps_initial(deps.as_ref(), &env, &config, account_id, &account)?;

    let mut totals = load_totals(deps.storage, &denom)?;
    // while accounts owe more than pool, insurance and protocol fees hold, some positive
    // balance is backed by no coin: none leaves until the shortfall is covered (D26)
    if denom == config.settlement_denom && totals.shortfall() > totals.fees {
        return Err(ContractError::SettlementUnbacked {
            shortfall: totals.shortfall(),
            fees: totals.fees,
        });
    }
    let reference = totals.ledger_total()?;
    totals.accounts = totals.accounts.checked_sub(Int128::try_from(amount)?)?;
    TOTALS.save(deps.storage, &denom, &totals)?;
    ACCOUNTS.save(deps.storage, account_id, &account)?;

    Ok(Response::new()
        .add_message(report_outflow(&config, &denom, amount, reference)?)
        .add_message(transfer_msg(kind, &denom, amount, &recipient_addr)?)
        .add_attribute("action", "withdraw")
        .add_attribute("account_id", account_id.to_string())
        .add_attribute("denom", denom)
        .add_attribute("amount", amount)
        .add_attribute("recipient", recipient_addr))
}

// ---------------------------------------------------------------------------------------------
// LP pool

pub fn lp_deposit(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    min_shares: Option<Uint128>,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let amount = one_settlement_coin(&info, &config)?;
    ensure_allowed(&deps.as_ref(), &env, &config, ActionClass::LpDeposit)?;
    ensure_lp_prices_settled(deps.as_ref(), &env, &config)?;
    let mut totals = load_totals(deps.storage, &config.settlement_denom)?;
    // the deposit NAV counts traders' losses and accounts' debts in full: a joining LP pays
    // at least the value it buys into
    let (pnl, _, _) = pool_exposure(deps.as_ref())?;
    let nav = lp::nav(totals.pool, pnl)?;
    let total_shares = TOTAL_SHARES.may_load(deps.storage)?.unwrap_or_default();
    // NAV is floored at 0: with a true NAV ≤ 0 a new deposit would absorb the deficit of the
    // existing shares, so it is refused until the deficit is gone.
    if nav.is_zero() && !total_shares.is_zero() {
        return Err(ContractError::PoolInsolvent {
            assets: totals.pool,
            unrealized_trader_pnl: pnl,
        });
    }
    let shares = lp::shares_for_deposit(amount, nav, total_shares)?;
    if shares.is_zero() {
        return Err(ContractError::ZeroShares);
    }
    check_min(shares, min_shares)?;
    totals.pool = totals.pool.checked_add(amount)?;
    let new_total = total_shares.checked_add(shares)?;
    let mut res = Response::new();
    match share_denom(deps.storage)? {
        // tokenfactory: the bank holds the LP's balance; minted with the ledger total
        Some(denom) => {
            res = res.add_message(mint_msg(
                &env.contract.address,
                &denom,
                shares,
                &info.sender,
            ));
        }
        None => {
            let held = LP_SHARES
                .may_load(deps.storage, &info.sender)?
                .unwrap_or_default();
            LP_SHARES.save(deps.storage, &info.sender, &held.checked_add(shares)?)?;
        }
    }
    TOTALS.save(deps.storage, &config.settlement_denom, &totals)?;
    TOTAL_SHARES.save(deps.storage, &new_total)?;
    Ok(res
        .add_attribute("action", "lp_deposit")
        .add_attribute("lp", info.sender)
        .add_attribute("amount", amount)
        .add_attribute("shares", shares)
        .add_attribute("nav_before", nav))
}

pub fn request_lp_withdraw(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    shares: Uint128,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    if shares.is_zero() {
        return Err(ContractError::ZeroAmount);
    }
    if LP_REQUESTS.has(deps.storage, &info.sender) {
        return Err(ContractError::RequestPending);
    }
    match share_denom(deps.storage)? {
        // tokenfactory: the LP hands the shares over; the vault holds them until
        // `LpWithdraw` burns them or `CancelLpWithdraw` returns them
        Some(denom) => {
            let coin = one_coin(&info)?;
            if coin.denom != denom {
                return Err(ContractError::WrongShareDenom {
                    denom: coin.denom,
                    expected: denom,
                });
            }
            if coin.amount != shares {
                return Err(ContractError::SharesMismatch {
                    sent: coin.amount,
                    shares,
                });
            }
        }
        None => {
            let balance = LP_SHARES
                .may_load(deps.storage, &info.sender)?
                .unwrap_or_default();
            if shares > balance {
                return Err(ContractError::InsufficientShares { balance, shares });
            }
        }
    }
    let ready_at = env
        .block
        .time
        .plus_seconds(config.params.lp_withdraw_delay_secs);
    let expires_at = ready_at.plus_seconds(config.params.lp_withdraw_window_secs);
    LP_REQUESTS.save(
        deps.storage,
        &info.sender,
        &LpWithdrawRequest {
            shares,
            ready_at,
            expires_at,
        },
    )?;
    Ok(Response::new()
        .add_attribute("action", "request_lp_withdraw")
        .add_attribute("lp", info.sender)
        .add_attribute("shares", shares)
        .add_attribute("ready_at", ready_at.seconds().to_string()))
}

pub fn cancel_lp_withdraw(deps: DepsMut, info: MessageInfo) -> Result<Response, ContractError> {
    let request = LP_REQUESTS
        .may_load(deps.storage, &info.sender)?
        .ok_or(ContractError::NoRequest)?;
    let mut res = Response::new();
    // tokenfactory: return the shares held in custody
    if let Some(denom) = share_denom(deps.storage)? {
        res = res.add_message(transfer_msg(
            DenomKind::Native,
            &denom,
            request.shares,
            &info.sender,
        )?);
    }
    LP_REQUESTS.remove(deps.storage, &info.sender);
    Ok(res
        .add_attribute("action", "cancel_lp_withdraw")
        .add_attribute("lp", info.sender))
}

pub fn lp_withdraw(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    min_amount: Option<Uint128>,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let request = LP_REQUESTS
        .may_load(deps.storage, &info.sender)?
        .ok_or(ContractError::NoRequest)?;
    let now = env.block.time;
    if now < request.ready_at {
        return Err(ContractError::RequestNotReady {
            ready_at: request.ready_at.seconds(),
            now: now.seconds(),
        });
    }
    // void after its window: no standing option to exit ahead of a known loss
    if now >= request.expires_at {
        return Err(ContractError::RequestExpired {
            expired_at: request.expires_at.seconds(),
            now: now.seconds(),
        });
    }
    ensure_allowed(&deps.as_ref(), &env, &config, ActionClass::LpWithdraw)?;
    ensure_lp_prices_settled(deps.as_ref(), &env, &config)?;
    let denom = share_denom(deps.storage)?;
    // ledger mode: the request's shares are still on the LP's ledger balance; tokenfactory:
    // they are in the vault's custody since the request
    let balance = match denom {
        Some(_) => request.shares,
        None => LP_SHARES
            .may_load(deps.storage, &info.sender)?
            .unwrap_or_default(),
    };
    if request.shares > balance {
        return Err(ContractError::InsufficientShares {
            balance,
            shares: request.shares,
        });
    }
    let mut totals = load_totals(deps.storage, &config.settlement_denom)?;
    // the redemption NAV counts no trader's loss and no account's debt as collectable, and
    // the payout comes only from the pool's coins
    let (_, owed, locked) = pool_exposure(deps.as_ref())?;
    let backed = totals.backed_pool();
    let nav = backed.saturating_sub(owed);
    let total_shares = TOTAL_SHARES.may_load(deps.storage)?.unwrap_or_default();
    let assets = lp::assets_for_shares(request.shares, nav, total_shares)?;
    if assets.is_zero() {
        return Err(ContractError::ZeroAssets);
    }
    check_min(assets, min_amount)?;
    let free = backed.saturating_sub(locked);
    if assets > free {
        return Err(ContractError::InsufficientFreeLiquidity {
            free,
            amount: assets,
            locked,
        });
    }
    let reference = totals.ledger_total()?;
    totals.pool = totals.pool.checked_sub(assets)?;
    TOTALS.save(deps.storage, &config.settlement_denom, &totals)?;
    let new_total = total_shares.checked_sub(request.shares)?;
    let mut res = Response::new();
    match denom {
        // burned together with the ledger total
        Some(denom) => {
            res = res.add_message(burn_msg(&env.contract.address, &denom, request.shares));
        }
        None => {
            let left = balance.checked_sub(request.shares)?;
            if left.is_zero() {
                LP_SHARES.remove(deps.storage, &info.sender);
            } else {
                LP_SHARES.save(deps.storage, &info.sender, &left)?;
            }
        }
    }
    TOTAL_SHARES.save(deps.storage, &new_total)?;
    LP_REQUESTS.remove(deps.storage, &info.sender);
    Ok(res
        .add_message(report_outflow(
            &config,
            &config.settlement_denom,
            assets,
            reference,
        )?)
        .add_message(transfer_msg(
            DenomKind::Native,
            &config.settlement_denom,
            assets,
            &info.sender,
        )?)
        .add_attribute("action", "lp_withdraw")
        .add_attribute("lp", info.sender)
        .add_attribute("shares", request.shares)
        .add_attribute("amount", assets))
}

// ---------------------------------------------------------------------------------------------
// Insurance fund and protocol fees

pub fn deposit_insurance(deps: DepsMut, info: MessageInfo) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let amount = one_settlement_coin(&info, &config)?;
    let mut totals = load_totals(deps.storage, &config.settlement_denom)?;
    totals.insurance = totals.insurance.checked_add(amount)?;
    TOTALS.save(deps.storage, &config.settlement_denom, &totals)?;
    Ok(Response::new()
        .add_attribute("action", "deposit_insurance")
        .add_attribute("amount", amount))
}

#[derive(Clone, Copy)]
pub enum OwnerLedger {
    Insurance,
    Fees,
}

pub fn owner_withdraw(
    deps: DepsMut,
    info: MessageInfo,
    ledger: OwnerLedger,
    denom: Option<String>,
    amount: Uint128,
    recipient: String,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    let config = CONFIG.load(deps.storage)?;
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount);
    }
    let recipient_addr = deps.api.addr_validate(&recipient)?;
    let denom = denom.unwrap_or_else(|| config.settlement_denom.clone());
    let kind = if denom == config.settlement_denom {
        DenomKind::Native
    } else {
        if matches!(ledger, OwnerLedger::Fees) {
            return Err(ContractError::WrongDenom {
                denom,
                expected: config.settlement_denom.clone(),
            });
        }
        COLLATERALS
            .may_load(deps.storage, &denom)?
            .ok_or_else(|| ContractError::UnlistedDenom {
                denom: denom.clone(),
            })?
            .kind
    };
    let mut totals = load_totals(deps.storage, &denom)?;
    let reference = totals.ledger_total()?;
    // the insurance fund is the first to absorb accounts' debt: that part stays; protocol
    // fees are the first to bear a shortfall (D26): that part stays too
    let debt = totals.debt;
    let shortfall = totals.shortfall();
    let (slot, name, reserved) = match ledger {
        OwnerLedger::Insurance => (&mut totals.insurance, "insurance", debt),
        OwnerLedger::Fees => (&mut totals.fees, "fees", shortfall),
    };
    let free = slot.saturating_sub(reserved);
    if amount > free {
        return Err(ContractError::InsufficientLedger {
            ledger: name.into(),
            balance: free,
            amount,
        });
    }
    *slot = slot.checked_sub(amount)?;
    TOTALS.save(deps.storage, &denom, &totals)?;
    Ok(Response::new()
        .add_message(report_outflow(&config, &denom, amount, reference)?)
        .add_message(transfer_msg(kind, &denom, amount, &recipient_addr)?)
        .add_attribute(
            "action",
            match ledger {
                OwnerLedger::Insurance => "withdraw_insurance",
                OwnerLedger::Fees => "withdraw_fees",
            },
        )
        .add_attribute("amount", amount)
        .add_attribute("recipient", recipient_addr))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dedicated message types serialize exactly as the full enums they stand for.
    #[test]
    fn sent_messages_are_wire_identical() {
        let r = to_json_binary(&OutflowReport::ReportOutflow {
            denom: "uatom".into(),
            channel: Some("channel-0".into()),
            amount: Uint128::new(5),
            reference_value: Uint128::new(9),
        })
        .unwrap();
        let full = to_json_binary(&bulwark_types::circuit_breaker::ExecuteMsg::ReportOutflow {
            denom: "uatom".into(),
            channel: Some("channel-0".into()),
            amount: Uint128::new(5),
            reference_value: Uint128::new(9),
        })
        .unwrap();
        assert_eq!(r, full);
        let t = to_json_binary(&Cw20Transfer::Transfer {
            recipient: "bob".into(),
            amount: Uint128::new(3),
        })
        .unwrap();
        let full = to_json_binary(&cw20::Cw20ExecuteMsg::Transfer {
            recipient: "bob".into(),
            amount: Uint128::new(3),
        })
        .unwrap();
        assert_eq!(t, full);
    }
}
