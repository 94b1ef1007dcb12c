//! Drives the Bulwark contracts on a real chain: a signing RPC client, the deployment
//! (artifacts stored, instantiated, wired and handed to a cw3 multisig) and the scenarios
//! that the localnet tests, the demo and the gas benchmark run.

pub mod bed;
pub mod bench;
pub mod client;
pub mod deploy;
pub mod ibc_bed;
pub mod lifecycle;
pub mod relayer;
pub mod wallet;

pub use client::{ChainConfig, Client, Event, Gas, TxResult};
pub use wallet::{Keyring, Wallet};
