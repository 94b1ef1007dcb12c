pub mod contract;
pub mod error;
pub mod execute;
pub mod health;
pub mod hooks;
pub mod liquidate;
pub mod lp;
pub mod margin;
pub mod query;
pub mod remote;
pub mod settle;
pub mod shares;
pub mod state;

pub use crate::error::ContractError;

/// Name recorded by cw2; `migrate` refuses state recorded under any other name.
pub const CONTRACT_NAME: &str = concat!("crates.io:", env!("CARGO_PKG_NAME"));
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");
