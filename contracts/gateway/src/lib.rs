//! Bulwark's IBC gateway (docs/ibc.md): the channel protocol between a hub and its
//! satellites, the satellite's custody of remote collateral, and ICS-20 deposit on arrival
//! through IBC callbacks. The hub's vault keeps the ledger of record.

pub mod callback;
pub mod contract;
pub mod error;
pub mod execute;
pub mod ibc;
pub mod query;
pub mod state;

pub use crate::error::ContractError;

/// Name recorded by cw2; `migrate` refuses state recorded under any other name.
pub const CONTRACT_NAME: &str = concat!("crates.io:", env!("CARGO_PKG_NAME"));
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");
