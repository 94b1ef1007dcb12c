//! Multi-test wrapper and default messages for the oracle contract, and a mock Pyth contract.

use cosmwasm_std::{
    from_json, to_json_binary, to_json_vec, Addr, Binary, Deps, DepsMut, Empty, Env, MessageInfo,
    Response, StdError, StdResult,
};
use cw_multi_test::{Contract, ContractWrapper};
use serde::{Deserialize, Serialize};

use bulwark_types::oracle::{
    AssetConfig, InstantiateMsg, PythPrice, PythPriceFeed, PythPriceFeedResponse, PythQueryMsg,
    Source,
};

pub fn contract() -> Box<dyn Contract<Empty>> {
    use bulwark_oracle::contract::{execute, instantiate, migrate, query, reply};
    Box::new(
        ContractWrapper::new(execute, instantiate, query)
            .with_migrate(migrate)
            .with_reply(reply),
    )
}

/// No guardians, no breaker, no future skew; the owner adds assets and feeders.
pub fn instantiate_msg(owner: &Addr) -> InstantiateMsg {
    InstantiateMsg {
        owner: owner.to_string(),
        circuit_breaker: None,
        guardians: vec![],
        max_future_skew_secs: 0,
    }
}

/// An asset quoted in USD (6 decimals on both sides) priced by `feeders`, each a source with
/// `max_age_secs`; 5% outlier band, no max move, no breaker trips. Override fields with
/// struct-update syntax where a test needs more.
pub fn feeder_asset(
    asset_id: &str,
    feeders: &[Addr],
    quorum: u8,
    max_age_secs: u64,
) -> AssetConfig {
    AssetConfig {
        asset_id: asset_id.to_string(),
        quote: "USD".to_string(),
        base_decimals: 6,
        quote_decimals: 6,
        sources: feeders
            .iter()
            .map(|f| Source::Feeder {
                feeder_addr: f.clone(),
                max_age_secs,
            })
            .collect(),
        quorum,
        max_deviation_bps: 500,
        max_move: None,
        trip_targets: vec![],
    }
}

// ---------------------------------------------------------------------------------------------
// Mock Pyth: answers `{"price_feed":{"id":..}}` like the Pyth CosmWasm contract, with prices
// set by anyone through `MockPythExecuteMsg::SetPriceFeed`.

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct MockPythInstantiateMsg {}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum MockPythExecuteMsg {
    SetPriceFeed {
        id: String,
        price: PythPrice,
        ema_price: PythPrice,
    },
}

fn pyth_key(id: &str) -> Vec<u8> {
    [b"feed:".as_slice(), id.as_bytes()].concat()
}

fn pyth_instantiate(
    _deps: DepsMut,
    _env: Env,
    _info: MessageInfo,
    _msg: MockPythInstantiateMsg,
) -> StdResult<Response> {
    Ok(Response::new().add_attribute("action", "instantiate"))
}

fn pyth_execute(
    deps: DepsMut,
    _env: Env,
    _info: MessageInfo,
    msg: MockPythExecuteMsg,
) -> StdResult<Response> {
    match msg {
        MockPythExecuteMsg::SetPriceFeed {
            id,
            price,
            ema_price,
        } => {
            let feed = PythPriceFeed {
                id: id.clone(),
                price,
                ema_price,
            };
            deps.storage.set(&pyth_key(&id), &to_json_vec(&feed)?);
            Ok(Response::new().add_attribute("action", "set_price_feed"))
        }
    }
}

fn pyth_query(deps: Deps, _env: Env, msg: PythQueryMsg) -> StdResult<Binary> {
    match msg {
        PythQueryMsg::PriceFeed { id } => {
            let raw = deps
                .storage
                .get(&pyth_key(&id))
                .ok_or_else(|| StdError::not_found(format!("price feed {id}")))?;
            let price_feed: PythPriceFeed = from_json(raw)?;
            to_json_binary(&PythPriceFeedResponse { price_feed })
        }
    }
}

pub fn mock_pyth_contract() -> Box<dyn Contract<Empty>> {
    Box::new(ContractWrapper::new(
        pyth_execute,
        pyth_instantiate,
        pyth_query,
    ))
}
