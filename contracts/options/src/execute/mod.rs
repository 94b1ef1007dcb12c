//! Execute handlers, one file per group of actions.

pub mod admin;
pub mod force_reduce;
pub mod settle;
pub mod trade;
