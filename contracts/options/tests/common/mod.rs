//! Test harness: the real oracle and circuit breaker, a minimal mock vault, and the options
//! contract wired to them, with helpers for prices, time and trades.
#![allow(dead_code)]

use std::str::FromStr;

use anyhow::Result as AnyResult;
use cosmwasm_schema::cw_serde;
use cosmwasm_std::{
    from_json, to_json_binary, Addr, Binary, Decimal256, Deps, DepsMut, Env, MessageInfo, Reply,
    Response, SignedDecimal256, StdError, StdResult, SubMsg, Uint128, WasmMsg,
};
pub use cw_multi_test::{App, AppResponse, ContractWrapper, Executor};

use bulwark_options::ContractError;
use bulwark_types::circuit_breaker::{ExecuteMsg as BreakerMsg, Level, Scope};
use bulwark_types::market::{
    ForceReduceResult, MarketExecuteMsg, ScenarioGrid, Settlement, SCENARIO_GRIDS,
};
use bulwark_types::options::{
    BoardResponse, ExecuteMsg, PositionResponse, QueryMsg, SeriesResponse, StrikeInput,
};
use bulwark_types::oracle::{ExecuteMsg as OracleMsg, FeedPrice};

// ---------------------------------------------------------------------------------------------
// Mock vault: records every Settle (or refuses it when told to), stores scenario grids where
// markets read them, and can call ForceReduce on a market, storing the result data.

#[cw_serde]
pub struct MockVaultInit {}

#[cw_serde]
pub enum MockVaultExec {
    /// Same JSON as `bulwark_types::vault::ExecuteMsg::Settle`.
    Settle(Settlement),
    SetGrid(ScenarioGrid),
    SetRefuse {
        refuse: bool,
    },
    CallForceReduce {
        market: String,
        account_id: u64,
        fraction: Decimal256,
    },
}

#[cw_serde]
pub enum MockVaultQuery {
    Settlements {},
    LastForceReduce {},
}

fn vault_instantiate(_: DepsMut, _: Env, _: MessageInfo, _: MockVaultInit) -> StdResult<Response> {
    Ok(Response::new())
}

fn vault_execute(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: MockVaultExec,
) -> StdResult<Response> {
    if let MockVaultExec::Settle(settlement) = msg {
        if deps.storage.get(b"refuse").is_some() {
            return Err(StdError::generic_err("vault refuses: account unhealthy"));
        }
        let mut all: Vec<(String, Settlement)> = deps
            .storage
            .get(b"settlements")
            .map(from_json)
            .transpose()?
            .unwrap_or_default();
        all.push((info.sender.to_string(), settlement));
        deps.storage
            .set(b"settlements", &cosmwasm_std::to_json_vec(&all)?);
        return Ok(Response::new());
    }
    match msg {
        MockVaultExec::Settle(_) => Ok(Response::new()), // handled above
        MockVaultExec::SetGrid(grid) => {
            SCENARIO_GRIDS.save(deps.storage, &grid.asset_id.clone(), &grid)?;
            Ok(Response::new())
        }
        MockVaultExec::SetRefuse { refuse } => {
            if refuse {
                deps.storage.set(b"refuse", b"1");
            } else {
                deps.storage.remove(b"refuse");
            }
            Ok(Response::new())
        }
        MockVaultExec::CallForceReduce {
            market,
            account_id,
            fraction,
        } => Ok(Response::new().add_submessage(SubMsg::reply_on_success(
            WasmMsg::Execute {
                contract_addr: market,
                msg: to_json_binary(&MarketExecuteMsg::ForceReduce {
                    account_id,
                    fraction,
                })?,
                funds: vec![],
            },
            1,
        ))),
    }
}

fn vault_reply(deps: DepsMut, _env: Env, reply: Reply) -> StdResult<Response> {
    #[allow(deprecated)]
    let data = reply
        .result
        .into_result()
        .map_err(StdError::generic_err)?
        .data
        .ok_or_else(|| StdError::generic_err("no data"))?;
    // Like wasmd, multi-test wraps the callee's data in a MsgExecuteContractResponse.
    let inner = cw_utils::parse_execute_response_data(&data)
        .map_err(|e| StdError::generic_err(e.to_string()))?
        .data
        .ok_or_else(|| StdError::generic_err("no inner data"))?;
    let result: ForceReduceResult = from_json(&inner)?;
    deps.storage
        .set(b"last_force_reduce", &cosmwasm_std::to_json_vec(&result)?);
    Ok(Response::new())
}

fn vault_query(deps: Deps, _env: Env, msg: MockVaultQuery) -> StdResult<Binary> {
    match msg {
        MockVaultQuery::Settlements {} => {
            let all: Vec<(String, Settlement)> = deps
                .storage
                .get(b"settlements")
                .map(from_json)
                .transpose()?
                .unwrap_or_default();
            to_json_binary(&all)
        }
        MockVaultQuery::LastForceReduce {} => {
            let r: Option<ForceReduceResult> = deps
                .storage
                .get(b"last_force_reduce")
                .map(from_json)
                .transpose()?;
            to_json_binary(&r)
        }
    }
}

