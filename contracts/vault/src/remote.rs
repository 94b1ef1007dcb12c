//! Remote (IBC) collateral at the hub: the positions the gateway's channel brings, their
//! value in health, withdrawals and seizures. The channel itself (handshake, packets, transfer
//! records, replay markers, recovery, satellite locks) is the gateway's
//! (`contracts/gateway`); the vault hears from it through `ExecuteMsg::Gateway` and asks it
//! about channels with the `Channel` query. Protocol: `docs/ibc.md`.
//!
//! Accounting rules (the pending ranges): a remote deposit is credited only when the hub's
//! gateway receives it (the satellite already holds the coins); a release is debited from the
//! position when sent (`pending_out`, worth nothing in health) and only re-credited when its
//! transfer fails (error ack, timeout, or the owner's recovery as failed).

use cosmwasm_schema::serde::{de::DeserializeOwned, Serialize};
use cosmwasm_std::{
    to_json_binary, Addr, BankMsg, Coin, Decimal, Deps, DepsMut, Env, Int128, MessageInfo, Order,
    Response, StdResult, Storage, Uint128, WasmMsg,
};
use cw_storage_plus::{Bound, Item, Map};

use bulwark_types::circuit_breaker::ActionClass;
use bulwark_types::gateway::{ChannelView, ReleaseRequest};
use bulwark_types::ibc::{
    ChannelState, PendingRelease, ReleaseKind, RemoteCollateralConfig, RemotePosition,
    RemoteTotals, MAX_COUNTERPARTIES, MAX_REMOTE_POSITIONS_PER_ACCOUNT,
};
use bulwark_types::oracle::PricePurpose;
use bulwark_types::ownership::assert_owner;
use bulwark_types::vault::CreditOutcome;

use crate::error::ContractError;
use crate::execute::{
    ensure_allowed, load_account, load_owned_account, one_coin, report_outflow_on,
};
use crate::health::{live_snapshot, price_of, value_of};
use crate::margin;
use crate::state::{load_totals, Config, ACCOUNTS, CONFIG, TOTALS};

// ---------------------------------------------------------------------------------------------
// Storage

/// The hub's gateway: the only sender of `ExecuteMsg::Gateway`, the one answer about channels.
pub const GATEWAY: Item<Addr> = Item::new("ibc_gateway");
/// Remote collateral types by (connection, remote denom).
pub const REMOTE_COLLATERALS: Map<(&str, &str), RemoteCollateralConfig> = Map::new("ibc_rc");
pub const REMOTE_COLLATERAL_COUNT: Item<u32> = Item::new("ibc_rc_count");
/// Positions by (account, channel, denom). An entry lives while its amount or its pending
/// releases are non-zero, so a rollback always finds it.
pub const REMOTE_POSITIONS: Map<(u64, &str, &str), PositionState> = Map::new("ibc_pos");
/// Sums per (channel, denom).
pub const REMOTE_TOTALS: Map<(&str, &str), RemoteTotals> = Map::new("ibc_rt");
/// The satellite-chain address allowed to deposit into an account over a channel.
pub const REMOTE_OWNERS: Map<(u64, &str), String> = Map::new("ibc_owner");
/// Releases debited and handed to the gateway, until their transfer resolves.
pub const RELEASES: Map<u64, PendingRelease> = Map::new("ibc_rel");
pub const NEXT_RELEASE_ID: Item<u64> = Item::new("ibc_next_rel");
/// Keeper payments of failed seizures claimable by (address, denom); part of
/// `DenomTotals::ibc_pending`.
pub const CLAIMABLE: Map<(&Addr, &str), Uint128> = Map::new("ibc_claim");

/// The vault's IBC configuration before the gateway split (layouts 1 and 2).
const LEGACY_IBC_CONFIG: Item<cosmwasm_std::Empty> = Item::new("ibc_config");

