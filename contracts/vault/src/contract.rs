#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Reply, Response};

use bulwark_types::migration::{migration_response, prepare_migration};
use bulwark_types::ownership;
use bulwark_types::vault::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};

use crate::error::ContractError;
use crate::execute::{self as exec, OwnerLedger};
use crate::liquidate::{self, REPLY_FORCE_REDUCE};
use crate::query as q;
use crate::settle;
use crate::state::{Config, CONFIG};
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
    exec::validate_params(&msg.params)?;
    if msg.settlement_denom.is_empty() || msg.settlement_denom.len() > 128 {
        return Err(ContractError::InvalidParam {
            name: "settlement_denom".into(),
            reason: "must be 1..=128 bytes".into(),
        });
    }
    if msg.settlement_decimals > 18 {
        return Err(ContractError::InvalidParam {
            name: "settlement_decimals".into(),
            reason: "must be at most 18".into(),
        });
    }
    let config = Config {
        settlement_denom: msg.settlement_denom,
        settlement_decimals: msg.settlement_decimals,
        oracle_addr: msg.oracle.map(|a| deps.api.addr_validate(&a)).transpose()?,
        circuit_breaker_addr: msg
            .circuit_breaker
            .map(|a| deps.api.addr_validate(&a))
            .transpose()?,
        params: msg.params,
    };
    CONFIG.save(deps.storage, &config)?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("owner", ownership.owner_addr)
        .add_attribute("settlement_denom", config.settlement_denom))
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
            oracle,
            circuit_breaker,
            params,
        } => exec::update_config(deps, info, oracle, circuit_breaker, params),
        ExecuteMsg::SetCollateral(cc) => exec::set_collateral(deps, info, cc),
        ExecuteMsg::SetScenarioGrid {
            asset_id,
            spot_shocks,
            vol_shocks,
        } => exec::set_scenario_grid(deps, info, asset_id, spot_shocks, vol_shocks),
        ExecuteMsg::RegisterMarket { market_addr, kind } => {
            exec::register_market(deps, info, market_addr, kind)
        }
        ExecuteMsg::DeregisterMarket { market_addr } => {
            exec::deregister_market(deps, info, market_addr)
        }
        ExecuteMsg::CreateAccount {} => exec::create_account(deps, info),
        ExecuteMsg::Deposit { account_id } => exec::deposit(deps, env, info, account_id),
        ExecuteMsg::Receive(msg) => exec::receive_cw20(deps, env, info, msg),
        ExecuteMsg::Withdraw {
            account_id,
            denom,
            amount,
            recipient,
        } => exec::withdraw(deps, env, info, account_id, denom, amount, recipient),
        ExecuteMsg::Settle(s) => settle::settle(deps, env, info, s),
        ExecuteMsg::LpDeposit {} => exec::lp_deposit(deps, env, info),
        ExecuteMsg::RequestLpWithdraw { shares } => {
            exec::request_lp_withdraw(deps, env, info, shares)
        }
        ExecuteMsg::CancelLpWithdraw {} => exec::cancel_lp_withdraw(deps, info),
        ExecuteMsg::LpWithdraw {} => exec::lp_withdraw(deps, env, info),
        ExecuteMsg::DepositInsurance {} => exec::deposit_insurance(deps, info),
        ExecuteMsg::WithdrawInsurance {
            denom,
            amount,
            recipient,
        } => exec::owner_withdraw(deps, info, OwnerLedger::Insurance, denom, amount, recipient),
        ExecuteMsg::WithdrawFees { amount, recipient } => {
            exec::owner_withdraw(deps, info, OwnerLedger::Fees, None, amount, recipient)
        }
        ExecuteMsg::Liquidate { account_id } => liquidate::liquidate(deps, env, info, account_id),
        ExecuteMsg::FinishLiquidation {} => liquidate::finish_liquidation(deps, env, info),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn reply(deps: DepsMut, _env: Env, reply: Reply) -> Result<Response, ContractError> {
    match reply.id {
        REPLY_FORCE_REDUCE => liquidate::reply_force_reduce(deps, reply),
        id => Err(cosmwasm_std::StdError::generic_err(format!("unknown reply id {id}")).into()),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    Ok(match msg {
        QueryMsg::Ownership {} => to_json_binary(&ownership::get_ownership(deps.storage)?)?,
        QueryMsg::Config {} => to_json_binary(&q::config(deps)?)?,
        QueryMsg::Account { account_id } => to_json_binary(&q::account(deps, account_id)?)?,
        QueryMsg::AccountsByOwner {
            owner,
            start_after,
            limit,
        } => to_json_binary(&q::accounts_by_owner(deps, owner, start_after, limit)?)?,
        QueryMsg::Health { account_id } => to_json_binary(&q::health(deps, env, account_id)?)?,
        QueryMsg::Pool {} => to_json_binary(&q::pool(deps)?)?,
        QueryMsg::LpPosition { lp } => to_json_binary(&q::lp_position(deps, lp)?)?,
        QueryMsg::Markets { start_after, limit } => {
            to_json_binary(&q::markets(deps, start_after, limit)?)?
        }
        QueryMsg::CollateralConfigs { start_after, limit } => {
            to_json_binary(&q::collateral_configs(deps, start_after, limit)?)?
        }
        QueryMsg::ScenarioGrid { asset_id } => to_json_binary(&q::scenario_grid(deps, asset_id)?)?,
        QueryMsg::SystemRisk {} => to_json_binary(&q::system_risk(deps)?)?,
        QueryMsg::Totals { start_after, limit } => {
            to_json_binary(&q::totals(deps, env, start_after, limit)?)?
        }
    })
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    let from_version = prepare_migration(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    // No state layout has changed yet; versioned state migrations go here as they appear.
    Ok(migration_response(&from_version, CONTRACT_VERSION))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulwark_types::migration::MigrationError;
    use bulwark_types::vault::VaultParams;
    use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env};
    use cosmwasm_std::{coin, Decimal};

    fn msg(owner: &str) -> InstantiateMsg {
        InstantiateMsg {
            owner: owner.to_string(),
            settlement_denom: "uusdc".into(),
            settlement_decimals: 6,
            oracle: None,
            circuit_breaker: None,
            params: VaultParams::default(),
        }
    }

    #[test]
    fn instantiate_validates_params() {
        let mut deps = mock_dependencies();
        let dao = deps.api.addr_make("dao");
        let info = message_info(&dao, &[]);
        let mut m = msg(dao.as_str());
        m.params.initial_factor = m.params.maintenance_factor;
        assert!(matches!(
            instantiate(deps.as_mut(), mock_env(), info.clone(), m),
            Err(ContractError::InvalidParam { .. })
        ));
        let mut m = msg(dao.as_str());
        m.params.maintenance_factor = Decimal::percent(99);
        assert!(matches!(
            instantiate(deps.as_mut(), mock_env(), info.clone(), m),
            Err(ContractError::InvalidParam { .. })
        ));
        let mut m = msg(dao.as_str());
        m.params.liquidation_close_factor = Decimal::zero();
        assert!(matches!(
            instantiate(deps.as_mut(), mock_env(), info.clone(), m),
            Err(ContractError::InvalidParam { .. })
        ));
        let mut m = msg(dao.as_str());
        m.settlement_decimals = 19;
        assert!(matches!(
            instantiate(deps.as_mut(), mock_env(), info.clone(), m),
            Err(ContractError::InvalidParam { .. })
        ));
        let res = instantiate(deps.as_mut(), mock_env(), info, msg(dao.as_str())).unwrap();
        assert_eq!(res.attributes[0].value, "instantiate");
    }

    #[test]
    fn zero_coin_and_missing_breaker() {
        let mut deps = mock_dependencies();
        let dao = deps.api.addr_make("dao");
        let alice = deps.api.addr_make("alice");
        instantiate(
            deps.as_mut(),
            mock_env(),
            message_info(&dao, &[]),
            msg(dao.as_str()),
        )
        .unwrap();
        let res = execute(
            deps.as_mut(),
            mock_env(),
            message_info(&alice, &[]),
            ExecuteMsg::CreateAccount {},
        )
        .unwrap();
        assert_eq!(res.attributes[0].value, "create_account");
        assert_eq!(
            execute(
                deps.as_mut(),
                mock_env(),
                message_info(&alice, &[coin(0, "uusdc")]),
                ExecuteMsg::Deposit { account_id: 1 },
            ),
            Err(ContractError::ZeroAmount)
        );
        // no breaker configured: guarded actions fail closed
        assert_eq!(
            execute(
                deps.as_mut(),
                mock_env(),
                message_info(&alice, &[coin(5, "uusdc")]),
                ExecuteMsg::Deposit { account_id: 1 },
            ),
            Err(ContractError::BreakerNotConfigured)
        );
    }

    #[test]
    fn migrate_refuses_other_contract() {
        let mut deps = mock_dependencies();
        cw2::set_contract_version(&mut deps.storage, "crates.io:bulwark-perps", "0.1.0").unwrap();
        assert!(matches!(
            migrate(deps.as_mut(), mock_env(), MigrateMsg {}),
            Err(ContractError::Migration(
                MigrationError::WrongContract { .. }
            ))
        ));
        cw2::set_contract_version(&mut deps.storage, CONTRACT_NAME, "0.0.1").unwrap();
        let res = migrate(deps.as_mut(), mock_env(), MigrateMsg {}).unwrap();
        assert_eq!(res.attributes[0].value, "migrate");
    }
}
