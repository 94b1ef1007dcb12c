//! Storage of the options contract.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Decimal256, Int128, Uint128};
use cw_storage_plus::{Item, Map};

use bulwark_types::options::{BoardStatus, ConfigParams, Greeks, OptionType};

#[cw_serde]
pub struct Config {
    pub vault_addr: Option<Addr>,
    pub oracle_addr: Option<Addr>,
    pub circuit_breaker_addr: Option<Addr>,
    pub vol_feeder_addr: Option<Addr>,
    pub params: ConfigParams,
}

/// The three contracts a trade needs.
pub struct Wiring {
    pub vault_addr: Addr,
    pub oracle_addr: Addr,
    pub breaker_addr: Addr,
}

#[cw_serde]
pub struct Board {
    pub id: u64,
    pub asset_id: String,
    pub expiry: u64,
    pub base_iv: Decimal256,
    pub cap_price: Decimal256,
    pub multiplier: Uint128,
    pub status: BoardStatus,
    /// min(TWAP, cap_price), fixed by the first `Settle`.
    pub settlement_price: Option<Decimal256>,
    pub strike_ids: Vec<u64>,
    /// Pool greeks of the board: Σ over series of (pool net contracts × cached greeks per
    /// contract); pool net = short OI − long OI of traders.
    pub pool_greeks: Greeks,
}

/// Per series (call or put of one strike): traders' open interest and the greeks per contract
/// cached at the last trade or refresh of the series.
#[cw_serde]
pub struct SeriesState {
    pub long_oi: Uint128,
    pub short_oi: Uint128,
    pub cached_greeks: Greeks,
}

#[cw_serde]
pub struct Strike {
    pub id: u64,
    pub board_id: u64,
    pub strike: Decimal256,
    pub skew: Decimal256,
    pub call: SeriesState,
    pub put: SeriesState,
}

impl Strike {
    pub fn series(&self, kind: OptionType) -> &SeriesState {
        match kind {
            OptionType::Call => &self.call,
            OptionType::Put => &self.put,
        }
    }
    pub fn series_mut(&mut self, kind: OptionType) -> &mut SeriesState {
        match kind {
            OptionType::Call => &mut self.call,
            OptionType::Put => &mut self.put,
        }
    }
}

/// Series id = strike id × 2 + (0 call, 1 put).
pub fn series_id(strike_id: u64, kind: OptionType) -> u64 {
    // strike ids are allocated one by one from 1, far below u64::MAX / 2
    strike_id.saturating_mul(2).saturating_add(match kind {
        OptionType::Call => 0,
        OptionType::Put => 1,
    })
}

pub fn split_series_id(series_id: u64) -> (u64, OptionType) {
    let kind = if series_id % 2 == 0 {
        OptionType::Call
    } else {
        OptionType::Put
    };
    (series_id / 2, kind)
}

/// Breaker market id of a board.
pub fn market_id(board_id: u64) -> String {
    format!("board-{board_id}")
}

#[cw_serde]
#[derive(Default)]
pub struct PoolState {
    /// Σ over series of max(0, long OI − short OI) × maximum payoff per contract.
    pub locked_liquidity: Uint128,
    pub active_boards: u32,
    pub next_board_id: u64,
    pub next_strike_id: u64,
}

pub const CONFIG: Item<Config> = Item::new("config");
pub const POOL: Item<PoolState> = Item::new("pool");
pub const BOARDS: Map<u64, Board> = Map::new("boards");
/// Boards listed and not fully settled (bounded by `MAX_ACTIVE_BOARDS`).
pub const ACTIVE_BOARDS: Map<u64, ()> = Map::new("active_boards");
pub const STRIKES: Map<u64, Strike> = Map::new("strikes");
/// (account id, series id) → net contracts (+ long, − short); zero positions are removed.
pub const POSITIONS: Map<(u64, u64), Int128> = Map::new("positions");
/// account id → number of non-zero positions (≤ MAX_POSITIONS_PER_ACCOUNT).
pub const ACCOUNT_POSITION_COUNT: Map<u64, u32> = Map::new("account_count");
/// (board id, account id) → number of the account's non-zero positions on the board: the
/// index `Settle` pages over.
pub const BOARD_ACCOUNTS: Map<(u64, u64), u32> = Map::new("board_accounts");
// "account_trader" (account id → last trader) was removed: expiry payouts now settle with
// `trader_addr: None`. Keys left by older versions are never read.
