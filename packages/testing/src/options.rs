//! Multi-test wrapper and default messages for the options contract.

use cosmwasm_std::{Addr, Empty};
use cw_multi_test::{Contract, ContractWrapper};

use bulwark_types::options::InstantiateMsg;

pub fn contract() -> Box<dyn Contract<Empty>> {
    use bulwark_options::contract::{execute, instantiate, migrate, query};
    Box::new(ContractWrapper::new(execute, instantiate, query).with_migrate(migrate))
}

/// Owner only, default parameters; vault, oracle and breaker are set later with
/// `UpdateConfig` (trading is refused until they are).
pub fn instantiate_msg(owner: &Addr) -> InstantiateMsg {
    InstantiateMsg {
        owner: owner.to_string(),
        vault: None,
        oracle: None,
        circuit_breaker: None,
        vol_feeder: None,
        params: None,
    }
}

/// Fully wired, default parameters.
pub fn instantiate_msg_with(
    owner: &Addr,
    vault: &Addr,
    oracle: &Addr,
    circuit_breaker: &Addr,
) -> InstantiateMsg {
    InstantiateMsg {
        owner: owner.to_string(),
        vault: Some(vault.to_string()),
        oracle: Some(oracle.to_string()),
        circuit_breaker: Some(circuit_breaker.to_string()),
        vol_feeder: None,
        params: None,
    }
}