#[cosmwasm_schema::cw_serde]
#[derive(Default)]
pub struct PositionState {
    pub amount: Uint128,
    pub pending_out: Uint128,
    /// Part of `pending_out` sold to keepers (`SeizeToKeeper` in flight) and their payments
    /// in escrow: health counts min(escrow, counted value of `seized`) meanwhile, so a
    /// seizure that will be refunded cannot depress the account's health.
    #[serde(default)]
    pub seized: Uint128,
    #[serde(default)]
    pub escrow: Uint128,
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// A remote address or denom ([`bulwark_types::ibc::remote_string_problem`]).
pub fn validate_remote_string(what: &str, s: &str) -> Result<(), ContractError> {
    match bulwark_types::ibc::remote_string_problem(s) {
        Some(reason) => Err(ContractError::InvalidRemoteString {
            what: what.to_string(),
            reason: reason.to_string(),
        }),
        None => Ok(()),
    }
}

pub fn load_gateway(storage: &dyn Storage) -> Result<Addr, ContractError> {
    GATEWAY
        .may_load(storage)?
        .ok_or(ContractError::GatewayNotConfigured)
}

fn ensure_gateway(storage: &dyn Storage, sender: &Addr) -> Result<Addr, ContractError> {
    let gateway = load_gateway(storage)?;
    if *sender != gateway {
        return Err(ContractError::NotGateway);
    }
    Ok(gateway)
}

/// Wire-identical to the gateway's `QueryMsg::Channel` (the only query the vault sends).
#[cosmwasm_schema::cw_serde]
enum GatewayQuery {
    Channel { channel_id: String },
}

/// Wire-identical to the gateway's `ExecuteMsg::SendRelease`.
#[cosmwasm_schema::cw_serde]
enum GatewayCall {
    SendRelease(ReleaseRequest),
}

/// The gateway's view of a channel; `None` without a gateway or for a channel it never
/// connected.
pub fn channel_view(deps: Deps, channel_id: &str) -> Result<Option<ChannelView>, ContractError> {
    let Some(gateway) = GATEWAY.may_load(deps.storage)? else {
        return Ok(None);
    };
    Ok(bulwark_types::querier::query_wasm_smart(
        &deps.querier,
        gateway.as_str(),
        &GatewayQuery::Channel {
            channel_id: channel_id.to_string(),
        },
    )?)
}

pub fn load_open_channel(deps: Deps, channel_id: &str) -> Result<ChannelView, ContractError> {
    let view = channel_view(deps, channel_id)?.ok_or_else(|| ContractError::UnknownChannel {
        channel_id: channel_id.to_string(),
    })?;
    if view.info.state != ChannelState::Open {
        return Err(ContractError::ChannelClosed {
            channel_id: channel_id.to_string(),
        });
    }
    Ok(view)
}

/// Total haircut of a remote collateral on an open channel; `None` when it leaves no value
/// (haircut + remote haircut ≥ 1 is how the owner delists a remote collateral).
fn valuation_of(view: &ChannelView, rc: &RemoteCollateralConfig) -> Option<Decimal> {
    if view.info.state != ChannelState::Open {
        return None;
    }
    rc.haircut
        .checked_add(view.remote_haircut?)
        .ok()
        .filter(|h| *h < Decimal::one())
}

/// Σ value of the account's remote positions after both haircuts. Positions on a closed
/// channel, and amounts pending out, count zero. Bounded by MAX_REMOTE_POSITIONS_PER_ACCOUNT
/// (one gateway query per position).
pub fn remote_collateral_value(
    deps: Deps,
    env: &Env,
    config: &Config,
    account_id: u64,
    purpose: PricePurpose,
) -> Result<Uint128, ContractError> {
    let mut total = Uint128::zero();
    let rows: Vec<_> = REMOTE_POSITIONS
        .sub_prefix(account_id)
        .range(deps.storage, None, None, Order::Ascending)
        .take(MAX_REMOTE_POSITIONS_PER_ACCOUNT)
        .collect::<StdResult<_>>()?;
    for ((channel_id, denom), pos) in rows {
        if pos.amount.is_zero() && pos.seized.is_zero() {
            continue;
        }
        let Some(view) = channel_view(deps, &channel_id)? else {
            continue;
        };
        let Some(rc) =
            REMOTE_COLLATERALS.may_load(deps.storage, (&view.info.connection_id, &denom))?
        else {
            continue;
        };
        let Some(haircut) = valuation_of(&view, &rc) else {
            continue;
        };
        let price = price_of(deps, env, config, &rc.oracle_asset_id, purpose)?;
        let value = |amount| {
            value_of(
                amount,
                price,
                rc.decimals,
                config.settlement_decimals,
                haircut,
            )
        };
        let v = value(pos.amount)?;
        // a keeper seizure in flight: worth its escrowed payment if delivered, the
        // collateral back if not; count the lower
        let s = value(pos.seized)?.min(pos.escrow);
        total = total.checked_add(v)?.checked_add(s)?;
    }
    Ok(total)
}

/// Whether the account holds remote collateral that still has to be resolved before its
/// debt may be socialized: a position entry (a non-zero amount or a release in flight) on
/// any channel. An open channel's is seized (`SeizeRemote`); a closed channel's is worth
/// nothing in health but still locked on the satellite (or its release, with a keeper's
/// payment in escrow, still unresolved) until the owner recovers it (the gateways'
/// `RecoverTransfer`, the satellite gateway's `RecoverLock`, then `DropRemotePosition`).
pub fn holds_remote_collateral(
    storage: &dyn Storage,
    account_id: u64,
) -> Result<bool, ContractError> {
    // save_position removes empty entries, so any entry holds something
    Ok(position_count(storage, account_id) > 0)
}

/// Number of position entries of an account (bounded read).
fn position_count(storage: &dyn Storage, account_id: u64) -> usize {
    REMOTE_POSITIONS
        .sub_prefix(account_id)
        .keys_raw(storage, None, None, Order::Ascending)
        .take(MAX_REMOTE_POSITIONS_PER_ACCOUNT.saturating_add(1))
        .count()
}

fn save_position(
    storage: &mut dyn Storage,
    key: (u64, &str, &str),
    pos: &PositionState,
) -> StdResult<()> {
    if pos.amount.is_zero() && pos.pending_out.is_zero() {
        REMOTE_POSITIONS.remove(storage, key);
        Ok(())
    } else {
        REMOTE_POSITIONS.save(storage, key, pos)
    }
}

// ---------------------------------------------------------------------------------------------
// Owner configuration

pub fn set_gateway(
    deps: DepsMut,
    info: MessageInfo,
    gateway: Option<String>,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    let gateway = gateway.map(|g| deps.api.addr_validate(&g)).transpose()?;
    let current = GATEWAY.may_load(deps.storage)?;
    // positions and releases are tied to the current gateway's channels
    if current.is_some() && current != gateway {
        let busy = REMOTE_POSITIONS
            .keys_raw(deps.storage, None, None, Order::Ascending)
            .next()
            .is_some()
            || RELEASES
                .keys_raw(deps.storage, None, None, Order::Ascending)
                .next()
                .is_some();
        if busy {
            return Err(ContractError::GatewayInUse);
        }
    }
    match &gateway {
        Some(g) => GATEWAY.save(deps.storage, g)?,
        None => GATEWAY.remove(deps.storage),
    }
    Ok(Response::new()
        .add_attribute("action", "set_gateway")
        .add_attribute(
            "gateway",
            gateway.map_or_else(|| "none".to_string(), |g| g.to_string()),
        ))
}

pub fn set_remote_collateral(
    deps: DepsMut,
    info: MessageInfo,
    rc: RemoteCollateralConfig,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    validate_remote_string("connection_id", &rc.connection_id)?;
    validate_remote_string("denom", &rc.denom)?;
    let invalid = |name: &str, reason: &str| ContractError::InvalidParam {
        name: name.into(),
        reason: reason.into(),
    };
    if rc.haircut >= Decimal::one() {
        return Err(invalid("haircut", "must be below 1"));
    }
    if rc.decimals > 18 {
        return Err(invalid("decimals", "must be at most 18"));
    }
    if rc.oracle_asset_id.is_empty() || rc.oracle_asset_id.len() > 64 {
        return Err(invalid("oracle_asset_id", "must be 1..=64 bytes"));
    }
    let key = (rc.connection_id.as_str(), rc.denom.as_str());
    match REMOTE_COLLATERALS.may_load(deps.storage, key)? {
        Some(old) => {
            if old.decimals != rc.decimals {
                return Err(ContractError::CollateralImmutable { denom: rc.denom });
            }
        }
        None => {
            let count = REMOTE_COLLATERAL_COUNT.may_load(deps.storage)?.unwrap_or(0);
            let max = bulwark_types::vault::MAX_COLLATERAL_TYPES;
            if count >= max {
                return Err(ContractError::LimitReached {
                    what: "remote collateral types".into(),
                    max,
                });
            }
            // safe: count < max
            REMOTE_COLLATERAL_COUNT.save(deps.storage, &(count + 1))?;
        }
    }
    REMOTE_COLLATERALS.save(deps.storage, key, &rc)?;
    Ok(Response::new()
        .add_attribute("action", "set_remote_collateral")
        .add_attribute("connection_id", rc.connection_id)
        .add_attribute("denom", rc.denom))
}

// ---------------------------------------------------------------------------------------------
// Account owners and keepers

pub fn set_remote_owner(
    deps: DepsMut,
    info: MessageInfo,
    account_id: u64,
    channel_id: String,
    remote_addr: Option<String>,
) -> Result<Response, ContractError> {
    load_owned_account(deps.storage, account_id, &info.sender)?;
    load_open_channel(deps.as_ref(), &channel_id)?;
    let res = Response::new()
        .add_attribute("action", "set_remote_owner")
        .add_attribute("account_id", account_id.to_string())
        .add_attribute("channel_id", &channel_id);
    match remote_addr {
        Some(addr) => {
            validate_remote_string("remote_addr", &addr)?;
            REMOTE_OWNERS.save(deps.storage, (account_id, &channel_id), &addr)?;
            Ok(res.add_attribute("remote_addr", addr))
        }
        None => {
            REMOTE_OWNERS.remove(deps.storage, (account_id, &channel_id));
            Ok(res.add_attribute("remote_addr", "none"))
        }
    }
}

fn next_release_id(storage: &mut dyn Storage) -> Result<u64, ContractError> {
    let id = NEXT_RELEASE_ID.may_load(storage)?.unwrap_or(1);
    NEXT_RELEASE_ID.save(storage, &id.checked_add(1).ok_or(ContractError::Overflow)?)?;
    Ok(id)
}

/// Debit a position and record the release; returns the gateway's `SendRelease` (the
/// gateway refuses a closed channel, which reverts the whole transaction).
#[allow(clippy::too_many_arguments)]
fn start_release(
    storage: &mut dyn Storage,
    channel_id: &str,
    account_id: u64,
    denom: &str,
    amount: Uint128,
    recipient: &str,
    kind: ReleaseKind,
    keeper: Option<(Addr, Uint128)>,
) -> Result<(WasmMsg, u64), ContractError> {
    let gateway = load_gateway(storage)?;
    let key = (account_id, channel_id, denom);
    let mut pos = REMOTE_POSITIONS.may_load(storage, key)?.unwrap_or_default();
    if amount > pos.amount {
        return Err(ContractError::InsufficientBalance {
            denom: denom.to_string(),
            balance: pos.amount,
            amount,
        });
    }
    pos.amount = pos.amount.checked_sub(amount)?;
    pos.pending_out = pos.pending_out.checked_add(amount)?;
    if let Some((_, payment)) = &keeper {
        pos.seized = pos.seized.checked_add(amount)?;
        pos.escrow = pos.escrow.checked_add(*payment)?;
    }
    let mut totals = REMOTE_TOTALS
        .may_load(storage, (channel_id, denom))?
        .unwrap_or_default();
    totals.credited = totals.credited.checked_sub(amount)?;
    totals.pending_out = totals.pending_out.checked_add(amount)?;
    let release_id = next_release_id(storage)?;
    let (keeper, keeper_payment) = match keeper {
        Some((k, p)) => (Some(k), p),
        None => (None, Uint128::zero()),
    };
    save_position(storage, key, &pos)?;
    REMOTE_TOTALS.save(storage, (channel_id, denom), &totals)?;
    RELEASES.save(
        storage,
        release_id,
        &PendingRelease {
            release_id,
            account_id,
            channel_id: channel_id.to_string(),
            denom: denom.to_string(),
            amount,
            kind,
            keeper,
            keeper_payment,
        },
    )?;
    let msg = WasmMsg::Execute {
        contract_addr: gateway.to_string(),
        msg: to_json_binary(&GatewayCall::SendRelease(ReleaseRequest {
            release_id,
            channel_id: channel_id.to_string(),
            account_id,
            denom: denom.to_string(),
            amount,
            recipient: recipient.to_string(),
            kind,
        }))?,
        funds: vec![],
    };
    Ok((msg, release_id))
}

#[allow(clippy::too_many_arguments)]
pub fn withdraw_remote(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    account_id: u64,
    channel_id: String,
    denom: String,
    amount: Uint128,
    recipient: String,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount);
    }
    let account = load_owned_account(deps.storage, account_id, &info.sender)?;
    load_open_channel(deps.as_ref(), &channel_id)?;
    validate_remote_string("recipient", &recipient)?;
    ensure_allowed(&deps.as_ref(), &env, &config, ActionClass::IbcOut)?;
    let reference = REMOTE_TOTALS
        .may_load(deps.storage, (&channel_id, &denom))?
        .unwrap_or_default()
        .credited;
    let (msg, release_id) = start_release(
        deps.storage,
        &channel_id,
        account_id,
        &denom,
        amount,
        &recipient,
        ReleaseKind::Withdraw,
        None,
    )?;
    // the debit is in storage now (the amount in flight counts zero): as for a local withdrawal
    crate::execute::ensure_withdrawal_keeps_initial(
        deps.as_ref(),
        &env,
        &config,
        account_id,
        &account,
    )?;
    Ok(Response::new()
        .add_message(report_outflow_on(
            &config,
            &denom,
            Some(channel_id.clone()),
            amount,
            Int128::try_from(reference)?,
        )?)
        .add_message(msg)
        .add_attribute("action", "withdraw_remote")
        .add_attribute("account_id", account_id.to_string())
        .add_attribute("channel_id", channel_id)
        .add_attribute("release_id", release_id.to_string())
        .add_attribute("denom", denom)
        .add_attribute("amount", amount)
        .add_attribute("recipient", recipient))
}

