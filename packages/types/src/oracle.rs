//! Messages of the oracle medianizer, the published storage layout of its price record, and
//! the helper other contracts use to read and validate that record by raw query.
//!
//! # Units
//! Every published price is the value of **one whole unit** of the asset expressed in **whole
//! units** of its quote (`AssetConfig::quote`), e.g. `9.87` for 1 ATOM = 9.87 USD. A consumer
//! that values raw on-chain amounts (smallest units) multiplies by
//! `10^(quote_decimals - base_decimals)` from the asset's configuration.
//! Sources are normalised to that unit: Pyth by its exponent, Osmosis TWAP (a ratio of smallest
//! units) by `10^(base_decimals - quote_decimals)`, feeders and fixed sources push whole units.
//!
//! # Published storage layout (raw query)
//! The record of an asset is a cw-storage-plus `Map<&str, PriceRecord>` with namespace
//! [`PRICES_NAMESPACE`] (`"prices"`). Its raw storage key is
//! `[0x00, 0x06] ++ b"prices" ++ asset_id.as_bytes()` (two big-endian length bytes of the
//! namespace, the namespace, then the asset id bytes without a length prefix, since it is the
//! last key part); [`price_record_key`] builds it. The value is the JSON of [`PriceRecord`]
//! with one-letter field names, e.g.
//! `{"p":"9.87","t":1700000000,"h":123,"n":3,"f":0,"P":"9.86","T":1699999994,"H":122}`
//! (at most about 100 bytes: a raw read costs roughly 1,000 + 3 × 100 gas). The upper-case
//! fields hold the value of the previous block (absent until there is one): a record stored in
//! the current block is never used as is; [`usable_price`] falls back to that previous value.
//!
//! # No same-block price
//! The oracle shifts the current value into `P`/`T`/`H` only when it stores a new value in a
//! later block than the stored one, and never rewrites the record when neither the price nor
//! its publish time changed. So within one block the previous value is fixed, and whatever a
//! transaction publishes in that block cannot price a trade in the same block, for any purpose.
//!
//! # OSM delay
//! An asset may have an OSM-style delay ([`DelayConfig`]): its record then carries the delayed
//! `current` value, in the same layout, so consumers read it unchanged (their maximum age must
//! allow for the delay); the undelayed aggregate is in `PriceDetailResponse::delayed`.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{
    Addr, CustomQuery, Decimal256, Env, Int64, QuerierWrapper, SignedDecimal256, StdResult, Uint64,
};
use cw_storage_plus::Map;
use thiserror::Error;

use crate::circuit_breaker::{Level, Scope};
use crate::ownership::OwnershipAction;

// ---------------------------------------------------------------------------------------------
// Limits (enforced by the contract, published so callers can size their messages)

/// Sources per asset.
pub const MAX_SOURCES_PER_ASSET: usize = 8;
/// Prices per `Feed` message.
pub const MAX_FEED_BATCH: usize = 16;
/// Assets per `Refresh` message.
pub const MAX_REFRESH_BATCH: usize = 16;
/// Breaker scopes tripped per asset on a max-move violation.
pub const MAX_TRIP_TARGETS: usize = 4;
/// Guardians in total.
pub const MAX_GUARDIANS: usize = 16;
/// Whitelisted feeders in total.
pub const MAX_FEEDERS: u32 = 64;
/// Addresses per `UpdateFeeders` / `UpdateGuardians` list.
pub const MAX_ADDRESS_BATCH: usize = 16;
/// TWAP checkpoints kept per asset (ring buffer).
pub const HISTORY_CAPACITY: u32 = 256;
/// Minimum spacing of TWAP checkpoints: the ring covers at least
/// `HISTORY_CAPACITY × TWAP_CHECKPOINT_INTERVAL_SECS` (256 × 60 s ≈ 4.3 h).
pub const TWAP_CHECKPOINT_INTERVAL_SECS: u64 = 60;
/// Cadence of the max-move anchor: it moves to the published price at most once per this.
pub const MOVE_ANCHOR_INTERVAL_SECS: u64 = 60;
/// Largest configurable tolerance for a source timestamp ahead of the block time.
pub const MAX_FUTURE_SKEW_CAP_SECS: u64 = 10;
/// Longest asset id, in bytes.
pub const MAX_ASSET_ID_LEN: usize = 64;
/// Bounds of an asset's OSM delay ([`DelayConfig::delay_secs`]).
pub const MIN_DELAY_SECS: u64 = 60;
pub const MAX_DELAY_SECS: u64 = 86_400;
/// Assets per `Poke` message.
pub const MAX_POKE_BATCH: usize = 16;
/// Page size of paged queries when none is given, and the largest accepted.
pub const DEFAULT_PAGE_LIMIT: u32 = 10;
pub const MAX_PAGE_LIMIT: u32 = 50;

