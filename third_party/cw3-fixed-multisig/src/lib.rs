//! cw-plus' `cw3-fixed-multisig` 2.0.0 from crates.io, built by `scripts/build-artifacts` into
//! `artifacts/cw3_fixed_multisig.wasm` like the Bulwark contracts (docs/build.md, "Third-party
//! artifacts"). It is the DAO multisig meant to be the wasm admin and owner of the Bulwark
//! contracts, so a voter can rebuild its code hash too.
//!
//! Why entry points here and not a bare re-export: cosmwasm-derive 2.2 expands
//! `#[entry_point]` into wasm exports only in the crate cargo builds as a primary package
//! (`CARGO_PRIMARY_PACKAGE`), never in a dependency, so upstream's own entry points are not in
//! this cdylib. Each one below forwards to the upstream function of the same name, unchanged.
//! Upstream 2.0.0 has no `migrate`, so neither does this contract.

use cosmwasm_std::{Binary, Deps, DepsMut, Empty, Env, MessageInfo, Response, StdResult};
use cw3_fixed_multisig::contract;
use cw3_fixed_multisig::msg::{ExecuteMsg, InstantiateMsg, QueryMsg};

pub use cw3_fixed_multisig::{msg, state, ContractError};

#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn instantiate(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    contract::instantiate(deps, env, info, msg)
}

#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response<Empty>, ContractError> {
    contract::execute(deps, env, info, msg)
}

#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    contract::query(deps, env, msg)
}

#[cfg(test)]
mod tests {
    use super::msg::{InstantiateMsg, QueryMsg, Voter};
    use super::{instantiate, query};
    use cosmwasm_std::from_json;
    use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env};
    use cw_utils::{Duration, Threshold, ThresholdResponse};

    #[test]
    fn entry_points_forward_to_upstream() {
        let mut deps = mock_dependencies();
        let voters = ["alice", "bob", "carol"].map(|name| Voter {
            addr: deps.api.addr_make(name).to_string(),
            weight: 1,
        });
        let msg = InstantiateMsg {
            voters: voters.to_vec(),
            threshold: Threshold::AbsoluteCount { weight: 2 },
            max_voting_period: Duration::Time(3600),
        };
        let sender = deps.api.addr_make("deployer");
        instantiate(deps.as_mut(), mock_env(), message_info(&sender, &[]), msg).unwrap();

        let bin = query(deps.as_ref(), mock_env(), QueryMsg::Threshold {}).unwrap();
        let threshold: ThresholdResponse = from_json(bin).unwrap();
        assert_eq!(
            threshold,
            ThresholdResponse::AbsoluteCount {
                weight: 2,
                total_weight: 3
            }
        );
    }
}
