//! Unauthorized callers on every execute message: refused with a typed error, no state change.

mod common;

use bulwark_circuit_breaker::ContractError;
use bulwark_types::circuit_breaker::{
    ActionClass, ConfigResponse, ExecuteMsg, HistoryEntry, Level, OverrideMode, QueryMsg,
    RateLimitParams, ReporterPermissions, ReporterResponse, Scope, ScopeStateResponse,
};
use bulwark_types::ownership::{OwnershipAction, OwnershipError};
use common::*;
use cosmwasm_std::{Addr, Uint128};

fn all_messages(env: &Env_) -> Vec<ExecuteMsg> {
    let scope = env.contract_scope(&env.options);
    vec![
        ExecuteMsg::UpdateOwnership(OwnershipAction::TransferOwnership {
            new_owner: env.eve.to_string(),
            expiry_secs: None,
        }),
        ExecuteMsg::Trip {
            scope: scope.clone(),
            level: Level::Halted,
            reason: "x".into(),
        },
        ExecuteMsg::SetLevel {
            scope: scope.clone(),
            level: Level::Halted,
            reason: "x".into(),
        },
        ExecuteMsg::SetOverride {
            scope: scope.clone(),
            action: ActionClass::Open,
            mode: Some(OverrideMode::Block),
            reason: "x".into(),
        },
        ExecuteMsg::Reset {
            scope,
            reason: "x".into(),
        },
        ExecuteMsg::UpdateGuardians {
            add: vec![env.eve.to_string()],
            remove: vec![],
        },
        ExecuteMsg::SetReporter {
            reporter: env.eve.to_string(),
            permissions: ReporterPermissions {
                global: true,
                contracts: vec![],
                outflows: true,
            },
        },
        ExecuteMsg::RemoveReporter {
            reporter: env.vault.to_string(),
        },
        ExecuteMsg::UpdateConfig {
            cooldown_secs: Some(0),
            liquidation_grace_secs: Some(0),
        },
        ExecuteMsg::SetRateLimit(RateLimitParams {
            denom: "uusdc".into(),
            channel: None,
            quota_bps: 1,
            warn_bps: 1,
            window_secs: 24,
            buckets: 24,
            min_quota: Uint128::one(),
        }),
        ExecuteMsg::RemoveRateLimit {
            denom: "uusdc".into(),
            channel: None,
        },
        ExecuteMsg::ReportOutflow {
            denom: "uusdc".into(),
            channel: None,
            amount: Uint128::new(1),
            reference_value: Uint128::new(1_000),
        },
    ]
}

fn unauthorized(sender: &Addr, what: &str) -> ContractError {
    ContractError::Unauthorized {
        sender: sender.to_string(),
        what: what.into(),
    }
}

/// The error `sender` (with `role`) must get for `msg`, or `None` if it is allowed.
fn expected(env: &Env_, role: &str, sender: &Addr, msg: &ExecuteMsg) -> Option<ContractError> {
    let not_owner = ContractError::Ownership(OwnershipError::NotOwner);
    match msg {
        ExecuteMsg::UpdateOwnership(_) => Some(not_owner),
        ExecuteMsg::Trip { .. } => match role {
            "stranger" => Some(unauthorized(sender, "trip")),
            // The oracle and vault reporters are not allowed for the options contract.
            "oracle" | "vault" => Some(unauthorized(sender, "trip this scope")),
            _ => None,
        },
        ExecuteMsg::SetOverride { .. } => match role {
            "guardian" => None,
            _ => Some(unauthorized(sender, "set overrides")),
        },
        ExecuteMsg::ReportOutflow { .. } => match role {
            "vault" => None,
            _ => Some(unauthorized(sender, "report outflows")),
        },
        _ => {
            let _ = env;
            Some(not_owner)
        }
    }
}

fn snapshot(env: &Env_) -> String {
    let states: Vec<ScopeStateResponse> = env.query(&QueryMsg::ScopeStates {
        start_after: None,
        limit: None,
    });
    let history: Vec<HistoryEntry> = env.query(&QueryMsg::History {
        start_before: None,
        limit: None,
    });
    let guardians: Vec<Addr> = env.query(&QueryMsg::Guardians {
        start_after: None,
        limit: None,
    });
    let reporters: Vec<ReporterResponse> = env.query(&QueryMsg::Reporters {
        start_after: None,
        limit: None,
    });
    let config: ConfigResponse = env.query(&QueryMsg::Config {});
    let limits: Vec<bulwark_types::circuit_breaker::RateLimitResponse> =
        env.query(&QueryMsg::RateLimits {
            start_after: None,
            limit: None,
        });
    format!("{states:?}{history:?}{guardians:?}{reporters:?}{config:?}{limits:?}")
}

