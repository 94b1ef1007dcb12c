//! Bulwark options: European, cash-settled options on oracle assets with a Black-Scholes AMM
//! quoting from a vol surface, settled against the LP pool through the vault. See README.md.

pub mod contract;
pub mod core;
pub mod error;
pub mod execute;
pub mod params;
pub mod pricing;
pub mod query;
pub mod risk;
pub mod state;
pub mod surface;

pub use crate::error::ContractError;

/// Name recorded by cw2; `migrate` refuses state recorded under any other name.
pub const CONTRACT_NAME: &str = concat!("crates.io:", env!("CARGO_PKG_NAME"));
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");
