//! Messages of the perps contract.
//!
//! # Units
//! * **Sizes** (`size`, `size_delta`, open interest, caps) are signed/unsigned decimals in
//!   **whole units of the base asset** (e.g. `1.5` = 1.5 ATOM), positive = long.
//! * **Prices** are decimals in **whole quote units per whole base unit**, the oracle's
//!   convention (see [`crate::oracle`]).
//! * **Amounts** (cash flows, fees, PnL, notional in responses) are integers in **base units
//!   of the vault's settlement denom**: `amount = value_in_whole_quote × 10^settlement_decimals`.
//!   The quote of every market's oracle asset must be the settlement asset (e.g. USD ≈ USDC).
//! * **Rates**: funding rates are per day (`0.01` = 1 % of notional per day), funding velocity
//!   is per day per day; fee rates and factors are fractions of notional.
//!
//! The contract also answers the vault⇄market interface ([`crate::market`]): `ExecuteMsg`
//! and `QueryMsg` contain variants with the exact JSON shape of
//! [`crate::market::MarketExecuteMsg`] and [`crate::market::MarketQueryMsg`].

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Decimal256, Int128, SignedDecimal256, Uint128};

use crate::ownership::OwnershipAction;

/// Longest market id.
pub const MAX_MARKET_ID_LEN: usize = 64;
/// Most open positions one account may hold in this contract (one per market). The fresh
/// risk of an account, sent with every settlement, has one entry per position, and the
/// vault accepts at most [`crate::market::MAX_UNDERLYINGS_PER_REPORT`] underlyings.
pub const MAX_POSITIONS_PER_ACCOUNT: u32 = crate::market::MAX_UNDERLYINGS_PER_REPORT as u32;
/// Largest settlement decimals accepted.
pub const MAX_SETTLEMENT_DECIMALS: u8 = 18;
/// Page size of paged queries when none is given, and the largest accepted.
pub const DEFAULT_PAGE_LIMIT: u32 = 10;
pub const MAX_PAGE_LIMIT: u32 = 30;

#[cw_serde]
pub struct InstantiateMsg {
    /// The owner, meant to be the DAO.
    pub owner: String,
    /// The vault that settles trades and may force-reduce.
    pub vault: String,
    /// The oracle medianizer.
    pub oracle: String,
    /// The circuit breaker.
    pub circuit_breaker: String,
    /// Decimals of the vault's settlement denom (6 for uusdc), at most 18.
    pub settlement_decimals: u8,
    /// Oldest oracle price accepted, in seconds (> 0).
    pub oracle_max_age_secs: u64,
}

/// Parameters of a market, set by the owner.
#[cw_serde]
pub struct MarketParams {
    /// Trading is refused when false (reductions and force-reductions stay possible).
    pub enabled: bool,
    /// ≥ 1. Enforced through the initial add-on: `initial_addon ≥ notional / max_leverage`,
    /// which the vault checks against the account's equity on every `Increase`.
    pub max_leverage: Decimal256,
    /// Initial add-on per notional: `initial_addon = notional × max(initial_addon_factor,
    /// 1 / max_leverage)`. ≥ `maintenance_addon_factor`, ≤ 1.
    pub initial_addon_factor: Decimal256,
    /// Maintenance add-on per notional (small, so hedged accounts keep their portfolio benefit).
    pub maintenance_addon_factor: Decimal256,
    /// Trading fee per notional at the fill price, < 1 (e.g. 0.0005 = 5 bps).
    pub trading_fee_rate: Decimal256,
    /// Share of the trading fee credited to protocol fees; the rest goes to the LP pool. ≤ 1.
    pub protocol_fee_share: Decimal256,
    /// Skew (base units) at which the premium/discount is 100 %; > 0.
    pub skew_scale: Decimal256,
    /// Funding rate change per day at a proportional skew of ±1 (per day per day).
    pub max_funding_velocity: Decimal256,
    /// Bound on |funding rate| (per day).
    pub max_funding_rate: Decimal256,
    /// Cap on Σ long sizes (base units).
    pub max_oi_long: Decimal256,
    /// Cap on Σ |short sizes| (base units).
    pub max_oi_short: Decimal256,
    /// Cap on one account's |size| in this market (base units).
    pub max_position_size: Decimal256,
    /// Smallest non-zero |size| a position may have after a trade (base units).
    pub min_position_size: Decimal256,
    /// Auto-deleveraging threshold: when the traders' Σ unrealized PnL in this market (the
    /// LP pool's liability, settlement units) exceeds it, anyone may `Deleverage` profitable
    /// positions. `None` (the default, also when absent from the JSON) disables ADL; > 0.
    #[serde(default)]
    pub max_pool_exposure: Option<Uint128>,
}