// ---------------------------------------------------------------------------------------------
// Published price record

/// Namespace of the price-record map (see the module docs for the raw key layout).
pub const PRICES_NAMESPACE: &str = "prices";
/// The price-record map: the oracle writes it, consumers read it with [`query_price_raw`].
pub const PRICES: Map<&str, PriceRecord> = Map::new(PRICES_NAMESPACE);

/// Record flag: a guardian paused the asset; no purpose may use the price.
pub const FLAG_PAUSED: u8 = 1;
/// Record flag: the latest aggregate moved more than the asset's max move and was refused;
/// the stored price is the last accepted one. Refused for opening and settlement.
pub const FLAG_MOVE_BLOCKED: u8 = 1 << 1;

/// The compact price record stored per asset.
#[cw_serde]
pub struct PriceRecord {
    /// Price of one whole unit of the asset in whole units of its quote.
    #[serde(rename = "p")]
    pub price: Decimal256,
    /// Oldest publish time (unix seconds) among the sources that made this price.
    #[serde(rename = "t")]
    pub publish_time: u64,
    /// Block height at which the record was stored.
    #[serde(rename = "h")]
    pub block_height: u64,
    /// Number of accepted sources the price is the median of.
    #[serde(rename = "n")]
    pub sources_used: u8,
    /// Bit set of `FLAG_*` (they apply to the previous value too).
    #[serde(rename = "f")]
    pub flags: u8,
    /// Price of the value stored in an earlier block, used while `block_height` is the current
    /// block. Absent until a value was replaced in a later block.
    #[serde(rename = "P", default, skip_serializing_if = "Option::is_none")]
    pub prev_price: Option<Decimal256>,
    /// Publish time of the previous value.
    #[serde(rename = "T", default, skip_serializing_if = "Option::is_none")]
    pub prev_publish_time: Option<u64>,
    /// Block height at which the previous value was stored.
    #[serde(rename = "H", default, skip_serializing_if = "Option::is_none")]
    pub prev_block_height: Option<u64>,
}

impl PriceRecord {
    pub fn is_paused(&self) -> bool {
        self.flags & FLAG_PAUSED != 0
    }
    pub fn is_move_blocked(&self) -> bool {
        self.flags & FLAG_MOVE_BLOCKED != 0
    }

    /// The value (price, publish time) usable at `height`: the current one if it was stored in
    /// an earlier block, else the previous one. `None` if neither was stored before `height`.
    pub fn value_at(&self, height: u64) -> Option<(Decimal256, u64)> {
        if self.block_height < height {
            return Some((self.price, self.publish_time));
        }
        match (
            self.prev_price,
            self.prev_publish_time,
            self.prev_block_height,
        ) {
            (Some(p), Some(t), Some(h)) if h < height => Some((p, t)),
            _ => None,
        }
    }
}

