//! The queries the contracts send, as wire-identical one-purpose request types (D32).
//!
//! `QuerierWrapper`'s helpers serialize the whole `QueryRequest` enum, whose serializer covers
//! every bank, staking, distribution, IBC, gRPC and wasm query (~10 KiB of the vault's wasm)
//! though a contract sends three of them. These send the same JSON and map the answers to the
//! same errors as `QuerierWrapper::query`.

use cosmwasm_schema::serde::de::DeserializeOwned;
use cosmwasm_schema::serde::Serialize;
use cosmwasm_std::{
    from_json, to_json_binary, to_json_vec, BalanceResponse, Binary, ContractResult, CustomQuery,
    QuerierWrapper, StdError, StdResult, SystemResult, Uint128,
};

#[derive(Serialize)]
#[serde(crate = "::cosmwasm_schema::serde", rename_all = "snake_case")]
enum Request<'a> {
    Bank(BankRequest<'a>),
    Wasm(WasmRequest<'a>),
}

#[derive(Serialize)]
#[serde(crate = "::cosmwasm_schema::serde", rename_all = "snake_case")]
enum BankRequest<'a> {
    Balance { address: &'a str, denom: &'a str },
}

#[derive(Serialize)]
#[serde(crate = "::cosmwasm_schema::serde", rename_all = "snake_case")]
enum WasmRequest<'a> {
    Smart { contract_addr: &'a str, msg: Binary },
    Raw { contract_addr: &'a str, key: Binary },
}

fn send<C: CustomQuery>(querier: &QuerierWrapper<C>, request: &Request) -> StdResult<Binary> {
    let raw = to_json_vec(request).map_err(|serialize_err| {
        StdError::generic_err(format!("Serializing QueryRequest: {serialize_err}"))
    })?;
    match querier.raw_query(&raw) {
        SystemResult::Err(system_err) => Err(StdError::generic_err(format!(
            "Querier system error: {system_err}"
        ))),
        SystemResult::Ok(ContractResult::Err(contract_err)) => Err(StdError::generic_err(format!(
            "Querier contract error: {contract_err}"
        ))),
        SystemResult::Ok(ContractResult::Ok(value)) => Ok(value),
    }
}

/// `QuerierWrapper::query_wasm_smart`.
pub fn query_wasm_smart<C: CustomQuery, T: DeserializeOwned>(
    querier: &QuerierWrapper<C>,
    contract_addr: &str,
    msg: &impl Serialize,
) -> StdResult<T> {
    let request = Request::Wasm(WasmRequest::Smart {
        contract_addr,
        msg: to_json_binary(msg)?,
    });
    from_json(send(querier, &request)?)
}

/// `QuerierWrapper::query_wasm_raw`: the value under `key` in the contract's storage, `None`
/// when absent.
pub fn query_wasm_raw<C: CustomQuery>(
    querier: &QuerierWrapper<C>,
    contract_addr: &str,
    key: &[u8],
) -> StdResult<Option<Vec<u8>>> {
    let request = Request::Wasm(WasmRequest::Raw {
        contract_addr,
        key: Binary::from(key),
    });
    let value = send(querier, &request)?;
    Ok(if value.is_empty() {
        None
    } else {
        Some(value.into())
    })
}

/// A JSON value stored under `key` in another contract (`Map::query` of cw-storage-plus).
pub fn query_stored<C: CustomQuery, T: DeserializeOwned>(
    querier: &QuerierWrapper<C>,
    contract_addr: &str,
    key: &[u8],
) -> StdResult<Option<T>> {
    query_wasm_raw(querier, contract_addr, key)?
        .map(|value| from_json(value))
        .transpose()
}

/// `QuerierWrapper::query_balance`: the bank balance of `address` in `denom`.
pub fn query_balance<C: CustomQuery>(
    querier: &QuerierWrapper<C>,
    address: &str,
    denom: &str,
) -> StdResult<Uint128> {
    let request = Request::Bank(BankRequest::Balance { address, denom });
    let response: BalanceResponse = from_json(send(querier, &request)?)?;
    Ok(response.amount.amount)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::{BankQuery, QueryRequest, WasmQuery};

    /// The requests are byte-identical to cosmwasm-std's, which every chain and mock parses.
    #[test]
    fn wire_identical_to_query_request() {
        let msg = to_json_binary(&serde_json_probe()).unwrap();
        let ours = to_json_vec(&Request::Wasm(WasmRequest::Smart {
            contract_addr: "c",
            msg: msg.clone(),
        }))
        .unwrap();
        let std: QueryRequest = WasmQuery::Smart {
            contract_addr: "c".into(),
            msg,
        }
        .into();
        assert_eq!(ours, to_json_vec(&std).unwrap());

        let ours = to_json_vec(&Request::Wasm(WasmRequest::Raw {
            contract_addr: "c",
            key: Binary::from(b"k\x00"),
        }))
        .unwrap();
        let std: QueryRequest = WasmQuery::Raw {
            contract_addr: "c".into(),
            key: Binary::from(b"k\x00"),
        }
        .into();
        assert_eq!(ours, to_json_vec(&std).unwrap());

        let ours = to_json_vec(&Request::Bank(BankRequest::Balance {
            address: "a",
            denom: "uusdc",
        }))
        .unwrap();
        let std: QueryRequest = BankQuery::Balance {
            address: "a".into(),
            denom: "uusdc".into(),
        }
        .into();
        assert_eq!(ours, to_json_vec(&std).unwrap());
    }

    fn serde_json_probe() -> Vec<u32> {
        vec![1, 2]
    }
}