#[cw_serde]
pub enum ExecuteMsg {
    UpdateOwnership(OwnershipAction),
    /// Owner: change the oracle, breaker or max age; the vault only while no position is open.
    UpdateConfig {
        vault: Option<String>,
        oracle: Option<String>,
        circuit_breaker: Option<String>,
        oracle_max_age_secs: Option<u64>,
    },
    /// Owner: create a market on an oracle asset (one market per asset).
    CreateMarket {
        market_id: String,
        asset_id: String,
        params: MarketParams,
    },
    /// Owner: replace a market's parameters (funding is accrued first with the old ones).
    UpdateMarket {
        market_id: String,
        params: MarketParams,
    },
    /// A market order on behalf of `account_id` (the vault refuses unless the sender owns it).
    /// `size_delta` > 0 buys, < 0 sells. Refused when the fill price is worse than
    /// `acceptable_price` (above it for a buy, below it for a sell). `reduce_only` orders may
    /// only shrink the position towards zero (never increase or flip it).
    SubmitOrder {
        account_id: u64,
        market_id: String,
        size_delta: SignedDecimal256,
        acceptable_price: Decimal256,
        reduce_only: bool,
    },
    /// Closes the whole position (a reduce-only order of `-size`).
    ClosePosition {
        account_id: u64,
        market_id: String,
        acceptable_price: Decimal256,
    },
    /// Permissionless (keepers), auto-deleveraging: while the market's Σ unrealized trader
    /// PnL exceeds `max_pool_exposure`, closes up to `size` (base units, > 0) of the
    /// account's position, which must be in profit, at the oracle price without fee, and
    /// settles it with the vault as market-initiated (`trader_addr: None`, `Reduce`). Never
    /// closes more than brings the exposure back to the limit (up to rounding and the
    /// minimum position size). Targets should be picked by `AdlRanking`.
    Deleverage {
        market_id: String,
        account_id: u64,
        size: Decimal256,
    },
    /// Vault only (`MarketExecuteMsg::ForceReduce`): reduce every position of the account in
    /// this contract by `fraction` ∈ (0, 1] at the oracle price, without trading fee.
    ForceReduce {
        account_id: u64,
        fraction: Decimal256,
    },
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(crate::ownership::Ownership)]
    Ownership {},
    #[returns(ConfigResponse)]
    Config {},
    #[returns(MarketResponse)]
    Market { market_id: String },
    #[returns(MarketsResponse)]
    Markets {
        start_after: Option<String>,
        limit: Option<u32>,
    },
    #[returns(PositionResponse)]
    Position { account_id: u64, market_id: String },
    #[returns(PositionsResponse)]
    PositionsByAccount {
        account_id: u64,
        start_after: Option<String>,
        limit: Option<u32>,
    },
    #[returns(MarketAggregates)]
    MarketAggregates { market_id: String },
    /// The funding rate and index as they would be accrued now at the current oracle price.
    #[returns(FundingRateResponse)]
    FundingRate { market_id: String },
    /// Simulates a market order at the current block (no price-age purpose check beyond max age).
    #[returns(QuoteResponse)]
    Quote {
        account_id: u64,
        market_id: String,
        size_delta: SignedDecimal256,
    },
    /// `MarketQueryMsg::AccountRisk`: the account's risk against the vault's current grids.
    #[returns(crate::market::AccountRisk)]
    AccountRisk { account_id: u64 },
    /// `MarketQueryMsg::PoolExposure`: Σ traders' unrealized PnL over all markets, O(markets).
    #[returns(crate::market::PoolExposure)]
    PoolExposure {},
    /// The market's ADL state and one page of its positions (by account id after
    /// `start_after`), ranked within the page by `adl_score`, best ADL target first. Advisory:
    /// keepers merge pages off chain; the contract only enforces "market over its limit" and
    /// "target in profit" on `Deleverage`.
    #[returns(AdlRankingResponse)]
    AdlRanking {
        market_id: String,
        start_after: Option<u64>,
        limit: Option<u32>,
    },
}

