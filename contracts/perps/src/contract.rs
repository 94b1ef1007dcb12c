#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use std::collections::BTreeMap;

use cosmwasm_std::{
    to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Order, Response, SignedDecimal256,
    StdResult, Storage,
};

use bulwark_types::migration::{migration_response, prepare_migration, stored_layout};
use bulwark_types::ownership;
use bulwark_types::perps::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};

use crate::error::{ContractError, OrOverflow};
use crate::state::{
    AGGREGATES, CONFIG, MARKETS, OPEN_POSITIONS, POSITIONS, STATE_LAYOUT, STATE_LAYOUT_CURRENT,
};
use crate::{adl, admin, aggregates, force_reduce, order, query as q, risk};
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
    STATE_LAYOUT.save(deps.storage, &STATE_LAYOUT_CURRENT)?;
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
    // Versioned state steps, by the stored layout: the crate version stays 0.1.0 across
    // layout changes, so it cannot tell which steps are due.
    let layout = stored_layout(deps.storage, STATE_LAYOUT_CURRENT)?;
    if layout < 2 {
        recompute_long_sums(deps.storage)?;
    }
    STATE_LAYOUT.save(deps.storage, &STATE_LAYOUT_CURRENT)?;
    Ok(migration_response(&from_version, CONTRACT_VERSION)
        .add_attribute("state_layout_from", layout.to_string())
        .add_attribute("state_layout", STATE_LAYOUT_CURRENT.to_string()))
}

/// Layout 1 → 2: every market's `long_size_entry` / `long_size_funding` from its stored long
/// positions (they load as zero from layout-1 state, which would be wrong as soon as a long
/// is open). Uses the same per-position terms as `aggregates::add`, so a later `remove`
/// takes out exactly what this puts in. Runs once, under the DAO's migration; it reads every
/// position, so it is bounded by the block gas, not by a page (there is no deployment yet).
fn recompute_long_sums(storage: &mut dyn Storage) -> Result<(), ContractError> {
    let mut sums: BTreeMap<String, (SignedDecimal256, SignedDecimal256)> = BTreeMap::new();
    for item in POSITIONS.range(storage, None, None, Order::Ascending) {
        let ((_, market_id), p) = item?;
        if p.size.is_negative() {
            continue;
        }
        let (se, sf) = aggregates::contributions(&p)?;
        let entry = sums.entry(market_id).or_default();
        entry.0 = entry.0.checked_add(se).or_overflow()?;
        entry.1 = entry.1.checked_add(sf).or_overflow()?;
    }
    let market_ids = MARKETS
        .keys(storage, None, None, Order::Ascending)
        .collect::<StdResult<Vec<_>>>()?;
    for market_id in market_ids {
        let mut agg = AGGREGATES.load(storage, &market_id)?;
        let (se, sf) = sums.get(&market_id).copied().unwrap_or_default();
        agg.long_size_entry = se;
        agg.long_size_funding = sf;
        AGGREGATES.save(storage, &market_id, &agg)?;
    }
    Ok(())
}