#[allow(clippy::too_many_arguments)]
pub fn seize_remote(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    account_id: u64,
    channel_id: String,
    denom: String,
    amount: Uint128,
    recipient: Option<String>,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount);
    }
    let account = load_account(deps.storage, account_id)?;
    let view = load_open_channel(deps.as_ref(), &channel_id)?;
    let ch = &view.info;
    ensure_allowed(&deps.as_ref(), &env, &config, ActionClass::Liquidate)?;
    let Some(rc) = REMOTE_COLLATERALS.may_load(deps.storage, (&ch.connection_id, &denom))? else {
        return Err(ContractError::UnlistedRemoteDenom {
            connection_id: ch.connection_id.clone(),
            denom,
        });
    };
    // None when haircut + remote_haircut ≥ 1 (how the owner delists a remote collateral):
    // the position counts zero in health but can still be seized
    let haircut = valuation_of(&view, &rc);
    let snap = live_snapshot(
        deps.as_ref(),
        &env,
        &config,
        account_id,
        &account,
        PricePurpose::ReduceOrLiquidate,
    )?;
    let (recipient, kind, keeper) = if info.funds.is_empty() {
        // bad debt: no exposure and negative equity; the insurance fund takes the collateral
        if recipient.is_some() {
            return Err(ContractError::InvalidParam {
                name: "recipient".into(),
                reason: "a seizure for the insurance fund pays its configured address".into(),
            });
        }
        if !account.markets.is_empty() || snap.equity >= Int128::zero() {
            return Err(ContractError::NotInsolvent { account_id });
        }
        let to = view
            .remote_insurance_addr
            .clone()
            .ok_or(ContractError::NoRemoteInsurance)?;
        (to, ReleaseKind::SeizeToInsurance, None)
    } else {
        // a keeper buys the collateral at the oracle value less the liquidation penalty, and
        // never below what it counted for in health, so the account's equity cannot fall
        let recipient = recipient.ok_or_else(|| ContractError::InvalidParam {
            name: "recipient".into(),
            reason: "a keeper's seizure needs the keeper's remote address".into(),
        })?;
        validate_remote_string("recipient", &recipient)?;
        // bad debt (no exposure, negative equity) on a chain with an insurance address goes
        // to the insurance fund only: a keeper seizure the satellite refuses is refunded in
        // full, so repeating one would keep the collateral from insurance at no cost
        if account.markets.is_empty()
            && snap.equity < Int128::zero()
            && view.remote_insurance_addr.is_some()
        {
            return Err(ContractError::InvalidParam {
                name: "funds".into(),
                reason: "an insolvent account's remote collateral goes to the insurance fund"
                    .into(),
            });
        }
        if margin::meets(snap.equity, snap.portfolio.maintenance) {
            return Err(ContractError::NotLiquidatable {
                account_id,
                equity: snap.equity,
                maintenance: snap.portfolio.maintenance,
            });
        }
        // as a local liquidation: at most the close factor of the position while health is
        // at least 1/2 (rounded down, but at least one unit). Seizures still in flight count
        // against it: health values them as before the seizure, so without them a keeper
        // could repeat half-seizures in one transaction and take the whole position.
        if !crate::liquidate::is_deep(snap.equity, snap.portfolio.maintenance) {
            let pos = REMOTE_POSITIONS
                .may_load(
                    deps.storage,
                    (account_id, channel_id.as_str(), denom.as_str()),
                )?
                .unwrap_or_default();
            let max = pos
                .amount
                .checked_add(pos.seized)?
                .mul_floor(config.params.liquidation_close_factor)
                .max(Uint128::one());
            if pos.seized.checked_add(amount)? > max {
                return Err(ContractError::InvalidParam {
                    name: "amount".into(),
                    reason: "above the close factor of the position".into(),
                });
            }
        }
        let coin = one_coin(&info)?;
        if coin.denom != config.settlement_denom {
            return Err(ContractError::WrongDenom {
                denom: coin.denom,
                expected: config.settlement_denom.clone(),
            });
        }
        let price = price_of(
            deps.as_ref(),
            &env,
            &config,
            &rc.oracle_asset_id,
            PricePurpose::ReduceOrLiquidate,
        )?;
        let discounted = value_of(
            amount,
            price,
            rc.decimals,
            config.settlement_decimals,
            config.params.liquidation_penalty,
        )?
        // round the price the keeper pays up
        .checked_add(Uint128::one())?;
        let counted = match haircut {
            Some(h) => value_of(amount, price, rc.decimals, config.settlement_decimals, h)?,
            None => Uint128::zero(),
        };
        let required = discounted.max(counted);
        if coin.amount < required {
            return Err(ContractError::InsufficientPayment {
                required,
                sent: coin.amount,
            });
        }
        // the whole payment is held in escrow until the ack
        let mut totals = load_totals(deps.storage, &config.settlement_denom)?;
        totals.ibc_pending = totals.ibc_pending.checked_add(coin.amount)?;
        TOTALS.save(deps.storage, &config.settlement_denom, &totals)?;
        (
            recipient,
            ReleaseKind::SeizeToKeeper,
            Some((info.sender.clone(), coin.amount)),
        )
    };
    let payment = keeper.as_ref().map(|(_, p)| *p).unwrap_or_default();
    let (msg, release_id) = start_release(
        deps.storage,
        &channel_id,
        account_id,
        &denom,
        amount,
        &recipient,
        kind,
        keeper,
    )?;
    Ok(Response::new()
        .add_message(msg)
        .add_attribute("action", "seize_remote")
        .add_attribute("account_id", account_id.to_string())
        .add_attribute("channel_id", channel_id)
        .add_attribute("release_id", release_id.to_string())
        .add_attribute("denom", denom)
        .add_attribute("amount", amount)
        .add_attribute("recipient", recipient)
        .add_attribute("keeper_payment", payment))
}

