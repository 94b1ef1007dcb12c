//! Remote (IBC) collateral: storage, owner configuration and the user/keeper messages of
//! both roles. The channel and packet entry points are in `ibc.rs`; the protocol is in
//! `docs/ibc.md`.
//!
//! Accounting rules (the pending ranges):
//! * hub: a remote deposit is credited only when the hub receives it (the satellite's coins
//!   are already held); a release is debited from the position when sent (`pending_out`,
//!   worth nothing in health) and only re-credited on an error ack or timeout;
//! * satellite: a deposit is `ibc_pending` until the hub's ack, then `ibc_locked`; a release
//!   leaves `ibc_locked` when received.

use cosmwasm_schema::serde::{de::DeserializeOwned, Serialize};
use cosmwasm_std::{
    to_json_binary, Addr, BankMsg, Coin, CosmosMsg, Decimal, Deps, DepsMut, Empty, Env, IbcMsg,
    IbcTimeout, Int128, MessageInfo, Order, Response, StdResult, Storage, Timestamp, Uint128,
};
use cw_storage_plus::{Bound, Item, Map};

use bulwark_types::circuit_breaker::ActionClass;
use bulwark_types::ibc::{
    ChannelInfo, ChannelState, CounterpartyConfig, IbcConfig, IbcRole, ReleaseKind,
    RemoteCollateralConfig, RemotePosition, RemoteTotals, SatelliteLock, TransferRecord,
    TransferStatus, VaultPacket, MAX_COUNTERPARTIES, MAX_PACKET_TIMEOUT_SECS,
    MAX_REMOTE_POSITIONS_PER_ACCOUNT, MAX_REMOTE_STRING_LEN, MIN_PACKET_TIMEOUT_SECS,
};
use bulwark_types::oracle::PricePurpose;
use bulwark_types::ownership::assert_owner;

use crate::error::ContractError;
use crate::execute::{
    ensure_allowed, load_account, load_owned_account, one_coin, report_outflow_on,
};
use crate::health::{live_snapshot, price_of, value_of};
use crate::margin;
use crate::state::{load_totals, Config, ACCOUNTS, CONFIG, TOTALS};

// ---------------------------------------------------------------------------------------------
// Storage

pub const IBC_CONFIG: Item<IbcConfig> = Item::new("ibc_config");
/// `RecoverTransfer` marks an in-flight transfer failed only this long after its packet
/// timeout: the counterparty checks the timeout against its own block time, which may lag.
pub const RECOVERY_CLOCK_MARGIN_SECS: u64 = 3_600;

/// Allowed counterparties by (connection, counterparty port).
pub const COUNTERPARTIES: Map<(&str, &str), CounterpartyConfig> = Map::new("ibc_cp");
pub const COUNTERPARTY_COUNT: Item<u32> = Item::new("ibc_cp_count");
/// Every channel the vault connected, by our channel id.
pub const CHANNELS: Map<&str, ChannelInfo> = Map::new("ibc_ch");
/// The open channel of a counterparty (connection, port) → channel id.
pub const OPEN_CHANNEL_OF: Map<(&str, &str), String> = Map::new("ibc_ch_of");
/// Channels whose closing the owner asked for (`CloseChannel`).
pub const CLOSING: Map<&str, Empty> = Map::new("ibc_closing");
/// Hub: remote collateral types by (connection, remote denom).
pub const REMOTE_COLLATERALS: Map<(&str, &str), RemoteCollateralConfig> = Map::new("ibc_rc");
pub const REMOTE_COLLATERAL_COUNT: Item<u32> = Item::new("ibc_rc_count");
/// Hub: positions by (account, channel, denom). An entry lives while its amount or its
/// pending releases are non-zero, so a rollback always finds it.
pub const REMOTE_POSITIONS: Map<(u64, &str, &str), PositionState> = Map::new("ibc_pos");
/// Hub: sums per (channel, denom).
pub const REMOTE_TOTALS: Map<(&str, &str), RemoteTotals> = Map::new("ibc_rt");
/// Hub: the satellite-chain address allowed to deposit into an account over a channel.
pub const REMOTE_OWNERS: Map<(u64, &str), String> = Map::new("ibc_owner");
/// Transfers this vault sent and has not resolved, by (our channel, transfer id).
pub const TRANSFERS: Map<(&str, u64), TransferRecord> = Map::new("ibc_tx");
pub const NEXT_TRANSFER_ID: Item<u64> = Item::new("ibc_next_tx");
/// Replay markers of received packets, by (our channel, the sender's transfer id): the
/// outcome acknowledged (true = applied), answered again to a replay.
pub const RECEIVED: Map<(&str, u64), bool> = Map::new("ibc_rx");
/// Satellite: locks by (channel, account, denom).
pub const SAT_LOCKS: Map<(&str, u64, &str), LockState> = Map::new("ibc_lock");
/// Refunds claimable by (address, denom); part of `DenomTotals::ibc_pending`.
pub const CLAIMABLE: Map<(&Addr, &str), Uint128> = Map::new("ibc_claim");

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

#[cosmwasm_schema::cw_serde]
#[derive(Default)]
pub struct LockState {
    pub locked: Uint128,
    pub owner: Option<Addr>,
}

// ---------------------------------------------------------------------------------------------
// Helpers

