//! Storage layout.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Empty};
use cw_storage_plus::{Item, Map};

use bulwark_types::perps::{FundingState, MarketAggregates, MarketParams, Position};

#[cw_serde]
pub struct Config {
    pub vault_addr: Addr,
    pub oracle_addr: Addr,
    pub circuit_breaker_addr: Addr,
    pub settlement_decimals: u8,
    pub oracle_max_age_secs: u64,
}

#[cw_serde]
pub struct Market {
    pub market_id: String,
    pub asset_id: String,
    pub params: MarketParams,
}

pub const CONFIG: Item<Config> = Item::new("config");
/// Open positions over all markets (a counter, never iterated).
pub const OPEN_POSITIONS: Item<u64> = Item::new("open_positions");
pub const MARKETS: Map<&str, Market> = Map::new("markets");
/// asset id → market id: one market per oracle asset, so an account's risk has one entry
/// per underlying.
pub const ASSET_MARKETS: Map<&str, String> = Map::new("asset_markets");
pub const FUNDING: Map<&str, FundingState> = Map::new("funding");
pub const AGGREGATES: Map<&str, MarketAggregates> = Map::new("aggregates");
/// (account id, market id) → the account's net position in the market.
pub const POSITIONS: Map<(u64, &str), Position> = Map::new("positions");
/// account id → number of open positions (≤ MAX_POSITIONS_PER_ACCOUNT).
pub const ACCOUNT_POSITIONS: Map<u64, u32> = Map::new("account_positions");
/// (market id, account id) → (): the market's open positions, so `AdlRanking` can page one
/// market. Written only with the position itself (O(1)); never iterated in an execute.
pub const MARKET_POSITIONS: Map<(&str, u64), Empty> = Map::new("market_positions");

/// Version of the stored state's layout, independent of the crate version (which is not
/// bumped for layout changes): `migrate` runs the steps from the stored layout (absent = 1,
/// state written before the marker) to [`STATE_LAYOUT_CURRENT`]. Layout 2:
/// `MarketAggregates::{long_size_entry, long_size_funding}` are maintained.
pub use bulwark_types::migration::STATE_LAYOUT;
pub const STATE_LAYOUT_CURRENT: u16 = 2;
