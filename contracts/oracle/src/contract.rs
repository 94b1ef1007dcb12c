#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Reply, Response};

use bulwark_types::migration::{migration_response, prepare_migration};
use bulwark_types::oracle::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg, MAX_GUARDIANS};
use bulwark_types::ownership;

use crate::error::ContractError;
use crate::state::{Config, CONFIG};
use crate::{execute as exec, query as q};
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
    if msg.guardians.len() > MAX_GUARDIANS {
        return Err(ContractError::TooManyGuardians { max: MAX_GUARDIANS });
    }
    let mut guardians = Vec::with_capacity(msg.guardians.len());
    for g in &msg.guardians {
        let addr = deps.api.addr_validate(g)?;
        if guardians.contains(&addr) {
            return Err(ContractError::AlreadyListed { addr: g.clone() });
        }
        guardians.push(addr);
    }
    let config = Config {
        circuit_breaker_addr: msg
            .circuit_breaker
            .map(|a| deps.api.addr_validate(&a))
            .transpose()?,
        guardians,
        max_future_skew_secs: exec::validate_skew(msg.max_future_skew_secs)?,
        feeder_count: 0,
    };
    CONFIG.save(deps.storage, &config)?;
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
        ExecuteMsg::SetCircuitBreaker { circuit_breaker } => {
            exec::set_circuit_breaker(deps, info, circuit_breaker)
        }
        ExecuteMsg::UpdateGuardians { add, remove } => {
            exec::update_guardians(deps, info, add, remove)
        }
        ExecuteMsg::SetMaxFutureSkew {
            max_future_skew_secs,
        } => exec::set_max_future_skew(deps, info, max_future_skew_secs),
        ExecuteMsg::UpdateFeeders { add, remove } => exec::update_feeders(deps, info, add, remove),
        ExecuteMsg::SetAsset { asset } => exec::set_asset(deps, info, asset),
        ExecuteMsg::RemoveAsset { asset_id } => exec::remove_asset(deps, info, asset_id),
        ExecuteMsg::PauseAsset { asset_id } => exec::pause_asset(deps, info, asset_id),
        ExecuteMsg::UnpauseAsset { asset_id } => exec::unpause_asset(deps, info, asset_id),
        ExecuteMsg::ResetMoveReference { asset_id } => {
            exec::reset_move_reference(deps, info, asset_id)
        }
        ExecuteMsg::Feed { prices } => exec::feed(deps, env, info, prices),
        ExecuteMsg::Refresh { assets } => exec::refresh(deps, env, assets),
        ExecuteMsg::SetAssetDelay { asset_id, delay } => {
            exec::set_asset_delay(deps, env, info, asset_id, delay)
        }
        ExecuteMsg::Poke { asset_ids } => exec::poke(deps, env, asset_ids),
        ExecuteMsg::VoidNext { asset_id } => exec::void_next(deps, info, asset_id),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn reply(deps: DepsMut, _env: Env, msg: Reply) -> Result<Response, ContractError> {
    exec::reply(deps, msg)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    let bin = match msg {
        QueryMsg::Ownership {} => to_json_binary(&ownership::get_ownership(deps.storage)?),
        QueryMsg::Config {} => to_json_binary(&q::config(deps)?),
        QueryMsg::Price { asset_id } => to_json_binary(&q::price(deps, asset_id)?),
        QueryMsg::Prices { start_after, limit } => {
            to_json_binary(&q::prices(deps, start_after, limit)?)
        }
        QueryMsg::PriceDetail { asset_id } => {
            to_json_binary(&q::price_detail(deps, env, asset_id)?)
        }
        QueryMsg::Twap {
            asset_id,
            window_secs,
            end_time,
        } => to_json_binary(&q::twap(deps, env, asset_id, window_secs, end_time)?),
        QueryMsg::Asset { asset_id } => to_json_binary(&q::asset(deps, asset_id)?),
        QueryMsg::Assets { start_after, limit } => {
            to_json_binary(&q::assets(deps, start_after, limit)?)
        }
        QueryMsg::Feeders { start_after, limit } => {
            to_json_binary(&q::feeders(deps, start_after, limit)?)
        }
    };
    Ok(bin?)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    let from_version = prepare_migration(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    // Layout changes so far load without a step: new AssetState and PriceRecord fields default
    // (anchor falls back to the last accepted price), TWAP checkpoints use a new namespace and
    // start at the first price change after the upgrade. OSM delay queues live in a new map
    // (`"osm_delay"`): no asset has a delay until the owner sets one. Versioned steps go here as needed.
    Ok(migration_response(&from_version, CONTRACT_VERSION))
}
