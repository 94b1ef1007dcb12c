//! Owner configuration and the user messages of both roles; the transfer resolution shared
//! by acks, timeouts and the owner's recovery.

use cosmwasm_std::{
    to_json_binary, Addr, Api, BankMsg, Coin, CosmosMsg, Decimal, Deps, DepsMut, Empty, Env,
    IbcMsg, IbcTimeout, MessageInfo, Order, Response, Storage, Timestamp, Uint128, WasmMsg,
};

use bulwark_types::circuit_breaker::{is_action_allowed, ActionClass};
use bulwark_types::gateway::{ReleaseRequest, MAX_TRANSFER_CHANNELS};
use bulwark_types::ibc::{
    ChannelState, CounterpartyConfig, IbcRole, TransferRecord, TransferStatus, VaultPacket,
    MAX_COUNTERPARTIES, MAX_PACKET_TIMEOUT_SECS, MIN_PACKET_TIMEOUT_SECS,
};
use bulwark_types::ownership::assert_owner;
use bulwark_types::vault::GatewayMsg;

use crate::error::ContractError;
use crate::state::{
    ensure_role, load_channel, load_open_channel, load_totals, next_transfer_id, Config, CLAIMABLE,
    CLOSING, CONFIG, COUNTERPARTIES, COUNTERPARTY_COUNT, OPEN_CHANNEL_OF,
    RECOVERY_CLOCK_MARGIN_SECS, SAT_LOCKS, TOTALS, TRANSFERS, TRANSFER_CHANNELS,
    TRANSFER_CHANNEL_COUNT,
};

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

pub fn validate_timeout(secs: u64) -> Result<(), ContractError> {
    if !(MIN_PACKET_TIMEOUT_SECS..=MAX_PACKET_TIMEOUT_SECS).contains(&secs) {
        return Err(ContractError::InvalidParam {
            name: "packet_timeout_secs".into(),
            reason: format!("must be in {MIN_PACKET_TIMEOUT_SECS}..={MAX_PACKET_TIMEOUT_SECS}"),
        });
    }
    Ok(())
}

pub fn one_coin(info: &MessageInfo) -> Result<Coin, ContractError> {
    match info.funds.as_slice() {
        [] => Err(ContractError::NoFunds),
        [coin] if coin.amount.is_zero() => Err(ContractError::ZeroAmount),
        [coin] => Ok(coin.clone()),
        funds => Err(ContractError::MultipleCoins { count: funds.len() }),
    }
}