/// One position of an `AdlRanking` page.
#[cw_serde]
pub struct AdlCandidate {
    pub account_id: u64,
    pub size: SignedDecimal256,
    pub entry_price: Decimal256,
    /// Unrealized PnL net of funding owed at the current price, settlement units.
    pub unrealized_pnl: Int128,
    /// |size| × price, settlement units.
    pub notional: Uint128,
    /// `(pnl / entry_notional) × (notional / entry_notional)`: profit ratio times a leverage
    /// proxy computable from the position alone (see the perps README); negative for losers,
    /// which `Deleverage` refuses.
    pub adl_score: SignedDecimal256,
}

#[cw_serde]
pub struct AdlRankingResponse {
    pub market_id: String,
    pub price: Decimal256,
    /// The market's Σ unrealized trader PnL (rounded up), settlement units.
    pub exposure: Int128,
    pub max_pool_exposure: Option<Uint128>,
    /// `exposure > max_pool_exposure`: `Deleverage` is accepted.
    pub over_limit: bool,
    /// This page's positions, highest `adl_score` first.
    pub candidates: Vec<AdlCandidate>,
    /// The last account id of the page (pass as `start_after`); `None` when the page is the last.
    pub next_start_after: Option<u64>,
}

#[cw_serde]
pub struct ConfigResponse {
    pub vault_addr: Addr,
    pub oracle_addr: Addr,
    pub circuit_breaker_addr: Addr,
    pub settlement_decimals: u8,
    pub oracle_max_age_secs: u64,
    /// Open positions over all markets and accounts.
    pub open_positions: u64,
}

/// Funding state of a market at its last touch.
#[cw_serde]
#[derive(Default)]
pub struct FundingState {
    /// Funding rate per day at `last_update_secs` (+: longs pay shorts).
    pub rate: SignedDecimal256,
    /// Cumulative funding owed per unit of long size, in whole quote units.
    pub index: SignedDecimal256,
    pub last_update_secs: u64,
}

/// The open-interest aggregates of a market, from which Σ unrealized trader PnL follows in O(1):
/// `Σ pnl = skew × price − Σ size×entry − (skew × index − Σ size×snapshot)`.
#[cw_serde]
#[derive(Default)]
pub struct MarketAggregates {
    /// Σ long sizes.
    pub oi_long: Decimal256,
    /// Σ |short sizes|.
    pub oi_short: Decimal256,
    /// Σ size × entry_price (signed size).
    pub sum_size_entry: SignedDecimal256,
    /// Σ size × funding_snapshot (signed size).
    pub sum_size_funding: SignedDecimal256,
    pub positions: u64,
    /// Σ size × entry_price over long positions only; the short side's is
    /// `sum_size_entry − long_size_entry`. Kept so each side's PnL is known in O(1) (the
    /// pool owes a winning side in full, whatever the other side loses). Absent from state
    /// written before the perps state layout 2; the perps `migrate` recomputes both.
    #[serde(default)]
    pub long_size_entry: SignedDecimal256,
    /// Σ size × funding_snapshot over long positions only (short side: total − long).
    #[serde(default)]
    pub long_size_funding: SignedDecimal256,
}