pub fn load_ibc_config(storage: &dyn Storage) -> Result<IbcConfig, ContractError> {
    IBC_CONFIG
        .may_load(storage)?
        .ok_or(ContractError::IbcNotConfigured)
}

pub fn ensure_role(storage: &dyn Storage, role: IbcRole) -> Result<IbcConfig, ContractError> {
    let cfg = load_ibc_config(storage)?;
    if cfg.role != role {
        return Err(ContractError::WrongIbcRole { expected: role });
    }
    Ok(cfg)
}

pub fn load_channel(storage: &dyn Storage, channel_id: &str) -> Result<ChannelInfo, ContractError> {
    CHANNELS
        .may_load(storage, channel_id)?
        .ok_or_else(|| ContractError::UnknownChannel {
            channel_id: channel_id.to_string(),
        })
}

pub fn load_open_channel(
    storage: &dyn Storage,
    channel_id: &str,
) -> Result<ChannelInfo, ContractError> {
    let ch = load_channel(storage, channel_id)?;
    if ch.state != ChannelState::Open {
        return Err(ContractError::ChannelClosed {
            channel_id: channel_id.to_string(),
        });
    }
    Ok(ch)
}

/// A remote address or denom: 1..=128 bytes of ASCII letters, digits and `/._-:`.
pub fn validate_remote_string(what: &str, s: &str) -> Result<(), ContractError> {
    let bad = |reason: &str| ContractError::InvalidRemoteString {
        what: what.to_string(),
        reason: reason.to_string(),
    };
    if s.is_empty() || s.len() > MAX_REMOTE_STRING_LEN {
        return Err(bad("must be 1..=128 bytes"));
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'_' | b'-' | b':'))
    {
        return Err(bad("only ASCII letters, digits and / . _ - : are allowed"));
    }
    Ok(())
}

fn next_transfer_id(storage: &mut dyn Storage) -> Result<u64, ContractError> {
    let id = NEXT_TRANSFER_ID.may_load(storage)?.unwrap_or(1);
    NEXT_TRANSFER_ID.save(storage, &id.checked_add(1).ok_or(ContractError::Overflow)?)?;
    Ok(id)
}

/// The timeout of a packet sent now.
fn packet_timeout(env: &Env, cfg: &IbcConfig) -> Timestamp {
    env.block.time.plus_seconds(cfg.packet_timeout_secs)
}

pub fn send_packet(
    env: &Env,
    cfg: &IbcConfig,
    channel_id: &str,
    packet: &VaultPacket,
) -> Result<CosmosMsg, ContractError> {
    Ok(IbcMsg::SendPacket {
        channel_id: channel_id.to_string(),
        data: to_json_binary(packet)?,
        timeout: IbcTimeout::with_timestamp(packet_timeout(env, cfg)),
    }
    .into())
}

/// Total haircut of a remote collateral on a chain; `None` when it leaves no value.
fn total_haircut(rc: &RemoteCollateralConfig, cp: &CounterpartyConfig) -> Option<Decimal> {
    rc.haircut
        .checked_add(cp.remote_haircut)
        .ok()
        .filter(|h| *h < Decimal::one())
}

/// Hub: the configs valuing positions on `channel_id`, when it is open and listed.
fn valuation(
    storage: &dyn Storage,
    channel_id: &str,
    denom: &str,
) -> StdResult<Option<(RemoteCollateralConfig, Decimal)>> {
    let Some(ch) = CHANNELS.may_load(storage, channel_id)? else {
        return Ok(None);
    };
    if ch.state != ChannelState::Open {
        return Ok(None);
    }
    let Some(rc) = REMOTE_COLLATERALS.may_load(storage, (&ch.connection_id, denom))? else {
        return Ok(None);
    };
    let Some(cp) =
        COUNTERPARTIES.may_load(storage, (&ch.connection_id, &ch.counterparty_port_id))?
    else {
        return Ok(None);
    };
    Ok(total_haircut(&rc, &cp).map(|h| (rc, h)))
}

