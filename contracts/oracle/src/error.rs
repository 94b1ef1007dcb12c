use bulwark_types::migration::MigrationError;
use bulwark_types::ownership::OwnershipError;
use cosmwasm_std::StdError;
use thiserror::Error;

#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    #[error("{0}")]
    Std(#[from] StdError),
    #[error("{0}")]
    Ownership(#[from] OwnershipError),
    #[error("{0}")]
    Migration(#[from] MigrationError),
}