pub fn ensure_allowed(
    deps: &Deps,
    env: &Env,
    cfg: &Config,
    action: ActionClass,
) -> Result<(), ContractError> {
    let breaker = cfg
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

/// Wire-identical to the breaker's `ExecuteMsg::ReportOutflow` (only this variant is sent).
#[cosmwasm_schema::cw_serde]
enum OutflowReport {
    ReportOutflow {
        denom: String,
        channel: Option<String>,
        amount: Uint128,
        reference_value: Uint128,
    },
}

pub fn report_outflow(
    cfg: &Config,
    denom: &str,
    channel_id: &str,
    amount: Uint128,
    reference_value: Uint128,
) -> Result<CosmosMsg, ContractError> {
    let breaker = cfg
        .circuit_breaker_addr
        .as_ref()
        .ok_or(ContractError::BreakerNotConfigured)?;
    Ok(WasmMsg::Execute {
        contract_addr: breaker.to_string(),
        msg: to_json_binary(&OutflowReport::ReportOutflow {
            denom: denom.to_string(),
            channel: Some(channel_id.to_string()),
            amount,
            reference_value,
        })?,
        funds: vec![],
    }
    .into())
}

/// Wire-identical to the vault's `ExecuteMsg::Gateway` (the only variant the gateway sends).
#[cosmwasm_schema::cw_serde]
enum VaultCall {
    Gateway(GatewayMsg),
}

pub fn vault_msg(
    cfg: &Config,
    msg: GatewayMsg,
    funds: Vec<Coin>,
) -> Result<WasmMsg, ContractError> {
    let vault = cfg.vault_addr.as_ref().ok_or(ContractError::NoVault)?;
    Ok(WasmMsg::Execute {
        contract_addr: vault.to_string(),
        msg: to_json_binary(&VaultCall::Gateway(msg))?,
        funds,
    })
}

/// The timeout of a packet sent now.
pub fn packet_timeout(env: &Env, cfg: &Config) -> Timestamp {
    env.block.time.plus_seconds(cfg.packet_timeout_secs)
}

pub fn send_packet(
    env: &Env,
    cfg: &Config,
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

// ---------------------------------------------------------------------------------------------
// Owner configuration

pub fn update_config(
    deps: DepsMut,
    info: MessageInfo,
    packet_timeout_secs: Option<u64>,
    circuit_breaker: Option<String>,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    let mut cfg = CONFIG.load(deps.storage)?;
    if let Some(secs) = packet_timeout_secs {
        validate_timeout(secs)?;
        cfg.packet_timeout_secs = secs;
    }
    if let Some(b) = circuit_breaker {
        cfg.circuit_breaker_addr = Some(deps.api.addr_validate(&b)?);
    }
    CONFIG.save(deps.storage, &cfg)?;
    Ok(Response::new()
        .add_attribute("action", "update_config")
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
    // its haircut values the open channel's positions at the hub: close the channel first
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

pub fn set_transfer_channel(
    deps: DepsMut,
    info: MessageInfo,
    channel_id: String,
    allowed: bool,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    ensure_role(deps.storage, IbcRole::Hub)?;
    validate_remote_string("channel_id", &channel_id)?;
    let known = TRANSFER_CHANNELS.has(deps.storage, &channel_id);
    let count = TRANSFER_CHANNEL_COUNT.may_load(deps.storage)?.unwrap_or(0);
    match (allowed, known) {
        (true, false) => {
            if count >= MAX_TRANSFER_CHANNELS {
                return Err(ContractError::LimitReached {
                    what: "transfer channels".into(),
                    max: MAX_TRANSFER_CHANNELS,
                });
            }
            TRANSFER_CHANNELS.save(deps.storage, &channel_id, &Empty {})?;
            // safe: count < MAX_TRANSFER_CHANNELS
            TRANSFER_CHANNEL_COUNT.save(deps.storage, &(count + 1))?;
        }
        (false, true) => {
            TRANSFER_CHANNELS.remove(deps.storage, &channel_id);
            TRANSFER_CHANNEL_COUNT.save(deps.storage, &count.saturating_sub(1))?;
        }
        _ => {}
    }
    Ok(Response::new()
        .add_attribute("action", "set_transfer_channel")
        .add_attribute("channel_id", channel_id)
        .add_attribute("allowed", allowed.to_string()))
}

// ---------------------------------------------------------------------------------------------
// Hub: releases the vault debited

pub fn send_release(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    req: ReleaseRequest,
) -> Result<Response, ContractError> {
    let cfg = ensure_role(deps.storage, IbcRole::Hub)?;
    if cfg.vault_addr.as_ref() != Some(&info.sender) {
        return Err(ContractError::NotVault);
    }
    if req.amount.is_zero() {
        return Err(ContractError::ZeroAmount);
    }
    validate_remote_string("denom", &req.denom)?;
    validate_remote_string("recipient", &req.recipient)?;
    load_open_channel(deps.storage, &req.channel_id)?;
    let transfer_id = next_transfer_id(deps.storage)?;
    TRANSFERS.save(
        deps.storage,
        (&req.channel_id, transfer_id),
        &TransferRecord {
            channel_id: req.channel_id.clone(),
            transfer_id,
            account_id: req.account_id,
            denom: req.denom.clone(),
            amount: req.amount,
            counterparty_addr: req.recipient.clone(),
            kind: Some(req.kind),
            release_id: Some(req.release_id),
            status: TransferStatus::InFlight,
            timeout: packet_timeout(&env, &cfg),
            error: None,
        },
    )?;
    let packet = VaultPacket::Release {
        transfer_id,
        account_id: req.account_id,
        denom: req.denom,
        amount: req.amount,
        recipient: req.recipient,
        kind: req.kind,
    };
    Ok(Response::new()
        .add_message(send_packet(&env, &cfg, &req.channel_id, &packet)?)
        .add_attribute("action", "send_release")
        .add_attribute("channel_id", req.channel_id)
        .add_attribute("transfer_id", transfer_id.to_string())
        .add_attribute("release_id", req.release_id.to_string()))
}

// ---------------------------------------------------------------------------------------------
// Satellite: deposits and refunds

pub fn remote_deposit(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    channel_id: String,
    account_id: u64,
) -> Result<Response, ContractError> {
    let cfg = ensure_role(deps.storage, IbcRole::Satellite)?;
    let coin = one_coin(&info)?;
    validate_remote_string("denom", &coin.denom)?;
    load_open_channel(deps.storage, &channel_id)?;
    ensure_allowed(&deps.as_ref(), &env, &cfg, ActionClass::Deposit)?;
    let mut totals = load_totals(deps.storage, &coin.denom)?;
    totals.pending = totals.pending.checked_add(coin.amount)?;
    totals.total()?;
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
            release_id: None,
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
    totals.pending = totals.pending.checked_sub(amount)?;
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
// Resolution of a transfer this gateway sent

/// How a sent transfer ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The counterparty applied it (success ack).
    Delivered,
    /// Error ack or timeout: the counterparty did not apply it.
    Failed,
}

/// What resolving a transfer does: a satellite's writes are done; a hub's resolution is the
/// vault's (`ReleaseResolved`), returned as the message to send.
pub struct Resolution {
    pub attrs: Vec<(&'static str, String)>,
    pub vault_msg: Option<WasmMsg>,
}

/// Resolves a transfer this gateway sent and drops its record. Every check and computation
/// comes before the first write, so an error leaves storage unchanged (the caller records
/// the transfer as stuck).
pub fn resolve_transfer(
    storage: &mut dyn Storage,
    api: &dyn Api,
    record: &TransferRecord,
    outcome: Outcome,
) -> Result<Resolution, ContractError> {
    let cfg = CONFIG.load(storage)?;
    let key = (record.channel_id.as_str(), record.transfer_id);
    match (cfg.role, outcome) {
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
            totals.pending = totals.pending.checked_sub(record.amount)?;
            totals.locked = totals.locked.checked_add(record.amount)?;
            SAT_LOCKS.save(storage, lkey, &lock)?;
            TOTALS.save(storage, &record.denom, &totals)?;
            TRANSFERS.remove(storage, key);
            Ok(Resolution {
                attrs: vec![("result", "locked".into())],
                vault_msg: None,
            })
        }
        // satellite deposit refused or timed out: refundable to the depositor (still pending)
        (IbcRole::Satellite, Outcome::Failed) => {
            let depositor = api.addr_validate(&record.counterparty_addr)?;
            let held = CLAIMABLE
                .may_load(storage, (&depositor, &record.denom))?
                .unwrap_or_default()
                .checked_add(record.amount)?;
            CLAIMABLE.save(storage, (&depositor, &record.denom), &held)?;
            TRANSFERS.remove(storage, key);
            Ok(Resolution {
                attrs: vec![
                    ("result", "refundable".into()),
                    ("depositor", depositor.to_string()),
                ],
                vault_msg: None,
            })
        }
        // hub release: the vault closes the pending range or rolls the debit back
        (IbcRole::Hub, outcome) => {
            let release_id = record
                .release_id
                .ok_or_else(|| ContractError::InvalidPacket {
                    reason: "a hub transfer without its release id".into(),
                })?;
            let delivered = outcome == Outcome::Delivered;
            let msg = vault_msg(
                &cfg,
                GatewayMsg::ReleaseResolved {
                    release_id,
                    delivered,
                },
                vec![],
            )?;
            TRANSFERS.remove(storage, key);
            Ok(Resolution {
                attrs: vec![
                    (
                        "result",
                        if delivered { "released" } else { "rolled_back" }.into(),
                    ),
                    ("release_id", release_id.to_string()),
                ],
                vault_msg: Some(msg),
            })
        }
    }
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
    let resolution = resolve_transfer(deps.storage, deps.api, &record, outcome)?;
    // a hub's recovery is the vault's resolution: if the vault refuses, nothing changes
    Ok(Response::new()
        .add_messages(resolution.vault_msg)
        .add_attribute("action", "recover_transfer")
        .add_attribute("channel_id", channel_id)
        .add_attribute("transfer_id", transfer_id.to_string())
        .add_attributes(resolution.attrs))
}

/// Satellite: pays out a lock of a closed channel. The satellite never closes a channel
/// itself (`CloseChannel` is the hub's), so a closed channel here was closed by the hub
/// (`ChanCloseConfirm` proves the hub's end closed): the hub no longer counts the lock.
pub fn recover_lock(
    deps: DepsMut,
    info: MessageInfo,
    channel_id: String,
    account_id: u64,
    denom: String,
    recipient: Option<String>,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    ensure_role(deps.storage, IbcRole::Satellite)?;
    let ch = load_channel(deps.storage, &channel_id)?;
    if ch.state == ChannelState::Open {
        return Err(ContractError::ChannelOpen { channel_id });
    }
    let key = (channel_id.as_str(), account_id, denom.as_str());
    let lock = SAT_LOCKS.may_load(deps.storage, key)?.unwrap_or_default();
    let to: Addr = match (recipient, &lock.owner, lock.locked.is_zero()) {
        (_, _, true) => return Err(ContractError::NoLock),
        (Some(r), _, false) => deps.api.addr_validate(&r)?,
        (None, Some(o), false) => o.clone(),
        (None, None, false) => return Err(ContractError::NoLock),
    };
    let mut totals = load_totals(deps.storage, &denom)?;
    totals.locked = totals.locked.checked_sub(lock.locked)?;
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

/// Hub: the open channels of a connection (one per allowed counterparty port), over which the
/// vault sums a remote collateral's cap.
pub fn open_channels_of(
    storage: &dyn Storage,
    connection_id: &str,
) -> Result<Vec<String>, ContractError> {
    OPEN_CHANNEL_OF
        .prefix(connection_id)
        .range(storage, None, None, Order::Ascending)
        .take(MAX_COUNTERPARTIES as usize)
        .map(|r| Ok(r?.1))
        .collect()
}
