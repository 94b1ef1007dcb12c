//! Builders shared by every Bulwark test: one place that knows how to deploy each contract.

pub mod circuit_breaker;
pub mod mock_market;
pub mod mock_vault;
pub mod options;
pub mod oracle;
pub mod perps;
pub mod suite;
pub mod vault;

pub use suite::{Deployed, Suite};
