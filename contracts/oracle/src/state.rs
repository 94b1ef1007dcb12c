//! Contract storage. The price record map itself (`PRICES`) is published in
//! `bulwark_types::oracle` because other contracts read it by raw query.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Decimal256, Uint256};
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

/// Mutable per-asset state beside the published record. New fields default so that state
/// written by an earlier version still loads.
#[cw_serde]
#[derive(Default)]
pub struct AssetState {
    pub paused: bool,
    /// Block time at which the last accepted price change was stored.
    pub last_stored_time: u64,
    /// Set by the owner: publish the next aggregate without the max-move check.
    pub skip_move_check_once: bool,
    pub move_block: Option<MoveBlock>,
    /// Entries ever written to the legacy step-function history (`LEGACY_HISTORY`); kept
    /// only so that RemoveAsset can delete them.
    pub history_next: u32,
    /// Number of TWAP checkpoints ever written; the next slot is `ckpt_next % capacity`.
    #[serde(default)]
    pub ckpt_next: u32,
    /// Max-move anchor: price and time; moves only on a publication at least
    /// `MOVE_ANCHOR_INTERVAL_SECS` after it, on the first price, or after `ResetMoveReference`.
    #[serde(default)]
    pub anchor_price: Option<Decimal256>,
    #[serde(default)]
    pub anchor_time: u64,
    /// Σ price.atomics × seconds up to `cum_time` (wrapping: only differences are used).
    #[serde(default)]
    pub cumulative: Uint256,
    #[serde(default)]
    pub cum_time: u64,
    /// Price in force since `cum_time` (the last published price).
    #[serde(default)]
    pub cum_price: Option<Decimal256>,
    /// Count of disruptions (pause or new move block) ever started; a TWAP window whose
    /// bracketing checkpoints differ in this count may overlap one.
    #[serde(default)]
    pub disruptions: u64,
}

pub const ASSET_STATE: Map<&str, AssetState> = Map::new("asset_state");

/// A feeder's last observation for an asset.
#[cw_serde]
pub struct FeederObservation {
    pub price: Decimal256,
    pub publish_time: u64,
}

pub const FEEDER_OBS: Map<(&str, &Addr), FeederObservation> = Map::new("feeder_obs");

/// A TWAP checkpoint, written by a publication at most once per
/// `TWAP_CHECKPOINT_INTERVAL_SECS`: the cumulative price at `time`, the price published then,
/// and the disruption count then (a publication is never paused nor blocked).
#[cw_serde]
pub struct HistoryEntry {
    pub price: Decimal256,
    pub time: u64,
    /// Price in force just before `time`: between the previous checkpoint + interval and
    /// `time` no price changed (else a checkpoint would have been written), so the cumulative
    /// there is exact backwards from this checkpoint.
    pub before: Decimal256,
    pub cumulative: Uint256,
    pub disruptions: u64,
}

/// Ring buffer per asset: slot = sequence % HISTORY_CAPACITY; times strictly increase.
/// A new namespace: entries of the old step-function history have another shape.
pub const CHECKPOINTS: Map<(&str, u32), HistoryEntry> = Map::new("twap_ckpt");

/// The step-function history of versions before checkpoints (never written now).
pub const LEGACY_HISTORY: Map<(&str, u32), cosmwasm_std::Empty> = Map::new("history");

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::from_json;

    #[test]
    fn asset_state_of_the_previous_version_still_loads() {
        let old = br#"{"paused":false,"last_stored_time":5,"skip_move_check_once":false,"move_block":null,"history_next":3}"#;
        let state: AssetState = from_json(old.as_slice()).unwrap();
        assert_eq!(state.last_stored_time, 5);
        assert_eq!(
            (state.anchor_price, state.ckpt_next, state.disruptions),
            (None, 0, 0)
        );
    }
}
