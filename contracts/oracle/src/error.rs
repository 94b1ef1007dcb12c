use bulwark_types::migration::MigrationError;
use bulwark_types::ownership::OwnershipError;
use cosmwasm_std::StdError;
use thiserror::Error;

#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    #[error("{0}")]
    Std(#[from] StdError),
    #[error("{0}")]
    Ownership(#[from] OwnershipError),
    #[error("{0}")]
    Migration(#[from] MigrationError),

    #[error("unauthorized: only the owner or a guardian may do this")]
    NotGuardian,
    #[error("unauthorized: {sender} is not a whitelisted feeder")]
    UnauthorizedFeeder { sender: String },
    #[error("the feeder is not a source of asset {asset_id}")]
    FeederNotSource { asset_id: String },
    #[error("unknown asset {asset_id}")]
    UnknownAsset { asset_id: String },
    #[error("asset {asset_id}: the price must be positive")]
    NonPositivePrice { asset_id: String },
    #[error("asset {asset_id}: publish time {publish_time} is stale ({age_secs}s old, max {max_age_secs}s)")]
    Stale {
        asset_id: String,
        publish_time: u64,
        age_secs: u64,
        max_age_secs: u64,
    },
    #[error("asset {asset_id}: publish time {publish_time} is in the future (block time {now})")]
    FromFuture {
        asset_id: String,
        publish_time: u64,
        now: u64,
    },
    #[error(
        "asset {asset_id}: publish time {publish_time} is older than this feeder's last ({last})"
    )]
    OutOfOrder {
        asset_id: String,
        publish_time: u64,
        last: u64,
    },
    #[error("asset {asset_id}: quorum lost, {accepted} accepted of {quorum} required ({reasons})")]
    QuorumLost {
        asset_id: String,
        accepted: u8,
        quorum: u8,
        reasons: String,
    },
    #[error("asset {asset_id} is paused")]
    AssetPaused { asset_id: String },
    #[error("asset {asset_id} is not paused")]
    AssetNotPaused { asset_id: String },
    #[error("asset {asset_id} has no price record")]
    NoPrice { asset_id: String },
    #[error("empty batch")]
    EmptyBatch,
    #[error("batch of {len} exceeds the maximum of {max}")]
    BatchTooLarge { len: usize, max: usize },
    #[error("asset {asset_id} appears twice in the batch")]
    DuplicateAsset { asset_id: String },
    #[error("invalid asset id: {reason}")]
    InvalidAssetId { reason: String },
    #[error("invalid asset configuration: {reason}")]
    InvalidAssetConfig { reason: String },
    #[error("invalid source #{index}: {reason}")]
    InvalidSource { index: usize, reason: String },
    #[error("source #{index} duplicates an earlier source")]
    DuplicateSource { index: usize },
    #[error("asset {asset_id}: quote and decimals cannot change; remove and re-add the asset")]
    AssetUnitChanged { asset_id: String },
    #[error("at most {max} feeders")]
    TooManyFeeders { max: u32 },
    #[error("at most {max} guardians")]
    TooManyGuardians { max: usize },
    #[error("max future skew {secs}s exceeds the cap of {max}s")]
    SkewTooLarge { secs: u64, max: u64 },
    #[error("{addr} is already listed")]
    AlreadyListed { addr: String },
    #[error("{addr} is not listed")]
    NotListed { addr: String },
    #[error("twap window must be positive and end no later than the block time")]
    InvalidTwapWindow,
    #[error("asset {asset_id}: history starts at {oldest}, after the window start {start}")]
    HistoryTooShort {
        asset_id: String,
        oldest: u64,
        start: u64,
    },
    #[error(
        "asset {asset_id}: the twap window [{start}, {end}] may overlap a pause or a move block"
    )]
    TwapDisrupted {
        asset_id: String,
        start: u64,
        end: u64,
    },
    #[error("delay of {delay_secs}s is outside {min}..={max}s")]
    InvalidDelay { delay_secs: u64, min: u64, max: u64 },
    #[error("asset {asset_id} has no OSM delay")]
    NoDelay { asset_id: String },
    #[error("asset {asset_id} has no queued next price to void")]
    NothingToVoid { asset_id: String },
    #[error("arithmetic overflow")]
    Overflow,
    #[error("unknown reply id {id}")]
    UnknownReply { id: u64 },
}