pub fn claim_refund(
    deps: DepsMut,
    info: MessageInfo,
    denom: String,
) -> Result<Response, ContractError> {
    let amount = CLAIMABLE
        .may_load(deps.storage, (&info.sender, &denom))?
        .unwrap_or_default();
    if amount.is_zero() {
        return Err(ContractError::NothingToClaim);
    }
    let mut totals = load_totals(deps.storage, &denom)?;
    totals.ibc_pending = totals.ibc_pending.checked_sub(amount)?;
    TOTALS.save(deps.storage, &denom, &totals)?;
    CLAIMABLE.remove(deps.storage, (&info.sender, &denom));
    Ok(Response::new()
        .add_message(BankMsg::Send {
            to_address: info.sender.to_string(),
            amount: vec![Coin::new(amount, &denom)],
        })
        .add_attribute("action", "claim_refund")
        .add_attribute("denom", denom)
        .add_attribute("amount", amount))
}

// ---------------------------------------------------------------------------------------------
// The gateway's calls

/// A deposit the gateway received: credited, or refused with nothing written (the answer
/// is the response data; an `Err` here is only a storage failure, and the gateway then
/// acknowledges with an error too).
#[allow(clippy::too_many_arguments)]
pub fn gateway_credit(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    channel_id: String,
    connection_id: String,
    cap_channels: Vec<String>,
    account_id: u64,
    denom: String,
    amount: Uint128,
    depositor: String,
) -> Result<Response, ContractError> {
    ensure_gateway(deps.storage, &info.sender)?;
    let res = Response::new()
        .add_attribute("action", "gateway_credit")
        .add_attribute("channel_id", &channel_id)
        .add_attribute("account_id", account_id.to_string())
        .add_attribute("denom", &denom)
        .add_attribute("amount", amount);
    let plan = plan_credit(
        deps.as_ref(),
        &env,
        &channel_id,
        &connection_id,
        &cap_channels,
        account_id,
        &denom,
        amount,
        &depositor,
    );
    match plan {
        Ok((pos, totals)) => {
            REMOTE_POSITIONS.save(deps.storage, (account_id, &channel_id, &denom), &pos)?;
            REMOTE_TOTALS.save(deps.storage, (&channel_id, &denom), &totals)?;
            Ok(res
                .add_attribute("result", "credited")
                .set_data(to_json_binary(&CreditOutcome::Credited {})?))
        }
        Err(e) => Ok(res
            .add_attribute("result", "refused")
            .add_attribute("error", e.to_string())
            .set_data(to_json_binary(&CreditOutcome::Refused {
                reason: e.to_string(),
            })?)),
    }
}

