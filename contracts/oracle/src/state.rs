//! Contract storage. The price record map itself (`PRICES`) is published in
//! `bulwark_types::oracle` because other contracts read it by raw query.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Decimal256};
use cw_storage_plus::{Item, Map};

use bulwark_types::oracle::{AssetConfig, MoveBlock};

#[cw_serde]
pub struct Config {
    pub circuit_breaker_addr: Option<Addr>,
    pub guardians: Vec<Addr>,
    pub max_future_skew_secs: u64,
    pub feeder_count: u32,
}

pub const CONFIG: Item<Config> = Item::new("config");
/// Whitelisted feeders.
pub const FEEDERS: Map<&Addr, ()> = Map::new("feeders");
pub const ASSETS: Map<&str, AssetConfig> = Map::new("assets");

/// Mutable per-asset state beside the published record.
#[cw_serde]
#[derive(Default)]
pub struct AssetState {
    pub paused: bool,
    /// Block time at which the last accepted price was stored (max-move reference time).
    pub last_stored_time: u64,
    /// Set by the owner: publish the next aggregate without the max-move check.
    pub skip_move_check_once: bool,
    pub move_block: Option<MoveBlock>,
    /// Number of history entries ever written; the next slot is `history_next % capacity`.
    pub history_next: u32,
}

pub const ASSET_STATE: Map<&str, AssetState> = Map::new("asset_state");

/// A feeder's last observation for an asset.
#[cw_serde]
pub struct FeederObservation {
    pub price: Decimal256,
    pub publish_time: u64,
}

pub const FEEDER_OBS: Map<(&str, &Addr), FeederObservation> = Map::new("feeder_obs");

/// One entry of the price history: `price` holds from `time` until the next entry.
#[cw_serde]
pub struct HistoryEntry {
    pub price: Decimal256,
    pub time: u64,
}

/// Ring buffer per asset: slot = sequence % HISTORY_CAPACITY.
pub const HISTORY: Map<(&str, u32), HistoryEntry> = Map::new("history");
