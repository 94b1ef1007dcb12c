//! IBC channel and packet handlers of the gateway (the entry points in `contract.rs` call
//! these).
//!
//! * Handshake: unordered channels only, version [`IBC_VERSION`] on both ends, the
//!   (connection, counterparty port) allowed by the owner, one open channel per counterparty.
//!   Only the satellite initiates, only the hub answers; closing from our side needs the
//!   owner's `CloseChannel`, a counterparty's close is accepted.
//! * Receive: a satellite applies a release itself; a hub asks its vault to credit a deposit
//!   (a submessage replying always) and acknowledges with the vault's answer. Either way a
//!   refused packet gets an error ack with nothing written but its replay marker, and a
//!   replayed packet gets the first answer again.
//! * Ack and timeout never fail: a transfer whose outcome cannot be applied (at the hub: the
//!   vault's `ReleaseResolved` fails, caught by a reply on error) is recorded as `Stuck` for
//!   the owner's `RecoverTransfer`, and an event is emitted.

use cosmwasm_std::{
    from_json, to_json_binary, Attribute, Binary, Coin, CosmosMsg, Deps, DepsMut, Env, Event,
    Ibc3ChannelOpenResponse, IbcBasicResponse, IbcChannel, IbcChannelCloseMsg,
    IbcChannelConnectMsg, IbcChannelOpenMsg, IbcChannelOpenResponse, IbcOrder, IbcPacket,
    IbcPacketAckMsg, IbcPacketReceiveMsg, IbcPacketTimeoutMsg, IbcReceiveResponse, Never, Reply,
    Response, Storage, SubMsg, SubMsgResult, Uint128,
};

use bulwark_types::ibc::{
    ChannelInfo, ChannelState, IbcRole, ReleaseKind, TransferRecord, TransferStatus, VaultAck,
    VaultPacket, IBC_VERSION,
};
use bulwark_types::vault::{CreditOutcome, GatewayMsg};

use crate::error::ContractError;
use crate::execute::{
    ensure_allowed, open_channels_of, report_outflow, resolve_transfer, validate_remote_string,
    vault_msg, Outcome,
};
use crate::state::{
    load_open_channel, load_totals, Config, LockState, SatTotals, CHANNELS, CLOSING, CONFIG,
    COUNTERPARTIES, OPEN_CHANNEL_OF, RECEIVED, SAT_LOCKS, TOTALS, TRANSFERS,
};

/// Reply to the vault's `Credit` of a received deposit (always): sets the ack.
pub const REPLY_CREDIT: u64 = 1;
/// Reply to the vault's `ReleaseResolved` (on error only): records the transfer as stuck.
pub const REPLY_RESOLVED: u64 = 2;

fn check_channel(
    storage: &dyn Storage,
    channel: &IbcChannel,
    counterparty_version: Option<&str>,
    allow_empty: bool,
) -> Result<(), ContractError> {
    if channel.order != IbcOrder::Unordered {
        return Err(ContractError::InvalidChannelOrder);
    }
    for v in std::iter::once(channel.version.as_str()).chain(counterparty_version) {
        // an empty version on OpenInit lets the gateway propose its own
        if v != IBC_VERSION && !(v.is_empty() && allow_empty) {
            return Err(ContractError::InvalidIbcVersion {
                version: v.to_string(),
                expected: IBC_VERSION.to_string(),
            });
        }
    }
    let key = (
        channel.connection_id.as_str(),
        channel.counterparty_endpoint.port_id.as_str(),
    );
    if !COUNTERPARTIES.has(storage, key) {
        return Err(ContractError::CounterpartyNotAllowed {
            connection_id: channel.connection_id.clone(),
            port_id: channel.counterparty_endpoint.port_id.clone(),
        });
    }
    if let Some(channel_id) = OPEN_CHANNEL_OF.may_load(storage, key)? {
        if channel_id != channel.endpoint.channel_id {
            return Err(ContractError::ChannelExists { channel_id });
        }
    }
    Ok(())
}

pub fn channel_open(
    deps: DepsMut,
    msg: IbcChannelOpenMsg,
) -> Result<IbcChannelOpenResponse, ContractError> {
    let init = matches!(msg, IbcChannelOpenMsg::OpenInit { .. });
    check_channel(
        deps.storage,
        msg.channel(),
        msg.counterparty_version(),
        init,
    )?;
    // only the satellite initiates (OpenInit) and only the hub answers (OpenTry), so two
    // handshakes can never cross and leave each end open on a different channel
    let role = CONFIG.load(deps.storage)?.role;
    if init == (role == IbcRole::Hub) {
        return Err(ContractError::WrongIbcRole {
            expected: if init {
                IbcRole::Satellite
            } else {
                IbcRole::Hub
            },
        });
    }
    Ok(Some(Ibc3ChannelOpenResponse {
        version: IBC_VERSION.to_string(),
    }))
}