#[cw_serde]
pub struct MarketResponse {
    pub market_id: String,
    pub asset_id: String,
    pub params: MarketParams,
    pub funding: FundingState,
    pub aggregates: MarketAggregates,
}

#[cw_serde]
pub struct MarketsResponse {
    pub markets: Vec<MarketResponse>,
}

#[cw_serde]
pub struct Position {
    pub account_id: u64,
    pub market_id: String,
    /// Base units, + long / − short; never zero (a closed position is deleted).
    pub size: SignedDecimal256,
    /// Average entry (fill) price.
    pub entry_price: Decimal256,
    /// The market's funding index when funding was last settled for this position.
    pub funding_snapshot: SignedDecimal256,
    pub opened_at_secs: u64,
    pub updated_at_secs: u64,
}

#[cw_serde]
pub struct PositionResponse {
    pub position: Option<Position>,
    /// Oracle price used for the valuation below, if one is usable now.
    pub price: Option<Decimal256>,
    /// size × (price − entry), settlement units, rounded down.
    pub mark_pnl: Option<Int128>,
    /// Funding owed by the position since its snapshot (+ owed), settlement units, rounded up.
    pub accrued_funding: Option<Int128>,
    /// |size| × price, settlement units.
    pub notional: Option<Uint128>,
}

#[cw_serde]
pub struct PositionsResponse {
    pub positions: Vec<Position>,
}

#[cw_serde]
pub struct FundingRateResponse {
    pub market_id: String,
    /// Current rate per day (+: longs pay shorts).
    pub rate: SignedDecimal256,
    /// Current velocity per day per day.
    pub velocity: SignedDecimal256,
    /// Current cumulative index (whole quote units per unit of long size).
    pub index: SignedDecimal256,
    pub price: Decimal256,
    pub skew: SignedDecimal256,
}

#[cw_serde]
pub struct QuoteResponse {
    pub oracle_price: Decimal256,
    pub fill_price: Decimal256,
    /// Trading fee, settlement units (fee_to_pool + fee_to_protocol).
    pub fee: Uint128,
    /// Realized PnL of the closed part at the fill price, settlement units.
    pub realized_pnl: Int128,
    /// Funding settled with the trade (+ owed by the account), settlement units.
    pub funding_owed: Int128,
    pub resulting_size: SignedDecimal256,
    pub resulting_entry_price: Option<Decimal256>,
    /// Whether the order adds exposure (an increase or a flip): gated as `Open`.
    pub increases_risk: bool,
}

#[cw_serde]
pub struct MigrateMsg {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::{MarketExecuteMsg, MarketQueryMsg};
    use cosmwasm_std::{from_json, to_json_vec};

    #[test]
    fn market_messages_parse_as_perps_messages() {
        let exec = MarketExecuteMsg::ForceReduce {
            account_id: 7,
            fraction: Decimal256::percent(25),
        };
        let parsed: ExecuteMsg = from_json(to_json_vec(&exec).unwrap()).unwrap();
        assert_eq!(
            parsed,
            ExecuteMsg::ForceReduce {
                account_id: 7,
                fraction: Decimal256::percent(25)
            }
        );
        let q: QueryMsg =
            from_json(to_json_vec(&MarketQueryMsg::AccountRisk { account_id: 3 }).unwrap())
                .unwrap();
        assert_eq!(q, QueryMsg::AccountRisk { account_id: 3 });
        let q: QueryMsg =
            from_json(to_json_vec(&MarketQueryMsg::PoolExposure {}).unwrap()).unwrap();
        assert_eq!(q, QueryMsg::PoolExposure {});
    }
}
