//! The IBC protocol between gateway instances: one **hub** (whose vault holds accounts,
//! health and liquidation) and **satellites** (where remote collateral is locked). Packet
//! format, acknowledgement format and the owner-set configuration. See `docs/ibc.md`.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Binary, Decimal, StdResult, Timestamp, Uint128};

/// Channel version of the protocol; both ends must propose and accept exactly this.
pub const IBC_VERSION: &str = "bulwark-vault-1";
/// Most remote (channel, denom) positions one hub account may hold.
pub const MAX_REMOTE_POSITIONS_PER_ACCOUNT: usize = 4;
/// Most allowed counterparties (connection, port) and channels the owner may configure.
pub const MAX_COUNTERPARTIES: u32 = 16;
/// Bounds of the packet timeout set by the owner, in seconds.
pub const MIN_PACKET_TIMEOUT_SECS: u64 = 60;
pub const MAX_PACKET_TIMEOUT_SECS: u64 = 7 * 86_400;
/// Most bytes of a remote address or denom carried in a packet.
pub const MAX_REMOTE_STRING_LEN: usize = 128;

/// Why `s` cannot be a remote address or denom carried in a packet, if it cannot: it must be
/// 1..=128 bytes of ASCII letters, digits and `/._-:`.
pub fn remote_string_problem(s: &str) -> Option<&'static str> {
    if s.is_empty() || s.len() > MAX_REMOTE_STRING_LEN {
        return Some("must be 1..=128 bytes");
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'_' | b'-' | b':'))
    {
        return Some("only ASCII letters, digits and / . _ - : are allowed");
    }
    None
}

/// The part a vault instance plays on its channels; fixed once set.
#[cw_serde]
#[derive(Copy, Eq)]
pub enum IbcRole {
    /// Holds accounts: credits remote collateral on acknowledged deposits, sends releases.
    Hub,
    /// Locks collateral for hub accounts, releases it on the hub's instruction.
    Satellite,
}

/// A counterparty vault the owner allows a channel with: our connection and its port.
#[cw_serde]
pub struct CounterpartyConfig {
    pub connection_id: String,
    /// The counterparty's port, `wasm.{counterparty vault address}`.
    pub port_id: String,
    /// Hub only: extra haircut of every collateral held on this chain, added to the
    /// collateral's own haircut (their sum must stay below 1).
    pub remote_haircut: Decimal,
    /// Hub only: the insurance fund's address on the remote chain; seizures of bad-debt
    /// accounts pay it.
    pub remote_insurance_addr: Option<String>,
}

/// Hub only: a collateral type held on a remote chain, per (connection, remote denom).
#[cw_serde]
pub struct RemoteCollateralConfig {
    pub connection_id: String,
    /// The denom on the satellite chain, as the satellite vault holds it.
    pub denom: String,
    pub oracle_asset_id: String,
    /// Decimals of the remote denom's base unit, ≤ 18.
    pub decimals: u8,
    /// The collateral's own haircut; the counterparty's `remote_haircut` is added to it.
    pub haircut: Decimal,
    /// Most the hub credits of this denom from this chain (credited + in flight out), per
    /// chain and denom.
    pub deposit_cap: Uint128,
}

/// State of a channel as the vault sees it.
#[cw_serde]
#[derive(Copy, Eq)]
pub enum ChannelState {
    Open,
    /// Closed: collateral tied to it is frozen (worth nothing in health at the hub, still
    /// blocking the bad-debt cover), and the owner recovers it (`Recover*` messages).
    Closed,
}

#[cw_serde]
pub struct ChannelInfo {
    pub channel_id: String,
    pub connection_id: String,
    pub counterparty_port_id: String,
    pub counterparty_channel_id: String,
    pub state: ChannelState,
}

/// What a hub `Release` is for.
#[cw_serde]
#[derive(Copy, Eq)]
pub enum ReleaseKind {
    /// The account owner's withdrawal to the satellite chain.
    Withdraw,
    /// Liquidation: a keeper bought the collateral at a discount (paid on the hub).
    SeizeToKeeper,
    /// Bad debt: the collateral goes to the insurance fund's address on the remote chain.
    SeizeToInsurance,
}

/// Packets of the protocol. JSON, externally tagged, e.g.
/// `{"deposit":{"transfer_id":1,"account_id":7,"denom":"uatom","amount":"5","depositor":"cosmos1.."}}`.
#[cw_serde]
pub enum VaultPacket {
    /// Satellite → hub: `amount` of `denom` is held by the satellite for hub account
    /// `account_id`; the hub credits it and acknowledges, then the satellite locks it.
    Deposit {
        transfer_id: u64,
        account_id: u64,
        denom: String,
        amount: Uint128,
        /// The satellite-chain address that deposited (the account's authorised remote owner).
        depositor: String,
    },
    /// Hub → satellite: release `amount` of `denom` locked for `account_id` to `recipient`
    /// (a satellite-chain address). Already debited at the hub when sent.
    Release {
        transfer_id: u64,
        account_id: u64,
        denom: String,
        amount: Uint128,
        recipient: String,
        kind: ReleaseKind,
    },
}