/// Checks a received deposit against the vault's state; reads only.
#[allow(clippy::too_many_arguments)]
fn plan_credit(
    deps: Deps,
    env: &Env,
    channel_id: &str,
    connection_id: &str,
    cap_channels: &[String],
    account_id: u64,
    denom: &str,
    amount: Uint128,
    depositor: &str,
) -> Result<(PositionState, RemoteTotals), ContractError> {
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount);
    }
    validate_remote_string("denom", denom)?;
    let account = load_account(deps.storage, account_id)?;
    // the hub's breaker guards its accounts: remote deposits pass it like local ones
    let config = CONFIG.load(deps.storage)?;
    ensure_allowed(&deps, env, &config, ActionClass::Deposit)?;
    // an account without exposure and with negative equity waits for its bad-debt cover: a
    // (dust) deposit would only postpone it (rescue it with a local deposit)
    if account.markets.is_empty() && account.settlement_balance < Int128::zero() {
        let snap = live_snapshot(
            deps,
            env,
            &config,
            account_id,
            &account,
            PricePurpose::ReduceOrLiquidate,
        )?;
        if snap.equity < Int128::zero() {
            return Err(ContractError::Insolvent { account_id });
        }
    }
    let authorised = REMOTE_OWNERS.may_load(deps.storage, (account_id, channel_id))?;
    if authorised.as_deref() != Some(depositor) {
        return Err(ContractError::NotRemoteOwner {
            account_id,
            depositor: depositor.to_string(),
        });
    }
    let rc = REMOTE_COLLATERALS
        .may_load(deps.storage, (connection_id, denom))?
        .ok_or_else(|| ContractError::UnlistedRemoteDenom {
            connection_id: connection_id.to_string(),
            denom: denom.to_string(),
        })?;
    let mut totals = REMOTE_TOTALS
        .may_load(deps.storage, (channel_id, denom))?
        .unwrap_or_default();
    // the cap is per chain: Σ credited + pending out over the connection's open channels
    // (one per allowed counterparty port, ≤ MAX_COUNTERPARTIES, as the gateway lists them)
    let mut held = Uint128::zero();
    for ch in cap_channels.iter().take(MAX_COUNTERPARTIES as usize) {
        let t = REMOTE_TOTALS
            .may_load(deps.storage, (ch, denom))?
            .unwrap_or_default();
        held = held.checked_add(t.credited)?.checked_add(t.pending_out)?;
    }
    if held.checked_add(amount)? > rc.deposit_cap {
        return Err(ContractError::RemoteCapExceeded {
            denom: denom.to_string(),
            amount,
            total: held,
            cap: rc.deposit_cap,
        });
    }
    let key = (account_id, channel_id, denom);
    let existing = REMOTE_POSITIONS.may_load(deps.storage, key)?;
    if existing.is_none()
        && position_count(deps.storage, account_id) >= MAX_REMOTE_POSITIONS_PER_ACCOUNT
    {
        return Err(ContractError::TooManyRemotePositions {
            max: MAX_REMOTE_POSITIONS_PER_ACCOUNT,
        });
    }
    let mut pos = existing.unwrap_or_default();
    pos.amount = pos.amount.checked_add(amount)?;
    totals.credited = totals.credited.checked_add(amount)?;
    Ok((pos, totals))
}