/// The raw storage key of `asset_id`'s record in the oracle contract.
pub fn price_record_key(asset_id: &str) -> Vec<u8> {
    let ns = PRICES_NAMESPACE.as_bytes();
    let mut key = Vec::with_capacity(2 + ns.len() + asset_id.len());
    // safe: the namespace is a 6-byte constant, far below u16::MAX
    key.extend_from_slice(&(ns.len() as u16).to_be_bytes());
    key.extend_from_slice(ns);
    key.extend_from_slice(asset_id.as_bytes());
    key
}

/// Reads `asset_id`'s record from the oracle by raw query (no VM instance is started).
/// `Ok(None)` when the asset has no record.
pub fn query_price_raw<Q: CustomQuery>(
    querier: &QuerierWrapper<Q>,
    oracle_addr: &Addr,
    asset_id: &str,
) -> StdResult<Option<PriceRecord>> {
    crate::querier::query_stored(querier, oracle_addr.as_str(), &PRICES.key(asset_id))
}

/// What a consumer wants a price for; each purpose applies its own checks.
#[cw_serde]
#[derive(Copy, Eq)]
pub enum PricePurpose {
    /// Opening or increasing exposure: refuses a record whose latest aggregate was refused
    /// for moving too far.
    Open,
    /// Reducing, closing or liquidating: accepts a move-blocked record (the last accepted
    /// price) so that risk can still be reduced, within the maximum age.
    ReduceOrLiquidate,
    /// Settlement at a fixed price: refuses a move-blocked record.
    Settlement,
}

#[derive(Error, Debug, PartialEq, Eq)]
pub enum PriceError {
    #[error("no price record for this asset")]
    NoRecord,
    #[error("the asset is paused by a guardian")]
    Paused,
    #[error("the latest price moved beyond the asset's maximum move and was refused")]
    MoveBlocked,
    #[error("the only price was stored in the current block (height {block_height})")]
    SameBlock { block_height: u64 },
    #[error("the price publish time {publish_time} is after the block time {now}")]
    FromFuture { publish_time: u64, now: u64 },
    #[error(
        "the price is stale: published at {publish_time}, {age_secs}s old, max {max_age_secs}s"
    )]
    Stale {
        publish_time: u64,
        age_secs: u64,
        max_age_secs: u64,
    },
    #[error("the price is zero")]
    ZeroPrice,
}

/// Validates a record for `purpose` at the current block and returns its price.
///
/// For every purpose, a value stored in the current block is never used: the record's previous
/// value is used instead (`SameBlock` if there is none). Freshness is checked on the value
/// actually used.
pub fn usable_price(
    record: &PriceRecord,
    env: &Env,
    max_age_secs: u64,
    purpose: PricePurpose,
) -> Result<Decimal256, PriceError> {
    if record.is_paused() {
        return Err(PriceError::Paused);
    }
    if record.is_move_blocked() && purpose != PricePurpose::ReduceOrLiquidate {
        return Err(PriceError::MoveBlocked);
    }
    let (price, publish_time) = record
        .value_at(env.block.height)
        .ok_or(PriceError::SameBlock {
            block_height: record.block_height,
        })?;
    let now = env.block.time.seconds();
    if publish_time > now {
        return Err(PriceError::FromFuture { publish_time, now });
    }
    let age_secs = now - publish_time;
    if age_secs > max_age_secs {
        return Err(PriceError::Stale {
            publish_time,
            age_secs,
            max_age_secs,
        });
    }
    if price.is_zero() {
        return Err(PriceError::ZeroPrice);
    }
    Ok(price)
}

/// [`query_price_raw`] then [`usable_price`].
pub fn query_usable_price<Q: CustomQuery>(
    querier: &QuerierWrapper<Q>,
    env: &Env,
    oracle_addr: &Addr,
    asset_id: &str,
    max_age_secs: u64,
    purpose: PricePurpose,
) -> Result<Decimal256, PriceQueryError> {
    let record = query_price_raw(querier, oracle_addr, asset_id)?.ok_or(PriceError::NoRecord)?;
    Ok(usable_price(&record, env, max_age_secs, purpose)?)
}

