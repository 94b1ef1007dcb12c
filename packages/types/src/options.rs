//! Messages of the options contract: European, cash-settled options on oracle assets,
//! quoted by a Black-Scholes AMM with a vol surface (base IV per board × skew per strike).
//!
//! Units (see `contracts/options/README.md`):
//! * prices (`spot`, `strike`, unit premiums, `cap_price`) are whole quote units per whole unit
//!   of the underlying, as the oracle publishes them;
//! * `amount` counts contracts; one contract is worth `multiplier` settlement-denom base units
//!   per 1.0 of price (e.g. 1 ATOM per contract, USD prices, `uusdc` settlement → 1_000_000);
//! * every cash amount (`Uint128` / `Int128`) is in base units of the vault's settlement denom;
//! * vols are fractions per √year (0.6 = 60 %), skews multiply the base IV (1.0 = flat);
//! * times are unix seconds.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Decimal256, Int128, SignedDecimal256, Uint128};

use crate::ownership::OwnershipAction;

/// Most series (call or put of one strike) an account may hold at once.
pub const MAX_POSITIONS_PER_ACCOUNT: u32 = 32;
/// Most Black-Scholes evaluations one account's risk report may need, counted as
/// Σ over its unsettled positions of legs (2 for a capped call, 1 for a put) × (scenarios of
/// the underlying's grid + 1). A trade that opens a new series beyond it is refused, so the
/// risk report a trade sends to the vault stays within the trade gas budget (docs/gas.md:
/// about 210 SDK gas per evaluation). Reductions are never refused by it.
pub const MAX_RISK_EVALUATIONS_PER_ACCOUNT: u32 = 1024;
/// Most strikes on one board.
pub const MAX_STRIKES_PER_BOARD: u32 = 16;
/// Most boards that are listed and not yet fully settled.
pub const MAX_ACTIVE_BOARDS: u32 = 8;
/// Most accounts settled by one `Settle` message.
pub const MAX_SETTLE_LIMIT: u32 = 30;
pub const DEFAULT_SETTLE_LIMIT: u32 = 10;
pub const DEFAULT_PAGE_LIMIT: u32 = 10;
pub const MAX_PAGE_LIMIT: u32 = 50;

#[cw_serde]
#[derive(Copy, Eq)]
pub enum OptionType {
    Call,
    Put,
}

/// Parameters of the contract; every field is validated (see the README for bounds).
#[cw_serde]
pub struct ConfigParams {
    /// Annual risk-free rate used by the model (continuously compounded).
    pub rate: SignedDecimal256,
    /// Trading closes this many seconds before expiry (a trade at `expiry - cutoff` or later
    /// is refused).
    pub trading_cutoff_secs: u64,
    /// Settlement price = oracle TWAP over `[expiry - twap_window_secs, expiry]`.
    pub twap_window_secs: u64,
    /// Maximum age of the oracle price for trading and risk.
    pub max_price_age_secs: u64,
    /// Relative vol spread: asks are priced at vol × (1 + s), bids at vol × (1 − s); < 1.
    pub vol_spread: Decimal256,
    /// Minimum price spread per side as a fraction of spot (added to asks, taken from bids).
    pub spot_spread: Decimal256,
    /// Fee per contract as a fraction of spot × multiplier.
    pub spot_fee_rate: Decimal256,
    /// Fee as a fraction of the premium.
    pub premium_fee_rate: Decimal256,
    /// Share of every fee that goes to protocol fees (the rest to the LP pool); ≤ 1.
    pub protocol_fee_share: Decimal256,
    /// Base-IV move per vega-normalised contract traded (buys raise, sells lower).
    pub base_iv_impact: Decimal256,
    /// Skew move per vega-normalised contract traded.
    pub skew_impact: Decimal256,
    /// Bounds of the base IV of every board.
    pub min_base_iv: Decimal256,
    pub max_base_iv: Decimal256,
    /// Bounds of every strike's skew.
    pub min_skew: Decimal256,
    pub max_skew: Decimal256,
    /// Cap on |pool net delta| per board, in underlying units (contracts × delta).
    pub max_pool_delta: Decimal256,
    /// Cap on |pool net vega| per board, in quote units per 1.00 of vol (contracts × vega).
    pub max_pool_vega: Decimal256,
    /// Short-option add-ons reported to the vault, per short contract, as a fraction of
    /// spot × multiplier. Initial ≥ maintenance.
    pub maintenance_addon_rate: Decimal256,
    pub initial_addon_rate: Decimal256,
}

