//! A mock vault for market tests.
//!
//! * accepts `bulwark_types::vault::ExecuteMsg::Settle(Settlement)` from any contract and
//!   records it (with the sender);
//! * can be told to refuse every settlement ([`MockVaultExecuteMsg::SetRefuse`]),
//!   simulating a failed health check, which reverts the market's transaction;
//! * optionally models health: with collateral set for an account, an `Increase` is refused
//!   when `collateral + Σ cash + Σ unrealized_pnl < worst scenario loss + Σ initial_addon`
//!   (one underlying at a time is enough for these tests: the scenario loss is summed per
//!   scenario across underlyings of equal grid length);
//! * checks the account's owner when one is registered;
//! * stores scenario grids in `bulwark_types::market::SCENARIO_GRIDS`, so a market's raw read
//!   (`query_grid_raw`) works;
//! * sends `MarketExecuteMsg::ForceReduce` to a market as a submessage and records the
//!   `ForceReduceResult` from the reply data.

use cosmwasm_std::{
    from_json, to_json_binary, to_json_vec, Addr, Binary, Deps, DepsMut, Empty, Env, Int128,
    MessageInfo, Reply, Response, StdError, StdResult, SubMsg, SubMsgResult, Uint128, WasmMsg,
};
use cw_multi_test::{Contract, ContractWrapper};
use serde::{Deserialize, Serialize};

