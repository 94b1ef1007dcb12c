//! Shared multi-test setup of the circuit-breaker integration tests.
#![allow(dead_code)]

use anyhow::Result as AnyResult;
use cosmwasm_std::{
    to_json_binary, Addr, Binary, Deps, DepsMut, Empty, Env, MessageInfo, Response, StdError,
    StdResult, Timestamp,
};
use cw_multi_test::{App, AppResponse, ContractWrapper, Executor};

use bulwark_circuit_breaker::contract::{execute, instantiate, migrate, query};
use bulwark_circuit_breaker::ContractError;
use bulwark_types::circuit_breaker::{
    action_status, is_action_allowed, ActionClass, ActionStatus, ExecuteMsg, InstantiateMsg, Level,
    QueryMsg, ReporterPermissions, Scope,
};

pub const COOLDOWN: u64 = 3600;
pub const GRACE: u64 = 1800;
/// A block time that is a multiple of one day, so windows and buckets align in tests.
pub const T0: u64 = 1_700_006_400;

pub struct Env_ {
    pub app: App,
    pub breaker: Addr,
    pub breaker_code: u64,
    pub owner: Addr,
    pub guardian: Addr,
    /// Registered reporter allowed for `perps` (contract and markets), no global, no outflows.
    pub oracle: Addr,
    /// Registered reporter with outflow permission, allowed for its own contract scope.
    pub vault: Addr,
    pub perps: Addr,
    pub options: Addr,
    pub eve: Addr,
}

pub fn setup() -> Env_ {
    setup_with(100)
}

pub fn setup_with(history_capacity: u32) -> Env_ {
    let mut app = App::default();
    app.update_block(|b| b.time = Timestamp::from_seconds(T0));
    let api = app.api();
    let owner = api.addr_make("dao");
    let guardian = api.addr_make("guardian");
    let oracle = api.addr_make("oracle");
    let vault = api.addr_make("vault");
    let perps = api.addr_make("perps");
    let options = api.addr_make("options");
    let eve = api.addr_make("eve");
    let code = app.store_code(Box::new(
        ContractWrapper::new(execute, instantiate, query).with_migrate(migrate),
    ));
    let breaker = app
        .instantiate_contract(
            code,
            owner.clone(),
            &InstantiateMsg {
                owner: owner.to_string(),
                guardians: vec![guardian.to_string()],
                cooldown_secs: COOLDOWN,
                liquidation_grace_secs: GRACE,
                history_capacity,
            },
            &[],
            "breaker",
            Some(owner.to_string()),
        )
        .unwrap();
    let mut env = Env_ {
        app,
        breaker,
        breaker_code: code,
        owner: owner.clone(),
        guardian,
        oracle: oracle.clone(),
        vault: vault.clone(),
        perps: perps.clone(),
        options,
        eve,
    };
    env.exec(
        &owner,
        &ExecuteMsg::SetReporter {
            reporter: oracle.to_string(),
            permissions: ReporterPermissions {
                global: false,
                contracts: vec![perps.to_string()],
                outflows: false,
            },
        },
    )
    .unwrap();
    env.exec(
        &owner,
        &ExecuteMsg::SetReporter {
            reporter: vault.to_string(),
            permissions: ReporterPermissions {
                global: false,
                contracts: vec![vault.to_string()],
                outflows: true,
            },
        },
    )
    .unwrap();
    env
}

impl Env_ {
    pub fn exec(&mut self, sender: &Addr, msg: &ExecuteMsg) -> AnyResult<AppResponse> {
        self.app
            .execute_contract(sender.clone(), self.breaker.clone(), msg, &[])
    }

    /// Executes and asserts the error is `expected`.
    pub fn exec_err(&mut self, sender: &Addr, msg: &ExecuteMsg, expected: ContractError) {
        let err = self.exec(sender, msg).unwrap_err();
        assert_eq!(
            err.root_cause().to_string(),
            expected.to_string(),
            "message {msg:?} from {sender}"
        );
    }

    pub fn query<T: cosmwasm_schema::serde::de::DeserializeOwned>(&self, msg: &QueryMsg) -> T {
        self.app
            .wrap()
            .query_wasm_smart(self.breaker.clone(), msg)
            .unwrap()
    }

    pub fn now(&self) -> Timestamp {
        self.app.block_info().time
    }

