use bulwark_math::MathError;
use bulwark_types::circuit_breaker::ActionClass;
use bulwark_types::migration::MigrationError;
use bulwark_types::oracle::{PriceError, PriceQueryError};
use bulwark_types::ownership::OwnershipError;
use cosmwasm_std::{
    CheckedFromRatioError, ConversionOverflowError, Int128, OverflowError, StdError, Uint128,
};
use thiserror::Error;

use crate::margin::MarginError;

#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    #[error("{0}")]
    Std(#[from] StdError),
    #[error("{0}")]
    Ownership(#[from] OwnershipError),
    #[error("{0}")]
    Migration(#[from] MigrationError),
    #[error("{0}")]
    Margin(#[from] MarginError),
    #[error("price of {asset_id}: {error}")]
    Price { asset_id: String, error: PriceError },

    #[error("arithmetic overflow")]
    Overflow,

    // --- configuration
    #[error("invalid parameter {name}: {reason}")]
    InvalidParam { name: String, reason: String },
    #[error("the oracle address is not configured")]
    OracleNotConfigured,
    #[error("the circuit breaker address is not configured")]
    BreakerNotConfigured,
    #[error("the circuit breaker blocks {action:?} on the vault")]
    ActionBlocked { action: ActionClass },
    #[error("too many {what}: at most {max}")]
    LimitReached { what: String, max: u32 },
    #[error("collateral {denom} cannot change kind or decimals; list a new one")]
    CollateralImmutable { denom: String },
    #[error("{denom} is the settlement denom; it is not a collateral type")]
    SettlementDenomNotCollateral { denom: String },
    #[error("invalid scenario grid: {reason}")]
    InvalidGrid { reason: String },
    #[error("market {market_addr} is already registered")]
    MarketAlreadyRegistered { market_addr: String },
    #[error("market {market_addr} is not registered")]
    UnregisteredMarket { market_addr: String },
    #[error("market {market_addr} still has exposure (pnl {unrealized_trader_pnl}, locked {locked_liquidity})")]
    MarketHasExposure {
        market_addr: String,
        unrealized_trader_pnl: Int128,
        locked_liquidity: Uint128,
    },

    // --- accounts and funds
    #[error("account {account_id} does not exist")]
    AccountNotFound { account_id: u64 },
    #[error("unauthorized: {sender} does not own account {account_id}")]
    NotAccountOwner { account_id: u64, sender: String },
    #[error(
        "a market-initiated settlement (no trader) of account {account_id} may only reduce risk"
    )]
    MarketInitiatedIncrease { account_id: u64 },
    #[error("an owner may hold at most {max} accounts")]
    TooManyAccounts { max: u32 },
    #[error("an account may hold at most {max} collateral denoms")]
    TooManyCollaterals { max: usize },
    #[error("an account may have exposure in at most {max} markets")]
    TooManyMarkets { max: usize },
    #[error("no funds sent")]
    NoFunds,
    #[error("send exactly one coin, got {count}")]
    MultipleCoins { count: usize },
    #[error("amount must be non-zero")]
    ZeroAmount,
    #[error("{denom} is not a listed collateral")]
    UnlistedDenom { denom: String },
    #[error("{denom}: expected the settlement denom {expected}")]
    WrongDenom { denom: String, expected: String },
    #[error("deposit of {amount} {denom} exceeds the cap ({total} held, cap {cap})")]
    DepositCapExceeded {
        denom: String,
        amount: Uint128,
        total: Uint128,
        cap: Uint128,
    },
    #[error("insufficient {denom}: balance {balance}, requested {amount}")]
    InsufficientBalance {
        denom: String,
        balance: Uint128,
        amount: Uint128,
    },
    #[error("settlement balance {balance} cannot cover a withdrawal of {amount}")]
    InsufficientSettlementBalance { balance: Int128, amount: Uint128 },
    #[error("settlement coins are short by {shortfall} (accounts' debt beyond pool, insurance and protocol fees {fees}): no settlement withdrawal until it is covered")]
    SettlementUnbacked { shortfall: Uint128, fees: Uint128 },
    #[error("withdrawal leaves equity {equity} below the initial requirement {required}")]
    WithdrawBelowInitial { equity: Int128, required: Uint128 },
    #[error("invalid cw20 hook message: {reason}")]
    InvalidHook { reason: String },

    // --- settlement
    #[error("trade leaves equity {equity} below the initial requirement {required}")]
    BelowInitialMargin { equity: Int128, required: Uint128 },
    #[error(
        "reducing trade leaves equity {equity} below maintenance {required} and lowers health"
    )]
    ReduceWorsensHealth { equity: Int128, required: Uint128 },
    #[error("the LP pool ({pool}) cannot pay {amount}")]
    PoolInsufficient { pool: Uint128, amount: Uint128 },

    // --- LP, insurance, fees
    #[error("the pool is insolvent: traders' unrealized PnL {unrealized_trader_pnl} ≥ pool assets {assets}")]
    PoolInsolvent {
        assets: Uint128,
        unrealized_trader_pnl: Int128,
    },
    #[error("the deposit buys zero shares")]
    ZeroShares,
    #[error("the redemption pays zero assets")]
    ZeroAssets,
    #[error("insufficient shares: {balance}, requested {shares}")]
    InsufficientShares { balance: Uint128, shares: Uint128 },
    #[error("a withdrawal request is already pending")]
    RequestPending,
    #[error("no withdrawal request is pending")]
    NoRequest,
    #[error("the withdrawal request is ready at {ready_at}, now {now}")]
    RequestNotReady { ready_at: u64, now: u64 },
    #[error("the withdrawal request expired at {expired_at}, now {now}")]
    RequestExpired { expired_at: u64, now: u64 },
    #[error("{got} is below the minimum {min}")]
    Slippage { got: Uint128, min: Uint128 },
    #[error("the price of {asset_id} is not settled for LP pricing")]
    LpPriceUnsettled { asset_id: String },
    #[error("the pool's free liquidity {free} cannot pay {amount} (locked {locked})")]
    InsufficientFreeLiquidity {
        free: Uint128,
        amount: Uint128,
        locked: Uint128,
    },
    #[error("{denom}: expected the LP share denom {expected}")]
    WrongShareDenom { denom: String, expected: String },
    #[error("sent {sent} share coins for a request of {shares} shares")]
    SharesMismatch { sent: Uint128, shares: Uint128 },
    #[error("{denom} is the LP share denom; it is not a collateral type")]
    ShareDenomNotCollateral { denom: String },
    #[error("insufficient {ledger}: {balance}, requested {amount}")]
    InsufficientLedger {
        ledger: String,
        balance: Uint128,
        amount: Uint128,
    },

    // --- liquidation
    #[error(
        "account {account_id} is not liquidatable (equity {equity}, maintenance {maintenance})"
    )]
    NotLiquidatable {
        account_id: u64,
        equity: Int128,
        maintenance: Uint128,
    },
    #[error("a liquidation is already in progress")]
    LiquidationInProgress,
    #[error("no liquidation is in progress")]
    NoLiquidationInProgress,
    #[error("unauthorized: only the vault itself may call this")]
    NotSelf,
    #[error("market reply for account {got}, expected {expected}")]
    ForceReduceWrongAccount { expected: u64, got: u64 },
    #[error("market reply has no ForceReduceResult data")]
    ForceReduceNoData,
    #[error("liquidation made account health worse")]
    LiquidationWorsenedHealth,

    // --- IBC collateral
    #[error("the vault has no IBC gateway")]
    GatewayNotConfigured,
    #[error("unauthorized: only the vault's IBC gateway may call this")]
    NotGateway,
    #[error("remote positions or releases are tied to the current gateway")]
    GatewayInUse,
    #[error("unknown release {release_id}")]
    UnknownRelease { release_id: u64 },
    #[error("unknown channel {channel_id}")]
    UnknownChannel { channel_id: String },
    #[error("channel {channel_id} is closed")]
    ChannelClosed { channel_id: String },
    #[error("channel {channel_id} is open")]
    ChannelOpen { channel_id: String },
    #[error("{denom} is not listed as remote collateral of {connection_id}")]
    UnlistedRemoteDenom {
        connection_id: String,
        denom: String,
    },
    #[error("remote deposit of {amount} {denom} exceeds the cap ({total} held, cap {cap})")]
    RemoteCapExceeded {
        denom: String,
        amount: Uint128,
        total: Uint128,
        cap: Uint128,
    },
    #[error("an account may hold at most {max} remote positions")]
    TooManyRemotePositions { max: usize },
    #[error("{depositor} is not the authorised remote owner of account {account_id}")]
    NotRemoteOwner { account_id: u64, depositor: String },
    #[error("invalid remote string {what}: {reason}")]
    InvalidRemoteString { what: String, reason: String },
    #[error("nothing to claim")]
    NothingToClaim,
    #[error("no remote insurance address is configured for this chain")]
    NoRemoteInsurance,
    #[error("account {account_id} is insolvent without exposure: its bad debt is resolved first")]
    Insolvent { account_id: u64 },
    #[error("account {account_id} is not insolvent without exposure")]
    NotInsolvent { account_id: u64 },
    #[error("payment {sent} is below the required {required}")]
    InsufficientPayment { required: Uint128, sent: Uint128 },
    #[error("{sender} is not the ibc-hooks intermediate sender of {channel_id}/{original_sender}")]
    NotHookSender {
        sender: String,
        channel_id: String,
        original_sender: String,
    },
    #[error("nothing to recover")]
    NoLock,
    #[error("account {account_id} holds remote collateral: seize it (SeizeRemote) before its debt is covered")]
    RemoteCollateralFirst { account_id: u64 },
}

impl From<PriceQueryError> for ContractError {
    fn from(e: PriceQueryError) -> Self {
        match e {
            PriceQueryError::Std(s) => ContractError::Std(s),
            PriceQueryError::Price(error) => ContractError::Price {
                asset_id: String::new(),
                error,
            },
        }
    }
}

impl From<OverflowError> for ContractError {
    fn from(_: OverflowError) -> Self {
        ContractError::Overflow
    }
}

impl From<ConversionOverflowError> for ContractError {
    fn from(_: ConversionOverflowError) -> Self {
        ContractError::Overflow
    }
}

impl From<CheckedFromRatioError> for ContractError {
    fn from(_: CheckedFromRatioError) -> Self {
        ContractError::Overflow
    }
}

impl From<MathError> for ContractError {
    fn from(_: MathError) -> Self {
        ContractError::Overflow
    }
}

impl From<crate::lp::LpMathError> for ContractError {
    fn from(_: crate::lp::LpMathError) -> Self {
        ContractError::Overflow
    }
}
