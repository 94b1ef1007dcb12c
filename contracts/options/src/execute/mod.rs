//! Execute handlers, one file per action or group of closely related actions.

pub mod board;
pub mod config;
pub mod force_reduce;
pub mod settle;
pub mod surface;
pub mod trade;

use cosmwasm_std::{Decimal256, DepsMut, MessageInfo};

use bulwark_types::ownership::assert_owner;

use crate::error::ContractError;

pub(crate) fn owner_only(deps: &DepsMut, info: &MessageInfo) -> Result<(), ContractError> {
    assert_owner(deps.storage, &info.sender).map_err(|_| ContractError::NotOwner)
}

pub(crate) fn check_iv(
    v: Decimal256,
    lo: Decimal256,
    hi: Decimal256,
    name: &str,
) -> Result<(), ContractError> {
    if v < lo || v > hi {
        return Err(ContractError::InvalidParam {
            name: name.to_string(),
            reason: format!("{v} outside [{lo}, {hi}]"),
        });
    }
    Ok(())
}
