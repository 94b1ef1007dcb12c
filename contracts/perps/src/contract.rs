#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Response};

use bulwark_types::migration::{migration_response, prepare_migration};
use bulwark_types::ownership;
use bulwark_types::perps::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};

use crate::error::ContractError;
use crate::state::{CONFIG, OPEN_POSITIONS};
use crate::{adl, admin, force_reduce, order, query as q, risk};
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
    let cfg = admin::config_from_instantiate(&deps, &msg)?;
    CONFIG.save(deps.storage, &cfg)?;
    OPEN_POSITIONS.save(deps.storage, &0)?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("owner", ownership.owner_addr)
        .add_attribute("vault", cfg.vault_addr)
        .add_attribute("oracle", cfg.oracle_addr)
        .add_attribute("circuit_breaker", cfg.circuit_breaker_addr))
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
        ExecuteMsg::UpdateConfig {
            vault,
            oracle,
            circuit_breaker,
            oracle_max_age_secs,
        } => admin::update_config(
            deps,
            info,
            vault,
            oracle,
            circuit_breaker,
            oracle_max_age_secs,
        ),
        ExecuteMsg::CreateMarket {
            market_id,
            asset_id,
            params,
        } => admin::create_market(deps, env, info, market_id, asset_id, params),
        ExecuteMsg::UpdateMarket { market_id, params } => {
            admin::update_market(deps, env, info, market_id, params)
        }
        ExecuteMsg::SubmitOrder {
            account_id,
            market_id,
            size_delta,
            acceptable_price,
            reduce_only,
        } => order::submit_order(
            deps,
            env,
            info,
            order::OrderRequest {
                account_id,
                market_id,
                size_delta,
                acceptable_price,
                reduce_only,
            },
        ),
        ExecuteMsg::ClosePosition {
            account_id,
            market_id,
            acceptable_price,
        } => order::close_position(deps, env, info, account_id, market_id, acceptable_price),
        ExecuteMsg::Deleverage {
            market_id,
            account_id,
            size,
        } => adl::deleverage(deps, env, info, market_id, account_id, size),
        ExecuteMsg::ForceReduce {
            account_id,
            fraction,
        } => force_reduce::force_reduce(deps, env, info, account_id, fraction),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    let bin = match msg {
        QueryMsg::Ownership {} => to_json_binary(&ownership::get_ownership(deps.storage)?),
        QueryMsg::Config {} => to_json_binary(&q::config(deps)?),
        QueryMsg::Market { market_id } => to_json_binary(&q::market(deps, market_id)?),
        QueryMsg::Markets { start_after, limit } => {
            to_json_binary(&q::markets(deps, start_after, limit)?)
        }
        QueryMsg::Position {
            account_id,
            market_id,
        } => to_json_binary(&q::position(deps, env, account_id, market_id)?),
        QueryMsg::PositionsByAccount {
            account_id,
            start_after,
            limit,
        } => to_json_binary(&q::positions_by_account(
            deps,
            account_id,
            start_after,
            limit,
        )?),
        QueryMsg::MarketAggregates { market_id } => {
            to_json_binary(&q::aggregates(deps, market_id)?)
        }
        QueryMsg::FundingRate { market_id } => {
            to_json_binary(&q::funding_rate(deps, env, market_id)?)
        }
        QueryMsg::Quote {
            account_id,
            market_id,
            size_delta,
        } => to_json_binary(&order::quote(deps, env, account_id, market_id, size_delta)?),
        QueryMsg::AccountRisk { account_id } => {
            let cfg = CONFIG.load(deps.storage)?;
            to_json_binary(&risk::account_risk(deps, &env, &cfg, account_id)?)
        }
        QueryMsg::PoolExposure {} => to_json_binary(&q::pool_exposure(deps, env)?),
        QueryMsg::AdlRanking {
            market_id,
            start_after,
            limit,
        } => to_json_binary(&adl::adl_ranking(deps, env, market_id, start_after, limit)?),
    };
    Ok(bin?)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    let from_version = prepare_migration(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    // No state layout has changed yet; versioned state migrations go here as they appear.
    Ok(migration_response(&from_version, CONTRACT_VERSION))
}