#[derive(Error, Debug, PartialEq)]
pub enum PriceQueryError {
    #[error("{0}")]
    Std(#[from] cosmwasm_std::StdError),
    #[error("{0}")]
    Price(#[from] PriceError),
}

// ---------------------------------------------------------------------------------------------
// Pyth CosmWasm contract: the small part of its interface the oracle uses.

/// Query message of the Pyth CosmWasm contract (`{"price_feed":{"id":"<64 hex>"}}`).
#[cw_serde]
pub enum PythQueryMsg {
    PriceFeed { id: String },
}

/// Pyth's `PriceFeedResponse`.
#[cw_serde]
pub struct PythPriceFeedResponse {
    pub price_feed: PythPriceFeed,
}

#[cw_serde]
pub struct PythPriceFeed {
    /// Feed id, 64 hex characters without `0x`.
    pub id: String,
    pub price: PythPrice,
    pub ema_price: PythPrice,
}

/// Pyth's `Price`: value = `price × 10^expo`, confidence `conf × 10^expo`.
#[cw_serde]
pub struct PythPrice {
    /// Serialised as a string, as Pyth does.
    pub price: Int64,
    /// Serialised as a string, as Pyth does.
    pub conf: Uint64,
    pub expo: i32,
    /// Unix seconds.
    pub publish_time: i64,
}

// ---------------------------------------------------------------------------------------------
// Configuration

#[cw_serde]
#[derive(Copy, Eq)]
pub enum TwapKind {
    Arithmetic,
    Geometric,
}

/// One price source of an asset. Addresses are validated when the asset is set.
#[cw_serde]
pub enum Source {
    /// A whitelisted feeder pushing prices with `Feed`; each feeder is one source.
    Feeder {
        feeder_addr: Addr,
        max_age_secs: u64,
    },
    /// A Pyth price feed, read by smart query at aggregation time.
    Pyth {
        contract_addr: Addr,
        /// 64 hex characters without `0x`.
        feed_id: String,
        max_age_secs: u64,
        /// Maximum `conf / price`, in basis points.
        max_conf_bps: u32,
        /// Maximum distance of the price from Pyth's EMA price, in basis points.
        max_ema_deviation_bps: Option<u32>,
    },
    /// An Osmosis pool TWAP over `window_secs` ending now (publish time = block time).
    OsmosisTwap {
        pool_id: u64,
        base_denom: String,
        quote_denom: String,
        window_secs: u64,
        kind: TwapKind,
    },
    /// A constant (publish time = block time).
    Fixed { price: Decimal256 },
}

/// Maximum move of the aggregate against the move anchor (an accepted price that moves at most
/// once per [`MOVE_ANCHOR_INTERVAL_SECS`]):
/// `allowed_bps = min(min_bps + bps_per_minute × (now - anchor_time) / 60, max_bps)`.
/// Any number of publications in between cannot stack: each is measured against the anchor.
#[cw_serde]
#[derive(Copy, Eq)]
pub struct MaxMove {
    pub bps_per_minute: u32,
    pub min_bps: u32,
    pub max_bps: u32,
}

/// A breaker scope tripped (to at least `level`) when the asset's price is blocked.
#[cw_serde]
pub struct TripTarget {
    pub scope: Scope,
    pub level: Level,
}

#[cw_serde]
pub struct AssetConfig {
    /// Id of the asset, e.g. `"ATOM"`; the key of its record.
    pub asset_id: String,
    /// What the price is quoted in, e.g. `"USD"`.
    pub quote: String,
    /// Decimals of the asset's on-chain smallest unit (e.g. 6 for uatom).
    pub base_decimals: u8,
    /// Decimals of the quote's on-chain smallest unit.
    pub quote_decimals: u8,
    /// 1..=MAX_SOURCES_PER_ASSET, no duplicates.
    pub sources: Vec<Source>,
    /// Minimum number of accepted sources, 1..=sources.len().
    pub quorum: u8,
    /// Outlier rejection: maximum distance from the median of the fresh sources, in bps.
    pub max_deviation_bps: u32,
    pub max_move: Option<MaxMove>,
    pub trip_targets: Vec<TripTarget>,
}

/// OSM-style delay of an asset's published price (after Maker's Oracle Security Module).
///
/// Kept beside the [`AssetConfig`] (set with `ExecuteMsg::SetAssetDelay`), not inside it, so that
/// the asset configuration's Rust shape and JSON stay exactly as before.
///
/// Hop rule, run by every publication of the asset and by `Poke`:
/// - the latest accepted aggregate (after the max-move check) is kept as `latest`;
/// - if a `next` is queued and `now ≥ next.since + delay_secs`: `current = next`, then
///   `next = latest` with `since = now` (none if there is no latest);
/// - if no `next` is queued (first price, or after `VoidNext`): `next = latest`, `since = now`;
/// - otherwise nothing changes (a poke before the delay is a no-op).
///
/// The published [`PriceRecord`] carries `current`. So any value is visible as `next` for at
/// least `delay_secs` before anyone can use it, and a new aggregate reaches the record after
/// between one and two delays (plus keeper latency). Unlike Maker's `zzz = prev(now)`, `since` is
/// not rounded down to a hop boundary: rounding down could leave a value queued just before a
/// boundary visible for almost no time.
#[cw_serde]
#[derive(Copy, Eq)]
pub struct DelayConfig {
    /// MIN_DELAY_SECS..=MAX_DELAY_SECS.
    pub delay_secs: u64,
}

/// A value in an asset's delay queue.
#[cw_serde]
pub struct DelayedPrice {
    pub price: Decimal256,
    /// Publish time of the aggregate (oldest accepted source).
    pub publish_time: u64,
    pub sources_used: u8,
    /// Block time at which the value took its place: accepted (`latest`), queued (`next`),
    /// or promoted from a `next` queued at that time (`current`).
    pub since: u64,
}

/// The delay queue of an asset, as shown by `PriceDetail`.
#[cw_serde]
pub struct DelayedState {
    pub delay_secs: u64,
    /// The value the record publishes.
    pub current: Option<DelayedPrice>,
    /// The queued value; becomes `current` at the first poke or publication at or after
    /// `next_current_at`, unless a guardian voids it.
    pub next: Option<DelayedPrice>,
    /// `next.since + delay_secs`.
    pub next_current_at: Option<u64>,
    /// The latest accepted (undelayed) aggregate; queued as `next` at the next hop.
    pub latest: Option<DelayedPrice>,
}

#[cw_serde]
pub struct InstantiateMsg {
    /// The owner, meant to be the DAO.
    pub owner: String,
    /// Circuit breaker to trip on a max-move violation (the oracle must be a registered
    /// reporter there).
    pub circuit_breaker: Option<String>,
    pub guardians: Vec<String>,
    /// Tolerance for source timestamps ahead of the block time, 0..=MAX_FUTURE_SKEW_CAP_SECS.
    /// 0 rejects any timestamp from the future.
    pub max_future_skew_secs: u64,
}

/// One price in a feeder's batch.
#[cw_serde]
pub struct FeedPrice {
    pub asset_id: String,
    /// Whole quote units per whole unit; signed so that a negative price gets its own error.
    pub price: SignedDecimal256,
    /// Unix seconds of the observation.
    pub publish_time: u64,
}

#[cw_serde]
pub enum ExecuteMsg {
    UpdateOwnership(OwnershipAction),
    /// Owner: set or clear the circuit breaker address.
    SetCircuitBreaker {
        circuit_breaker: Option<String>,
    },
    /// Owner: add and remove guardians.
    UpdateGuardians {
        add: Vec<String>,
        remove: Vec<String>,
    },
    /// Owner: set the future-timestamp tolerance.
    SetMaxFutureSkew {
        max_future_skew_secs: u64,
    },
    /// Owner: whitelist and delist feeders.
    UpdateFeeders {
        add: Vec<String>,
        remove: Vec<String>,
    },
    /// Owner: create an asset or replace its configuration (its quote and decimals may not
    /// change; remove and re-add instead). Observations of feeders dropped from the sources
    /// are deleted.
    SetAsset {
        asset: AssetConfig,
    },
    /// Owner: delete an asset with its record, feeder observations and history.
    RemoveAsset {
        asset_id: String,
    },
    /// Owner or guardian: pause an asset; its record is flagged paused and nothing publishes.
    PauseAsset {
        asset_id: String,
    },
    /// Owner only: lift a pause.
    UnpauseAsset {
        asset_id: String,
    },
    /// Owner: the next aggregate of the asset is published without the max-move check and
    /// becomes the new anchor (after a genuine jump larger than the cap).
    ResetMoveReference {
        asset_id: String,
    },
    /// Whitelisted feeder: push a batch of prices; each fed asset is then aggregated and,
    /// if it reaches quorum, published.
    Feed {
        prices: Vec<FeedPrice>,
    },
    /// Anyone: read the sources of each asset, aggregate and publish.
    Refresh {
        assets: Vec<String>,
    },
    /// Owner: set (`Some`) or remove (`None`) the OSM delay of an asset. Enabling it on an asset
    /// with a record makes the record's value the delayed `current`; removing it lets the next
    /// publication publish the latest aggregate directly.
    SetAssetDelay {
        asset_id: String,
        delay: Option<DelayConfig>,
    },
    /// Anyone: run the hop rule of each delayed asset (≤ MAX_POKE_BATCH) with its latest
    /// accepted aggregate; reads no source. Fails for an asset without a delay or paused.
    Poke {
        asset_ids: Vec<String>,
    },
    /// Owner or guardian: discard the queued `next` (and the latest aggregate, so that it is
    /// not queued again) of a delayed asset before it becomes current.
    VoidNext {
        asset_id: String,
    },
}

// ---------------------------------------------------------------------------------------------
// Queries

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(crate::ownership::Ownership)]
    Ownership {},
    #[returns(ConfigResponse)]
    Config {},
    #[returns(PriceResponse)]
    Price { asset_id: String },
    #[returns(PricesResponse)]
    Prices {
        start_after: Option<String>,
        limit: Option<u32>,
    },
    /// The stored record and a live dry run of the aggregation: each source's value, status
    /// and why it was rejected.
    #[returns(PriceDetailResponse)]
    PriceDetail { asset_id: String },
    /// Time-weighted average price over `[end - window, end]` from cumulative-price
    /// checkpoints; `end_time` defaults to the block time. Errors if the window starts before
    /// the oldest checkpoint, or may overlap a pause or a move block (`TwapDisrupted`).
    #[returns(TwapResponse)]
    Twap {
        asset_id: String,
        window_secs: u64,
        end_time: Option<u64>,
    },
    #[returns(AssetConfig)]
    Asset { asset_id: String },
    #[returns(AssetsResponse)]
    Assets {
        start_after: Option<String>,
        limit: Option<u32>,
    },
    #[returns(FeedersResponse)]
    Feeders {
        start_after: Option<String>,
        limit: Option<u32>,
    },
}

