use bulwark_types::circuit_breaker::ActionClass;
use bulwark_types::ibc::IbcRole;
use bulwark_types::migration::MigrationError;
use bulwark_types::ownership::OwnershipError;
use cosmwasm_std::{ConversionOverflowError, OverflowError, StdError, Uint128};
use thiserror::Error;

#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    #[error("{0}")]
    Std(#[from] StdError),
    #[error("{0}")]
    Ownership(#[from] OwnershipError),
    #[error("{0}")]
    Migration(#[from] MigrationError),
    #[error("arithmetic overflow")]
    Overflow,

    #[error("invalid parameter {name}: {reason}")]
    InvalidParam { name: String, reason: String },
    #[error("too many {what}: at most {max}")]
    LimitReached { what: String, max: u32 },
    #[error("the circuit breaker address is not configured")]
    BreakerNotConfigured,
    #[error("the circuit breaker blocks {action:?} on the gateway")]
    ActionBlocked { action: ActionClass },
    #[error("a hub gateway needs its vault")]
    NoVault,
    #[error("unauthorized: only the hub's vault may call this")]
    NotVault,
    #[error("only a gateway with the {expected:?} role may do this")]
    WrongIbcRole { expected: IbcRole },

    #[error("no funds sent")]
    NoFunds,
    #[error("send exactly one coin, got {count}")]
    MultipleCoins { count: usize },
    #[error("amount must be positive")]
    ZeroAmount,
    #[error("insufficient {denom}: {balance} held, {amount} asked")]
    InsufficientBalance {
        denom: String,
        balance: Uint128,
        amount: Uint128,
    },

    #[error("channels of this protocol must be unordered")]
    InvalidChannelOrder,
    #[error("channel version {version} is not {expected}")]
    InvalidIbcVersion { version: String, expected: String },
    #[error("counterparty {connection_id}/{port_id} is not allowed")]
    CounterpartyNotAllowed {
        connection_id: String,
        port_id: String,
    },
    #[error("channel {channel_id} is already open with this counterparty")]
    ChannelExists { channel_id: String },
    #[error("unknown channel {channel_id}")]
    UnknownChannel { channel_id: String },
    #[error("channel {channel_id} is closed")]
    ChannelClosed { channel_id: String },
    #[error("channel {channel_id} is open")]
    ChannelOpen { channel_id: String },
    #[error("closing channel {channel_id} needs the owner's CloseChannel")]
    CloseNotAllowed { channel_id: String },
    #[error("invalid remote string {what}: {reason}")]
    InvalidRemoteString { what: String, reason: String },
    #[error("unknown transfer {channel_id}/{transfer_id}")]
    TransferNotFound {
        channel_id: String,
        transfer_id: u64,
    },
    #[error("transfer {channel_id}/{transfer_id} is in flight: recoverable once its channel is closed (as failed: once its timeout passed)")]
    TransferNotRecoverable {
        channel_id: String,
        transfer_id: u64,
    },
    #[error("nothing to claim")]
    NothingToClaim,
    #[error("nothing to recover")]
    NoLock,
    #[error("invalid packet: {reason}")]
    InvalidPacket { reason: String },
    #[error("the vault refused the deposit: {reason}")]
    VaultRefused { reason: String },

    #[error("deposit on arrival refused: {reason}")]
    InvalidArrival { reason: String },
    #[error("transfer channel {channel_id} is not allowed for deposit on arrival")]
    TransferChannelNotAllowed { channel_id: String },
}

impl From<OverflowError> for ContractError {
    fn from(_: OverflowError) -> Self {
        ContractError::Overflow
    }
}

impl From<ConversionOverflowError> for ContractError {
    fn from(_: ConversionOverflowError) -> Self {
        ContractError::Overflow
    }
}
