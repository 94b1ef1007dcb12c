//! Shared multi-test setup: the real oracle and circuit breaker, the mock vault, perps.
#![allow(dead_code)]

use std::str::FromStr;

use anyhow::Result as AnyResult;
use cosmwasm_schema::serde::de::DeserializeOwned;
use cosmwasm_std::{Addr, Decimal256, Int128, SignedDecimal256, Timestamp};
use cw_multi_test::{App, AppResponse, Executor};

use bulwark_perps::ContractError;
use bulwark_testing::mock_vault::{
    self, MockVaultExecuteMsg, MockVaultInstantiateMsg, MockVaultQueryMsg, RecordedSettlement,
};
use bulwark_testing::{circuit_breaker, oracle, perps};
use bulwark_types::circuit_breaker::{
    ActionClass, ExecuteMsg as BreakerMsg, Level, OverrideMode, Scope,
};
use bulwark_types::market::ScenarioGrid;
use bulwark_types::oracle::{AssetConfig, ExecuteMsg as OracleMsg, FeedPrice};
use bulwark_types::perps::{
    ExecuteMsg, MarketAggregates, MarketParams, PositionResponse, QueryMsg,
};

pub const T0: u64 = 1_700_000_000;
pub const MARKET: &str = "ATOM-PERP";
pub const ASSET: &str = "ATOM";

pub fn d(s: &str) -> Decimal256 {
    Decimal256::from_str(s).unwrap()
}
pub fn sd(s: &str) -> SignedDecimal256 {
    SignedDecimal256::from_str(s).unwrap()
}

pub struct Env {
    pub app: App,
    pub owner: Addr,
    pub feeder: Addr,
    pub alice: Addr,
    pub bob: Addr,
    pub eve: Addr,
    pub oracle: Addr,
    pub breaker: Addr,
    pub vault: Addr,
    pub perps: Addr,
}

pub fn grid(asset: &str, version: u32) -> ScenarioGrid {
    ScenarioGrid {
        asset_id: asset.to_string(),
        version,
        spot_shocks: vec![sd("-0.1"), sd("0"), sd("0.1")],
        vol_shocks: vec![sd("-0.2"), sd("0.2")],
    }
}

fn asset(asset_id: &str, feeder: &Addr) -> AssetConfig {
    oracle::feeder_asset(asset_id, std::slice::from_ref(feeder), 1, 60)
}

pub fn setup() -> Env {
    setup_with(perps::default_market_params())
}

pub fn setup_with(params: MarketParams) -> Env {
    let mut app = App::default();
    app.update_block(|b| {
        b.time = Timestamp::from_seconds(T0);
        b.height = 100;
    });
    let api = app.api();
    let owner = api.addr_make("dao");
    let feeder = api.addr_make("feeder");
    let alice = api.addr_make("alice");
    let bob = api.addr_make("bob");
    let eve = api.addr_make("eve");

    let oracle_code = app.store_code(oracle::contract());
    let oracle = app
        .instantiate_contract(
            oracle_code,
            owner.clone(),
            &oracle::instantiate_msg(&owner),
            &[],
            "oracle",
            None,
        )
        .unwrap();
    let breaker_code = app.store_code(circuit_breaker::contract());
    let breaker = app
        .instantiate_contract(
            breaker_code,
            owner.clone(),
            &circuit_breaker::instantiate_msg(&owner),
            &[],
            "breaker",
            None,
        )
        .unwrap();
    let vault_code = app.store_code(mock_vault::contract());
    let vault = app
        .instantiate_contract(
            vault_code,
            owner.clone(),
            &MockVaultInstantiateMsg {},
            &[],
            "vault",
            None,
        )
        .unwrap();
    let perps_code = app.store_code(perps::contract());
    let perps_addr = app
        .instantiate_contract(
            perps_code,
            owner.clone(),
            &perps::instantiate_msg_with(&owner, &vault, &oracle, &breaker),
            &[],
            "perps",
            Some(owner.to_string()),
        )
        .unwrap();
    let mut env = Env {
        app,
        owner: owner.clone(),
        feeder: feeder.clone(),
        alice,
        bob,
        eve,
        oracle: oracle.clone(),
        breaker,
        vault: vault.clone(),
        perps: perps_addr.clone(),
    };
    env.app
        .execute_contract(
            owner.clone(),
            oracle.clone(),
            &OracleMsg::UpdateFeeders {
                add: vec![feeder.to_string()],
                remove: vec![],
            },
            &[],
        )
        .unwrap();
    for a in [ASSET, "ETH"] {
        env.app
            .execute_contract(
                owner.clone(),
                oracle.clone(),
                &OracleMsg::SetAsset {
                    asset: asset(a, &feeder),
                },
                &[],
            )
            .unwrap();
        env.set_grid(grid(a, 1));
    }
    env.exec(
        &owner,
        &ExecuteMsg::CreateMarket {
            market_id: MARKET.to_string(),
            asset_id: ASSET.to_string(),
            params,
        },
    )
    .unwrap();
    env.feed(ASSET, "10");
    env.next_block(5);
    env
}

