#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Response};

use bulwark_types::migration::{migration_response, prepare_migration};
use bulwark_types::options::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use bulwark_types::ownership;

use crate::error::ContractError;
use crate::execute::{board, config, force_reduce, settle, surface, trade};
use crate::params::{default_params, validate};
use crate::query as q;
use crate::state::{Config, PoolState, CONFIG, POOL};
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
    let validate_addr = |a: Option<String>| a.map(|a| deps.api.addr_validate(&a)).transpose();
    let params = msg.params.unwrap_or_else(default_params);
    validate(&params)?;
    let config = Config {
        vault_addr: validate_addr(msg.vault)?,
        oracle_addr: validate_addr(msg.oracle)?,
        circuit_breaker_addr: validate_addr(msg.circuit_breaker)?,
        vol_feeder_addr: validate_addr(msg.vol_feeder)?,
        params,
    };
    CONFIG.save(deps.storage, &config)?;
    POOL.save(deps.storage, &PoolState::default())?;
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
        ExecuteMsg::UpdateConfig {
            vault,
            oracle,
            circuit_breaker,
            vol_feeder,
            params,
        } => config::update_config(
            deps,
            info,
            vault,
            oracle,
            circuit_breaker,
            vol_feeder,
            params,
        ),
        ExecuteMsg::CreateBoard {
            asset_id,
            expiry,
            base_iv,
            cap_price,
            multiplier,
            strikes,
        } => board::create_board(
            deps, env, info, asset_id, expiry, base_iv, cap_price, multiplier, strikes,
        ),
        ExecuteMsg::AddStrike { board_id, strike } => {
            board::add_strike(deps, env, info, board_id, strike)
        }
        ExecuteMsg::SetSurface {
            board_id,
            base_iv,
            skews,
        } => surface::set_surface(deps, info, board_id, base_iv, skews),
        ExecuteMsg::Buy {
            account_id,
            series_id,
            amount,
            max_cost,
        } => trade::trade(
            deps,
            env,
            info,
            trade::TradeRequest {
                account_id,
                series_id,
                amount,
                limit: max_cost,
                is_buy: true,
            },
        ),
        ExecuteMsg::Sell {
            account_id,
            series_id,
            amount,
            min_proceeds,
        } => trade::trade(
            deps,
            env,
            info,
            trade::TradeRequest {
                account_id,
                series_id,
                amount,
                limit: min_proceeds,
                is_buy: false,
            },
        ),
        ExecuteMsg::Settle {
            board_id,
            start_after,
            limit,
        } => settle::settle(deps, env, board_id, start_after, limit),
        ExecuteMsg::RefreshGreeks { board_id } => surface::refresh_greeks(deps, env, board_id),
        ExecuteMsg::ForceReduce {
            account_id,
            fraction,
        } => force_reduce::force_reduce(deps, env, info, account_id, fraction),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    Ok(match msg {
        QueryMsg::Ownership {} => to_json_binary(&ownership::get_ownership(deps.storage)?)?,
        QueryMsg::Config {} => to_json_binary(&q::config(deps)?)?,
        QueryMsg::Board { board_id } => to_json_binary(&q::board(deps, board_id)?)?,
        QueryMsg::Boards { start_after, limit } => {
            to_json_binary(&q::boards(deps, start_after, limit)?)?
        }
        QueryMsg::Series { series_id } => to_json_binary(&q::series(deps, series_id)?)?,
        QueryMsg::SeriesList {
            board_id,
            start_after,
            limit,
        } => to_json_binary(&q::series_list(deps, board_id, start_after, limit)?)?,
        QueryMsg::Quote {
            series_id,
            amount,
            is_buy,
        } => to_json_binary(&q::quote(deps, env, series_id, amount, is_buy)?)?,
        QueryMsg::Position {
            account_id,
            series_id,
        } => to_json_binary(&q::position(deps, account_id, series_id)?)?,
        QueryMsg::Positions {
            account_id,
            start_after,
            limit,
        } => to_json_binary(&q::positions(deps, account_id, start_after, limit)?)?,
        QueryMsg::AccountGreeks { account_id } => {
            to_json_binary(&q::account_greeks(deps, account_id)?)?
        }
        QueryMsg::PoolGreeks { board_id } => to_json_binary(&q::pool_greeks(deps, board_id)?)?,
        QueryMsg::AccountRisk { account_id } => {
            to_json_binary(&q::account_risk_query(deps, env, account_id)?)?
        }
        QueryMsg::PoolExposure {} => to_json_binary(&q::pool_exposure(deps, env)?)?,
    })
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    let from_version = prepare_migration(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    // No state layout has changed yet; versioned state migrations go here as they appear.
    Ok(migration_response(&from_version, CONTRACT_VERSION))
}
