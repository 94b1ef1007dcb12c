//! Bulwark perpetual futures markets, priced by the oracle against the LP pool, settled
//! through the vault. See `README.md` for messages, units, formulas and invariants.

pub mod adl;
pub mod admin;
pub mod aggregates;
pub mod contract;
pub mod error;
pub mod force_reduce;
pub mod funding;
pub mod order;
pub mod position;
pub mod price;
pub mod pricing;
pub mod query;
pub mod risk;
pub mod state;
pub mod units;

pub use crate::error::ContractError;

/// Name recorded by cw2; `migrate` refuses state recorded under any other name.
pub const CONTRACT_NAME: &str = concat!("crates.io:", env!("CARGO_PKG_NAME"));
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");