#[test]
fn every_message_refuses_unauthorized_callers() {
    let mut env = setup();
    let owner = env.owner.clone();
    // A rate limit exists so that RemoveRateLimit and ReportOutflow have something to touch.
    env.exec(
        &owner,
        &ExecuteMsg::SetRateLimit(RateLimitParams {
            denom: "uusdc".into(),
            channel: None,
            quota_bps: 1_000,
            warn_bps: 8_000,
            window_secs: 86_400,
            buckets: 24,
            min_quota: Uint128::one(),
        }),
    )
    .unwrap();
    let callers = [
        ("stranger", env.eve.clone()),
        ("guardian", env.guardian.clone()),
        ("oracle", env.oracle.clone()),
        ("vault", env.vault.clone()),
    ];
    let msgs = all_messages(&env);
    assert_eq!(msgs.len(), 12, "every ExecuteMsg variant is covered");
    let mut refused = 0;
    for (role, sender) in &callers {
        for msg in &msgs {
            let Some(err) = expected(&env, role, sender, msg) else {
                continue;
            };
            let before = snapshot(&env);
            env.exec_err(sender, msg, err);
            assert_eq!(before, snapshot(&env), "{role} changed state with {msg:?}");
            refused += 1;
        }
    }
    // Stranger: all 12; guardian: all but Trip and SetOverride; oracle (not allowed for the
    // options contract, no outflow right): all 12; vault: all but ReportOutflow.
    assert_eq!(refused, 12 + 10 + 12 + 11);
}

#[test]
fn guardians_cannot_loosen_nor_administer() {
    let mut env = setup();
    let (owner, guardian, perps) = (env.owner.clone(), env.guardian.clone(), env.perps.clone());
    let scope = env.contract_scope(&perps);
    env.trip(&owner, scope.clone(), Level::Halted).unwrap();
    env.exec(
        &owner,
        &ExecuteMsg::SetOverride {
            scope: scope.clone(),
            action: ActionClass::Reduce,
            mode: Some(OverrideMode::Block),
            reason: "x".into(),
        },
    )
    .unwrap();
    env.advance(10 * COOLDOWN);
    let loosen = || ContractError::GuardianCannotLoosen {
        scope: format!("contract:{perps}"),
    };
    // Allow is loosening, even on an untouched action or scope.
    for (s, action, mode) in [
        (scope.clone(), ActionClass::Reduce, None),
        (
            scope.clone(),
            ActionClass::Reduce,
            Some(OverrideMode::Allow),
        ),
        (scope.clone(), ActionClass::Open, Some(OverrideMode::Allow)),
    ] {
        env.exec_err(
            &guardian,
            &ExecuteMsg::SetOverride {
                scope: s,
                action,
                mode,
                reason: "x".into(),
            },
            loosen(),
        );
    }
    env.exec_err(
        &guardian,
        &ExecuteMsg::SetOverride {
            scope: Scope::Global,
            action: ActionClass::Open,
            mode: Some(OverrideMode::Allow),
            reason: "x".into(),
        },
        ContractError::GuardianCannotLoosen {
            scope: "global".into(),
        },
    );
    // A lower trip is a no-op, never a loosening.
    let res = env.trip(&guardian, scope.clone(), Level::Normal).unwrap();
    assert!(has_attr(&res, "wasm", "changed", "false"));
    let st: ScopeStateResponse = env.query(&QueryMsg::ScopeState { scope });
    assert_eq!(st.level, Level::Halted);
    // Owner-only guardian management.
    env.exec(
        &owner,
        &ExecuteMsg::UpdateGuardians {
            add: vec![],
            remove: vec![guardian.to_string()],
        },
    )
    .unwrap();
    env.exec_err(
        &guardian,
        &ExecuteMsg::Trip {
            scope: Scope::Global,
            level: Level::Halted,
            reason: "x".into(),
        },
        unauthorized(&guardian, "trip"),
    );
    env.exec_err(
        &owner,
        &ExecuteMsg::UpdateGuardians {
            add: vec![],
            remove: vec![guardian.to_string()],
        },
        ContractError::NotAGuardian {
            addr: guardian.to_string(),
        },
    );
}
