//! Messages of the vault contract.

use cosmwasm_schema::{cw_serde, QueryResponses};

use crate::market::Settlement;
use crate::ownership::{Ownership, OwnershipAction};

#[cw_serde]
pub struct InstantiateMsg {
    /// The owner, meant to be the DAO.
    pub owner: String,
}

#[cw_serde]
pub enum ExecuteMsg {
    UpdateOwnership(OwnershipAction),
    /// Registered markets only: apply a trade's cash flows and the market's fresh risk for
    /// the account, then check the account's health.
    Settle(Settlement),
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(Ownership)]
    Ownership {},
}

#[cw_serde]
pub struct MigrateMsg {}
