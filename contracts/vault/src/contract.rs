#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Response};

use bulwark_types::migration::{migration_response, prepare_migration};
use bulwark_types::ownership;
use bulwark_types::vault::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};

use crate::error::ContractError;
use crate::{CONTRACT_NAME, CONTRACT_VERSION};

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    _info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    let ownership = ownership::initialize_owner(deps.storage, deps.api, &msg.owner)?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("owner", ownership.owner_addr))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    match msg {
        ExecuteMsg::UpdateOwnership(action) => Ok(ownership::execute_update_ownership(
            deps, &env, &info, action,
        )?),
        // Temporary: the vault work replaces this arm.
        ExecuteMsg::Settle(_) => {
            Err(cosmwasm_std::StdError::generic_err("settle not built yet").into())
        }
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    Ok(match msg {
        QueryMsg::Ownership {} => to_json_binary(&ownership::get_ownership(deps.storage)?)?,
    })
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    let from_version = prepare_migration(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    // No state layout has changed yet; versioned state migrations go here as they appear.
    Ok(migration_response(&from_version, CONTRACT_VERSION))
}