impl VaultPacket {
    pub fn transfer_id(&self) -> u64 {
        match self {
            VaultPacket::Deposit { transfer_id, .. } | VaultPacket::Release { transfer_id, .. } => {
                *transfer_id
            }
        }
    }
}

/// Acknowledgement: `{"result":"<base64>"}` or `{"error":"<text>"}` (the ICS-20 shape, so a
/// chain-written error ack of a failed receive parses as `Error` too).
#[cw_serde]
pub enum VaultAck {
    Result(Binary),
    Error(String),
}

/// Body of a successful ack (inside `Result`).
#[cw_serde]
pub struct AckOk {
    pub transfer_id: u64,
    /// True when the packet had already been applied (a replay); nothing changed.
    pub duplicate: bool,
}

impl VaultAck {
    pub fn ok(transfer_id: u64, duplicate: bool) -> StdResult<Binary> {
        cosmwasm_std::to_json_binary(&VaultAck::Result(cosmwasm_std::to_json_binary(&AckOk {
            transfer_id,
            duplicate,
        })?))
    }

    pub fn err(reason: impl Into<String>) -> StdResult<Binary> {
        cosmwasm_std::to_json_binary(&VaultAck::Error(reason.into()))
    }
}

/// Status of a transfer the vault sent and still tracks.
#[cw_serde]
#[derive(Copy, Eq)]
pub enum TransferStatus {
    /// Sent, waiting for its ack or timeout.
    InFlight,
    /// Its ack or timeout could not be applied; recorded for the owner's recovery.
    Stuck,
}

/// A transfer the vault sent (satellite: deposits; hub: releases), until resolved.
#[cw_serde]
pub struct TransferRecord {
    pub channel_id: String,
    pub transfer_id: u64,
    pub account_id: u64,
    pub denom: String,
    pub amount: Uint128,
    /// Satellite: the depositor (refunded on failure). Hub: the remote recipient.
    pub counterparty_addr: String,
    /// Hub: release kind; satellite: `None`.
    pub kind: Option<ReleaseKind>,
    /// Hub: the vault's record of the release (`PendingRelease`), resolved by this id.
    pub release_id: Option<u64>,
    pub status: TransferStatus,
    /// The packet's timeout: from then on the counterparty can no longer receive it, so an
    /// in-flight transfer may be recovered as failed (`RecoverTransfer`).
    pub timeout: Timestamp,
    /// Why the transfer is stuck, when it is.
    pub error: Option<String>,
}

/// Hub vault: a release debited from a position and handed to the gateway, until its
/// transfer resolves (`GatewayMsg::ReleaseResolved`).
#[cw_serde]
pub struct PendingRelease {
    pub release_id: u64,
    pub account_id: u64,
    pub channel_id: String,
    pub denom: String,
    pub amount: Uint128,
    pub kind: ReleaseKind,
    /// `SeizeToKeeper`: the keeper and its settlement payment held in escrow until the ack
    /// (credited to the account on success, refundable to the keeper otherwise).
    pub keeper: Option<Addr>,
    pub keeper_payment: Uint128,
}

/// Hub: one remote collateral position of an account.
#[cw_serde]
pub struct RemotePosition {
    pub channel_id: String,
    pub denom: String,
    /// Credited (acknowledged deposits minus releases sent).
    pub amount: Uint128,
    /// Debited and sent in `Release` packets not yet acknowledged (counts zero in health).
    pub pending_out: Uint128,
    /// Whether its channel is open; a closed channel's positions count zero in health.
    pub frozen: bool,
}

/// Hub: sums per (channel, denom).
#[cw_serde]
#[derive(Default)]
pub struct RemoteTotals {
    /// Σ credited to accounts.
    pub credited: Uint128,
    /// Σ debited and sent in `Release` packets not yet acknowledged.
    pub pending_out: Uint128,
}

/// Satellite: collateral locked for one hub account.
#[cw_serde]
pub struct SatelliteLock {
    pub channel_id: String,
    pub account_id: u64,
    pub denom: String,
    /// Locked and acknowledged by the hub.
    pub locked: Uint128,
    /// The latest depositor the hub accepted for the account; recovery pays it.
    pub owner: Option<Addr>,
}