pub fn channel_connect(
    deps: DepsMut,
    msg: IbcChannelConnectMsg,
) -> Result<IbcBasicResponse, ContractError> {
    let channel = msg.channel();
    check_channel(deps.storage, channel, msg.counterparty_version(), false)?;
    let channel_id = channel.endpoint.channel_id.clone();
    let info = ChannelInfo {
        channel_id: channel_id.clone(),
        connection_id: channel.connection_id.clone(),
        counterparty_port_id: channel.counterparty_endpoint.port_id.clone(),
        counterparty_channel_id: channel.counterparty_endpoint.channel_id.clone(),
        state: ChannelState::Open,
    };
    CHANNELS.save(deps.storage, &channel_id, &info)?;
    OPEN_CHANNEL_OF.save(
        deps.storage,
        (&info.connection_id, &info.counterparty_port_id),
        &channel_id,
    )?;
    Ok(IbcBasicResponse::new()
        .add_attribute("action", "ibc_channel_connect")
        .add_attribute("channel_id", channel_id)
        .add_attribute("connection_id", info.connection_id)
        .add_attribute("counterparty_port_id", info.counterparty_port_id))
}

pub fn channel_close(
    deps: DepsMut,
    msg: IbcChannelCloseMsg,
) -> Result<IbcBasicResponse, ContractError> {
    let channel = msg.channel();
    let channel_id = channel.endpoint.channel_id.clone();
    let initiated_here = matches!(msg, IbcChannelCloseMsg::CloseInit { .. });
    // a relayer may not close our side on its own; the owner's CloseChannel may
    if initiated_here && !CLOSING.has(deps.storage, &channel_id) {
        return Err(ContractError::CloseNotAllowed { channel_id });
    }
    CLOSING.remove(deps.storage, &channel_id);
    if let Some(mut info) = CHANNELS.may_load(deps.storage, &channel_id)? {
        info.state = ChannelState::Closed;
        CHANNELS.save(deps.storage, &channel_id, &info)?;
        let key = (
            info.connection_id.as_str(),
            info.counterparty_port_id.as_str(),
        );
        if OPEN_CHANNEL_OF.may_load(deps.storage, key)?.as_deref() == Some(channel_id.as_str()) {
            OPEN_CHANNEL_OF.remove(deps.storage, key);
        }
    }
    Ok(IbcBasicResponse::new()
        .add_attribute("action", "ibc_channel_close")
        .add_attribute("channel_id", channel_id)
        .add_attribute(
            "initiator",
            if initiated_here {
                "owner"
            } else {
                "counterparty"
            },
        ))
}

/// What identifies a received deposit while the vault credits it (the submessage payload).
#[cosmwasm_schema::cw_serde]
struct CreditPayload {
    channel_id: String,
    transfer_id: u64,
}

