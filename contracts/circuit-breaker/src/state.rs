//! Storage of the circuit breaker. The compact mode records read by consumers are written with
//! `Storage::set` at the keys published in `bulwark_types::circuit_breaker`; everything here is
//! internal (JSON through cw-storage-plus). Namespaces are lower-case so they never start with
//! the `b"M"` prefix of the compact records.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Empty, Timestamp, Uint128};
use cw_storage_plus::{Item, Map};

use bulwark_types::circuit_breaker::{RateLimitParams, ScopeRecord, SCOPES_NAMESPACE};

pub const MAX_REASON_LEN: usize = 256;
pub const MAX_DENOM_LEN: usize = 128;
pub const MAX_CHANNEL_LEN: usize = 64;
pub const MAX_COOLDOWN_SECS: u64 = 30 * 24 * 3600;
pub const MAX_GRACE_SECS: u64 = 7 * 24 * 3600;
pub const MAX_HISTORY_CAPACITY: u32 = 10_000;
pub const MIN_BUCKETS: u32 = 2;
pub const MAX_BUCKETS: u32 = 48;
pub const MAX_WINDOW_SECS: u64 = 30 * 24 * 3600;
pub const MAX_REPORTER_CONTRACTS: usize = 32;
pub const MAX_GUARDIAN_UPDATES: usize = 50;
pub const DEFAULT_LIMIT: u32 = 30;
pub const MAX_LIMIT: u32 = 100;
pub const BPS: u32 = 10_000;

#[cw_serde]
pub struct Config {
    pub cooldown_secs: u64,
    pub liquidation_grace_secs: u64,
    pub history_capacity: u32,
}

#[cw_serde]
pub struct Reporter {
    pub global: bool,
    pub contracts: Vec<Addr>,
    pub outflows: bool,
}

/// One rate limit and its rolling-window state.
#[cw_serde]
pub struct RateLimitRecord {
    pub params: RateLimitParams,
    pub reference_value: Uint128,
    pub reference_captured_at: Option<Timestamp>,
    /// Absolute index (`time / bucket_secs`) of the newest bucket rolled to.
    pub latest_bucket: u64,
    /// Ring of `params.buckets` amounts; absolute bucket `b` lives at `b % buckets`.
    pub amounts: Vec<Uint128>,
    /// Amount of bucket `latest_bucket - buckets`, the one leaving the sliding window; counted
    /// partly (see `execute::used`). Default 0 for records stored before this field.
    #[serde(default)]
    pub expiring: Uint128,
}

pub const CONFIG: Item<Config> = Item::new("config");
/// Detailed scope records keyed by the scope tag (same bytes as the compact key).
pub const SCOPES: Map<&[u8], ScopeRecord> = Map::new(SCOPES_NAMESPACE);
pub const GUARDIANS: Map<&Addr, Empty> = Map::new("guardians");
pub const REPORTERS: Map<&Addr, Reporter> = Map::new("reporters");
/// Keyed by (denom, channel or "" for the denom-wide limit).
pub const RATE_LIMITS: Map<(&str, &str), RateLimitRecord> = Map::new("rate_limits");
/// Ring buffer: entry `seq` lives at `seq % history_capacity`.
pub const HISTORY: Map<u64, bulwark_types::circuit_breaker::HistoryEntry> = Map::new("history");
/// Sequence number of the next history entry.
pub const HISTORY_NEXT: Item<u64> = Item::new("history_next");
