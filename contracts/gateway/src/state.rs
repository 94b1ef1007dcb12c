//! Storage of the gateway. Satellite accounting rule: a deposit is `pending` from
//! `RemoteDeposit` until the hub's ack, then `locked` (or claimable, still `pending`, on an
//! error ack or timeout); a release leaves `locked` when received. Bank balance ==
//! `locked + pending` per denom.

use cosmwasm_std::{Addr, Empty, Storage, Uint128};
use cw_storage_plus::{Item, Map};

use bulwark_types::ibc::{ChannelInfo, CounterpartyConfig, IbcRole, TransferRecord};

use crate::error::ContractError;

#[cosmwasm_schema::cw_serde]
pub struct Config {
    pub role: IbcRole,
    pub packet_timeout_secs: u64,
    /// Hub: the vault of record.
    pub vault_addr: Option<Addr>,
    pub circuit_breaker_addr: Option<Addr>,
}

pub const CONFIG: Item<Config> = Item::new("config");

/// `RecoverTransfer` marks an in-flight transfer failed only this long after its packet
/// timeout: the counterparty checks the timeout against its own block time, which may lag.
pub const RECOVERY_CLOCK_MARGIN_SECS: u64 = 3_600;

/// Allowed counterparties by (connection, counterparty port).
pub const COUNTERPARTIES: Map<(&str, &str), CounterpartyConfig> = Map::new("cp");
pub const COUNTERPARTY_COUNT: Item<u32> = Item::new("cp_count");
/// Every channel the gateway connected, by our channel id.
pub const CHANNELS: Map<&str, ChannelInfo> = Map::new("ch");
/// The open channel of a counterparty (connection, port) → channel id.
pub const OPEN_CHANNEL_OF: Map<(&str, &str), String> = Map::new("ch_of");
/// Channels whose closing the owner asked for (`CloseChannel`).
pub const CLOSING: Map<&str, Empty> = Map::new("closing");
/// Transfers this gateway sent and has not resolved, by (our channel, transfer id).
pub const TRANSFERS: Map<(&str, u64), TransferRecord> = Map::new("tx");
pub const NEXT_TRANSFER_ID: Item<u64> = Item::new("next_tx");
/// Replay markers of received packets, by (our channel, the sender's transfer id): the
/// outcome acknowledged (true = applied), answered again to a replay.
pub const RECEIVED: Map<(&str, u64), bool> = Map::new("rx");
/// Satellite: locks by (channel, account, denom).
pub const SAT_LOCKS: Map<(&str, u64, &str), LockState> = Map::new("lock");
/// Satellite: refunds claimable by (address, denom); part of `SatTotals::pending`.
pub const CLAIMABLE: Map<(&Addr, &str), Uint128> = Map::new("claim");
/// Satellite: per-denom sums.
pub const TOTALS: Map<&str, SatTotals> = Map::new("totals");
/// Hub: ICS-20 transfer channels (the packet's destination channel here) allowed for
/// deposit on arrival.
pub const TRANSFER_CHANNELS: Map<&str, Empty> = Map::new("xfer_ch");
pub const TRANSFER_CHANNEL_COUNT: Item<u32> = Item::new("xfer_ch_count");

#[cosmwasm_schema::cw_serde]
#[derive(Default)]
pub struct LockState {
    pub locked: Uint128,
    pub owner: Option<Addr>,
}

#[cosmwasm_schema::cw_serde]
#[derive(Default)]
pub struct SatTotals {
    pub locked: Uint128,
    pub pending: Uint128,
}

impl SatTotals {
    pub fn total(&self) -> Result<Uint128, ContractError> {
        Ok(self.locked.checked_add(self.pending)?)
    }
}

pub fn load_totals(storage: &dyn Storage, denom: &str) -> Result<SatTotals, ContractError> {
    Ok(TOTALS.may_load(storage, denom)?.unwrap_or_default())
}

pub fn ensure_role(storage: &dyn Storage, role: IbcRole) -> Result<Config, ContractError> {
    let cfg = CONFIG.load(storage)?;
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
    if ch.state != bulwark_types::ibc::ChannelState::Open {
        return Err(ContractError::ChannelClosed {
            channel_id: channel_id.to_string(),
        });
    }
    Ok(ch)
}

pub fn next_transfer_id(storage: &mut dyn Storage) -> Result<u64, ContractError> {
    let id = NEXT_TRANSFER_ID.may_load(storage)?.unwrap_or(1);
    NEXT_TRANSFER_ID.save(storage, &id.checked_add(1).ok_or(ContractError::Overflow)?)?;
    Ok(id)
}
