//! Multi-test wrapper and default messages for the circuit-breaker contract.

use cosmwasm_std::{Addr, Empty};
use cw_multi_test::{Contract, ContractWrapper};

use bulwark_types::circuit_breaker::InstantiateMsg;

pub fn contract() -> Box<dyn Contract<Empty>> {
    use bulwark_circuit_breaker::contract::{execute, instantiate, migrate, query};
    Box::new(ContractWrapper::new(execute, instantiate, query).with_migrate(migrate))
}

pub fn instantiate_msg(owner: &Addr) -> InstantiateMsg {
    InstantiateMsg {
        owner: owner.to_string(),
    }
}