// ---------------------------------------------------------------------------------------------

pub const ATOM: &str = "ATOM";
pub const DAY: u64 = 86_400;
pub const MULT: u128 = 1_000_000;

pub fn d(s: &str) -> Decimal256 {
    Decimal256::from_str(s).unwrap()
}

pub fn sd(s: &str) -> SignedDecimal256 {
    SignedDecimal256::from_str(s).unwrap()
}

pub struct Suite {
    pub app: App,
    pub owner: Addr,
    pub feeder: Addr,
    pub alice: Addr,
    pub bob: Addr,
    pub oracle: Addr,
    pub breaker: Addr,
    pub vault: Addr,
    pub options: Addr,
    pub board_id: u64,
    pub expiry: u64,
}

pub fn grid(asset: &str, version: u32) -> ScenarioGrid {
    ScenarioGrid {
        asset_id: asset.to_string(),
        version,
        spot_shocks: vec![sd("-0.2"), sd("-0.1"), sd("0"), sd("0.1"), sd("0.2")],
        vol_shocks: vec![sd("-0.3"), sd("0"), sd("0.3")],
    }
}

impl Suite {
    /// Oracle with ATOM at 100 from one feeder, breaker, mock vault with an ATOM grid, and
    /// an options board on ATOM expiring in 7 days with strikes 80, 100, 120 (series
    /// 2/3, 4/5, 6/7 = call/put).
    pub fn new() -> Self {
        let mut app = App::default();
        let owner = app.api().addr_make("dao");
        let feeder = app.api().addr_make("feeder");
        let alice = app.api().addr_make("alice");
        let bob = app.api().addr_make("bob");
        let oracle_code = app.store_code(bulwark_testing::oracle::contract());
        let oracle = app
            .instantiate_contract(
                oracle_code,
                owner.clone(),
                &bulwark_testing::oracle::instantiate_msg(&owner),
                &[],
                "oracle",
                None,
            )
            .unwrap();
        let breaker_code = app.store_code(bulwark_testing::circuit_breaker::contract());
        let breaker = app
            .instantiate_contract(
                breaker_code,
                owner.clone(),
                &bulwark_testing::circuit_breaker::instantiate_msg(&owner),
                &[],
                "breaker",
                None,
            )
            .unwrap();
        let vault_code = app.store_code(Box::new(
            ContractWrapper::new(vault_execute, vault_instantiate, vault_query)
                .with_reply(vault_reply),
        ));
        let vault = app
            .instantiate_contract(
                vault_code,
                owner.clone(),
                &MockVaultInit {},
                &[],
                "vault",
                None,
            )
            .unwrap();
        let options_code = app.store_code(bulwark_testing::options::contract());
        let options = app
            .instantiate_contract(
                options_code,
                owner.clone(),
                &bulwark_testing::options::instantiate_msg_with(&owner, &vault, &oracle, &breaker),
                &[],
                "options",
                Some(owner.to_string()),
            )
            .unwrap();
        let mut s = Suite {
            app,
            owner,
            feeder,
            alice,
            bob,
            oracle,
            breaker,
            vault,
            options,
            board_id: 0,
            expiry: 0,
        };
        let owner = s.owner.clone();
        s.app
            .execute_contract(
                owner,
                s.oracle.clone(),
                &OracleMsg::UpdateFeeders {
                    add: vec![s.feeder.to_string()],
                    remove: vec![],
                },
                &[],
            )
            .unwrap();
        s.add_asset(ATOM);
        s.set_grid(grid(ATOM, 1));
        s.set_price(ATOM, "100");
        s.expiry = s.now() + 7 * DAY;
        s.board_id = s
            .create_board(ATOM, s.expiry, &["80", "100", "120"])
            .unwrap();
        s
    }

    pub fn now(&self) -> u64 {
        self.app.block_info().time.seconds()
    }

    pub fn add_asset(&mut self, asset: &str) {
        let owner = self.owner.clone();
        self.app
            .execute_contract(
                owner,
                self.oracle.clone(),
                &OracleMsg::SetAsset {
                    asset: bulwark_testing::oracle::feeder_asset(
                        asset,
                        std::slice::from_ref(&self.feeder),
                        1,
                        600,
                    ),
                },
                &[],
            )
            .unwrap();
    }

    /// Feeds a price now, then advances one block (5 s) so it may price openings.
    pub fn set_price(&mut self, asset: &str, price: &str) {
        self.feed_only(asset, price);
        self.advance(5);
    }

    pub fn feed_only(&mut self, asset: &str, price: &str) {
        let now = self.now();
        let feeder = self.feeder.clone();
        self.app
            .execute_contract(
                feeder,
                self.oracle.clone(),
                &OracleMsg::Feed {
                    prices: vec![FeedPrice {
                        asset_id: asset.to_string(),
                        price: sd(price),
                        publish_time: now,
                    }],
                },
                &[],
            )
            .unwrap();
    }