/// Receive. Refusals are error acks with nothing written but the replay marker; a failure
/// while writing an accepted packet (storage serialization only) returns `Err`, which the
/// chain turns into an error ack with the whole transaction reverted.
pub fn packet_receive(
    deps: DepsMut,
    env: Env,
    msg: IbcPacketReceiveMsg,
) -> Result<IbcReceiveResponse, ContractError> {
    let channel_id = msg.packet.dest.channel_id.clone();
    let packet: VaultPacket = match from_json(&msg.packet.data) {
        Ok(p) => p,
        Err(e) => {
            return refuse(
                &channel_id,
                None,
                &ContractError::InvalidPacket {
                    reason: e.to_string(),
                }
                .to_string(),
            )
        }
    };
    let transfer_id = packet.transfer_id();
    // a packet only arrives on a channel that passed our handshake; anything else is refused
    // without a marker (nothing is stored for channels we do not know)
    if !CHANNELS.has(deps.storage, &channel_id) {
        return refuse(
            &channel_id,
            Some(transfer_id),
            &ContractError::UnknownChannel {
                channel_id: channel_id.clone(),
            }
            .to_string(),
        );
    }
    if let Some(applied) = RECEIVED.may_load(deps.storage, (&channel_id, transfer_id))? {
        // a replay: the same answer as the first time, nothing applied again
        let ack = if applied {
            VaultAck::ok(transfer_id, true)?
        } else {
            VaultAck::err("replayed packet, refused the first time")?
        };
        return Ok(IbcReceiveResponse::new(ack)
            .add_attribute("action", "ibc_receive")
            .add_attribute("channel_id", channel_id)
            .add_attribute("transfer_id", transfer_id.to_string())
            .add_attribute("result", "duplicate"));
    }
    let cfg = CONFIG.load(deps.storage)?;
    let planned = match cfg.role {
        IbcRole::Hub => plan_credit(deps.as_ref(), &cfg, &channel_id, &packet).map(Plan::Credit),
        IbcRole::Satellite => plan_release(deps.as_ref(), &env, &cfg, &channel_id, &packet)
            .map(|p| Plan::Release(Box::new(p))),
    };
    match planned {
        Ok(Plan::Credit(credit)) => {
            // the vault answers; the reply writes the marker and sets the ack. The default ack
            // below is only what a reply that sets nothing would leave (it always sets one).
            let sub = SubMsg::reply_always(vault_msg(&cfg, credit, vec![])?, REPLY_CREDIT)
                .with_payload(to_json_binary(&CreditPayload {
                    channel_id: channel_id.clone(),
                    transfer_id,
                })?);
            Ok(
                IbcReceiveResponse::new(VaultAck::err("the vault gave no answer")?)
                    .add_submessage(sub)
                    .add_attribute("action", "ibc_receive")
                    .add_attribute("channel_id", channel_id)
                    .add_attribute("transfer_id", transfer_id.to_string())
                    .add_attribute("kind", "deposit"),
            )
        }
        Ok(Plan::Release(release)) => {
            let msgs = apply_release(deps.storage, *release)?;
            RECEIVED.save(deps.storage, (&channel_id, transfer_id), &true)?;
            Ok(IbcReceiveResponse::new(VaultAck::ok(transfer_id, false)?)
                .add_messages(msgs)
                .add_attribute("action", "ibc_receive")
                .add_attribute("channel_id", channel_id)
                .add_attribute("transfer_id", transfer_id.to_string())
                .add_attribute("kind", "release")
                .add_attribute("result", "applied"))
        }
        Err(e) => {
            // the outcome is recorded so a replay cannot turn this refusal into a credit
            RECEIVED.save(deps.storage, (&channel_id, transfer_id), &false)?;
            refuse(&channel_id, Some(transfer_id), &e.to_string())
        }
    }
}

enum Plan {
    Credit(GatewayMsg),
    Release(Box<ReleasePlan>),
}

/// Hub: the vault's `Credit` for a deposit; the gateway checks the channel and the packet's
/// shape, the vault everything about the account.
fn plan_credit(
    deps: Deps,
    cfg: &Config,
    channel_id: &str,
    packet: &VaultPacket,
) -> Result<GatewayMsg, ContractError> {
    let VaultPacket::Deposit {
        account_id,
        denom,
        amount,
        depositor,
        ..
    } = packet
    else {
        return Err(ContractError::WrongIbcRole {
            expected: IbcRole::Satellite,
        });
    };
    if cfg.vault_addr.is_none() {
        return Err(ContractError::NoVault);
    }
    let ch = load_open_channel(deps.storage, channel_id)?;
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount);
    }
    validate_remote_string("denom", denom)?;
    validate_remote_string("depositor", depositor)?;
    Ok(GatewayMsg::Credit {
        channel_id: channel_id.to_string(),
        cap_channels: open_channels_of(deps.storage, &ch.connection_id)?,
        connection_id: ch.connection_id,
        account_id: *account_id,
        denom: denom.clone(),
        amount: *amount,
        depositor: depositor.clone(),
    })
}

/// Satellite: the writes and messages of an accepted release, computed without writing.
struct ReleasePlan {
    key: (String, u64, String),
    lock: LockState,
    denom: String,
    totals: SatTotals,
    recipient: cosmwasm_std::Addr,
    amount: Uint128,
    /// The breaker's outflow report (withdrawals only), sent before the coins.
    report: Option<CosmosMsg>,
}

fn plan_release(
    deps: Deps,
    env: &Env,
    cfg: &Config,
    channel_id: &str,
    packet: &VaultPacket,
) -> Result<ReleasePlan, ContractError> {
    let VaultPacket::Release {
        account_id,
        denom,
        amount,
        recipient,
        kind,
        ..
    } = packet
    else {
        return Err(ContractError::WrongIbcRole {
            expected: IbcRole::Hub,
        });
    };
    load_open_channel(deps.storage, channel_id)?;
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
    let reference = totals.total()?;
    totals.locked = totals.locked.checked_sub(*amount)?;
    // a withdrawal also passes this chain's breaker (IbcOut, outflow per channel); seizures do
    // not, so a quota can never block a liquidation
    let report = if *kind == ReleaseKind::Withdraw {
        ensure_allowed(
            &deps,
            env,
            cfg,
            bulwark_types::circuit_breaker::ActionClass::IbcOut,
        )?;
        Some(report_outflow(cfg, denom, channel_id, *amount, reference)?)
    } else {
        None
    };
    Ok(ReleasePlan {
        key: (channel_id.to_string(), *account_id, denom.clone()),
        lock,
        denom: denom.clone(),
        totals,
        recipient,
        amount: *amount,
        report,
    })
}