#[cw_serde]
pub struct ConfigResponse {
    pub circuit_breaker_addr: Option<Addr>,
    pub guardians: Vec<Addr>,
    pub max_future_skew_secs: u64,
    pub feeder_count: u32,
}

#[cw_serde]
pub struct PriceResponse {
    pub asset_id: String,
    pub record: PriceRecord,
}

#[cw_serde]
pub struct PricesResponse {
    pub prices: Vec<PriceResponse>,
}

/// Why a source did not count.
#[cw_serde]
#[derive(Eq)]
pub enum Rejection {
    /// The source could not be read (query error).
    Unavailable {
        error: String,
    },
    /// A feeder source without any observation yet.
    NoValue,
    /// The feeder of this source is no longer whitelisted.
    FeederNotWhitelisted,
    NonPositivePrice,
    /// Pyth exponent outside [-18, 0].
    BadExponent {
        expo: i32,
    },
    Stale {
        age_secs: u64,
        max_age_secs: u64,
    },
    FromFuture {
        publish_time: u64,
        now: u64,
    },
    ConfidenceTooWide {
        conf_bps: u64,
        max_bps: u32,
    },
    EmaDeviation {
        deviation_bps: u64,
        max_bps: u32,
    },
    /// Farther than `max_deviation_bps` from the median of the fresh sources.
    Outlier {
        deviation_bps: u64,
        max_bps: u32,
    },
    /// The normalised value overflowed or rounded to zero.
    Normalisation,
    /// An Osmosis TWAP ratio with fewer than 6 significant digits (`atomics < 10^6`): too
    /// coarse to price (cheap 18-decimal assets against 6-decimal quotes).
    TwapPrecision {
        ratio: Decimal256,
    },
}