/// A release's transfer ended. Delivered: the pending range closes and a keeper's payment
/// reaches the account. Failed: the position gets the amount back and a keeper's payment
/// becomes claimable by the keeper. Every computation comes before the first write.
pub fn release_resolved(
    deps: DepsMut,
    info: MessageInfo,
    release_id: u64,
    delivered: bool,
) -> Result<Response, ContractError> {
    ensure_gateway(deps.storage, &info.sender)?;
    let release = RELEASES
        .may_load(deps.storage, release_id)?
        .ok_or(ContractError::UnknownRelease { release_id })?;
    let storage = deps.storage;
    let pkey = (
        release.account_id,
        release.channel_id.as_str(),
        release.denom.as_str(),
    );
    let mut pos = REMOTE_POSITIONS
        .may_load(storage, pkey)?
        .unwrap_or_default();
    pos.pending_out = pos.pending_out.checked_sub(release.amount)?;
    if release.keeper.is_some() {
        pos.seized = pos.seized.checked_sub(release.amount)?;
        pos.escrow = pos.escrow.checked_sub(release.keeper_payment)?;
    }
    let tkey = (release.channel_id.as_str(), release.denom.as_str());
    let mut rt = REMOTE_TOTALS.may_load(storage, tkey)?.unwrap_or_default();
    rt.pending_out = rt.pending_out.checked_sub(release.amount)?;
    let result = if delivered {
        if !release.keeper_payment.is_zero() {
            let config = CONFIG.load(storage)?;
            let mut account = load_account(storage, release.account_id)?;
            let mut totals = load_totals(storage, &config.settlement_denom)?;
            totals.ibc_pending = totals.ibc_pending.checked_sub(release.keeper_payment)?;
            totals.shift(&mut account, Int128::try_from(release.keeper_payment)?)?;
            save_position(storage, pkey, &pos)?;
            REMOTE_TOTALS.save(storage, tkey, &rt)?;
            ACCOUNTS.save(storage, release.account_id, &account)?;
            TOTALS.save(storage, &config.settlement_denom, &totals)?;
        } else {
            save_position(storage, pkey, &pos)?;
            REMOTE_TOTALS.save(storage, tkey, &rt)?;
        }
        "released"
    } else {
        pos.amount = pos.amount.checked_add(release.amount)?;
        rt.credited = rt.credited.checked_add(release.amount)?;
        let refund = match &release.keeper {
            Some(k) if !release.keeper_payment.is_zero() => {
                let config = CONFIG.load(storage)?;
                let held = CLAIMABLE
                    .may_load(storage, (k, &config.settlement_denom))?
                    .unwrap_or_default()
                    .checked_add(release.keeper_payment)?;
                Some((k.clone(), config.settlement_denom, held))
            }
            _ => None,
        };
        save_position(storage, pkey, &pos)?;
        REMOTE_TOTALS.save(storage, tkey, &rt)?;
        if let Some((k, denom, held)) = &refund {
            CLAIMABLE.save(storage, (k, denom), held)?;
        }
        "rolled_back"
    };
    RELEASES.remove(storage, release_id);
    Ok(Response::new()
        .add_attribute("action", "release_resolved")
        .add_attribute("release_id", release_id.to_string())
        .add_attribute("account_id", release.account_id.to_string())
        .add_attribute("result", result))
}