fn apply_release(
    storage: &mut dyn Storage,
    plan: ReleasePlan,
) -> Result<Vec<CosmosMsg>, ContractError> {
    let key = (plan.key.0.as_str(), plan.key.1, plan.key.2.as_str());
    if plan.lock.locked.is_zero() {
        SAT_LOCKS.remove(storage, key);
    } else {
        SAT_LOCKS.save(storage, key, &plan.lock)?;
    }
    TOTALS.save(storage, &plan.denom, &plan.totals)?;
    let mut msgs: Vec<CosmosMsg> = plan.report.into_iter().collect();
    msgs.push(
        cosmwasm_std::BankMsg::Send {
            to_address: plan.recipient.to_string(),
            amount: vec![Coin::new(plan.amount, plan.denom)],
        }
        .into(),
    );
    Ok(msgs)
}

fn refuse(
    channel_id: &str,
    transfer_id: Option<u64>,
    reason: &str,
) -> Result<IbcReceiveResponse, ContractError> {
    Ok(IbcReceiveResponse::new(VaultAck::err(reason)?)
        .add_attribute("action", "ibc_receive")
        .add_attribute("channel_id", channel_id)
        .add_attribute(
            "transfer_id",
            transfer_id.map_or_else(|| "none".to_string(), |t| t.to_string()),
        )
        .add_attribute("result", "refused")
        .add_attribute("error", reason))
}

/// The data a submessage's `MsgExecuteContract` returned (wasmd wraps it in
/// `MsgExecuteContractResponse`).
fn execute_data(result: &cosmwasm_std::SubMsgResponse) -> Result<Option<Binary>, ContractError> {
    #[allow(deprecated)]
    let raw = match result.msg_responses.first() {
        Some(r) => Some(r.value.clone()),
        None => result.data.clone(),
    };
    let Some(raw) = raw else { return Ok(None) };
    let parsed = cw_utils::parse_execute_response_data(raw.as_slice()).map_err(|e| {
        ContractError::InvalidPacket {
            reason: format!("vault answer: {e}"),
        }
    })?;
    Ok(parsed.data)
}

/// The vault answered a received deposit: record the outcome and acknowledge with it.
pub fn reply_credit(deps: DepsMut, reply: Reply) -> Result<Response, ContractError> {
    let p: CreditPayload = from_json(&reply.payload)?;
    let outcome = match &reply.result {
        SubMsgResult::Ok(resp) => {
            let data = execute_data(resp)?.ok_or_else(|| ContractError::InvalidPacket {
                reason: "the vault's answer has no data".into(),
            })?;
            // an unreadable answer after a successful call fails the whole receive (the chain
            // reverts the vault's writes too and acknowledges with an error)
            from_json::<CreditOutcome>(&data)?
        }
        SubMsgResult::Err(e) => CreditOutcome::Refused { reason: e.clone() },
    };
    let key = (p.channel_id.as_str(), p.transfer_id);
    let res = Response::new()
        .add_attribute("action", "ibc_receive_credit")
        .add_attribute("channel_id", &p.channel_id)
        .add_attribute("transfer_id", p.transfer_id.to_string());
    match outcome {
        CreditOutcome::Credited {} => {
            RECEIVED.save(deps.storage, key, &true)?;
            Ok(res
                .add_attribute("result", "applied")
                .set_data(VaultAck::ok(p.transfer_id, false)?))
        }
        CreditOutcome::Refused { reason } => {
            RECEIVED.save(deps.storage, key, &false)?;
            let reason = ContractError::VaultRefused { reason }.to_string();
            Ok(res
                .add_attribute("result", "refused")
                .add_attribute("error", &reason)
                .set_data(VaultAck::err(reason)?))
        }
    }
}

