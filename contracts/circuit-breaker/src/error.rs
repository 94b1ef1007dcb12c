use bulwark_types::migration::MigrationError;
use bulwark_types::ownership::OwnershipError;
use cosmwasm_std::{StdError, Timestamp, Uint128};
use thiserror::Error;

#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    #[error("{0}")]
    Std(#[from] StdError),
    #[error("{0}")]
    Ownership(#[from] OwnershipError),
    #[error("{0}")]
    Migration(#[from] MigrationError),

    #[error("unauthorized: {sender} may not {what}")]
    Unauthorized { sender: String, what: String },
    #[error("guardians may only tighten; this change loosens {scope}")]
    GuardianCannotLoosen { scope: String },
    #[error("cooldown of {scope} runs until {until}; it cannot be loosened before")]
    CooldownActive { scope: String, until: Timestamp },
    #[error("only the owner may block {action}: reducing risk stays possible short of a halt")]
    OwnerOnlyBlock { action: String },
    #[error("min_quota must be positive (an absolute floor of the quota per window)")]
    InvalidMinQuota,
    #[error("scope key of {scope} collides with the stored scope {existing}")]
    ScopeKeyCollision { scope: String, existing: String },
    #[error("invalid market id: must be 1..={max} bytes")]
    InvalidMarketId { max: usize },
    #[error("invalid reason: must be 1..={max} bytes")]
    InvalidReason { max: usize },
    #[error("invalid {field}: {value} (allowed {min}..={max})")]
    OutOfRange {
        field: String,
        value: u64,
        min: u64,
        max: u64,
    },
    #[error("too many entries in {field}: {len} > {max}")]
    TooMany {
        field: String,
        len: usize,
        max: usize,
    },
    #[error("{addr} is not a guardian")]
    NotAGuardian { addr: String },
    #[error("{addr} is not a reporter")]
    NotAReporter { addr: String },
    #[error("invalid denom: must be 1..={max} bytes")]
    InvalidDenom { max: usize },
    #[error("invalid channel: must be 1..={max} bytes")]
    InvalidChannel { max: usize },
    #[error("window_secs {window_secs} is not a multiple of buckets {buckets}")]
    WindowNotDivisible { window_secs: u64, buckets: u32 },
    #[error("no rate limit for denom {denom} channel {channel}")]
    RateLimitNotFound { denom: String, channel: String },
    #[error("outflow amount must be positive")]
    ZeroAmount,
    #[error(
        "outflow quota exceeded for denom {denom} channel {channel}: used {used} + {amount} > quota {quota}"
    )]
    OutflowQuotaExceeded {
        denom: String,
        channel: String,
        quota: Uint128,
        used: Uint128,
        amount: Uint128,
    },
}