/// Owner (`DropRemotePosition`): drops a position of a closed channel once the owner has
/// recovered the satellite's lock.
pub fn drop_remote_position(
    deps: DepsMut,
    info: MessageInfo,
    channel_id: String,
    account_id: u64,
    denom: String,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    if channel_view(deps.as_ref(), &channel_id)?.is_some_and(|v| v.info.state == ChannelState::Open)
    {
        return Err(ContractError::ChannelOpen { channel_id });
    }
    let key = (account_id, channel_id.as_str(), denom.as_str());
    let pos = REMOTE_POSITIONS
        .may_load(deps.storage, key)?
        .ok_or(ContractError::NoLock)?;
    if !pos.pending_out.is_zero() {
        return Err(ContractError::InvalidParam {
            name: "pending_out".into(),
            reason: "resolve the releases in flight first (the gateway's RecoverTransfer)".into(),
        });
    }
    let tkey = (channel_id.as_str(), denom.as_str());
    let mut rt = REMOTE_TOTALS
        .may_load(deps.storage, tkey)?
        .unwrap_or_default();
    rt.credited = rt.credited.checked_sub(pos.amount)?;
    REMOTE_TOTALS.save(deps.storage, tkey, &rt)?;
    REMOTE_POSITIONS.remove(deps.storage, key);
    Ok(Response::new()
        .add_attribute("action", "drop_remote_position")
        .add_attribute("channel_id", channel_id)
        .add_attribute("account_id", account_id.to_string())
        .add_attribute("denom", denom)
        .add_attribute("amount", pos.amount))
}