#[cw_serde]
#[derive(Eq)]
pub enum SourceStatus {
    Accepted,
    Rejected(Rejection),
}

#[cw_serde]
pub struct SourceDetail {
    pub source: Source,
    /// Normalised value, when one could be read.
    pub price: Option<Decimal256>,
    pub publish_time: Option<u64>,
    pub status: SourceStatus,
}

/// The last refusal of an aggregate for moving too far.
#[cw_serde]
pub struct MoveBlock {
    pub attempted_price: Decimal256,
    /// The max-move anchor the move was measured against.
    pub reference_price: Decimal256,
    pub move_bps: u64,
    pub allowed_bps: u64,
    pub time: u64,
    pub block_height: u64,
    /// Error of the breaker Trip, if the breaker refused it.
    pub trip_error: Option<String>,
}

#[cw_serde]
pub struct PriceDetailResponse {
    pub asset_id: String,
    pub record: Option<PriceRecord>,
    pub paused: bool,
    pub move_block: Option<MoveBlock>,
    /// Live dry run at the query's block.
    pub sources: Vec<SourceDetail>,
    pub fresh_median: Option<Decimal256>,
    /// The price a Refresh would aggregate now (before the max-move check), if quorum holds.
    pub aggregate: Option<Decimal256>,
    pub accepted: u8,
    pub quorum: u8,
    /// The delay queue, for an asset with an OSM delay (the record then carries `current`).
    #[serde(default)]
    pub delayed: Option<DelayedState>,
}

