//! Messages of the vault contract.

use cosmwasm_schema::{cw_serde, QueryResponses};

use crate::ownership::{Ownership, OwnershipAction};

#[cw_serde]
pub struct InstantiateMsg {
    /// The owner, meant to be the DAO.
    pub owner: String,
}

#[cw_serde]
pub enum ExecuteMsg {
    UpdateOwnership(OwnershipAction),
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(Ownership)]
    Ownership {},
}

#[cw_serde]
pub struct MigrateMsg {}
