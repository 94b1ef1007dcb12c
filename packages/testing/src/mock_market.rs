//! A configurable mock market for vault tests. It speaks the vault⇄market interface of
//! `bulwark_types::market`:
//! - answers `MarketQueryMsg::AccountRisk` / `PoolExposure` from values set by the test;
//! - on `Trade { settlement }` sends `vault::ExecuteMsg::Settle(settlement)` to the vault and
//!   remembers `settlement.risk` as the account's risk;
//! - answers `ForceReduce` (vault only) with the `ForceReduceResult` set for the account as
//!   response data, and takes its `risk` as the account's new risk.

use cosmwasm_std::{
    from_json, to_json_binary, to_json_vec, Binary, Decimal256, Deps, DepsMut, Empty, Env,
    MessageInfo, Response, StdError, StdResult, WasmMsg,
};
use cw_multi_test::{Contract, ContractWrapper};
use serde::{Deserialize, Serialize};

use bulwark_types::market::{
    AccountRisk, ForceReduceResult, MarketQueryMsg, PoolExposure, Settlement,
};
use bulwark_types::vault::ExecuteMsg as VaultExecuteMsg;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MockMarketInstantiateMsg {
    pub vault: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum MockMarketExecuteMsg {
    /// Same JSON as `MarketExecuteMsg::ForceReduce`.
    ForceReduce {
        account_id: u64,
        fraction: Decimal256,
    },
    SetAccountRisk {
        account_id: u64,
        risk: AccountRisk,
    },
    SetPoolExposure(PoolExposure),
    SetForceReduceResult {
        account_id: u64,
        result: ForceReduceResult,
    },
    /// Make the next `ForceReduce` calls fail (or not).
    SetFailForceReduce {
        fail: bool,
    },
    Trade {
        settlement: Settlement,
    },
}

fn risk_key(account_id: u64) -> Vec<u8> {
    [b"risk:".as_slice(), &account_id.to_be_bytes()].concat()
}

fn fr_key(account_id: u64) -> Vec<u8> {
    [b"fr:".as_slice(), &account_id.to_be_bytes()].concat()
}

fn instantiate(
    deps: DepsMut,
    _env: Env,
    _info: MessageInfo,
    msg: MockMarketInstantiateMsg,
) -> StdResult<Response> {
    let vault = deps.api.addr_validate(&msg.vault)?;
    deps.storage.set(b"vault", vault.as_bytes());
    Ok(Response::new().add_attribute("action", "instantiate"))
}

fn vault_addr(deps: &Deps) -> StdResult<String> {
    let raw = deps
        .storage
        .get(b"vault")
        .ok_or_else(|| StdError::generic_err("no vault"))?;
    String::from_utf8(raw).map_err(|_| StdError::generic_err("bad vault"))
}

fn execute(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: MockMarketExecuteMsg,
) -> StdResult<Response> {
    match msg {
        MockMarketExecuteMsg::ForceReduce {
            account_id,
            fraction,
        } => {
            if info.sender.as_str() != vault_addr(&deps.as_ref())? {
                return Err(StdError::generic_err("only the vault"));
            }
            if deps.storage.get(b"fail_fr").is_some() {
                return Err(StdError::generic_err("force reduce refused"));
            }
            let raw = deps
                .storage
                .get(&fr_key(account_id))
                .ok_or_else(|| StdError::generic_err("no force reduce result set"))?;
            let result: ForceReduceResult = from_json(raw)?;
            deps.storage
                .set(&risk_key(account_id), &to_json_vec(&result.risk)?);
            Ok(Response::new()
                .add_attribute("action", "force_reduce")
                .add_attribute("fraction", fraction.to_string())
                .set_data(to_json_binary(&result)?))
        }
        MockMarketExecuteMsg::SetAccountRisk { account_id, risk } => {
            deps.storage
                .set(&risk_key(account_id), &to_json_vec(&risk)?);
            Ok(Response::new().add_attribute("action", "set_account_risk"))
        }
        MockMarketExecuteMsg::SetPoolExposure(e) => {
            deps.storage.set(b"exposure", &to_json_vec(&e)?);
            Ok(Response::new().add_attribute("action", "set_pool_exposure"))
        }
        MockMarketExecuteMsg::SetForceReduceResult { account_id, result } => {
            deps.storage
                .set(&fr_key(account_id), &to_json_vec(&result)?);
            Ok(Response::new().add_attribute("action", "set_force_reduce_result"))
        }
        MockMarketExecuteMsg::SetFailForceReduce { fail } => {
            if fail {
                deps.storage.set(b"fail_fr", b"1");
            } else {
                deps.storage.remove(b"fail_fr");
            }
            Ok(Response::new().add_attribute("action", "set_fail_force_reduce"))
        }
        MockMarketExecuteMsg::Trade { settlement } => {
            deps.storage.set(
                &risk_key(settlement.account_id),
                &to_json_vec(&settlement.risk)?,
            );
            let vault = vault_addr(&deps.as_ref())?;
            Ok(Response::new()
                .add_attribute("action", "trade")
                .add_message(WasmMsg::Execute {
                    contract_addr: vault,
                    msg: to_json_binary(&VaultExecuteMsg::Settle(settlement))?,
                    funds: vec![],
                }))
        }
    }
}

fn query(deps: Deps, _env: Env, msg: MarketQueryMsg) -> StdResult<Binary> {
    match msg {
        MarketQueryMsg::AccountRisk { account_id } => {
            let risk: AccountRisk = deps
                .storage
                .get(&risk_key(account_id))
                .map(from_json)
                .transpose()?
                .unwrap_or_default();
            to_json_binary(&risk)
        }
        MarketQueryMsg::PoolExposure {} => {
            let e: PoolExposure = deps
                .storage
                .get(b"exposure")
                .map(from_json)
                .transpose()?
                .unwrap_or(PoolExposure {
                    unrealized_trader_pnl: Default::default(),
                    locked_liquidity: Default::default(),
                    trader_gains: Default::default(),
                });
            to_json_binary(&e)
        }
    }
}

pub fn contract() -> Box<dyn Contract<Empty>> {
    Box::new(ContractWrapper::new(execute, instantiate, query))
}
