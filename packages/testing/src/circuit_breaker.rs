//! Multi-test wrapper and default messages for the circuit-breaker contract.

use cosmwasm_std::{Addr, Empty};
use cw_multi_test::{Contract, ContractWrapper};

use bulwark_types::circuit_breaker::InstantiateMsg;

/// Default cooldown before the owner may loosen a tripped scope (1 hour).
pub const DEFAULT_COOLDOWN_SECS: u64 = 3600;
/// Default liquidation grace period after a halt is lifted (30 minutes).
pub const DEFAULT_LIQUIDATION_GRACE_SECS: u64 = 1800;
/// Default size of the trip/reset history.
pub const DEFAULT_HISTORY_CAPACITY: u32 = 500;

pub fn contract() -> Box<dyn Contract<Empty>> {
    use bulwark_circuit_breaker::contract::{execute, instantiate, migrate, query};
    Box::new(ContractWrapper::new(execute, instantiate, query).with_migrate(migrate))
}

/// No guardians; reporters and guardians are registered by the owner in each test.
pub fn instantiate_msg(owner: &Addr) -> InstantiateMsg {
    InstantiateMsg {
        owner: owner.to_string(),
        guardians: vec![],
        cooldown_secs: DEFAULT_COOLDOWN_SECS,
        liquidation_grace_secs: DEFAULT_LIQUIDATION_GRACE_SECS,
        history_capacity: DEFAULT_HISTORY_CAPACITY,
    }
}