    pub fn advance(&mut self, secs: u64) {
        self.app.update_block(|b| {
            b.time = b.time.plus_seconds(secs);
            b.height += 1;
        });
    }

    pub fn set_time(&mut self, secs: u64) {
        self.app.update_block(|b| {
            b.time = Timestamp::from_seconds(secs);
            b.height += 1;
        });
    }

    /// The raw helper, as a consumer calls it.
    pub fn allowed(&self, contract: &Addr, market: Option<&str>, action: ActionClass) -> bool {
        let raw = is_action_allowed(
            &self.app.wrap(),
            &self.breaker,
            contract,
            market,
            action,
            self.now(),
        )
        .unwrap();
        // The smart query must always agree with the raw helper.
        let smart: bulwark_types::circuit_breaker::ActionStatusResponse =
            self.query(&QueryMsg::ActionStatus {
                contract_addr: contract.to_string(),
                market_id: market.map(str::to_string),
                action,
            });
        assert_eq!(raw, smart.allowed, "raw and smart disagree on {action:?}");
        raw
    }

    pub fn status(
        &self,
        contract: &Addr,
        market: Option<&str>,
        action: ActionClass,
    ) -> ActionStatus {
        action_status(
            &self.app.wrap(),
            &self.breaker,
            contract,
            market,
            action,
            self.now(),
        )
        .unwrap()
    }

    pub fn trip(&mut self, sender: &Addr, scope: Scope, level: Level) -> AnyResult<AppResponse> {
        let sender = sender.clone();
        self.exec(
            &sender,
            &ExecuteMsg::Trip {
                scope,
                level,
                reason: "test".into(),
            },
        )
    }

    pub fn contract_scope(&self, addr: &Addr) -> Scope {
        Scope::Contract {
            contract_addr: addr.clone(),
        }
    }

    pub fn market_scope(&self, addr: &Addr, market: &str) -> Scope {
        Scope::Market {
            contract_addr: addr.clone(),
            market_id: market.to_string(),
        }
    }
}

pub fn has_attr(res: &AppResponse, event_ty: &str, key: &str, value: &str) -> bool {
    res.events.iter().any(|e| {
        (e.ty == event_ty || e.ty == format!("wasm-{event_ty}"))
            && e.attributes
                .iter()
                .any(|a| a.key == key && a.value == value)
    })
}

// --- A minimal consumer contract that guards its actions with the raw helper. ---------------

#[cosmwasm_schema::cw_serde]
pub struct ConsumerInit {
    pub breaker: String,
}

#[cosmwasm_schema::cw_serde]
pub enum ConsumerExec {
    Act {
        action: ActionClass,
        market_id: Option<String>,
    },
}

const CONSUMER_BREAKER: cw_storage_plus::Item<Addr> = cw_storage_plus::Item::new("breaker");

fn consumer_instantiate(
    deps: DepsMut,
    _env: Env,
    _info: MessageInfo,
    msg: ConsumerInit,
) -> StdResult<Response> {
    let breaker = deps.api.addr_validate(&msg.breaker)?;
    CONSUMER_BREAKER.save(deps.storage, &breaker)?;
    Ok(Response::new())
}

fn consumer_execute(
    deps: DepsMut,
    env: Env,
    _info: MessageInfo,
    msg: ConsumerExec,
) -> StdResult<Response> {
    let ConsumerExec::Act { action, market_id } = msg;
    let breaker = CONSUMER_BREAKER.load(deps.storage)?;
    if !is_action_allowed(
        &deps.querier,
        &breaker,
        &env.contract.address,
        market_id.as_deref(),
        action,
        env.block.time,
    )? {
        return Err(StdError::generic_err("blocked by circuit breaker"));
    }
    Ok(Response::new().add_attribute("action", "act"))
}

fn consumer_query(_deps: Deps, _env: Env, _msg: Empty) -> StdResult<Binary> {
    to_json_binary(&Empty {})
}

pub fn deploy_consumer(env: &mut Env_) -> Addr {
    let code = env.app.store_code(Box::new(ContractWrapper::new(
        consumer_execute,
        consumer_instantiate,
        consumer_query,
    )));
    env.app
        .instantiate_contract(
            code,
            env.owner.clone(),
            &ConsumerInit {
                breaker: env.breaker.to_string(),
            },
            &[],
            "consumer",
            None,
        )
        .unwrap()
}