impl Env {
    pub fn exec(&mut self, sender: &Addr, msg: &ExecuteMsg) -> AnyResult<AppResponse> {
        self.app
            .execute_contract(sender.clone(), self.perps.clone(), msg, &[])
    }

    pub fn exec_err(&mut self, sender: &Addr, msg: &ExecuteMsg) -> ContractError {
        let err = self.exec(sender, msg).unwrap_err();
        match err.downcast::<ContractError>() {
            Ok(e) => e,
            Err(e) => panic!("not a perps error: {e:?}"),
        }
    }

    pub fn vault_exec(&mut self, msg: &MockVaultExecuteMsg) -> AnyResult<AppResponse> {
        let owner = self.owner.clone();
        self.app
            .execute_contract(owner, self.vault.clone(), msg, &[])
    }

    pub fn set_grid(&mut self, grid: ScenarioGrid) {
        self.vault_exec(&MockVaultExecuteMsg::SetGrid { grid })
            .unwrap();
    }

    pub fn q<T: DeserializeOwned>(&self, msg: &QueryMsg) -> T {
        self.app
            .wrap()
            .query_wasm_smart(self.perps.clone(), msg)
            .unwrap()
    }

    pub fn q_err(&self, msg: &QueryMsg) -> String {
        self.app
            .wrap()
            .query_wasm_smart::<cosmwasm_std::Empty>(self.perps.clone(), msg)
            .unwrap_err()
            .to_string()
    }

    pub fn feed(&mut self, asset_id: &str, price: &str) {
        let now = self.app.block_info().time.seconds();
        let feeder = self.feeder.clone();
        self.app
            .execute_contract(
                feeder,
                self.oracle.clone(),
                &OracleMsg::Feed {
                    prices: vec![FeedPrice {
                        asset_id: asset_id.to_string(),
                        price: sd(price),
                        publish_time: now,
                    }],
                },
                &[],
            )
            .unwrap();
    }

    pub fn next_block(&mut self, secs: u64) {
        self.app.update_block(|b| {
            b.time = b.time.plus_seconds(secs);
            b.height += 1;
        });
    }

    /// Advances `secs`, feeds `price` and moves one more block so it is usable.
    pub fn advance_with_price(&mut self, secs: u64, price: &str) {
        self.next_block(secs);
        self.feed(ASSET, price);
        self.next_block(5);
    }

    pub fn order_msg(
        account_id: u64,
        size: &str,
        acceptable: &str,
        reduce_only: bool,
    ) -> ExecuteMsg {
        ExecuteMsg::SubmitOrder {
            account_id,
            market_id: MARKET.to_string(),
            size_delta: sd(size),
            acceptable_price: d(acceptable),
            reduce_only,
        }
    }

    pub fn order(
        &mut self,
        sender: &Addr,
        account_id: u64,
        size: &str,
        acceptable: &str,
    ) -> AnyResult<AppResponse> {
        self.exec(
            sender,
            &Self::order_msg(account_id, size, acceptable, false),
        )
    }

    pub fn settlements(&self) -> Vec<RecordedSettlement> {
        self.app
            .wrap()
            .query_wasm_smart(self.vault.clone(), &MockVaultQueryMsg::Settlements {})
            .unwrap()
    }

    pub fn last_settlement(&self) -> RecordedSettlement {
        self.settlements().pop().expect("a settlement")
    }

    pub fn vault_balance(&self, account_id: u64) -> Int128 {
        self.app
            .wrap()
            .query_wasm_smart(
                self.vault.clone(),
                &MockVaultQueryMsg::Balance { account_id },
            )
            .unwrap()
    }

    pub fn position(&self, account_id: u64) -> PositionResponse {
        self.q(&QueryMsg::Position {
            account_id,
            market_id: MARKET.to_string(),
        })
    }

    pub fn size(&self, account_id: u64) -> SignedDecimal256 {
        self.position(account_id)
            .position
            .map(|p| p.size)
            .unwrap_or_default()
    }

    pub fn aggregates(&self) -> MarketAggregates {
        self.q(&QueryMsg::MarketAggregates {
            market_id: MARKET.to_string(),
        })
    }

    pub fn market_scope(&self) -> Scope {
        Scope::Market {
            contract_addr: self.perps.clone(),
            market_id: MARKET.to_string(),
        }
    }

    pub fn set_level(&mut self, level: Level) {
        let owner = self.owner.clone();
        let scope = self.market_scope();
        self.app
            .execute_contract(
                owner,
                self.breaker.clone(),
                &BreakerMsg::SetLevel {
                    scope,
                    level,
                    reason: "test".into(),
                },
                &[],
            )
            .unwrap();
    }

    pub fn block_action(&mut self, action: ActionClass) {
        let owner = self.owner.clone();
        let scope = self.market_scope();
        self.app
            .execute_contract(
                owner,
                self.breaker.clone(),
                &BreakerMsg::SetOverride {
                    scope,
                    action,
                    mode: Some(OverrideMode::Block),
                    reason: "test".into(),
                },
                &[],
            )
            .unwrap();
    }
}
