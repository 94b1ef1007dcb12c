//! Messages of the circuit-breaker contract.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::Addr;

use crate::ownership::{Ownership, OwnershipAction};

/// Where a mode applies. The effective mode for (contract, market) is the strictest of the
/// global, contract and market scopes.
#[cw_serde]
pub enum Scope {
    Global,
    Contract {
        contract_addr: Addr,
    },
    Market {
        contract_addr: Addr,
        market_id: String,
    },
}

/// Preset levels, from most to least permissive.
#[cw_serde]
#[derive(Copy, PartialOrd, Ord, Eq)]
pub enum Level {
    Normal,
    ReduceOnly,
    WithdrawalsPaused,
    Halted,
}

/// The action classes a consumer asks about.
#[cw_serde]
#[derive(Copy, Eq, PartialOrd, Ord)]
pub enum ActionClass {
    Open,
    Reduce,
    Liquidate,
    Deposit,
    Withdraw,
    LpDeposit,
    LpWithdraw,
    IbcOut,
}

#[cw_serde]
pub struct InstantiateMsg {
    /// The owner, meant to be the DAO.
    pub owner: String,
}

#[cw_serde]
pub enum ExecuteMsg {
    UpdateOwnership(OwnershipAction),
    /// Guardians and registered reporters (the oracle, the vault): tighten a scope to at
    /// least `level`. Never loosens.
    Trip {
        scope: Scope,
        level: Level,
        reason: String,
    },
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(Ownership)]
    Ownership {},
}

#[cw_serde]
pub struct MigrateMsg {}
