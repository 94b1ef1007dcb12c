//! Shared types of the Bulwark contracts: every message and response, and the storage
//! layouts that other contracts read by raw query.

pub mod circuit_breaker;
pub mod gateway;
pub mod ibc;
pub mod json;
pub mod market;
pub mod migration;
pub mod options;
pub mod oracle;
pub mod ownership;
pub mod perps;
pub mod querier;
pub mod vault;
mod vault_decode;
