//! The IBC gateway: one per chain, role hub or satellite (same code). It owns the channel
//! (handshake, packets, transfer records, replay markers, recovery) and, on a satellite, the
//! coins locked for hub accounts. The hub's vault keeps the one ledger of record and hears
//! from its gateway through [`crate::vault::GatewayMsg`]; see `docs/ibc.md`.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Decimal, Uint128};

use crate::ibc::{
    ChannelInfo, CounterpartyConfig, IbcRole, ReleaseKind, SatelliteLock, TransferRecord,
};

/// Most ICS-20 transfer channels the owner may allow for deposit on arrival.
pub const MAX_TRANSFER_CHANNELS: u32 = 16;

#[cw_serde]
pub struct InstantiateMsg {
    pub owner: String,
    /// Fixed for the contract's life.
    pub role: IbcRole,
    /// Relative timeout of every packet this gateway sends, 60 s … 7 days.
    pub packet_timeout_secs: u64,
    /// Hub: the vault whose accounts the channel serves (required for a hub).
    pub vault: Option<String>,
    /// This chain's circuit breaker: a satellite checks `Deposit` on `RemoteDeposit` and
    /// `IbcOut` (with an outflow report) on a withdrawal's release.
    pub circuit_breaker: Option<String>,
}

#[cw_serde]
pub enum ExecuteMsg {
    /// Two-step ownership transfer (the owner is meant to be a DAO).
    UpdateOwnership(crate::ownership::OwnershipAction),
    /// Owner: packet timeout and breaker.
    UpdateConfig {
        packet_timeout_secs: Option<u64>,
        circuit_breaker: Option<String>,
    },
    /// Owner: allow channels with a counterparty gateway (our connection, its port), or
    /// update its remote haircut / insurance address. One open channel per counterparty.
    AllowCounterparty(CounterpartyConfig),
    /// Owner: stop allowing a counterparty (refused while its channel is open).
    RemoveCounterparty {
        connection_id: String,
        port_id: String,
    },
    /// Owner, hub: close one of the gateway's channels (its collateral freezes).
    CloseChannel { channel_id: String },
    /// Satellite, anyone: lock exactly one native coin for hub account `account_id`; it is
    /// credited at the hub when the hub acknowledges, refundable (`ClaimRefund`) otherwise.
    RemoteDeposit { channel_id: String, account_id: u64 },
    /// Satellite, anyone: collect the refunds of failed deposits recorded for the sender.
    ClaimRefund { denom: String },
    /// Owner: resolve a transfer whose ack could not be applied, or one in flight on a closed
    /// channel (as failed only once its packet timeout passed plus an hour). `delivered`:
    /// whether the counterparty applied the packet (read from its `Received` query).
    RecoverTransfer {
        channel_id: String,
        transfer_id: u64,
        delivered: bool,
    },
    /// Owner, satellite, after the hub closed the channel: pay the coins locked for a hub
    /// account to `recipient` (by default the lock's recorded owner).
    RecoverLock {
        channel_id: String,
        account_id: u64,
        denom: String,
        recipient: Option<String>,
    },
    /// Hub, the vault only: send a release the vault already debited (`release_id` is the
    /// vault's record of it).
    SendRelease(ReleaseRequest),
    /// Owner, hub: allow (or stop allowing) ICS-20 deposits on arrival over this chain's
    /// transfer channel `channel_id` (the packet's destination channel).
    SetTransferChannel { channel_id: String, allowed: bool },
}

/// A release the hub's vault asks its gateway to send.
#[cw_serde]
pub struct ReleaseRequest {
    pub release_id: u64,
    pub channel_id: String,
    pub account_id: u64,
    pub denom: String,
    pub amount: Uint128,
    pub recipient: String,
    pub kind: ReleaseKind,
}

/// The memo of an ICS-20 transfer that deposits on arrival (ADR-8 destination callback):
/// `{"dest_callback":{"address":"<gateway>"},"bulwark":{"account_id":3}}`. The transfer's
/// receiver must be the gateway too.
#[cw_serde]
pub struct ArrivalMemo {
    pub bulwark: ArrivalDeposit,
}

#[cw_serde]
pub struct ArrivalDeposit {
    pub account_id: u64,
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(crate::ownership::Ownership)]
    Ownership {},
    #[returns(GatewayConfig)]
    Config {},
    #[returns(Vec<CounterpartyConfig>)]
    Counterparties {
        start_after: Option<(String, String)>,
        limit: Option<u32>,
    },
    #[returns(Vec<ChannelInfo>)]
    Channels {
        start_after: Option<String>,
        limit: Option<u32>,
    },
    /// One channel with its counterparty's configuration (what the hub's vault values remote
    /// positions with); `None` for a channel the gateway never connected.
    #[returns(Option<ChannelView>)]
    Channel { channel_id: String },
    /// A transfer this gateway sent and has not resolved yet.
    #[returns(Option<TransferRecord>)]
    Transfer {
        channel_id: String,
        transfer_id: u64,
    },
    /// Unresolved transfers, in (channel, transfer id) order.
    #[returns(Vec<TransferRecord>)]
    Transfers {
        start_after: Option<(String, u64)>,
        limit: Option<u32>,
    },
    /// Whether a packet of the counterparty was received, and its outcome: `Some(true)`
    /// applied, `Some(false)` refused with an error ack, `None` never received.
    #[returns(Option<bool>)]
    Received {
        channel_id: String,
        transfer_id: u64,
    },
    /// Satellite: collateral locked for a hub account.
    #[returns(SatelliteLock)]
    SatelliteLock {
        channel_id: String,
        account_id: u64,
        denom: String,
    },
    /// Satellite: refund claimable by `address` in `denom`.
    #[returns(Uint128)]
    Claimable { address: String, denom: String },
    /// Satellite: per-denom sums against the gateway's balance (the conservation check).
    #[returns(Vec<GatewayTotals>)]
    Totals {
        start_after: Option<String>,
        limit: Option<u32>,
    },
    /// Hub: the transfer channels allowed for deposit on arrival.
    #[returns(Vec<String>)]
    TransferChannels {
        start_after: Option<String>,
        limit: Option<u32>,
    },
}

#[cw_serde]
pub struct MigrateMsg {}

#[cw_serde]
pub struct GatewayConfig {
    pub role: IbcRole,
    pub packet_timeout_secs: u64,
    pub vault_addr: Option<Addr>,
    pub circuit_breaker_addr: Option<Addr>,
}

#[cw_serde]
pub struct ChannelView {
    pub info: ChannelInfo,
    /// The counterparty's configuration; `None` once removed (only while closed).
    pub remote_haircut: Option<Decimal>,
    pub remote_insurance_addr: Option<String>,
}

/// Satellite ledger of one denom: bank balance == `locked + pending` while sound.
#[cw_serde]
#[derive(Default)]
pub struct GatewayTotals {
    pub denom: String,
    /// Locked for hub accounts (acknowledged deposits).
    pub locked: Uint128,
    /// Deposits in flight and claimable refunds.
    pub pending: Uint128,
    /// The gateway's bank balance (queries only; zero in storage).
    #[serde(default)]
    pub balance: Uint128,
}