#[cw_serde]
pub struct TwapResponse {
    pub asset_id: String,
    pub price: Decimal256,
    pub start_time: u64,
    pub end_time: u64,
    /// Checkpoints inside the window plus the one the start was interpolated from.
    pub samples: u32,
}

#[cw_serde]
pub struct AssetsResponse {
    pub assets: Vec<AssetConfig>,
}

#[cw_serde]
pub struct FeedersResponse {
    pub feeders: Vec<Addr>,
}

#[cw_serde]
pub struct MigrateMsg {}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::testing::mock_env;
    use cosmwasm_std::{from_json, to_json_vec, Decimal256};
    use std::str::FromStr;

    fn record(height: u64, time: u64, flags: u8) -> PriceRecord {
        PriceRecord {
            price: Decimal256::percent(987),
            publish_time: time,
            block_height: height,
            sources_used: 3,
            flags,
            prev_price: None,
            prev_publish_time: None,
            prev_block_height: None,
        }
    }

    #[test]
    fn raw_key_layout() {
        assert_eq!(price_record_key("ATOM"), b"\x00\x06pricesATOM".to_vec());
        assert_eq!(
            PRICES.key("ATOM").to_vec(),
            price_record_key("ATOM"),
            "the documented layout is cw-storage-plus' own"
        );
    }

    #[test]
    fn record_is_compact() {
        let json = to_json_vec(&record(12_345_678, 1_700_000_000, 0)).unwrap();
        assert_eq!(
            String::from_utf8(json.clone()).unwrap(),
            r#"{"p":"9.87","t":1700000000,"h":12345678,"n":3,"f":0}"#
        );
        assert!(json.len() < 80);
        // a record without a previous value (or written before P/T/H existed) still loads
        assert_eq!(
            from_json::<PriceRecord>(&json).unwrap(),
            record(12_345_678, 1_700_000_000, 0)
        );
        let mut full = record(12_345_678, 1_700_000_000, FLAG_MOVE_BLOCKED);
        full.price = Decimal256::from_str("123456.123456789012345678").unwrap();
        full.prev_price = Some(Decimal256::from_str("123455.123456789012345678").unwrap());
        full.prev_publish_time = Some(1_699_999_994);
        full.prev_block_height = Some(12_345_677);
        let json = to_json_vec(&full).unwrap();
        // raw read ≈ 1,000 + 3 × 150 gas at most for realistic values
        assert!(json.len() <= 150, "{}", json.len());
        assert_eq!(from_json::<PriceRecord>(&json).unwrap(), full);
    }

    #[test]
    fn usable_price_checks() {
        let env = mock_env();
        let now = env.block.time.seconds();
        let h = env.block.height;
        let ok = record(h - 1, now - 10, 0);
        assert_eq!(
            usable_price(&ok, &env, 60, PricePurpose::Open),
            Ok(Decimal256::percent(987))
        );
        // the first value, stored this block: refused for every purpose
        let same_block = record(h, now, 0);
        for purpose in [
            PricePurpose::Open,
            PricePurpose::ReduceOrLiquidate,
            PricePurpose::Settlement,
        ] {
            assert_eq!(
                usable_price(&same_block, &env, 60, purpose),
                Err(PriceError::SameBlock { block_height: h })
            );
        }
        // with a previous block's value: that value is used, and its age is checked
        let mut shifted = same_block.clone();
        shifted.price = Decimal256::percent(2_000);
        shifted.prev_price = Some(Decimal256::percent(987));
        shifted.prev_publish_time = Some(now - 30);
        shifted.prev_block_height = Some(h - 1);
        for purpose in [
            PricePurpose::Open,
            PricePurpose::ReduceOrLiquidate,
            PricePurpose::Settlement,
        ] {
            assert_eq!(
                usable_price(&shifted, &env, 60, purpose),
                Ok(Decimal256::percent(987))
            );
        }
        assert_eq!(
            usable_price(&shifted, &env, 20, PricePurpose::Open),
            Err(PriceError::Stale {
                publish_time: now - 30,
                age_secs: 30,
                max_age_secs: 20
            })
        );
        assert_eq!(
            usable_price(&ok, &env, 5, PricePurpose::Settlement),
            Err(PriceError::Stale {
                publish_time: now - 10,
                age_secs: 10,
                max_age_secs: 5
            })
        );
        let future = record(h - 1, now + 1, 0);
        assert_eq!(
            usable_price(&future, &env, 60, PricePurpose::ReduceOrLiquidate),
            Err(PriceError::FromFuture {
                publish_time: now + 1,
                now
            })
        );
        let paused = record(h - 1, now, FLAG_PAUSED);
        assert_eq!(
            usable_price(&paused, &env, 60, PricePurpose::ReduceOrLiquidate),
            Err(PriceError::Paused)
        );
        let blocked = record(h - 1, now, FLAG_MOVE_BLOCKED);
        assert_eq!(
            usable_price(&blocked, &env, 60, PricePurpose::Open),
            Err(PriceError::MoveBlocked)
        );
        assert_eq!(
            usable_price(&blocked, &env, 60, PricePurpose::Settlement),
            Err(PriceError::MoveBlocked)
        );
        assert!(usable_price(&blocked, &env, 60, PricePurpose::ReduceOrLiquidate).is_ok());
    }
}
