//! cw-plus' `cw20-base` 2.0.0 from crates.io, built by `scripts/build-artifacts` into
//! `artifacts/cw20_base.wasm` like the Bulwark contracts (docs/build.md, "Third-party
//! artifacts"). It is the cw20 token the chain tests use as cw20 collateral.
//!
//! Why entry points here and not a bare re-export: cosmwasm-derive 2.2 expands
//! `#[entry_point]` into wasm exports only in the crate cargo builds as a primary package
//! (`CARGO_PRIMARY_PACKAGE`), never in a dependency, so upstream's own entry points are not in
//! this cdylib. Each one below forwards to the upstream function of the same name, unchanged.

use cosmwasm_std::{Binary, Deps, DepsMut, Env, MessageInfo, Response, StdResult};
use cw20_base::contract;
use cw20_base::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};

pub use cw20_base::{allowances, enumerable, msg, state, ContractError};

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
) -> Result<Response, ContractError> {
    contract::execute(deps, env, info, msg)
}

#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    contract::query(deps, env, msg)
}

#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn migrate(deps: DepsMut, env: Env, msg: MigrateMsg) -> Result<Response, ContractError> {
    contract::migrate(deps, env, msg)
}

#[cfg(test)]
mod tests {
    use super::msg::{InstantiateMsg, QueryMsg};
    use super::{instantiate, query};
    use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env};
    use cosmwasm_std::{from_json, Uint128};
    use cw20::{BalanceResponse, Cw20Coin};

    #[test]
    fn entry_points_forward_to_upstream() {
        let mut deps = mock_dependencies();
        let holder = deps.api.addr_make("holder").to_string();
        let msg = InstantiateMsg {
            name: "Collateral".to_string(),
            symbol: "COLL".to_string(),
            decimals: 6,
            initial_balances: vec![Cw20Coin {
                address: holder.clone(),
                amount: Uint128::new(1_000_000),
            }],
            mint: None,
            marketing: None,
        };
        let sender = deps.api.addr_make("deployer");
        instantiate(deps.as_mut(), mock_env(), message_info(&sender, &[]), msg).unwrap();

        let bin = query(
            deps.as_ref(),
            mock_env(),
            QueryMsg::Balance { address: holder },
        )
        .unwrap();
        let balance: BalanceResponse = from_json(bin).unwrap();
        assert_eq!(balance.balance, Uint128::new(1_000_000));
    }
}