#[cw_serde]
pub struct InstantiateMsg {
    /// The owner, meant to be the DAO.
    pub owner: String,
    /// The vault settling trades. Trading is refused until vault, oracle and breaker are set.
    pub vault: Option<String>,
    pub oracle: Option<String>,
    pub circuit_breaker: Option<String>,
    /// May set the vol surface besides the owner.
    pub vol_feeder: Option<String>,
    /// `None`: the documented defaults ([`ConfigParams`] in the README).
    pub params: Option<ConfigParams>,
}

/// A strike to list: both the call and the put series are created.
#[cw_serde]
pub struct StrikeInput {
    pub strike: Decimal256,
    pub skew: Decimal256,
}

#[cw_serde]
pub enum ExecuteMsg {
    UpdateOwnership(OwnershipAction),
    /// Owner: set contract addresses (`None` keeps the current value) and parameters.
    UpdateConfig {
        vault: Option<String>,
        oracle: Option<String>,
        circuit_breaker: Option<String>,
        vol_feeder: Option<String>,
        /// Boxed only to keep the message enum small; serialises as the plain object.
        params: Option<Box<ConfigParams>>,
    },
    /// Owner: list a board (one expiry of one underlying) with its strikes.
    CreateBoard {
        asset_id: String,
        expiry: u64,
        base_iv: Decimal256,
        /// Settlement prices are capped here, so a call pays at most `cap_price − strike`
        /// per unit and the pool's maximum payoff is bounded. Every strike is below it.
        cap_price: Decimal256,
        /// Settlement-denom base units per contract per 1.0 of price.
        multiplier: Uint128,
        strikes: Vec<StrikeInput>,
    },
    /// Owner: add a strike (call and put series) to an open board.
    AddStrike {
        board_id: u64,
        strike: StrikeInput,
    },
    /// Owner or vol feeder: set a board's base IV and/or strikes' skews (within bounds).
    SetSurface {
        board_id: u64,
        base_iv: Option<Decimal256>,
        /// (strike id, skew)
        skews: Vec<(u64, Decimal256)>,
    },
    /// Buy `amount` contracts of `series_id` (opens/extends a long or closes a short), paying
    /// at most `max_cost` = premium + fees, in settlement base units.
    Buy {
        account_id: u64,
        series_id: u64,
        amount: Uint128,
        max_cost: Uint128,
    },
    /// Sell `amount` contracts (closes a long or opens/extends a short), receiving at least
    /// `min_proceeds` = premium − fees.
    Sell {
        account_id: u64,
        series_id: u64,
        amount: Uint128,
        min_proceeds: Uint128,
    },
    /// Anyone, after expiry: fix the board's settlement price (first call) and pay out up to
    /// `limit` accounts with positions on the board, in account order after `start_after`
    /// (so one account whose payout cannot be processed does not block the others).
    /// Idempotent.
    Settle {
        board_id: u64,
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    /// Anyone: recompute the cached greeks of every strike of a board at the current price.
    RefreshGreeks {
        board_id: u64,
    },
    /// Vault only (market interface): close `fraction` of every position of the account at
    /// model price, without fees. Response data: JSON of `market::ForceReduceResult`.
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
    #[returns(BoardResponse)]
    Board { board_id: u64 },
    #[returns(BoardsResponse)]
    Boards {
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    #[returns(SeriesResponse)]
    Series { series_id: u64 },
    /// Series of one board, paged by series id.
    #[returns(SeriesListResponse)]
    SeriesList {
        board_id: u64,
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    /// What a trade would cost or pay now (no state change).
    #[returns(QuoteResponse)]
    Quote {
        series_id: u64,
        amount: Uint128,
        is_buy: bool,
    },
    #[returns(PositionResponse)]
    Position { account_id: u64, series_id: u64 },
    #[returns(PositionsResponse)]
    Positions {
        account_id: u64,
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    #[returns(GreeksResponse)]
    AccountGreeks { account_id: u64 },
    /// The pool's cached greeks of a board (pool = counterparty of every trader).
    #[returns(GreeksResponse)]
    PoolGreeks { board_id: u64 },
    /// Market interface: the account's risk against the vault's grids.
    #[returns(crate::market::AccountRisk)]
    AccountRisk { account_id: u64 },
    /// Market interface: the pool's exposure.
    #[returns(crate::market::PoolExposure)]
    PoolExposure {},
}

#[cw_serde]
pub struct MigrateMsg {}

#[cw_serde]
pub struct ConfigResponse {
    pub vault_addr: Option<Addr>,
    pub oracle_addr: Option<Addr>,
    pub circuit_breaker_addr: Option<Addr>,
    pub vol_feeder_addr: Option<Addr>,
    pub params: ConfigParams,
}

#[cw_serde]
#[derive(Copy, Eq)]
pub enum BoardStatus {
    /// Listed; trading until `expiry - trading_cutoff_secs`.
    Open,
    /// The settlement price is fixed; accounts are being paid out.
    Settling,
    /// Every position is settled.
    Settled,
}

#[cw_serde]
pub struct StrikeInfo {
    pub strike_id: u64,
    pub strike: Decimal256,
    pub skew: Decimal256,
    pub call_series_id: u64,
    pub put_series_id: u64,
}

#[cw_serde]
pub struct BoardResponse {
    pub board_id: u64,
    pub asset_id: String,
    pub expiry: u64,
    pub base_iv: Decimal256,
    pub cap_price: Decimal256,
    pub multiplier: Uint128,
    pub status: BoardStatus,
    pub settlement_price: Option<Decimal256>,
    /// Breaker market id of the board.
    pub market_id: String,
    pub strikes: Vec<StrikeInfo>,
}

#[cw_serde]
pub struct BoardsResponse {
    pub boards: Vec<BoardResponse>,
}

#[cw_serde]
pub struct SeriesResponse {
    pub series_id: u64,
    pub board_id: u64,
    pub strike_id: u64,
    pub asset_id: String,
    pub strike: Decimal256,
    pub expiry: u64,
    pub option_type: OptionType,
    /// Open interest of traders, in contracts.
    pub long_open_interest: Uint128,
    pub short_open_interest: Uint128,
}

#[cw_serde]
pub struct SeriesListResponse {
    pub series: Vec<SeriesResponse>,
}

#[cw_serde]
pub struct Greeks {
    pub delta: SignedDecimal256,
    pub gamma: SignedDecimal256,
    pub vega: SignedDecimal256,
    pub theta: SignedDecimal256,
}

#[cw_serde]
pub struct QuoteResponse {
    pub series_id: u64,
    pub amount: Uint128,
    pub is_buy: bool,
    pub spot: Decimal256,
    /// Surface vol before the trade, and the vol the trade is priced at (after its impact,
    /// with the spread applied).
    pub vol: Decimal256,
    pub trade_vol: Decimal256,
    /// Per unit of underlying, in quote units.
    pub unit_price: Decimal256,
    /// Premium of the whole trade in settlement base units (rounded against the trader).
    pub premium: Uint128,
    pub fee: Uint128,
    /// Buy: premium + fee paid; sell: premium − fee received (0 if fees exceed it).
    pub total: Uint128,
    /// Greeks per contract at the pre-trade surface (per unit of underlying).
    pub greeks: Greeks,
}

#[cw_serde]
pub struct PositionResponse {
    pub account_id: u64,
    pub series_id: u64,
    /// Contracts: positive long, negative short.
    pub amount: Int128,
}

#[cw_serde]
pub struct PositionsResponse {
    pub positions: Vec<PositionResponse>,
}

#[cw_serde]
pub struct GreeksResponse {
    /// Σ amount × greek per unit (underlying units; vega per 1.00 vol; theta per year).
    pub greeks: Greeks,
}
