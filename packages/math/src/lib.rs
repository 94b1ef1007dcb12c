//! Deterministic fixed-point math for Bulwark (no floating point outside tests).
//!
//! * [`rounding`]: protocol-favouring floor/ceil arithmetic on `Uint128`/`Uint256`/`Decimal256`.
//! * [`exp`], [`ln`], [`sqrt`], [`norm_pdf`], [`norm_cdf`]: elementary functions on 18-decimal
//!   types, computed internally in Q47.80 fixed point (~24 significant decimals).
//! * [`black_scholes`]: generalized Black-Scholes-Merton and Black-76 prices and greeks.
//! * [`implied_vol`]: implied-volatility solver.
//!
//! See `README.md` for domains, saturation rules and measured accuracy.

pub mod black_scholes;
pub mod error;
mod fixed;
mod func;
pub mod implied_vol;
mod normal;
pub mod rounding;

pub use black_scholes::{
    black76_price, black76_price_greeks, bsm_price, bsm_price_greeks, years_from_seconds,
    Black76Input, BsmInput, BsmScenarioPricer, OptionKind, PriceGreeks, SpotShock, VolPoint,
};
pub use error::MathError;
pub use func::{exp, ln, sqrt};
pub use implied_vol::{black76_implied_vol, bsm_implied_vol, IV_MAX, IV_MIN};
pub use normal::{norm_cdf, norm_pdf};
