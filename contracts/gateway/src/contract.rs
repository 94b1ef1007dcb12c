#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    to_json_binary, Binary, Deps, DepsMut, Env, IbcBasicResponse, IbcChannelCloseMsg,
    IbcChannelConnectMsg, IbcChannelOpenMsg, IbcChannelOpenResponse, IbcDestinationCallbackMsg,
    IbcPacketAckMsg, IbcPacketReceiveMsg, IbcPacketTimeoutMsg, IbcReceiveResponse, MessageInfo,
    Never, Reply, Response, StdError,
};

use bulwark_types::gateway::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use bulwark_types::ibc::IbcRole;
use bulwark_types::migration::{migration_response, prepare_migration, stored_layout};
use bulwark_types::ownership;

use crate::callback;
use crate::error::ContractError;
use crate::execute as exec;
use crate::ibc;
use crate::query as q;
use crate::state::{Config, CONFIG, RECEIVED, TRANSFERS};
use crate::{CONTRACT_NAME, CONTRACT_VERSION};

/// Storage layout version (`bulwark_types::migration::STATE_LAYOUT`).
pub const STATE_LAYOUT_CURRENT: u16 = 1;

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    _info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    bulwark_types::migration::STATE_LAYOUT.save(deps.storage, &STATE_LAYOUT_CURRENT)?;
    let ownership = ownership::initialize_owner(deps.storage, deps.api, &msg.owner)?;
    exec::validate_timeout(msg.packet_timeout_secs)?;
    let vault_addr = msg.vault.map(|a| deps.api.addr_validate(&a)).transpose()?;
    if msg.role == IbcRole::Hub && vault_addr.is_none() {
        return Err(ContractError::NoVault);
    }
    let cfg = Config {
        role: msg.role,
        packet_timeout_secs: msg.packet_timeout_secs,
        vault_addr,
        circuit_breaker_addr: msg
            .circuit_breaker
            .map(|a| deps.api.addr_validate(&a))
            .transpose()?,
    };
    CONFIG.save(deps.storage, &cfg)?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("owner", ownership.owner_addr)
        .add_attribute(
            "role",
            match cfg.role {
                IbcRole::Hub => "hub",
                IbcRole::Satellite => "satellite",
            },
        ))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    match msg {
        ExecuteMsg::UpdateOwnership(action) => Ok(ownership::execute_update_ownership(
            deps, &env, &info, action,
        )?),
        ExecuteMsg::UpdateConfig {
            packet_timeout_secs,
            circuit_breaker,
        } => exec::update_config(deps, info, packet_timeout_secs, circuit_breaker),
        ExecuteMsg::AllowCounterparty(cp) => exec::allow_counterparty(deps, info, cp),
        ExecuteMsg::RemoveCounterparty {
            connection_id,
            port_id,
        } => exec::remove_counterparty(deps, info, connection_id, port_id),
        ExecuteMsg::CloseChannel { channel_id } => exec::close_channel(deps, info, channel_id),
        ExecuteMsg::RemoteDeposit {
            channel_id,
            account_id,
        } => exec::remote_deposit(deps, env, info, channel_id, account_id),
        ExecuteMsg::ClaimRefund { denom } => exec::claim_refund(deps, info, denom),
        ExecuteMsg::RecoverTransfer {
            channel_id,
            transfer_id,
            delivered,
        } => exec::recover_transfer(deps, env, info, channel_id, transfer_id, delivered),
        ExecuteMsg::RecoverLock {
            channel_id,
            account_id,
            denom,
            recipient,
        } => exec::recover_lock(deps, info, channel_id, account_id, denom, recipient),
        ExecuteMsg::SendRelease(req) => exec::send_release(deps, env, info, req),
        ExecuteMsg::SetTransferChannel {
            channel_id,
            allowed,
        } => exec::set_transfer_channel(deps, info, channel_id, allowed),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn reply(deps: DepsMut, _env: Env, reply: Reply) -> Result<Response, ContractError> {
    match reply.id {
        ibc::REPLY_CREDIT => ibc::reply_credit(deps, reply),
        ibc::REPLY_RESOLVED => ibc::reply_resolved(deps, reply),
        id => Err(StdError::generic_err(format!("unknown reply id {id}")).into()),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    Ok(match msg {
        QueryMsg::Ownership {} => to_json_binary(&ownership::get_ownership(deps.storage)?)?,
        QueryMsg::Config {} => to_json_binary(&q::config(deps)?)?,
        QueryMsg::Counterparties { start_after, limit } => {
            to_json_binary(&q::counterparties(deps, start_after, limit)?)?
        }
        QueryMsg::Channels { start_after, limit } => {
            to_json_binary(&q::channels(deps, start_after, limit)?)?
        }
        QueryMsg::Channel { channel_id } => to_json_binary(&q::channel(deps, channel_id)?)?,
        QueryMsg::Transfer {
            channel_id,
            transfer_id,
        } => to_json_binary(&TRANSFERS.may_load(deps.storage, (&channel_id, transfer_id))?)?,
        QueryMsg::Transfers { start_after, limit } => {
            to_json_binary(&q::transfers(deps, start_after, limit)?)?
        }
        QueryMsg::Received {
            channel_id,
            transfer_id,
        } => to_json_binary(&RECEIVED.may_load(deps.storage, (&channel_id, transfer_id))?)?,
        QueryMsg::SatelliteLock {
            channel_id,
            account_id,
            denom,
        } => to_json_binary(&q::lock(deps, channel_id, account_id, denom)?)?,
        QueryMsg::Claimable { address, denom } => {
            to_json_binary(&q::claimable(deps, address, denom)?)?
        }
        QueryMsg::Totals { start_after, limit } => {
            to_json_binary(&q::totals(deps, env, start_after, limit)?)?
        }
        QueryMsg::TransferChannels { start_after, limit } => {
            to_json_binary(&q::transfer_channels(deps, start_after, limit)?)?
        }
    })
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    let from_version = prepare_migration(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    let layout = stored_layout(deps.storage, STATE_LAYOUT_CURRENT)?;
    bulwark_types::migration::STATE_LAYOUT.save(deps.storage, &STATE_LAYOUT_CURRENT)?;
    Ok(migration_response(&from_version, CONTRACT_VERSION)
        .add_attribute("state_layout_from", layout.to_string())
        .add_attribute("state_layout", STATE_LAYOUT_CURRENT.to_string()))
}

// ---------------------------------------------------------------------------------------------
// IBC entry points (logic in ibc.rs and callback.rs; protocol in docs/ibc.md)

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_channel_open(
    deps: DepsMut,
    _env: Env,
    msg: IbcChannelOpenMsg,
) -> Result<IbcChannelOpenResponse, ContractError> {
    ibc::channel_open(deps, msg)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_channel_connect(
    deps: DepsMut,
    _env: Env,
    msg: IbcChannelConnectMsg,
) -> Result<IbcBasicResponse, ContractError> {
    ibc::channel_connect(deps, msg)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_channel_close(
    deps: DepsMut,
    _env: Env,
    msg: IbcChannelCloseMsg,
) -> Result<IbcBasicResponse, ContractError> {
    ibc::channel_close(deps, msg)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_packet_receive(
    deps: DepsMut,
    env: Env,
    msg: IbcPacketReceiveMsg,
) -> Result<IbcReceiveResponse, ContractError> {
    ibc::packet_receive(deps, env, msg)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_packet_ack(
    deps: DepsMut,
    _env: Env,
    msg: IbcPacketAckMsg,
) -> Result<IbcBasicResponse, Never> {
    ibc::packet_ack(deps, msg)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_packet_timeout(
    deps: DepsMut,
    _env: Env,
    msg: IbcPacketTimeoutMsg,
) -> Result<IbcBasicResponse, Never> {
    ibc::packet_timeout(deps, msg)
}

/// ICS-20 deposit on arrival (ADR-8 destination callback; needs `cosmwasm_2_1`).
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_destination_callback(
    deps: DepsMut,
    env: Env,
    msg: IbcDestinationCallbackMsg,
) -> Result<IbcBasicResponse, ContractError> {
    callback::destination_callback(deps, env, msg)
}
