#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{to_json_binary, Binary, Deps, DepsMut, Env, Event, MessageInfo, Response};

use bulwark_types::circuit_breaker::{scope_tag, ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use bulwark_types::migration::{migration_response, prepare_migration};
use bulwark_types::ownership;

use crate::error::ContractError;
use crate::execute;
use crate::query;
use crate::state::{Config, CONFIG, GUARDIANS, HISTORY_NEXT, MAX_GUARDIAN_UPDATES};
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
    let config = Config {
        cooldown_secs: msg.cooldown_secs,
        liquidation_grace_secs: msg.liquidation_grace_secs,
        history_capacity: msg.history_capacity,
    };
    execute::validate_config(&config)?;
    CONFIG.save(deps.storage, &config)?;
    HISTORY_NEXT.save(deps.storage, &0)?;
    if msg.guardians.len() > MAX_GUARDIAN_UPDATES {
        return Err(ContractError::TooMany {
            field: "guardians".into(),
            len: msg.guardians.len(),
            max: MAX_GUARDIAN_UPDATES,
        });
    }
    let mut event = Event::new(execute::EVENT_CONFIG)
        .add_attribute("kind", "instantiate")
        .add_attribute("cooldown_secs", config.cooldown_secs.to_string())
        .add_attribute(
            "liquidation_grace_secs",
            config.liquidation_grace_secs.to_string(),
        )
        .add_attribute("history_capacity", config.history_capacity.to_string());
    for g in &msg.guardians {
        let addr = deps.api.addr_validate(g)?;
        GUARDIANS.save(deps.storage, &addr, &cosmwasm_std::Empty {})?;
        event = event.add_attribute("guardian", addr);
    }
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("owner", ownership.owner_addr)
        .add_event(event))
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
        ExecuteMsg::Trip {
            scope,
            level,
            reason,
        } => execute::trip(deps, env, info, scope, level, reason),
        ExecuteMsg::SetLevel {
            scope,
            level,
            reason,
        } => execute::set_level(deps, env, info, scope, level, reason),
        ExecuteMsg::SetOverride {
            scope,
            action,
            mode,
            reason,
        } => execute::set_override(deps, env, info, scope, action, mode, reason),
        ExecuteMsg::Reset { scope, reason } => execute::reset(deps, env, info, scope, reason),
        ExecuteMsg::UpdateGuardians { add, remove } => {
            execute::update_guardians(deps, info, add, remove)
        }
        ExecuteMsg::SetReporter {
            reporter,
            permissions,
        } => execute::set_reporter(deps, info, reporter, permissions),
        ExecuteMsg::RemoveReporter { reporter } => execute::remove_reporter(deps, info, reporter),
        ExecuteMsg::UpdateConfig {
            cooldown_secs,
            liquidation_grace_secs,
        } => execute::update_config(deps, info, cooldown_secs, liquidation_grace_secs),
        ExecuteMsg::SetRateLimit(params) => execute::set_rate_limit(deps, info, params),
        ExecuteMsg::RemoveRateLimit { denom, channel } => {
            execute::remove_rate_limit(deps, info, denom, channel)
        }
        ExecuteMsg::ReportOutflow {
            denom,
            channel,
            amount,
            reference_value,
        } => execute::report_outflow(deps, env, info, denom, channel, amount, reference_value),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    Ok(match msg {
        QueryMsg::Ownership {} => to_json_binary(&ownership::get_ownership(deps.storage)?)?,
        QueryMsg::Config {} => to_json_binary(&query::config(deps)?)?,
        QueryMsg::ScopeState { scope } => to_json_binary(&query::scope_state(deps, scope)?)?,
        QueryMsg::ScopeStates { start_after, limit } => {
            to_json_binary(&query::scope_states(deps, start_after, limit)?)?
        }
        QueryMsg::ActionStatus {
            contract_addr,
            market_id,
            action,
        } => to_json_binary(&query::action_status(
            deps,
            env,
            contract_addr,
            market_id,
            action,
        )?)?,
        QueryMsg::EffectiveMode {
            contract_addr,
            market_id,
        } => to_json_binary(&query::effective_mode(deps, env, contract_addr, market_id)?)?,
        QueryMsg::ScopeKey { scope } => to_json_binary(&Binary::from(scope_tag(&scope)))?,
        QueryMsg::Guardians { start_after, limit } => {
            to_json_binary(&query::guardians(deps, start_after, limit)?)?
        }
        QueryMsg::Reporters { start_after, limit } => {
            to_json_binary(&query::reporters(deps, start_after, limit)?)?
        }
        QueryMsg::RateLimit { denom, channel } => {
            to_json_binary(&query::rate_limit(deps, env, denom, channel)?)?
        }
        QueryMsg::RateLimits { start_after, limit } => {
            to_json_binary(&query::rate_limits(deps, env, start_after, limit)?)?
        }
        QueryMsg::History {
            start_before,
            limit,
        } => to_json_binary(&query::history(deps, start_before, limit)?)?,
    })
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    let from_version = prepare_migration(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    // No state layout has changed yet; versioned state migrations go here as they appear.
    Ok(migration_response(&from_version, CONTRACT_VERSION))
}
