#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Reply, Response};

use bulwark_types::migration::{migration_response, prepare_migration, stored_layout};
use bulwark_types::ownership;
use bulwark_types::vault::{
    ExecuteMsg, GatewayMsg, InstantiateMsg, LpShareMode, MigrateMsg, QueryMsg,
};

use crate::error::ContractError;
use crate::execute::{self as exec, OwnerLedger};
use crate::hooks;
use crate::liquidate::{self, REPLY_FORCE_REDUCE};
use crate::query as q;
use crate::remote;
use crate::settle;
use crate::shares;
use crate::state::{recompute_debt, Config, CONFIG, STATE_LAYOUT, STATE_LAYOUT_CURRENT};
use crate::{CONTRACT_NAME, CONTRACT_VERSION};

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    env: Env,
    _info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    STATE_LAYOUT.save(deps.storage, &STATE_LAYOUT_CURRENT)?;
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
    let mut res = Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("owner", ownership.owner_addr);
    match &msg.lp_shares {
        LpShareMode::Ledger => {
            res = res.add_attribute("lp_shares", "ledger");
        }
        LpShareMode::TokenFactory { subdenom } => {
            let vault = &env.contract.address;
            let denom = shares::tokenfactory_denom(vault, subdenom)?;
            if denom == config.settlement_denom {
                return Err(ContractError::InvalidParam {
                    name: "lp_shares.subdenom".into(),
                    reason: "the share denom must differ from the settlement denom".into(),
                });
            }
            shares::LP_SHARE_DENOM.save(deps.storage, &denom)?;
            res = res
                .add_message(shares::create_denom_msg(vault, subdenom))
                .add_attribute("lp_shares", "tokenfactory")
                .add_attribute("lp_share_denom", denom);
        }
    }
    CONFIG.save(deps.storage, &config)?;
    Ok(res.add_attribute("settlement_denom", config.settlement_denom))
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
        ExecuteMsg::LpDeposit { min_shares } => exec::lp_deposit(deps, env, info, min_shares),
        ExecuteMsg::RequestLpWithdraw { shares } => {
            exec::request_lp_withdraw(deps, env, info, shares)
        }
        ExecuteMsg::CancelLpWithdraw {} => exec::cancel_lp_withdraw(deps, info),
        ExecuteMsg::LpWithdraw { min_amount } => exec::lp_withdraw(deps, env, info, min_amount),
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
        ExecuteMsg::SetGateway { gateway } => remote::set_gateway(deps, info, gateway),
        ExecuteMsg::Gateway(GatewayMsg::Credit {
            channel_id,
            connection_id,
            cap_channels,
            account_id,
            denom,
            amount,
            depositor,
        }) => remote::gateway_credit(
            deps,
            env,
            info,
            channel_id,
            connection_id,
            cap_channels,
            account_id,
            denom,
            amount,
            depositor,
        ),
        ExecuteMsg::Gateway(GatewayMsg::ReleaseResolved {
            release_id,
            delivered,
        }) => remote::release_resolved(deps, info, release_id, delivered),
        ExecuteMsg::Gateway(GatewayMsg::Arrival {
            account_id,
            channel_id,
            sender,
        }) => hooks::arrival(deps, env, info, account_id, channel_id, sender),
        ExecuteMsg::SetRemoteCollateral(rc) => remote::set_remote_collateral(deps, info, rc),
        ExecuteMsg::SetRemoteOwner {
            account_id,
            channel_id,
            remote_addr,
        } => remote::set_remote_owner(deps, info, account_id, channel_id, remote_addr),
        ExecuteMsg::WithdrawRemote {
            account_id,
            channel_id,
            denom,
            amount,
            recipient,
        } => remote::withdraw_remote(
            deps, env, info, account_id, channel_id, denom, amount, recipient,
        ),
        ExecuteMsg::SeizeRemote {
            account_id,
            channel_id,
            denom,
            amount,
            recipient,
        } => remote::seize_remote(
            deps, env, info, account_id, channel_id, denom, amount, recipient,
        ),
        ExecuteMsg::ClaimRefund { denom } => remote::claim_refund(deps, info, denom),
        ExecuteMsg::DropRemotePosition {
            channel_id,
            account_id,
            denom,
        } => remote::drop_remote_position(deps, info, channel_id, account_id, denom),
        ExecuteMsg::SetHookSender {
            account_id,
            channel_id,
            original_sender,
        } => hooks::set_hook_sender(deps, info, account_id, channel_id, original_sender),
        ExecuteMsg::HookDeposit {
            account_id,
            channel_id,
            original_sender,
        } => hooks::hook_deposit(deps, env, info, account_id, channel_id, original_sender),
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
        QueryMsg::RemoteCollaterals { start_after, limit } => {
            to_json_binary(&remote::query_remote_collaterals(deps, start_after, limit)?)?
        }
        QueryMsg::RemotePositions { account_id } => {
            to_json_binary(&remote::query_positions(deps, account_id)?)?
        }
        QueryMsg::RemoteOwner {
            account_id,
            channel_id,
        } => to_json_binary(
            &remote::REMOTE_OWNERS.may_load(deps.storage, (account_id, &channel_id))?,
        )?,
        QueryMsg::RemoteTotals { channel_id, denom } => to_json_binary(
            &remote::REMOTE_TOTALS
                .may_load(deps.storage, (&channel_id, &denom))?
                .unwrap_or_default(),
        )?,
        QueryMsg::PendingReleases { start_after, limit } => {
            to_json_binary(&remote::query_releases(deps, start_after, limit)?)?
        }
        QueryMsg::HookSender {
            account_id,
            channel_id,
        } => {
            to_json_binary(&hooks::HOOK_SENDERS.may_load(deps.storage, (account_id, &channel_id))?)?
        }
        QueryMsg::HookIntermediateSender {
            channel_id,
            original_sender,
        } => to_json_binary(&hooks::intermediate_sender(
            deps.api,
            &channel_id,
            &original_sender,
        )?)?,
        QueryMsg::Claimable { address, denom } => {
            to_json_binary(&remote::query_claimable(deps, address, denom)?)?
        }
    })
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    let from_version = prepare_migration(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    // Versioned state steps, by the stored layout (D26). The other fields added with issue 16
    // (`Account::written_off`, `LpWithdrawRequest::expires_at`, `lp_withdraw_window_secs`,
    // `lp_price_tolerance`) load with serde defaults that are correct for older state.
    let layout = stored_layout(deps.storage, STATE_LAYOUT_CURRENT)?;
    if layout < 2 {
        let config = CONFIG.load(deps.storage)?;
        recompute_debt(deps.storage, &config.settlement_denom)?;
    }
    if layout < 3 {
        remote::migrate_to_gateway(deps.storage)?;
    }
    STATE_LAYOUT.save(deps.storage, &STATE_LAYOUT_CURRENT)?;
    Ok(migration_response(&from_version, CONTRACT_VERSION)
        .add_attribute("state_layout_from", layout.to_string())
        .add_attribute("state_layout", STATE_LAYOUT_CURRENT.to_string()))
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
            lp_shares: Default::default(),
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
        let (mut deps, _) = instantiated();
        let alice = deps.api.addr_make("alice");
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

    /// A vault instantiated by its DAO, for the migration tests.
    fn instantiated() -> (
        cosmwasm_std::OwnedDeps<
            cosmwasm_std::MemoryStorage,
            cosmwasm_std::testing::MockApi,
            cosmwasm_std::testing::MockQuerier,
        >,
        cosmwasm_std::Addr,
    ) {
        let mut deps = mock_dependencies();
        let dao = deps.api.addr_make("dao");
        instantiate(
            deps.as_mut(),
            mock_env(),
            message_info(&dao, &[]),
            msg(dao.as_str()),
        )
        .unwrap();
        (deps, dao)
    }

    #[test]
    fn migrate_refuses_other_contract() {
        let (mut deps, _) = instantiated();
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

    /// State written before layout 2 has no `debt`: the migration computes it from the
    /// accounts, so that repaying an old debt cannot erase a newer one (`shift` is exact).
    #[test]
    fn migration_from_layout_1_recomputes_debt() {
        use crate::state::{Account, ACCOUNTS, TOTALS};
        use cosmwasm_std::{Int128, Uint128};
        let (mut deps, dao) = instantiated();
        assert_eq!(
            STATE_LAYOUT.load(&deps.storage).unwrap(),
            STATE_LAYOUT_CURRENT
        );
        // an older version's state: two debtors, one creditor, no debt aggregate, no marker
        for (id, balance, written_off) in [(1u64, -50i128, 10u128), (2, 70, 0), (3, -30, 0)] {
            let a = Account {
                owner_addr: dao.clone(),
                settlement_balance: Int128::new(balance),
                collateral: vec![],
                markets: vec![],
                written_off: Uint128::new(written_off),
            };
            ACCOUNTS.save(&mut deps.storage, id, &a).unwrap();
        }
        STATE_LAYOUT.remove(&mut deps.storage);
        cw2::set_contract_version(&mut deps.storage, CONTRACT_NAME, "0.0.1").unwrap();
        let res = migrate(deps.as_mut(), mock_env(), MigrateMsg {}).unwrap();
        assert!(res
            .attributes
            .iter()
            .any(|a| a.key == "state_layout_from" && a.value == "1"));
        let t = TOTALS.load(&deps.storage, "uusdc").unwrap();
        assert_eq!((t.debt, t.uncovered), (Uint128::new(80), Uint128::new(10)));
        assert_eq!(
            STATE_LAYOUT.load(&deps.storage).unwrap(),
            STATE_LAYOUT_CURRENT
        );
        // repaying account 3's debt leaves account 1's in the aggregate
        let mut t = t;
        let mut a3 = ACCOUNTS.load(&deps.storage, 3).unwrap();
        t.shift(&mut a3, Int128::new(30)).unwrap();
        assert_eq!(t.debt, Uint128::new(50));
        // at the current layout no step runs again
        let mut t = TOTALS.load(&deps.storage, "uusdc").unwrap();
        t.debt = Uint128::new(81);
        TOTALS.save(&mut deps.storage, "uusdc", &t).unwrap();
        migrate(deps.as_mut(), mock_env(), MigrateMsg {}).unwrap();
        assert_eq!(
            TOTALS.load(&deps.storage, "uusdc").unwrap().debt,
            Uint128::new(81)
        );
        // state written by newer code is refused
        STATE_LAYOUT.save(&mut deps.storage, &4).unwrap();
        assert_eq!(
            migrate(deps.as_mut(), mock_env(), MigrateMsg {}),
            Err(ContractError::Migration(
                MigrationError::StateLayoutTooNew {
                    stored: 4,
                    current: 3
                }
            ))
        );
    }

    /// Layout 3 (the gateway split): a vault whose own channel still carries something is
    /// refused, atomically; once nothing is in flight or locked its IBC config goes.
    #[test]
    fn migration_to_layout_3_refuses_open_ibc_state() {
        use cosmwasm_std::{Empty, Storage};
        use cw_storage_plus::{Item, Map};
        let (mut deps, _) = instantiated();
        let legacy_cfg: Item<Empty> = Item::new("ibc_config");
        legacy_cfg.save(&mut deps.storage, &Empty {}).unwrap();
        for (ns, what) in [
            ("ibc_ch_of", "an open channel"),
            ("ibc_tx", "a transfer in flight"),
            ("ibc_lock", "a satellite lock"),
            ("ibc_pos", "a remote position"),
        ] {
            STATE_LAYOUT.save(&mut deps.storage, &2).unwrap();
            let entry: Map<&str, Empty> = Map::new(ns);
            entry.save(&mut deps.storage, "k", &Empty {}).unwrap();
            let err = migrate(deps.as_mut(), mock_env(), MigrateMsg {}).unwrap_err();
            assert!(err.to_string().contains(what), "{ns}: {err}");
            entry.remove(&mut deps.storage, "k");
        }
        // a marker under a longer namespace with the same prefix is not mistaken for one
        let other: Map<&str, Empty> = Map::new("ibc_txs");
        other.save(&mut deps.storage, "k", &Empty {}).unwrap();
        STATE_LAYOUT.save(&mut deps.storage, &2).unwrap();
        migrate(deps.as_mut(), mock_env(), MigrateMsg {}).unwrap();
        assert!(deps.storage.get(b"ibc_config").is_none());
        assert_eq!(
            STATE_LAYOUT.load(&deps.storage).unwrap(),
            STATE_LAYOUT_CURRENT
        );
    }

    /// Tokenfactory shares: instantiate creates the denom, `LpDeposit` mints, the request takes
    /// custody, `LpWithdraw` burns what the vault holds, `CancelLpWithdraw` returns it.
    #[test]
    fn tokenfactory_messages_are_emitted() {
        use cosmwasm_std::{
            from_json, Binary, ContractResult, CosmosMsg, SystemResult, Uint128, WasmQuery,
        };
        use osmosis_std::types::cosmos::base::v1beta1::Coin as ProtoCoin;
        use osmosis_std::types::osmosis::tokenfactory::v1beta1::{
            MsgBurn, MsgCreateDenom, MsgMint,
        };

        #[allow(deprecated)]
        fn stargate(msg: &CosmosMsg) -> (String, Binary) {
            match msg {
                CosmosMsg::Stargate { type_url, value } => (type_url.clone(), value.clone()),
                other => panic!("not a stargate message: {other:?}"),
            }
        }

        let mut deps = mock_dependencies();
        // the breaker's raw state reads back empty: every action is allowed
        deps.querier.update_wasm(|q| match q {
            WasmQuery::Raw { .. } => SystemResult::Ok(ContractResult::Ok(Binary::default())),
            _ => SystemResult::Ok(ContractResult::Err("unexpected query".into())),
        });
        let env = mock_env();
        let vault = env.contract.address.clone();
        let dao = deps.api.addr_make("dao");
        let bob = deps.api.addr_make("bob");
        let breaker = deps.api.addr_make("breaker");
        let denom = format!("factory/{vault}/blp");

        let mut m = msg(dao.as_str());
        m.circuit_breaker = Some(breaker.to_string());
        m.lp_shares = LpShareMode::TokenFactory {
            subdenom: "bad denom".into(),
        };
        assert!(matches!(
            instantiate(
                deps.as_mut(),
                env.clone(),
                message_info(&dao, &[]),
                m.clone()
            ),
            Err(ContractError::InvalidParam { .. })
        ));
        m.lp_shares = LpShareMode::TokenFactory {
            subdenom: "blp".into(),
        };
        let res = instantiate(deps.as_mut(), env.clone(), message_info(&dao, &[]), m).unwrap();
        assert_eq!(res.messages.len(), 1);
        let (url, value) = stargate(&res.messages[0].msg);
        assert_eq!(url, MsgCreateDenom::TYPE_URL);
        assert_eq!(
            MsgCreateDenom::try_from(value).unwrap(),
            MsgCreateDenom {
                sender: vault.to_string(),
                subdenom: "blp".into()
            }
        );
        let cfg: bulwark_types::vault::ConfigResponse =
            from_json(query(deps.as_ref(), env.clone(), QueryMsg::Config {}).unwrap()).unwrap();
        assert_eq!(cfg.lp_share_denom.as_deref(), Some(denom.as_str()));

        let res = execute(
            deps.as_mut(),
            env.clone(),
            message_info(&bob, &[coin(1_000, "uusdc")]),
            ExecuteMsg::LpDeposit { min_shares: None },
        )
        .unwrap();
        assert_eq!(res.attributes[0].value, "lp_deposit");
        assert_eq!(res.messages.len(), 1);
        let (url, value) = stargate(&res.messages[0].msg);
        assert_eq!(url, MsgMint::TYPE_URL);
        assert_eq!(
            MsgMint::try_from(value).unwrap(),
            MsgMint {
                sender: vault.to_string(),
                amount: Some(ProtoCoin {
                    denom: denom.clone(),
                    amount: "1000000000".into()
                }),
                mint_to_address: bob.to_string(),
            }
        );
        // no per-holder ledger entry in tokenfactory mode
        assert!(crate::state::LP_SHARES
            .may_load(&deps.storage, &bob)
            .unwrap()
            .is_none());

        let shares = Uint128::new(400_000_000);
        let res = execute(
            deps.as_mut(),
            env.clone(),
            message_info(&bob, &[coin(shares.u128(), &denom)]),
            ExecuteMsg::RequestLpWithdraw { shares },
        )
        .unwrap();
        assert!(res.messages.is_empty());
        let res = execute(
            deps.as_mut(),
            env.clone(),
            message_info(&bob, &[]),
            ExecuteMsg::CancelLpWithdraw {},
        )
        .unwrap();
        assert_eq!(
            res.messages[0].msg,
            CosmosMsg::Bank(cosmwasm_std::BankMsg::Send {
                to_address: bob.to_string(),
                amount: vec![coin(shares.u128(), &denom)],
            })
        );
        execute(
            deps.as_mut(),
            env.clone(),
            message_info(&bob, &[coin(shares.u128(), &denom)]),
            ExecuteMsg::RequestLpWithdraw { shares },
        )
        .unwrap();
        let mut later = env.clone();
        later.block.time = later.block.time.plus_seconds(86_400);
        let res = execute(
            deps.as_mut(),
            later,
            message_info(&bob, &[]),
            ExecuteMsg::LpWithdraw { min_amount: None },
        )
        .unwrap();
        assert_eq!(res.attributes[0].value, "lp_withdraw");
        let (url, value) = stargate(&res.messages[0].msg);
        assert_eq!(url, MsgBurn::TYPE_URL);
        assert_eq!(
            MsgBurn::try_from(value).unwrap(),
            MsgBurn {
                sender: vault.to_string(),
                amount: Some(ProtoCoin {
                    denom: denom.clone(),
                    amount: shares.to_string()
                }),
                burn_from_address: vault.to_string(),
            }
        );
        // then the outflow report and the payment
        assert_eq!(res.messages.len(), 3);
        assert_eq!(
            crate::state::TOTAL_SHARES.load(&deps.storage).unwrap(),
            Uint128::new(600_000_000)
        );
    }

    /// Ledger mode (the default, also when the field is missing from the JSON) emits nothing.
    #[test]
    fn ledger_mode_is_the_default() {
        let m: InstantiateMsg = cosmwasm_std::from_json(
            br#"{"owner":"o","settlement_denom":"uusdc","settlement_decimals":6,"oracle":null,"circuit_breaker":null,"params":{"maintenance_factor":"1","initial_factor":"1.5","price_max_age_secs":120,"lp_withdraw_delay_secs":86400,"liquidation_close_factor":"0.5","liquidation_penalty":"0.01","keeper_share":"0.5"}}"#,
        )
        .unwrap();
        assert_eq!(m.lp_shares, LpShareMode::Ledger);
        let mut deps = mock_dependencies();
        let dao = deps.api.addr_make("dao");
        let res = instantiate(
            deps.as_mut(),
            mock_env(),
            message_info(&dao, &[]),
            msg(dao.as_str()),
        )
        .unwrap();
        assert!(res.messages.is_empty());
        assert!(crate::shares::share_denom(&deps.storage).unwrap().is_none());
    }
}
