//! Contract storage. The price record map itself (`PRICES`) is published in
//! `bulwark_types::oracle` because other contracts read it by raw query.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Decimal256, Uint256};
use cw_storage_plus::{Item, Map};

use bulwark_types::oracle::{AssetConfig, DelayedPrice, DelayedState, MoveBlock};

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

/// The OSM delay queue of an asset with a delay (absent for assets without one). See
/// `bulwark_types::oracle::DelayConfig` for the hop rule.
#[cw_serde]
pub struct DelayState {
    pub delay_secs: u64,
    pub current: Option<DelayedPrice>,
    pub next: Option<DelayedPrice>,
    pub latest: Option<DelayedPrice>,
}

impl DelayState {
    /// When `next` may become current (saturating: a far-future time is never due).
    pub fn next_current_at(&self) -> Option<u64> {
        self.next
            .as_ref()
            .map(|n| n.since.saturating_add(self.delay_secs))
    }

    pub fn to_public(&self) -> DelayedState {
        DelayedState {
            delay_secs: self.delay_secs,
            current: self.current.clone(),
            next: self.next.clone(),
            next_current_at: self.next_current_at(),
            latest: self.latest.clone(),
        }
    }
}

/// What one hop did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hop {
    /// `next` became `current` (and `latest`, if any, was queued).
    Promoted,
    /// Nothing was queued; `latest` was queued as `next`.
    Queued,
    /// `next` is queued and its delay has not passed: nothing changed.
    NotDue,
    /// Nothing queued and nothing to queue.
    Idle,
}

impl Hop {
    pub fn as_str(self) -> &'static str {
        match self {
            Hop::Promoted => "promoted",
            Hop::Queued => "queued",
            Hop::NotDue => "not_due",
            Hop::Idle => "idle",
        }
    }
}

/// The hop rule (Maker's OSM `poke`, without rounding `since` down to a hop boundary).
/// Pure: no storage, no loop.
pub fn hop(d: &mut DelayState, now: u64) -> Hop {
    match d.next_current_at() {
        Some(due) if now < due => Hop::NotDue,
        Some(_) => {
            d.current = d.next.take();
            d.next = d.latest.clone().map(|l| DelayedPrice { since: now, ..l });
            Hop::Promoted
        }
        None => match &d.latest {
            Some(l) => {
                d.next = Some(DelayedPrice {
                    since: now,
                    ..l.clone()
                });
                Hop::Queued
            }
            None => Hop::Idle,
        },
    }
}

pub const DELAYS: Map<&str, DelayState> = Map::new("osm_delay");

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

    fn v(price: u64, since: u64) -> DelayedPrice {
        DelayedPrice {
            price: Decimal256::percent(price),
            publish_time: since,
            sources_used: 2,
            since,
        }
    }

    #[test]
    fn hop_rule() {
        let mut d = DelayState {
            delay_secs: 100,
            current: None,
            next: None,
            latest: None,
        };
        assert_eq!(hop(&mut d, 10), Hop::Idle);
        d.latest = Some(v(1, 10));
        assert_eq!(hop(&mut d, 10), Hop::Queued);
        assert_eq!(d.next, Some(v(1, 10)));
        assert_eq!(d.next_current_at(), Some(110));
        // a newer aggregate does not replace the queued next nor restart its clock
        d.latest = Some(v(2, 50));
        assert_eq!(hop(&mut d, 109), Hop::NotDue);
        assert_eq!((d.current.clone(), d.next.clone()), (None, Some(v(1, 10))));
        assert_eq!(hop(&mut d, 110), Hop::Promoted);
        assert_eq!(d.current, Some(v(1, 10)));
        // the latest is queued when it is taken, for a full delay
        assert_eq!(
            d.next,
            Some(DelayedPrice {
                since: 110,
                ..v(2, 50)
            })
        );
        assert_eq!(hop(&mut d, 209), Hop::NotDue);
        assert_eq!(hop(&mut d, 210), Hop::Promoted);
        assert_eq!(
            d.current.as_ref().map(|c| c.price),
            Some(Decimal256::percent(2))
        );
        // no latest: nothing is queued after the promotion
        d.latest = None;
        assert_eq!(hop(&mut d, 310), Hop::Promoted);
        assert_eq!(d.next, None);
        assert_eq!(hop(&mut d, 999), Hop::Idle);
        // a huge since never overflows: it is simply never due
        d.next = Some(v(3, u64::MAX));
        assert_eq!(hop(&mut d, u64::MAX - 1), Hop::NotDue);
    }

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