use bulwark_types::market::{
    ForceReduceResult, MarketExecuteMsg, RiskChange, ScenarioGrid, Settlement, SCENARIO_GRIDS,
};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct MockVaultInstantiateMsg {}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum MockVaultExecuteMsg {
    /// Same JSON as `bulwark_types::vault::ExecuteMsg::Settle`.
    Settle(Settlement),
    SetRefuse {
        refuse: bool,
    },
    SetGrid {
        grid: ScenarioGrid,
    },
    SetCollateral {
        account_id: u64,
        amount: Uint128,
    },
    RegisterAccount {
        account_id: u64,
        owner: String,
    },
    ForceReduce {
        market: String,
        account_id: u64,
        fraction: cosmwasm_std::Decimal256,
    },
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum MockVaultQueryMsg {
    /// Every settlement received, oldest first.
    Settlements {},
    /// Collateral plus the cash of every settlement and force-reduction of the account.
    Balance {
        account_id: u64,
    },
    LastForceReduce {},
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct RecordedSettlement {
    pub market_addr: Addr,
    pub settlement: Settlement,
}

const REFUSE_KEY: &[u8] = b"mock:refuse";
const SETTLEMENTS_KEY: &[u8] = b"mock:settlements";
const LAST_FORCE_KEY: &[u8] = b"mock:last_force";

fn key(prefix: &str, account_id: u64) -> Vec<u8> {
    format!("mock:{prefix}:{account_id}").into_bytes()
}

fn load<T: for<'de> Deserialize<'de>>(deps: Deps, k: &[u8]) -> StdResult<Option<T>> {
    deps.storage.get(k).map(|v| from_json(&v)).transpose()
}

fn balance(deps: Deps, account_id: u64) -> StdResult<Int128> {
    Ok(load(deps, &key("balance", account_id))?.unwrap_or_default())
}

fn add_cash(
    deps: DepsMut,
    account_id: u64,
    cash: &bulwark_types::market::CashFlows,
) -> StdResult<Int128> {
    let fees = Int128::try_from(cash.fee_to_pool.checked_add(cash.fee_to_protocol)?)?;
    let b = balance(deps.as_ref(), account_id)?
        .checked_add(cash.pnl_vs_pool)?
        .checked_sub(fees)?;
    deps.storage
        .set(&key("balance", account_id), &to_json_vec(&b)?);
    Ok(b)
}

fn settle(mut deps: DepsMut, info: MessageInfo, s: Settlement) -> StdResult<Response> {
    if load::<bool>(deps.as_ref(), REFUSE_KEY)?.unwrap_or(false) {
        return Err(StdError::generic_err(
            "mock vault: account health check failed",
        ));
    }
    match &s.trader_addr {
        Some(trader) => {
            if let Some(owner) = load::<Addr>(deps.as_ref(), &key("owner", s.account_id))? {
                if owner != *trader {
                    return Err(StdError::generic_err("mock vault: not the account owner"));
                }
            }
        }
        // market-initiated (expiry, ADL): reduce only, like the real vault
        None if s.change != RiskChange::Reduce => {
            return Err(StdError::generic_err(
                "mock vault: a market-initiated settlement may only reduce",
            ));
        }
        None => {}
    }
    let collateral: Option<Uint128> = load(deps.as_ref(), &key("collateral", s.account_id))?;
    let cash = add_cash(deps.branch(), s.account_id, &s.cash)?;
    if let (Some(collateral), RiskChange::Increase) = (collateral, s.change) {
        let mut equity = Int128::try_from(collateral)?.checked_add(cash)?;
        let mut requirement = Int128::zero();
        let mut worst: Vec<Int128> = vec![];
        for u in &s.risk.underlyings {
            equity = equity.checked_add(u.unrealized_pnl)?;
            requirement = requirement.checked_add(Int128::try_from(u.initial_addon)?)?;
            if worst.len() < u.scenario_pnl.len() {
                worst.resize(u.scenario_pnl.len(), Int128::zero());
            }
            for (w, p) in worst.iter_mut().zip(&u.scenario_pnl) {
                *w = w.checked_add(*p)?;
            }
        }
        let loss = worst
            .into_iter()
            .min()
            .unwrap_or_default()
            .min(Int128::zero());
        requirement = requirement.checked_sub(loss)?;
        if equity < requirement {
            return Err(StdError::generic_err(format!(
                "mock vault: initial margin not met: equity {equity} < requirement {requirement}"
            )));
        }
    }
    let mut all: Vec<RecordedSettlement> =
        load(deps.as_ref(), SETTLEMENTS_KEY)?.unwrap_or_default();
    all.push(RecordedSettlement {
        market_addr: info.sender,
        settlement: s,
    });
    deps.storage.set(SETTLEMENTS_KEY, &to_json_vec(&all)?);
    Ok(Response::new().add_attribute("action", "settle"))
}

fn execute(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: MockVaultExecuteMsg,
) -> StdResult<Response> {
    match msg {
        MockVaultExecuteMsg::Settle(s) => settle(deps, info, s),
        MockVaultExecuteMsg::SetRefuse { refuse } => {
            deps.storage.set(REFUSE_KEY, &to_json_vec(&refuse)?);
            Ok(Response::new().add_attribute("action", "set_refuse"))
        }
        MockVaultExecuteMsg::SetGrid { grid } => {
            SCENARIO_GRIDS.save(deps.storage, &grid.asset_id, &grid)?;
            Ok(Response::new().add_attribute("action", "set_grid"))
        }
        MockVaultExecuteMsg::SetCollateral { account_id, amount } => {
            deps.storage
                .set(&key("collateral", account_id), &to_json_vec(&amount)?);
            Ok(Response::new().add_attribute("action", "set_collateral"))
        }
        MockVaultExecuteMsg::RegisterAccount { account_id, owner } => {
            let owner = deps.api.addr_validate(&owner)?;
            deps.storage
                .set(&key("owner", account_id), &to_json_vec(&owner)?);
            Ok(Response::new().add_attribute("action", "register_account"))
        }
        MockVaultExecuteMsg::ForceReduce {
            market,
            account_id,
            fraction,
        } => {
            let msg = WasmMsg::Execute {
                contract_addr: market,
                msg: to_json_binary(&MarketExecuteMsg::ForceReduce {
                    account_id,
                    fraction,
                })?,
                funds: vec![],
            };
            Ok(Response::new()
                .add_submessage(SubMsg::reply_on_success(msg, 1))
                .add_attribute("action", "force_reduce"))
        }
    }
}

/// Reads a `MsgExecuteContractResponse { data = 1 }` protobuf, or passes plain JSON through.
fn unwrap_execute_data(data: &[u8]) -> Vec<u8> {
    if data.first() == Some(&b'{') {
        return data.to_vec();
    }
    if data.first() == Some(&0x0a) {
        let mut len: usize = 0;
        let mut shift = 0;
        let mut i = 1;
        while i < data.len() {
            let b = data[i];
            len |= ((b & 0x7f) as usize) << shift;
            i += 1;
            if b & 0x80 == 0 {
                break;
            }
            shift += 7;
        }
        if let Some(inner) = data.get(i..i.saturating_add(len)) {
            return inner.to_vec();
        }
    }
    data.to_vec()
}

fn reply(mut deps: DepsMut, _env: Env, msg: Reply) -> StdResult<Response> {
    #[allow(deprecated)]
    let data = match msg.result {
        SubMsgResult::Ok(r) => r
            .data
            .or_else(|| r.msg_responses.first().map(|m| m.value.clone()))
            .ok_or_else(|| StdError::generic_err("mock vault: no force-reduce data"))?,
        SubMsgResult::Err(e) => return Err(StdError::generic_err(e)),
    };
    let result: ForceReduceResult = from_json(unwrap_execute_data(data.as_slice()))?;
    add_cash(deps.branch(), result.account_id, &result.cash)?;
    deps.storage.set(LAST_FORCE_KEY, &to_json_vec(&result)?);
    Ok(Response::new().add_attribute("action", "force_reduce_reply"))
}

fn instantiate(
    _deps: DepsMut,
    _env: Env,
    _info: MessageInfo,
    _msg: MockVaultInstantiateMsg,
) -> StdResult<Response> {
    Ok(Response::new().add_attribute("action", "instantiate"))
}

fn query(deps: Deps, _env: Env, msg: MockVaultQueryMsg) -> StdResult<Binary> {
    match msg {
        MockVaultQueryMsg::Settlements {} => {
            let all: Vec<RecordedSettlement> = load(deps, SETTLEMENTS_KEY)?.unwrap_or_default();
            to_json_binary(&all)
        }
        MockVaultQueryMsg::Balance { account_id } => {
            let collateral: Uint128 =
                load(deps, &key("collateral", account_id))?.unwrap_or_default();
            to_json_binary(&Int128::try_from(collateral)?.checked_add(balance(deps, account_id)?)?)
        }
        MockVaultQueryMsg::LastForceReduce {} => {
            let last: Option<ForceReduceResult> = load(deps, LAST_FORCE_KEY)?;
            to_json_binary(&last)
        }
    }
}

pub fn contract() -> Box<dyn Contract<Empty>> {
    Box::new(ContractWrapper::new(execute, instantiate, query).with_reply(reply))
}
