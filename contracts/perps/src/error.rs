use bulwark_math::error::MathError;
use bulwark_types::migration::MigrationError;
use bulwark_types::oracle::PriceQueryError;
use bulwark_types::ownership::OwnershipError;
use cosmwasm_std::{Decimal256, SignedDecimal256, StdError};
use thiserror::Error;

#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    #[error("{0}")]
    Std(#[from] StdError),
    #[error("{0}")]
    Ownership(#[from] OwnershipError),
    #[error("{0}")]
    Migration(#[from] MigrationError),
    #[error("{0}")]
    Math(#[from] MathError),

    #[error("arithmetic overflow")]
    Overflow,
    #[error("unauthorized: only the vault may do this")]
    NotVault,
    #[error("invalid configuration: {reason}")]
    InvalidConfig { reason: String },
    #[error("the vault cannot change while {open_positions} positions are open")]
    PositionsOpen { open_positions: u64 },
    #[error("invalid market id: {reason}")]
    InvalidMarketId { reason: String },
    #[error("invalid market parameters: {reason}")]
    InvalidParams { reason: String },
    #[error("unknown market {market_id}")]
    UnknownMarket { market_id: String },
    #[error("market {market_id} already exists")]
    MarketExists { market_id: String },
    #[error("asset {asset_id} already has market {market_id}")]
    AssetHasMarket { asset_id: String, market_id: String },
    #[error("market {market_id} is disabled: only reductions are accepted")]
    MarketDisabled { market_id: String },
    #[error("the order size must not be zero")]
    ZeroSize,
    #[error("account {account_id} has no position in market {market_id}")]
    NoPosition { account_id: u64, market_id: String },
    #[error("a reduce-only order may not increase or flip the position")]
    ReduceOnlyWouldIncrease,
    #[error("fill price {fill_price} is worse than the acceptable price {acceptable_price}")]
    Slippage {
        fill_price: Decimal256,
        acceptable_price: Decimal256,
    },
    #[error("the price impact of this order would make the fill price non-positive")]
    PriceImpactTooLarge,
    #[error("open interest cap exceeded on the {side} side: {oi} > {cap}")]
    OiCapExceeded {
        side: String,
        oi: Decimal256,
        cap: Decimal256,
    },
    #[error("position size {size} exceeds the maximum {max}")]
    PositionTooLarge { size: Decimal256, max: Decimal256 },
    #[error("position size {size} is below the minimum {min}")]
    PositionTooSmall {
        size: SignedDecimal256,
        min: Decimal256,
    },
    #[error("an account may hold at most {max} positions")]
    TooManyPositions { max: u32 },
    #[error("the circuit breaker blocks {action} on market {market_id}")]
    BreakerBlocked { action: String, market_id: String },
    #[error("price of {asset_id}: {error}")]
    Price {
        asset_id: String,
        error: PriceQueryError,
    },
    #[error("price of {asset_id} was stored in this block (height {block_height}); trade in a later block")]
    SameBlockPrice { asset_id: String, block_height: u64 },
    #[error("the vault has no scenario grid for {asset_id}")]
    NoScenarioGrid { asset_id: String },
    #[error("the vault's grid for {asset_id} has {len} scenarios, more than {max}")]
    GridTooLarge {
        asset_id: String,
        len: usize,
        max: usize,
    },
    #[error("market {market_id} has no pool exposure limit: ADL is disabled")]
    AdlDisabled { market_id: String },
    #[error("market {market_id} exposure {exposure} is within its limit {limit}: no ADL")]
    ExposureWithinLimit {
        market_id: String,
        exposure: cosmwasm_std::Int128,
        limit: cosmwasm_std::Uint128,
    },
    #[error("position of account {account_id} in {market_id} is not in profit ({pnl}): no ADL")]
    NotInProfit {
        account_id: u64,
        market_id: String,
        pnl: SignedDecimal256,
    },
    #[error("fraction {fraction} must be in (0, 1]")]
    InvalidFraction { fraction: Decimal256 },
}

/// Maps any arithmetic error into [`ContractError::Overflow`].
pub trait OrOverflow<T> {
    fn or_overflow(self) -> Result<T, ContractError>;
}

impl<T, E> OrOverflow<T> for Result<T, E> {
    fn or_overflow(self) -> Result<T, ContractError> {
        self.map_err(|_| ContractError::Overflow)
    }
}
