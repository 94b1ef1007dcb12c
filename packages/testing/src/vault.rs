//! Multi-test wrapper and default messages for the vault contract.

use cosmwasm_std::{Addr, Empty};
use cw_multi_test::{Contract, ContractWrapper};

use bulwark_types::vault::{InstantiateMsg, LpShareMode, VaultParams};

/// Settlement denom of the default instantiate message.
pub const DEFAULT_SETTLEMENT_DENOM: &str = "uusdc";
pub const DEFAULT_SETTLEMENT_DECIMALS: u8 = 6;

pub fn contract() -> Box<dyn Contract<Empty>> {
    use bulwark_vault::contract::{execute, instantiate, migrate, query, reply};
    Box::new(
        ContractWrapper::new(execute, instantiate, query)
            .with_migrate(migrate)
            .with_reply(reply),
    )
}

/// Settlement denom `uusdc` (6 decimals), default parameters, no oracle and no circuit breaker
/// yet: the owner sets them with `UpdateConfig { oracle, circuit_breaker, .. }` (until then
/// price-dependent actions fail with `OracleNotConfigured` and guarded actions with
/// `BreakerNotConfigured`). Use [`instantiate_msg_with`] when the addresses are known.
pub fn instantiate_msg(owner: &Addr) -> InstantiateMsg {
    InstantiateMsg {
        owner: owner.to_string(),
        settlement_denom: DEFAULT_SETTLEMENT_DENOM.to_string(),
        settlement_decimals: DEFAULT_SETTLEMENT_DECIMALS,
        oracle: None,
        circuit_breaker: None,
        params: VaultParams::default(),
        lp_shares: LpShareMode::Ledger,
    }
}

/// The default message with the oracle and breaker addresses set.
pub fn instantiate_msg_with(owner: &Addr, oracle: &Addr, circuit_breaker: &Addr) -> InstantiateMsg {
    InstantiateMsg {
        oracle: Some(oracle.to_string()),
        circuit_breaker: Some(circuit_breaker.to_string()),
        ..instantiate_msg(owner)
    }
}

/// The default message with the oracle and breaker set and LP shares as the tokenfactory denom
/// `factory/{vault_addr}/{subdenom}` (needs a chain, or a multi-test `Stargate` handler, with
/// the Osmosis tokenfactory).
pub fn instantiate_msg_tokenfactory(
    owner: &Addr,
    oracle: &Addr,
    circuit_breaker: &Addr,
    subdenom: &str,
) -> InstantiateMsg {
    InstantiateMsg {
        lp_shares: LpShareMode::TokenFactory {
            subdenom: subdenom.to_string(),
        },
        ..instantiate_msg_with(owner, oracle, circuit_breaker)
    }
}