// ---------------------------------------------------------------------------------------------
// Queries

pub fn query_positions(deps: Deps, account_id: u64) -> Result<Vec<RemotePosition>, ContractError> {
    let rows: Vec<_> = REMOTE_POSITIONS
        .sub_prefix(account_id)
        .range(deps.storage, None, None, Order::Ascending)
        .take(MAX_REMOTE_POSITIONS_PER_ACCOUNT.saturating_mul(2))
        .collect::<StdResult<_>>()?;
    rows.into_iter()
        .map(|((channel_id, denom), pos)| {
            let frozen =
                channel_view(deps, &channel_id)?.is_none_or(|v| v.info.state != ChannelState::Open);
            Ok(RemotePosition {
                channel_id,
                denom,
                amount: pos.amount,
                pending_out: pos.pending_out,
                frozen,
            })
        })
        .collect()
}

pub fn query_releases(
    deps: Deps,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> Result<Vec<PendingRelease>, ContractError> {
    RELEASES
        .range(
            deps.storage,
            start_after.map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(crate::query::limit(limit))
        .map(|r| Ok(r?.1))
        .collect()
}

pub fn query_claimable(
    deps: Deps,
    address: String,
    denom: String,
) -> Result<Uint128, ContractError> {
    let addr = deps.api.addr_validate(&address)?;
    Ok(CLAIMABLE
        .may_load(deps.storage, (&addr, &denom))?
        .unwrap_or_default())
}

/// One page of a config map keyed by two strings, in key order.
fn page_by_pair<T: Serialize + DeserializeOwned>(
    deps: Deps,
    map: &Map<(&str, &str), T>,
    start_after: Option<(String, String)>,
    limit: Option<u32>,
) -> Result<Vec<T>, ContractError> {
    let start = start_after
        .as_ref()
        .map(|(a, b)| Bound::exclusive((a.as_str(), b.as_str())));
    map.range(deps.storage, start, None, Order::Ascending)
        .take(crate::query::limit(limit))
        .map(|r| Ok(r?.1))
        .collect()
}

pub fn query_remote_collaterals(
    deps: Deps,
    start_after: Option<(String, String)>,
    limit: Option<u32>,
) -> Result<Vec<RemoteCollateralConfig>, ContractError> {
    page_by_pair(deps, &REMOTE_COLLATERALS, start_after, limit)
}

/// Layout 3 (the gateway split): the vault's own channel state goes. Refused while anything
/// is in flight or locked there (the DAO closes the channels and recovers first), so nothing
/// is lost; then the old configuration is dropped (the remaining channel records and replay
/// markers are inert).
pub fn migrate_to_gateway(storage: &mut dyn Storage) -> Result<(), ContractError> {
    let any = |prefix: &[u8]| -> bool {
        storage
            .range_keys(Some(prefix), None, Order::Ascending)
            .next()
            .is_some_and(|k| k.starts_with(prefix))
    };
    let ns = |name: &str| -> Vec<u8> {
        let mut k = (name.len() as u16).to_be_bytes().to_vec();
        k.extend_from_slice(name.as_bytes());
        k
    };
    for (name, what) in [
        ("ibc_ch_of", "an open channel"),
        ("ibc_tx", "a transfer in flight"),
        ("ibc_lock", "a satellite lock"),
        ("ibc_pos", "a remote position"),
    ] {
        if any(&ns(name)) {
            return Err(ContractError::InvalidParam {
                name: "migrate".into(),
                reason: format!(
                    "the vault still holds {what} of its own channel: close and recover it first"
                ),
            });
        }
    }
    LEGACY_IBC_CONFIG.remove(storage);
    Ok(())
}