    pub fn advance(&mut self, secs: u64) {
        self.app.update_block(|b| {
            b.height += 1;
            b.time = b.time.plus_seconds(secs);
        });
    }

    /// Jumps to `time` (one block later).
    pub fn set_time(&mut self, time: u64) {
        self.app.update_block(|b| {
            b.height += 1;
            b.time = cosmwasm_std::Timestamp::from_seconds(time);
        });
    }

    pub fn set_grid(&mut self, g: ScenarioGrid) {
        let owner = self.owner.clone();
        self.app
            .execute_contract(owner, self.vault.clone(), &MockVaultExec::SetGrid(g), &[])
            .unwrap();
    }

    pub fn set_vault_refuse(&mut self, refuse: bool) {
        let owner = self.owner.clone();
        self.app
            .execute_contract(
                owner,
                self.vault.clone(),
                &MockVaultExec::SetRefuse { refuse },
                &[],
            )
            .unwrap();
    }

    pub fn create_board(&mut self, asset: &str, expiry: u64, strikes: &[&str]) -> AnyResult<u64> {
        let owner = self.owner.clone();
        let res = self.exec(
            &owner,
            &ExecuteMsg::CreateBoard {
                asset_id: asset.to_string(),
                expiry,
                base_iv: d("0.6"),
                cap_price: d("400"),
                multiplier: Uint128::new(MULT),
                strikes: strikes
                    .iter()
                    .map(|k| StrikeInput {
                        strike: d(k),
                        skew: d("1"),
                    })
                    .collect(),
            },
        )?;
        Ok(attr(&res, "board_id").unwrap().parse().unwrap())
    }

    pub fn exec(&mut self, sender: &Addr, msg: &ExecuteMsg) -> AnyResult<AppResponse> {
        self.app
            .execute_contract(sender.clone(), self.options.clone(), msg, &[])
    }

    pub fn buy(
        &mut self,
        who: &Addr,
        account_id: u64,
        series_id: u64,
        amount: u128,
    ) -> AnyResult<AppResponse> {
        self.exec(
            who,
            &ExecuteMsg::Buy {
                account_id,
                series_id,
                amount: Uint128::new(amount),
                max_cost: Uint128::MAX,
            },
        )
    }

    pub fn sell(
        &mut self,
        who: &Addr,
        account_id: u64,
        series_id: u64,
        amount: u128,
    ) -> AnyResult<AppResponse> {
        self.exec(
            who,
            &ExecuteMsg::Sell {
                account_id,
                series_id,
                amount: Uint128::new(amount),
                min_proceeds: Uint128::zero(),
            },
        )
    }

    pub fn settle(&mut self, limit: Option<u32>) -> AnyResult<AppResponse> {
        let anyone = self.app.api().addr_make("keeper");
        let board_id = self.board_id;
        self.exec(
            &anyone,
            &ExecuteMsg::Settle {
                board_id,
                start_after: None,
                limit,
            },
        )
    }

    pub fn trip(&mut self, scope: Scope, level: Level) {
        let owner = self.owner.clone();
        self.app
            .execute_contract(
                owner,
                self.breaker.clone(),
                &BreakerMsg::Trip {
                    scope,
                    level,
                    reason: "test".into(),
                },
                &[],
            )
            .unwrap();
    }

    pub fn board_scope(&self) -> Scope {
        Scope::Market {
            contract_addr: self.options.clone(),
            market_id: format!("board-{}", self.board_id),
        }
    }

    pub fn query<T: serde::de::DeserializeOwned>(&self, msg: &QueryMsg) -> StdResult<T> {
        self.app.wrap().query_wasm_smart(&self.options, msg)
    }

    pub fn position(&self, account_id: u64, series_id: u64) -> i128 {
        let p: PositionResponse = self
            .query(&QueryMsg::Position {
                account_id,
                series_id,
            })
            .unwrap();
        p.amount.i128()
    }

    pub fn series(&self, series_id: u64) -> SeriesResponse {
        self.query(&QueryMsg::Series { series_id }).unwrap()
    }

    pub fn board(&self) -> BoardResponse {
        self.query(&QueryMsg::Board {
            board_id: self.board_id,
        })
        .unwrap()
    }

    pub fn settlements(&self) -> Vec<(String, Settlement)> {
        self.app
            .wrap()
            .query_wasm_smart(&self.vault, &MockVaultQuery::Settlements {})
            .unwrap()
    }

    pub fn last_settlement(&self) -> Settlement {
        self.settlements().pop().unwrap().1
    }
}

pub fn attr(res: &AppResponse, key: &str) -> Option<String> {
    res.events
        .iter()
        .filter(|e| e.ty == "wasm")
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == key)
        .map(|a| a.value.clone())
}

pub fn err(res: AnyResult<AppResponse>) -> ContractError {
    res.unwrap_err().downcast().unwrap()
}
