//! IBC channel and packet handlers of the vault (the entry points in `contract.rs` call these).
//!
//! * Handshake: unordered channels only, version [`IBC_VERSION`] on both ends, the
//!   (connection, counterparty port) allowed by the owner, one open channel per counterparty.
//!   Closing from our side needs the owner's `CloseChannel`; a counterparty's close is
//!   accepted. A closed channel freezes what it carries (see `remote.rs`).
//! * Receive: every check runs read-only first ([`remote::plan_receive`]); a refused packet
//!   gets an error ack with no state change except its replay marker, an accepted one is
//!   applied and acknowledged with success. A replayed packet gets the first answer again.
//! * Ack and timeout never fail: a transfer whose outcome cannot be applied is recorded as
//!   `Stuck` (for the owner's `RecoverTransfer`) and an event is emitted.

use cosmwasm_std::{
    from_json, Attribute, DepsMut, Env, Event, Ibc3ChannelOpenResponse, IbcBasicResponse,
    IbcChannel, IbcChannelCloseMsg, IbcChannelConnectMsg, IbcChannelOpenMsg,
    IbcChannelOpenResponse, IbcOrder, IbcPacket, IbcPacketAckMsg, IbcPacketReceiveMsg,
    IbcPacketTimeoutMsg, IbcReceiveResponse, Never, Storage,
};

use bulwark_types::ibc::{
    ChannelInfo, ChannelState, IbcRole, TransferStatus, VaultAck, VaultPacket, IBC_VERSION,
};

use crate::error::ContractError;
use crate::remote::{
    self, load_ibc_config, resolve_transfer, Outcome, CHANNELS, CLOSING, COUNTERPARTIES,
    OPEN_CHANNEL_OF, RECEIVED, TRANSFERS,
};

fn check_channel(
    storage: &dyn Storage,
    channel: &IbcChannel,
    counterparty_version: Option<&str>,
    allow_empty: bool,
) -> Result<(), ContractError> {
    load_ibc_config(storage)?;
    if channel.order != IbcOrder::Unordered {
        return Err(ContractError::InvalidChannelOrder);
    }
    for v in std::iter::once(channel.version.as_str()).chain(counterparty_version) {
        // an empty version on OpenInit lets the vault propose its own
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
    let role = load_ibc_config(deps.storage)?.role;
    if init == (role == IbcRole::Hub) {
        return Err(ContractError::WrongIbcRole {
            expected: if init {
                IbcRole::Satellite
            } else {
                IbcRole::Hub
            },
        });
    }
    // OpenInit: propose our version; OpenTry: the counterparty's version was checked equal
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
                ContractError::InvalidPacket {
                    reason: e.to_string(),
                },
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
            ContractError::UnknownChannel {
                channel_id: channel_id.clone(),
            },
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
    match remote::plan_receive(deps.as_ref(), &env, &channel_id, &packet) {
        Ok(plan) => {
            let msgs = remote::apply_receive(deps.storage, plan)?;
            RECEIVED.save(deps.storage, (&channel_id, transfer_id), &true)?;
            let res = IbcReceiveResponse::new(VaultAck::ok(transfer_id, false)?)
                .add_messages(msgs)
                .add_attribute("action", "ibc_receive")
                .add_attribute("channel_id", channel_id)
                .add_attribute("transfer_id", transfer_id.to_string())
                .add_attribute("kind", packet_kind(&packet))
                .add_attribute("result", "applied");
            Ok(res)
        }
        Err(e) => {
            // the outcome is recorded so a replay cannot turn this refusal into a credit
            RECEIVED.save(deps.storage, (&channel_id, transfer_id), &false)?;
            refuse(&channel_id, Some(transfer_id), e)
        }
    }
}

fn packet_kind(p: &VaultPacket) -> &'static str {
    match p {
        VaultPacket::Deposit { .. } => "deposit",
        VaultPacket::Release { .. } => "release",
    }
}

fn refuse(
    channel_id: &str,
    transfer_id: Option<u64>,
    e: ContractError,
) -> Result<IbcReceiveResponse, ContractError> {
    Ok(IbcReceiveResponse::new(VaultAck::err(e.to_string())?)
        .add_attribute("action", "ibc_receive")
        .add_attribute("channel_id", channel_id)
        .add_attribute(
            "transfer_id",
            transfer_id.map_or_else(|| "none".to_string(), |t| t.to_string()),
        )
        .add_attribute("result", "refused")
        .add_attribute("error", e.to_string()))
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
        Some(o) => resolve_transfer(deps.storage, deps.api, &record, o),
        None => Err(ContractError::InvalidPacket {
            reason: "unreadable acknowledgement".into(),
        }),
    };
    match result {
        Ok(attrs) => base.add_attributes(
            attrs
                .into_iter()
                .map(|(k, v)| Attribute::new(k, v))
                .collect::<Vec<_>>(),
        ),
        Err(e) => {
            // resolve_transfer writes nothing before its last check, so the record is intact
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