/// The vault could not apply a release's resolution: the record comes back as stuck.
pub fn reply_resolved(deps: DepsMut, reply: Reply) -> Result<Response, ContractError> {
    let error = match reply.result {
        SubMsgResult::Err(e) => e,
        SubMsgResult::Ok(_) => return Ok(Response::new().add_attribute("action", "resolved")),
    };
    let mut record: TransferRecord = from_json(&reply.payload)?;
    record.status = TransferStatus::Stuck;
    record.error = Some(error.clone());
    let saved = TRANSFERS.save(
        deps.storage,
        (&record.channel_id, record.transfer_id),
        &record,
    );
    let mut ev = stuck_event(&record.channel_id, record.transfer_id, &error);
    if let Err(se) = saved {
        ev = ev.add_attribute("record_error", se.to_string());
    }
    Ok(Response::new()
        .add_attribute("action", "ibc_resolve_stuck")
        .add_event(ev))
}

/// Ack: success → the transfer is delivered, error → failed. Never fails.
pub fn packet_ack(deps: DepsMut, msg: IbcPacketAckMsg) -> Result<IbcBasicResponse, Never> {
    let outcome = match from_json::<VaultAck>(&msg.acknowledgement.data) {
        Ok(VaultAck::Result(_)) => Some(Outcome::Delivered),
        Ok(VaultAck::Error(_)) => Some(Outcome::Failed),
        // an ack we cannot read says nothing reliable about the counterparty's state
        Err(_) => None,
    };
    Ok(settle_sent(deps, &msg.original_packet, outcome, "ibc_ack"))
}

/// Timeout: the packet was never received, so the transfer failed. Never fails.
pub fn packet_timeout(deps: DepsMut, msg: IbcPacketTimeoutMsg) -> Result<IbcBasicResponse, Never> {
    Ok(settle_sent(
        deps,
        &msg.packet,
        Some(Outcome::Failed),
        "ibc_timeout",
    ))
}

/// Resolves the transfer of a packet we sent; any failure becomes `Stuck` recovery state.
fn settle_sent(
    deps: DepsMut,
    packet: &IbcPacket,
    outcome: Option<Outcome>,
    action: &str,
) -> IbcBasicResponse {
    let channel_id = packet.src.channel_id.clone();
    let base = IbcBasicResponse::new()
        .add_attribute("action", action)
        .add_attribute("channel_id", &channel_id);
    let transfer_id = match from_json::<VaultPacket>(&packet.data) {
        Ok(p) => p.transfer_id(),
        Err(e) => {
            return base
                .add_attribute("result", "ignored")
                .add_attribute("error", format!("unreadable packet: {e}"))
        }
    };
    let base = base.add_attribute("transfer_id", transfer_id.to_string());
    let record = match TRANSFERS.may_load(deps.storage, (&channel_id, transfer_id)) {
        Ok(Some(r)) if r.status == TransferStatus::InFlight => r,
        Ok(Some(_)) => return base.add_attribute("result", "already_stuck"),
        // resolved before (a late or repeated ack, or the owner's recovery): nothing to do
        Ok(None) => return base.add_attribute("result", "unknown_transfer"),
        Err(e) => return base.add_event(stuck_event(&channel_id, transfer_id, &e.to_string())),
    };
    let result = match outcome {
        Some(o) => resolve_transfer(deps.storage, deps.api, &record, o).and_then(|r| {
            // the vault's part runs as a submessage whose failure the reply records as stuck
            let sub = match r.vault_msg {
                Some(m) => Some(
                    SubMsg::reply_on_error(m, REPLY_RESOLVED)
                        .with_payload(to_json_binary(&record)?),
                ),
                None => None,
            };
            Ok((r.attrs, sub))
        }),
        None => Err(ContractError::InvalidPacket {
            reason: "unreadable acknowledgement".into(),
        }),
    };
    match result {
        Ok((attrs, sub)) => base
            .add_attributes(
                attrs
                    .into_iter()
                    .map(|(k, v)| Attribute::new(k, v))
                    .collect::<Vec<_>>(),
            )
            .add_submessages(sub),
        Err(e) => {
            // resolve_transfer writes nothing before its last check, so the record is intact;
            // a payload that failed to serialize leaves it unwritten too
            let mut stuck = record;
            stuck.status = TransferStatus::Stuck;
            stuck.error = Some(e.to_string());
            let saved = TRANSFERS.save(deps.storage, (&channel_id, transfer_id), &stuck);
            let mut ev = stuck_event(&channel_id, transfer_id, &e.to_string());
            if let Err(se) = saved {
                ev = ev.add_attribute("record_error", se.to_string());
            }
            base.add_attribute("result", "stuck").add_event(ev)
        }
    }
}

fn stuck_event(channel_id: &str, transfer_id: u64, error: &str) -> Event {
    Event::new("bulwark_ibc_stuck")
        .add_attribute("channel_id", channel_id)
        .add_attribute("transfer_id", transfer_id.to_string())
        .add_attribute("error", error)
}
