use bulwark_math::MathError;
use bulwark_types::migration::MigrationError;
use bulwark_types::ownership::OwnershipError;
use cosmwasm_std::{OverflowError, StdError};
use thiserror::Error;

#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    #[error("{0}")]
    Std(#[from] StdError),
    #[error("{0}")]
    Ownership(#[from] OwnershipError),
    #[error("{0}")]
    Migration(#[from] MigrationError),
    #[error("math: {0}")]
    Math(#[from] MathError),
    #[error("{0}")]
    Overflow(#[from] OverflowError),

    #[error("unauthorized: only the owner may do this")]
    NotOwner,
    #[error("unauthorized: only the owner or the vol feeder may set the surface")]
    NotVolSetter,
    #[error("unauthorized: only the vault may force-reduce")]
    NotVault,
    #[error("the contract is not configured: {missing} is not set")]
    NotConfigured { missing: String },
    #[error("invalid parameter {name}: {reason}")]
    InvalidParam { name: String, reason: String },
    #[error("unknown board {board_id}")]
    UnknownBoard { board_id: u64 },
    #[error("unknown series {series_id}")]
    UnknownSeries { series_id: u64 },
    #[error("unknown strike {strike_id} on board {board_id}")]
    UnknownStrike { board_id: u64, strike_id: u64 },
    #[error("amount must be positive")]
    ZeroAmount,
    #[error("board {board_id} is not open for trading")]
    BoardNotOpen { board_id: u64 },
    #[error("trading on board {board_id} closed at {closed_at} (now {now})")]
    TradingClosed {
        board_id: u64,
        closed_at: u64,
        now: u64,
    },
    #[error("board {board_id} expires at {expiry}; settlement only after expiry (now {now})")]
    NotExpired {
        board_id: u64,
        expiry: u64,
        now: u64,
    },
    #[error("premium limit breached: cost {cost} > max {max}")]
    MaxCostExceeded { cost: Uint128, max: Uint128 },
    #[error("premium limit breached: premium {premium} − fee {fee} < min {min}")]
    MinProceedsNotMet {
        premium: Uint128,
        fee: Uint128,
        min: Uint128,
    },
    #[error("price unusable for {asset_id}: {reason}")]
    PriceUnusable { asset_id: String, reason: String },
    #[error("settlement price unavailable for {asset_id}: {reason}")]
    SettlementPriceUnavailable { asset_id: String, reason: String },
    #[error("the circuit breaker blocks {action} on {market_id}")]
    BreakerBlocked { action: String, market_id: String },
    #[error("account {account_id} would hold more than {max} positions")]
    TooManyPositions { account_id: u64, max: u32 },
    #[error(
        "account {account_id}'s risk would need {evaluations} option evaluations (max {max}): \
         close a position first"
    )]
    TooManyRiskEvaluations {
        account_id: u64,
        evaluations: u32,
        max: u32,
    },
    #[error("more than {max} active boards")]
    TooManyBoards { max: u32 },
    #[error("more than {max} strikes on board {board_id}")]
    TooManyStrikes { board_id: u64, max: u32 },
    #[error("strike {strike} already listed on board {board_id}")]
    DuplicateStrike { board_id: u64, strike: Decimal256 },
    #[error("pool {greek} on board {board_id} would be {value}, cap {cap}")]
    PoolGreekCap {
        board_id: u64,
        greek: String,
        value: SignedDecimal256,
        cap: Decimal256,
    },
    #[error("the vault has no scenario grid for {asset_id}")]
    NoScenarioGrid { asset_id: String },
    #[error("scenario grid for {asset_id} has {len} scenarios (1..={max})")]
    BadScenarioGrid {
        asset_id: String,
        len: usize,
        max: usize,
    },
    #[error("account spans more than {max} underlyings")]
    TooManyUnderlyings { max: usize },
    #[error("fraction must be in (0, 1]")]
    InvalidFraction,
    #[error("position size exceeds the supported range")]
    PositionTooLarge,
}

use cosmwasm_std::{Decimal256, SignedDecimal256, Uint128};
