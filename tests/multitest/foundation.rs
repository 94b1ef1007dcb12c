//! What every Bulwark contract shares: instantiation with an owner and cw2 record,
//! two-step ownership through its own messages, and guarded migrations.

use bulwark_testing::Suite;
use bulwark_types::migration::MigrationError;
use bulwark_types::ownership::{Ownership, OwnershipAction, OwnershipError};
use cosmwasm_std::{
    to_json_binary, Binary, Deps, DepsMut, Empty, Env, MessageInfo, Response, StdError,
};
use cw_multi_test::{ContractWrapper, Executor};

#[cosmwasm_schema::cw_serde]
enum OwnershipQuery {
    Ownership {},
}

#[cosmwasm_schema::cw_serde]
enum OwnershipExecute {
    UpdateOwnership(OwnershipAction),
}

#[cosmwasm_schema::cw_serde]
struct EmptyMigrate {}

fn ownership(suite: &Suite, addr: &cosmwasm_std::Addr) -> Ownership {
    suite
        .app
        .wrap()
        .query_wasm_smart(addr, &OwnershipQuery::Ownership {})
        .unwrap()
}

#[test]
fn instantiate_records_owner_and_version() {
    let suite = Suite::new().unwrap();
    for (name, deployed) in suite.all() {
        let info = cw2::query_contract_info(&suite.app.wrap(), deployed.addr.to_string()).unwrap();
        assert_eq!(info.contract, name);
        assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
        let o = ownership(&suite, &deployed.addr);
        assert_eq!(o.owner_addr, suite.owner_addr);
        assert_eq!(o.pending_owner_addr, None);
    }
}

#[test]
fn ownership_moves_in_two_steps_on_every_contract() {
    let mut suite = Suite::new().unwrap();
    let new_dao = suite.addr("new-dao");
    let eve = suite.addr("eve");
    let owner = suite.owner_addr.clone();
    let contracts: Vec<_> = suite.all().iter().map(|(_, d)| d.addr.clone()).collect();
    for addr in contracts {
        let propose = OwnershipExecute::UpdateOwnership(OwnershipAction::TransferOwnership {
            new_owner: new_dao.to_string(),
            expiry_secs: None,
        });
        let err = suite.execute(&eve, &addr, &propose).unwrap_err();
        assert_eq!(
            err.root_cause().to_string(),
            OwnershipError::NotOwner.to_string()
        );
        let res = suite.execute(&owner, &addr, &propose).unwrap();
        assert!(res.events.iter().any(|e| e
            .attributes
            .iter()
            .any(|a| a.key == "action" && a.value == "transfer_ownership")));
        assert_eq!(ownership(&suite, &addr).owner_addr, owner);
        let accept = OwnershipExecute::UpdateOwnership(OwnershipAction::AcceptOwnership {});
        let err = suite.execute(&eve, &addr, &accept).unwrap_err();
        assert_eq!(
            err.root_cause().to_string(),
            OwnershipError::NotPendingOwner.to_string()
        );
        suite.execute(&new_dao, &addr, &accept).unwrap();
        assert_eq!(ownership(&suite, &addr).owner_addr, new_dao);
        // The old owner lost its rights.
        assert!(suite.execute(&owner, &addr, &propose).is_err());
    }
}

#[test]
fn migrate_to_same_or_newer_code_keeps_state() {
    let mut suite = Suite::new().unwrap();
    let owner = suite.owner_addr.clone();
    let all: Vec<_> = suite.all().iter().map(|(_, d)| (*d).clone()).collect();
    for deployed in all {
        let res = suite
            .app
            .migrate_contract(
                owner.clone(),
                deployed.addr.clone(),
                &EmptyMigrate {},
                deployed.code_id,
            )
            .unwrap();
        assert!(res.events.iter().any(|e| e
            .attributes
            .iter()
            .any(|a| a.key == "action" && a.value == "migrate")));
        assert_eq!(ownership(&suite, &deployed.addr).owner_addr, owner);
    }
}

#[test]
fn migrate_refuses_other_contract_state() {
    let mut suite = Suite::new().unwrap();
    let owner = suite.owner_addr.clone();
    let all: Vec<_> = suite
        .all()
        .iter()
        .map(|(n, d)| (*n, (*d).clone()))
        .collect();
    for (i, (name, deployed)) in all.iter().enumerate() {
        // Point each contract at the next contract's code.
        let (other_name, other) = &all[(i + 1) % all.len()];
        let err = suite
            .app
            .migrate_contract(
                owner.clone(),
                deployed.addr.clone(),
                &EmptyMigrate {},
                other.code_id,
            )
            .unwrap_err();
        assert_eq!(
            err.root_cause().to_string(),
            MigrationError::WrongContract {
                expected: other_name.to_string(),
                found: name.to_string()
            }
            .to_string()
        );
    }
}

#[cosmwasm_schema::cw_serde]
struct FutureInit {
    name: String,
}

fn future_instantiate(
    deps: DepsMut,
    _env: Env,
    _info: MessageInfo,
    msg: FutureInit,
) -> Result<Response, StdError> {
    cw2::set_contract_version(deps.storage, msg.name, "99.0.0")?;
    Ok(Response::new())
}

fn future_execute(_: DepsMut, _: Env, _: MessageInfo, _: Empty) -> Result<Response, StdError> {
    Ok(Response::new())
}

fn future_query(_: Deps, _: Env, _: Empty) -> Result<Binary, StdError> {
    to_json_binary(&())
}

#[test]
fn migrate_refuses_downgrade_and_non_admin() {
    let mut suite = Suite::new().unwrap();
    let owner = suite.owner_addr.clone();
    let eve = suite.addr("eve");
    let future_code = suite.app.store_code(Box::new(ContractWrapper::new(
        future_execute,
        future_instantiate,
        future_query,
    )));
    let all: Vec<_> = suite
        .all()
        .iter()
        .map(|(n, d)| (*n, (*d).clone()))
        .collect();
    for (name, deployed) in all {
        // A contract whose state claims a newer version of the same contract.
        let newer = suite
            .app
            .instantiate_contract(
                future_code,
                owner.clone(),
                &FutureInit {
                    name: name.to_string(),
                },
                &[],
                "future",
                Some(owner.to_string()),
            )
            .unwrap();
        let err = suite
            .app
            .migrate_contract(owner.clone(), newer, &EmptyMigrate {}, deployed.code_id)
            .unwrap_err();
        assert_eq!(
            err.root_cause().to_string(),
            MigrationError::Downgrade {
                from: "99.0.0".into(),
                to: env!("CARGO_PKG_VERSION").into()
            }
            .to_string()
        );
        // Only the wasm admin (the DAO) may migrate.
        assert!(suite
            .app
            .migrate_contract(
                eve.clone(),
                deployed.addr.clone(),
                &EmptyMigrate {},
                deployed.code_id
            )
            .is_err());
    }
}
