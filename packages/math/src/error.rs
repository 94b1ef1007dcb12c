use cosmwasm_std::{Decimal256, StdError};
use thiserror::Error;

/// Every fallible operation of this crate returns this error; nothing here panics.
#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum MathError {
    #[error("arithmetic overflow")]
    Overflow,

    #[error("division by zero")]
    DivideByZero,

    /// An argument is outside the documented domain of the function.
    #[error("argument out of domain: {0}")]
    OutOfDomain(&'static str),

    /// Implied volatility: the option price violates the no-arbitrage bounds.
    #[error("price {price} outside no-arbitrage bounds [{lower}, {upper}]")]
    PriceOutOfBounds {
        price: Decimal256,
        lower: Decimal256,
        upper: Decimal256,
    },

    /// Implied volatility: the price is consistent with a volatility outside the search bracket.
    #[error("implied volatility outside [{min}, {max}]")]
    ImpliedVolOutOfRange { min: Decimal256, max: Decimal256 },

    /// Implied volatility: iteration budget exhausted (not expected with the bisection fallback).
    #[error("implied volatility did not converge")]
    NoConvergence,
}

impl From<MathError> for StdError {
    fn from(e: MathError) -> Self {
        StdError::generic_err(e.to_string())
    }
}