/// Hub: Σ value of the account's remote positions after both haircuts. Positions on a closed
/// channel, and amounts pending out, count zero. Bounded by MAX_REMOTE_POSITIONS_PER_ACCOUNT.
pub fn remote_collateral_value(
    deps: Deps,
    env: &Env,
    config: &Config,
    account_id: u64,
    purpose: PricePurpose,
) -> Result<Uint128, ContractError> {
    let mut total = Uint128::zero();
    let rows = REMOTE_POSITIONS
        .sub_prefix(account_id)
        .range(deps.storage, None, None, Order::Ascending)
        .take(MAX_REMOTE_POSITIONS_PER_ACCOUNT);
    for row in rows {
        let ((channel_id, denom), pos) = row?;
        if pos.amount.is_zero() && pos.seized.is_zero() {
            continue;
        }
        let Some((rc, haircut)) = valuation(deps.storage, &channel_id, &denom)? else {
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

/// Hub: whether the account holds remote collateral that still has to be resolved before its
/// debt may be socialized: a position entry (a non-zero amount or a release in flight) on
/// any channel. An open channel's is seized (`SeizeRemote`); a closed channel's is worth
/// nothing in health but still locked on the satellite (or its release, with a keeper's
/// payment in escrow, still unresolved) until the owner recovers it (`RecoverTransfer`,
/// `RecoverLock` to the chosen recipient on the satellite, then `RecoverLock` at the hub).
pub fn holds_remote_collateral(
    storage: &dyn Storage,
    account_id: u64,
) -> Result<bool, ContractError> {
    // save_position removes empty entries, so any entry holds something
    Ok(position_count(storage, account_id) > 0)
}

/// Hub: number of position entries of an account (bounded read).
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

pub fn set_ibc_config(
    deps: DepsMut,
    info: MessageInfo,
    cfg: IbcConfig,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    if let Some(old) = IBC_CONFIG.may_load(deps.storage)? {
        if old.role != cfg.role {
            return Err(ContractError::IbcRoleFixed);
        }
    }
    if !(MIN_PACKET_TIMEOUT_SECS..=MAX_PACKET_TIMEOUT_SECS).contains(&cfg.packet_timeout_secs) {
        return Err(ContractError::InvalidParam {
            name: "packet_timeout_secs".into(),
            reason: format!("must be in {MIN_PACKET_TIMEOUT_SECS}..={MAX_PACKET_TIMEOUT_SECS}"),
        });
    }
    IBC_CONFIG.save(deps.storage, &cfg)?;
    Ok(Response::new()
        .add_attribute("action", "set_ibc_config")
        .add_attribute(
            "role",
            match cfg.role {
                IbcRole::Hub => "hub",
                IbcRole::Satellite => "satellite",
            },
        )
        .add_attribute("packet_timeout_secs", cfg.packet_timeout_secs.to_string()))
}

pub fn allow_counterparty(
    deps: DepsMut,
    info: MessageInfo,
    cp: CounterpartyConfig,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    validate_remote_string("connection_id", &cp.connection_id)?;
    validate_remote_string("port_id", &cp.port_id)?;
    if cp.remote_haircut >= Decimal::one() {
        return Err(ContractError::InvalidParam {
            name: "remote_haircut".into(),
            reason: "must be below 1".into(),
        });
    }
    if let Some(a) = &cp.remote_insurance_addr {
        validate_remote_string("remote_insurance_addr", a)?;
    }
    let key = (cp.connection_id.as_str(), cp.port_id.as_str());
    if !COUNTERPARTIES.has(deps.storage, key) {
        let count = COUNTERPARTY_COUNT.may_load(deps.storage)?.unwrap_or(0);
        if count >= MAX_COUNTERPARTIES {
            return Err(ContractError::LimitReached {
                what: "counterparties".into(),
                max: MAX_COUNTERPARTIES,
            });
        }
        // safe: count < MAX_COUNTERPARTIES
        COUNTERPARTY_COUNT.save(deps.storage, &(count + 1))?;
    }
    COUNTERPARTIES.save(deps.storage, key, &cp)?;
    Ok(Response::new()
        .add_attribute("action", "allow_counterparty")
        .add_attribute("connection_id", cp.connection_id)
        .add_attribute("port_id", cp.port_id))
}

pub fn remove_counterparty(
    deps: DepsMut,
    info: MessageInfo,
    connection_id: String,
    port_id: String,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    let key = (connection_id.as_str(), port_id.as_str());
    if !COUNTERPARTIES.has(deps.storage, key) {
        return Err(ContractError::CounterpartyNotAllowed {
            connection_id,
            port_id,
        });
    }
    // its haircut values the open channel's positions: close the channel first
    if let Some(channel_id) = OPEN_CHANNEL_OF.may_load(deps.storage, key)? {
        return Err(ContractError::ChannelExists { channel_id });
    }
    COUNTERPARTIES.remove(deps.storage, key);
    let count = COUNTERPARTY_COUNT.may_load(deps.storage)?.unwrap_or(0);
    COUNTERPARTY_COUNT.save(deps.storage, &count.saturating_sub(1))?;
    Ok(Response::new()
        .add_attribute("action", "remove_counterparty")
        .add_attribute("connection_id", connection_id)
        .add_attribute("port_id", port_id))
}

pub fn set_remote_collateral(
    deps: DepsMut,
    info: MessageInfo,
    rc: RemoteCollateralConfig,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    ensure_role(deps.storage, IbcRole::Hub)?;
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

pub fn close_channel(
    deps: DepsMut,
    info: MessageInfo,
    channel_id: String,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    // only the hub closes: a closed channel at the satellite then proves the hub's end closed
    // (its ChanCloseConfirm), which RecoverLock relies on
    ensure_role(deps.storage, IbcRole::Hub)?;
    load_open_channel(deps.storage, &channel_id)?;
    CLOSING.save(deps.storage, &channel_id, &Empty {})?;
    Ok(Response::new()
        .add_message(IbcMsg::CloseChannel {
            channel_id: channel_id.clone(),
        })
        .add_attribute("action", "close_channel")
        .add_attribute("channel_id", channel_id))
}

// ---------------------------------------------------------------------------------------------
// Hub: account owners and keepers

pub fn set_remote_owner(
    deps: DepsMut,
    info: MessageInfo,
    account_id: u64,
    channel_id: String,
    remote_addr: Option<String>,
) -> Result<Response, ContractError> {
    ensure_role(deps.storage, IbcRole::Hub)?;
    load_owned_account(deps.storage, account_id, &info.sender)?;
    load_open_channel(deps.storage, &channel_id)?;
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

/// Hub: debit a position and record the release in flight. Returns the packet message.
#[allow(clippy::too_many_arguments)]
fn start_release(
    storage: &mut dyn Storage,
    env: &Env,
    channel_id: &str,
    account_id: u64,
    denom: &str,
    amount: Uint128,
    recipient: &str,
    kind: ReleaseKind,
    keeper: Option<(Addr, Uint128)>,
) -> Result<(CosmosMsg, u64), ContractError> {
    let cfg = ensure_role(storage, IbcRole::Hub)?;
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
    let transfer_id = next_transfer_id(storage)?;
    let (keeper, keeper_payment) = match keeper {
        Some((k, p)) => (Some(k), p),
        None => (None, Uint128::zero()),
    };
    save_position(storage, key, &pos)?;
    REMOTE_TOTALS.save(storage, (channel_id, denom), &totals)?;
    TRANSFERS.save(
        storage,
        (channel_id, transfer_id),
        &TransferRecord {
            channel_id: channel_id.to_string(),
            transfer_id,
            account_id,
            denom: denom.to_string(),
            amount,
            counterparty_addr: recipient.to_string(),
            kind: Some(kind),
            keeper,
            keeper_payment,
            status: TransferStatus::InFlight,
            timeout: packet_timeout(env, &cfg),
            error: None,
        },
    )?;
    let packet = VaultPacket::Release {
        transfer_id,
        account_id,
        denom: denom.to_string(),
        amount,
        recipient: recipient.to_string(),
        kind,
    };
    Ok((send_packet(env, &cfg, channel_id, &packet)?, transfer_id))
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
    ensure_role(deps.storage, IbcRole::Hub)?;
    let config = CONFIG.load(deps.storage)?;
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount);
    }
    let account = load_owned_account(deps.storage, account_id, &info.sender)?;
    load_open_channel(deps.storage, &channel_id)?;
    validate_remote_string("recipient", &recipient)?;
    ensure_allowed(&deps.as_ref(), &env, &config, ActionClass::IbcOut)?;
    let reference = REMOTE_TOTALS
        .may_load(deps.storage, (&channel_id, &denom))?
        .unwrap_or_default()
        .credited;
    let (msg, transfer_id) = start_release(
        deps.storage,
        &env,
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
        .add_attribute("transfer_id", transfer_id.to_string())
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
    ensure_role(deps.storage, IbcRole::Hub)?;
    let config = CONFIG.load(deps.storage)?;
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount);
    }
    let account = load_account(deps.storage, account_id)?;
    let ch = load_open_channel(deps.storage, &channel_id)?;
    ensure_allowed(&deps.as_ref(), &env, &config, ActionClass::Liquidate)?;
    let Some(rc) = REMOTE_COLLATERALS.may_load(deps.storage, (&ch.connection_id, &denom))? else {
        return Err(ContractError::UnlistedRemoteDenom {
            connection_id: ch.connection_id,
            denom,
        });
    };
    // None when haircut + remote_haircut ≥ 1 (how the owner delists a remote collateral):
    // the position counts zero in health but can still be seized
    let haircut = valuation(deps.storage, &channel_id, &denom)?.map(|(_, h)| h);
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
        let cp = COUNTERPARTIES
            .may_load(deps.storage, (&ch.connection_id, &ch.counterparty_port_id))?
            .ok_or(ContractError::NoRemoteInsurance)?;
        let to = cp
            .remote_insurance_addr
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
            && COUNTERPARTIES
                .may_load(deps.storage, (&ch.connection_id, &ch.counterparty_port_id))?
                .and_then(|cp| cp.remote_insurance_addr)
                .is_some()
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
    let (msg, transfer_id) = start_release(
        deps.storage,
        &env,
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
        .add_attribute("transfer_id", transfer_id.to_string())
        .add_attribute("denom", denom)
        .add_attribute("amount", amount)
        .add_attribute("recipient", recipient)
        .add_attribute("keeper_payment", payment))
}

// ---------------------------------------------------------------------------------------------
// Satellite: deposits

pub fn remote_deposit(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    channel_id: String,
    account_id: u64,
) -> Result<Response, ContractError> {
    let cfg = ensure_role(deps.storage, IbcRole::Satellite)?;
    let config = CONFIG.load(deps.storage)?;
    let coin = one_coin(&info)?;
    validate_remote_string("denom", &coin.denom)?;
    load_open_channel(deps.storage, &channel_id)?;
    ensure_allowed(&deps.as_ref(), &env, &config, ActionClass::Deposit)?;
    let mut totals = load_totals(deps.storage, &coin.denom)?;
    totals.ibc_pending = totals.ibc_pending.checked_add(coin.amount)?;
    let transfer_id = next_transfer_id(deps.storage)?;
    TOTALS.save(deps.storage, &coin.denom, &totals)?;
    TRANSFERS.save(
        deps.storage,
        (&channel_id, transfer_id),
        &TransferRecord {
            channel_id: channel_id.clone(),
            transfer_id,
            account_id,
            denom: coin.denom.clone(),
            amount: coin.amount,
            counterparty_addr: info.sender.to_string(),
            kind: None,
            keeper: None,
            keeper_payment: Uint128::zero(),
            status: TransferStatus::InFlight,
            timeout: packet_timeout(&env, &cfg),
            error: None,
        },
    )?;
    let packet = VaultPacket::Deposit {
        transfer_id,
        account_id,
        denom: coin.denom.clone(),
        amount: coin.amount,
        depositor: info.sender.to_string(),
    };
    Ok(Response::new()
        .add_message(send_packet(&env, &cfg, &channel_id, &packet)?)
        .add_attribute("action", "remote_deposit")
        .add_attribute("channel_id", channel_id)
        .add_attribute("transfer_id", transfer_id.to_string())
        .add_attribute("account_id", account_id.to_string())
        .add_attribute("denom", coin.denom)
        .add_attribute("amount", coin.amount))
}

// ---------------------------------------------------------------------------------------------
// Both roles: claims and recovery

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

/// How a sent transfer ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The counterparty applied it (success ack).
    Delivered,
    /// Error ack or timeout: the counterparty did not apply it.
    Failed,
}

/// Resolves a transfer this vault sent. Every check and computation comes before the first
/// write, so an error leaves storage unchanged (the caller records it as stuck).
pub fn resolve_transfer(
    storage: &mut dyn Storage,
    api: &dyn cosmwasm_std::Api,
    record: &TransferRecord,
    outcome: Outcome,
) -> Result<Vec<(&'static str, String)>, ContractError> {
    let role = load_ibc_config(storage)?.role;
    let key = (record.channel_id.as_str(), record.transfer_id);
    match (role, outcome) {
        // satellite deposit acknowledged: the coins become a lock of the account
        (IbcRole::Satellite, Outcome::Delivered) => {
            let depositor = api.addr_validate(&record.counterparty_addr)?;
            let lkey = (
                record.channel_id.as_str(),
                record.account_id,
                record.denom.as_str(),
            );
            let mut lock = SAT_LOCKS.may_load(storage, lkey)?.unwrap_or_default();
            lock.locked = lock.locked.checked_add(record.amount)?;
            lock.owner = Some(depositor);
            let mut totals = load_totals(storage, &record.denom)?;
            totals.ibc_pending = totals.ibc_pending.checked_sub(record.amount)?;
            totals.ibc_locked = totals.ibc_locked.checked_add(record.amount)?;
            SAT_LOCKS.save(storage, lkey, &lock)?;
            TOTALS.save(storage, &record.denom, &totals)?;
            TRANSFERS.remove(storage, key);
            Ok(vec![("result", "locked".into())])
        }
        // satellite deposit refused or timed out: refundable to the depositor
        (IbcRole::Satellite, Outcome::Failed) => {
            let depositor = api.addr_validate(&record.counterparty_addr)?;
            let held = CLAIMABLE
                .may_load(storage, (&depositor, &record.denom))?
                .unwrap_or_default()
                .checked_add(record.amount)?;
            CLAIMABLE.save(storage, (&depositor, &record.denom), &held)?;
            TRANSFERS.remove(storage, key);
            Ok(vec![
                ("result", "refundable".into()),
                ("depositor", depositor.to_string()),
            ])
        }
        // hub release done: the pending range closes; a keeper's payment reaches the account
        (IbcRole::Hub, Outcome::Delivered) => {
            let pkey = (
                record.account_id,
                record.channel_id.as_str(),
                record.denom.as_str(),
            );
            let mut pos = REMOTE_POSITIONS
                .may_load(storage, pkey)?
                .unwrap_or_default();
            pos.pending_out = pos.pending_out.checked_sub(record.amount)?;
            end_seizure(&mut pos, record)?;
            let tkey = (record.channel_id.as_str(), record.denom.as_str());
            let mut rt = REMOTE_TOTALS.may_load(storage, tkey)?.unwrap_or_default();
            rt.pending_out = rt.pending_out.checked_sub(record.amount)?;
            let mut account_update = None;
            if !record.keeper_payment.is_zero() {
                let config = CONFIG.load(storage)?;
                let mut account = load_account(storage, record.account_id)?;
                let mut totals = load_totals(storage, &config.settlement_denom)?;
                totals.ibc_pending = totals.ibc_pending.checked_sub(record.keeper_payment)?;
                totals.shift(&mut account, Int128::try_from(record.keeper_payment)?)?;
                account_update = Some((config.settlement_denom, account, totals));
            }
            save_position(storage, pkey, &pos)?;
            REMOTE_TOTALS.save(storage, tkey, &rt)?;
            if let Some((denom, account, totals)) = account_update {
                ACCOUNTS.save(storage, record.account_id, &account)?;
                TOTALS.save(storage, &denom, &totals)?;
            }
            TRANSFERS.remove(storage, key);
            Ok(vec![("result", "released".into())])
        }
        // hub release refused or timed out: the position gets the amount back; a keeper's
        // payment becomes refundable to the keeper
        (IbcRole::Hub, Outcome::Failed) => {
            let pkey = (
                record.account_id,
                record.channel_id.as_str(),
                record.denom.as_str(),
            );
            let mut pos = REMOTE_POSITIONS
                .may_load(storage, pkey)?
                .unwrap_or_default();
            pos.pending_out = pos.pending_out.checked_sub(record.amount)?;
            pos.amount = pos.amount.checked_add(record.amount)?;
            end_seizure(&mut pos, record)?;
            let tkey = (record.channel_id.as_str(), record.denom.as_str());
            let mut rt = REMOTE_TOTALS.may_load(storage, tkey)?.unwrap_or_default();
            rt.pending_out = rt.pending_out.checked_sub(record.amount)?;
            rt.credited = rt.credited.checked_add(record.amount)?;
            let refund = match &record.keeper {
                Some(k) if !record.keeper_payment.is_zero() => {
                    let config = CONFIG.load(storage)?;
                    let held = CLAIMABLE
                        .may_load(storage, (k, &config.settlement_denom))?
                        .unwrap_or_default()
                        .checked_add(record.keeper_payment)?;
                    Some((k.clone(), config.settlement_denom, held))
                }
                _ => None,
            };
            save_position(storage, pkey, &pos)?;
            REMOTE_TOTALS.save(storage, tkey, &rt)?;
            if let Some((k, denom, held)) = &refund {
                CLAIMABLE.save(storage, (k, denom), held)?;
            }
            TRANSFERS.remove(storage, key);
            Ok(vec![("result", "rolled_back".into())])
        }
    }
}

/// Hub: a keeper seizure resolves; its amount and payment leave the position's escrow.
fn end_seizure(pos: &mut PositionState, record: &TransferRecord) -> Result<(), ContractError> {
    if record.keeper.is_some() {
        pos.seized = pos.seized.checked_sub(record.amount)?;
        pos.escrow = pos.escrow.checked_sub(record.keeper_payment)?;
    }
    Ok(())
}

pub fn recover_transfer(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    channel_id: String,
    transfer_id: u64,
    delivered: bool,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    let record = TRANSFERS
        .may_load(deps.storage, (&channel_id, transfer_id))?
        .ok_or_else(|| ContractError::TransferNotFound {
            channel_id: channel_id.clone(),
            transfer_id,
        })?;
    let ch = load_channel(deps.storage, &channel_id)?;
    // an in-flight transfer: only once our end is closed, and as failed only once the
    // counterparty can no longer receive it (its end may still be open): its timeout plus a
    // margin for a counterparty clock running behind ours
    let failed_from = record.timeout.plus_seconds(RECOVERY_CLOCK_MARGIN_SECS);
    if record.status != TransferStatus::Stuck
        && (ch.state == ChannelState::Open || (!delivered && env.block.time < failed_from))
    {
        return Err(ContractError::TransferNotRecoverable {
            channel_id,
            transfer_id,
        });
    }
    let outcome = if delivered {
        Outcome::Delivered
    } else {
        Outcome::Failed
    };
    let attrs = resolve_transfer(deps.storage, deps.api, &record, outcome)?;
    Ok(Response::new()
        .add_attribute("action", "recover_transfer")
        .add_attribute("channel_id", channel_id)
        .add_attribute("transfer_id", transfer_id.to_string())
        .add_attributes(attrs))
}

/// Satellite: pays out a lock of a closed channel (hub: see [`clear_remote_position`]). The
/// satellite never closes a channel itself (`CloseChannel` is the hub's), so a closed channel
/// here was closed by the hub (`ChanCloseConfirm` proves the hub's end closed): the hub no
/// longer counts the lock.
pub fn recover_lock(
    deps: DepsMut,
    info: MessageInfo,
    channel_id: String,
    account_id: u64,
    denom: String,
    recipient: Option<String>,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    if load_ibc_config(deps.storage)?.role == IbcRole::Hub {
        if recipient.is_some() {
            return Err(ContractError::InvalidParam {
                name: "recipient".into(),
                reason: "the hub only drops the frozen position".into(),
            });
        }
        return clear_remote_position(deps, channel_id, account_id, denom);
    }
    let ch = load_channel(deps.storage, &channel_id)?;
    if ch.state == ChannelState::Open {
        return Err(ContractError::ChannelOpen { channel_id });
    }
    let key = (channel_id.as_str(), account_id, denom.as_str());
    let lock = SAT_LOCKS.may_load(deps.storage, key)?.unwrap_or_default();
    let to = match (recipient, &lock.owner, lock.locked.is_zero()) {
        (_, _, true) => return Err(ContractError::NoLock),
        (Some(r), _, false) => deps.api.addr_validate(&r)?,
        (None, Some(o), false) => o.clone(),
        (None, None, false) => return Err(ContractError::NoLock),
    };
    let mut totals = load_totals(deps.storage, &denom)?;
    totals.ibc_locked = totals.ibc_locked.checked_sub(lock.locked)?;
    TOTALS.save(deps.storage, &denom, &totals)?;
    SAT_LOCKS.remove(deps.storage, key);
    Ok(Response::new()
        .add_message(BankMsg::Send {
            to_address: to.to_string(),
            amount: vec![Coin::new(lock.locked, &denom)],
        })
        .add_attribute("action", "recover_lock")
        .add_attribute("channel_id", channel_id)
        .add_attribute("account_id", account_id.to_string())
        .add_attribute("denom", denom)
        .add_attribute("amount", lock.locked)
        .add_attribute("recipient", to))
}

/// Hub (`RecoverLock` at the hub): drops a position of a closed channel once the owner has
/// recovered the satellite's lock.
fn clear_remote_position(
    deps: DepsMut,
    channel_id: String,
    account_id: u64,
    denom: String,
) -> Result<Response, ContractError> {
    let ch = load_channel(deps.storage, &channel_id)?;
    if ch.state == ChannelState::Open {
        return Err(ContractError::ChannelOpen { channel_id });
    }
    let key = (account_id, channel_id.as_str(), denom.as_str());
    let pos = REMOTE_POSITIONS
        .may_load(deps.storage, key)?
        .ok_or(ContractError::NoLock)?;
    if !pos.pending_out.is_zero() {
        return Err(ContractError::InvalidParam {
            name: "pending_out".into(),
            reason: "resolve the releases in flight first (RecoverTransfer)".into(),
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
        .add_attribute("action", "recover_position")
        .add_attribute("channel_id", channel_id)
        .add_attribute("account_id", account_id.to_string())
        .add_attribute("denom", denom)
        .add_attribute("amount", pos.amount))
}

// ---------------------------------------------------------------------------------------------
// Receiving packets: checks first (read only), then writes

/// The writes of an accepted packet, computed by [`plan_receive`] without touching storage.
pub enum ReceivePlan {
    /// Hub: credit a deposit.
    Credit {
        key: (u64, String, String),
        pos: PositionState,
        totals: RemoteTotals,
    },
    /// Satellite: release locked coins.
    Release {
        key: (String, u64, String),
        lock: LockState,
        denom: String,
        totals: crate::state::DenomTotals,
        recipient: Addr,
        amount: Uint128,
        /// The breaker's outflow report (withdrawals only), sent before the coins.
        report: Option<Box<CosmosMsg>>,
    },
}

/// Checks a packet received on `channel_id` against the vault's state; reads only.
pub fn plan_receive(
    deps: Deps,
    env: &Env,
    channel_id: &str,
    packet: &VaultPacket,
) -> Result<ReceivePlan, ContractError> {
    let cfg = load_ibc_config(deps.storage)?;
    let ch = load_open_channel(deps.storage, channel_id)?;
    match packet {
        VaultPacket::Deposit {
            account_id,
            denom,
            amount,
            depositor,
            ..
        } => {
            if cfg.role != IbcRole::Hub {
                return Err(ContractError::WrongIbcRole {
                    expected: IbcRole::Hub,
                });
            }
            if amount.is_zero() {
                return Err(ContractError::ZeroAmount);
            }
            validate_remote_string("denom", denom)?;
            let account = load_account(deps.storage, *account_id)?;
            // the hub's breaker guards its accounts: remote deposits pass it like local ones
            let config = CONFIG.load(deps.storage)?;
            ensure_allowed(&deps, env, &config, ActionClass::Deposit)?;
            // an account without exposure and with negative equity waits for its bad-debt
            // cover: a (dust) deposit would only postpone it (rescue it with a local deposit)
            if account.markets.is_empty() && account.settlement_balance < Int128::zero() {
                let snap = live_snapshot(
                    deps,
                    env,
                    &config,
                    *account_id,
                    &account,
                    PricePurpose::ReduceOrLiquidate,
                )?;
                if snap.equity < Int128::zero() {
                    return Err(ContractError::Insolvent {
                        account_id: *account_id,
                    });
                }
            }
            let authorised = REMOTE_OWNERS.may_load(deps.storage, (*account_id, channel_id))?;
            if authorised.as_deref() != Some(depositor.as_str()) {
                return Err(ContractError::NotRemoteOwner {
                    account_id: *account_id,
                    depositor: depositor.clone(),
                });
            }
            let rc = REMOTE_COLLATERALS
                .may_load(deps.storage, (&ch.connection_id, denom))?
                .ok_or_else(|| ContractError::UnlistedRemoteDenom {
                    connection_id: ch.connection_id.clone(),
                    denom: denom.clone(),
                })?;
            let mut totals = REMOTE_TOTALS
                .may_load(deps.storage, (channel_id, denom))?
                .unwrap_or_default();
            // the cap is per chain: Σ credited + pending out over the connection's open
            // channels (one per allowed counterparty port, ≤ MAX_COUNTERPARTIES)
            let mut held = Uint128::zero();
            for row in OPEN_CHANNEL_OF
                .prefix(&ch.connection_id)
                .range_raw(deps.storage, None, None, Order::Ascending)
                .take(MAX_COUNTERPARTIES as usize)
            {
                let t = REMOTE_TOTALS
                    .may_load(deps.storage, (&row?.1, denom))?
                    .unwrap_or_default();
                held = held.checked_add(t.credited)?.checked_add(t.pending_out)?;
            }
            if held.checked_add(*amount)? > rc.deposit_cap {
                return Err(ContractError::RemoteCapExceeded {
                    denom: denom.clone(),
                    amount: *amount,
                    total: held,
                    cap: rc.deposit_cap,
                });
            }
            let key = (*account_id, channel_id, denom.as_str());
            let existing = REMOTE_POSITIONS.may_load(deps.storage, key)?;
            if existing.is_none()
                && position_count(deps.storage, *account_id) >= MAX_REMOTE_POSITIONS_PER_ACCOUNT
            {
                return Err(ContractError::TooManyRemotePositions {
                    max: MAX_REMOTE_POSITIONS_PER_ACCOUNT,
                });
            }
            let mut pos = existing.unwrap_or_default();
            pos.amount = pos.amount.checked_add(*amount)?;
            totals.credited = totals.credited.checked_add(*amount)?;
            Ok(ReceivePlan::Credit {
                key: (*account_id, channel_id.to_string(), denom.clone()),
                pos,
                totals,
            })
        }
        VaultPacket::Release {
            account_id,
            denom,
            amount,
            recipient,
            kind,
            ..
        } => {
            if cfg.role != IbcRole::Satellite {
                return Err(ContractError::WrongIbcRole {
                    expected: IbcRole::Satellite,
                });
            }
            if amount.is_zero() {
                return Err(ContractError::ZeroAmount);
            }
            let recipient = deps.api.addr_validate(recipient)?;
            let mut lock = SAT_LOCKS
                .may_load(deps.storage, (channel_id, *account_id, denom))?
                .unwrap_or_default();
            if *amount > lock.locked {
                return Err(ContractError::InsufficientBalance {
                    denom: denom.clone(),
                    balance: lock.locked,
                    amount: *amount,
                });
            }
            lock.locked = lock.locked.checked_sub(*amount)?;
            let mut totals = load_totals(deps.storage, denom)?;
            let reference = totals.ledger_total()?;
            totals.ibc_locked = totals.ibc_locked.checked_sub(*amount)?;
            // a withdrawal also passes this chain's breaker (IbcOut, outflow per channel);
            // seizures do not, so a quota can never block a liquidation
            let report = if *kind == ReleaseKind::Withdraw {
                let config = CONFIG.load(deps.storage)?;
                ensure_allowed(&deps, env, &config, ActionClass::IbcOut)?;
                Some(Box::new(report_outflow_on(
                    &config,
                    denom,
                    Some(channel_id.to_string()),
                    *amount,
                    reference,
                )?))
            } else {
                None
            };
            Ok(ReceivePlan::Release {
                key: (channel_id.to_string(), *account_id, denom.clone()),
                lock,
                denom: denom.clone(),
                totals,
                recipient,
                amount: *amount,
                report,
            })
        }
    }
}

/// Applies a plan: storage writes only; returns the messages of a release (the breaker
/// report, then the payment).
pub fn apply_receive(
    storage: &mut dyn Storage,
    plan: ReceivePlan,
) -> Result<Vec<CosmosMsg>, ContractError> {
    match plan {
        ReceivePlan::Credit { key, pos, totals } => {
            REMOTE_POSITIONS.save(storage, (key.0, &key.1, &key.2), &pos)?;
            REMOTE_TOTALS.save(storage, (&key.1, &key.2), &totals)?;
            Ok(vec![])
        }
        ReceivePlan::Release {
            key,
            lock,
            denom,
            totals,
            recipient,
            amount,
            report,
        } => {
            if lock.locked.is_zero() {
                SAT_LOCKS.remove(storage, (&key.0, key.1, &key.2));
            } else {
                SAT_LOCKS.save(storage, (&key.0, key.1, &key.2), &lock)?;
            }
            TOTALS.save(storage, &denom, &totals)?;
            let mut msgs: Vec<CosmosMsg> = report.into_iter().map(|m| *m).collect();
            msgs.push(
                BankMsg::Send {
                    to_address: recipient.to_string(),
                    amount: vec![Coin::new(amount, denom)],
                }
                .into(),
            );
            Ok(msgs)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Queries

pub fn query_positions(deps: Deps, account_id: u64) -> Result<Vec<RemotePosition>, ContractError> {
    REMOTE_POSITIONS
        .sub_prefix(account_id)
        .range(deps.storage, None, None, Order::Ascending)
        .take(MAX_REMOTE_POSITIONS_PER_ACCOUNT.saturating_mul(2))
        .map(|row| {
            let ((channel_id, denom), pos) = row?;
            let frozen = CHANNELS
                .may_load(deps.storage, &channel_id)?
                .is_none_or(|c| c.state != ChannelState::Open);
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

pub fn query_transfers(
    deps: Deps,
    start_after: Option<(String, u64)>,
    limit: Option<u32>,
) -> Result<Vec<TransferRecord>, ContractError> {
    let start = start_after
        .as_ref()
        .map(|(c, t)| Bound::exclusive((c.as_str(), *t)));
    TRANSFERS
        .range(deps.storage, start, None, Order::Ascending)
        .take(crate::query::limit(limit))
        .map(|r| Ok(r?.1))
        .collect()
}

pub fn query_lock(
    deps: Deps,
    channel_id: String,
    account_id: u64,
    denom: String,
) -> Result<SatelliteLock, ContractError> {
    let lock = SAT_LOCKS
        .may_load(deps.storage, (&channel_id, account_id, &denom))?
        .unwrap_or_default();
    Ok(SatelliteLock {
        channel_id,
        account_id,
        denom,
        locked: lock.locked,
        owner: lock.owner,
    })
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

/// One page of a config map keyed by two strings (connection + port or denom), in key order.
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

pub fn query_counterparties(
    deps: Deps,
    start_after: Option<(String, String)>,
    limit: Option<u32>,
) -> Result<Vec<CounterpartyConfig>, ContractError> {
    page_by_pair(deps, &COUNTERPARTIES, start_after, limit)
}

pub fn query_remote_collaterals(
    deps: Deps,
    start_after: Option<(String, String)>,
    limit: Option<u32>,
) -> Result<Vec<RemoteCollateralConfig>, ContractError> {
    page_by_pair(deps, &REMOTE_COLLATERALS, start_after, limit)
}

pub fn query_channels(
    deps: Deps,
    start_after: Option<String>,
    limit: Option<u32>,
) -> Result<Vec<ChannelInfo>, ContractError> {
    CHANNELS
        .range(
            deps.storage,
            start_after.as_deref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(crate::query::limit(limit))
        .map(|r| Ok(r?.1))
        .collect()
}
