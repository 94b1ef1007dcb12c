//! Levels, scopes, overrides, grace period, cooldown, history and the raw helper, on the real
//! contract in cw-multi-test.

mod common;

use bulwark_circuit_breaker::ContractError;
use bulwark_types::circuit_breaker::{
    action_status_with, contract_mode_key, market_mode_key, ActionClass, ActionStatus, ChangeKind,
    EffectiveModeResponse, ExecuteMsg, HistoryEntry, Level, OverrideMode, QueryMsg, Role, Scope,
    ScopeKind, ScopeStateResponse, GLOBAL_MODE_KEY,
};
use common::*;
use cosmwasm_std::{Addr, Binary};
use cw_multi_test::Executor;

use ActionClass::*;

fn allowed_set(env: &Env_, contract: &Addr, market: Option<&str>) -> Vec<ActionClass> {
    ActionClass::ALL
        .into_iter()
        .filter(|a| env.allowed(contract, market, *a))
        .collect()
}

#[test]
fn missing_record_means_normal() {
    let env = setup();
    assert_eq!(allowed_set(&env, &env.perps, Some("eth")), ActionClass::ALL);
    assert_eq!(allowed_set(&env, &env.perps, None), ActionClass::ALL);
    let raw = env
        .app
        .wrap()
        .query_wasm_raw(env.breaker.to_string(), GLOBAL_MODE_KEY.to_vec())
        .unwrap();
    assert_eq!(raw, None);
}

#[test]
fn level_semantics_reduce_and_liquidate_stay_open_short_of_halt() {
    let mut env = setup();
    let scope = env.market_scope(&env.perps.clone(), "eth");
    let guardian = env.guardian.clone();
    let perps = env.perps.clone();

    env.trip(&guardian, scope.clone(), Level::ReduceOnly)
        .unwrap();
    assert_eq!(
        allowed_set(&env, &perps, Some("eth")),
        vec![Reduce, Liquidate, Deposit, Withdraw, LpDeposit, LpWithdraw, IbcOut]
    );
    assert_eq!(
        env.status(&perps, Some("eth"), Open),
        ActionStatus::Blocked {
            scope_kind: ScopeKind::Market,
            level: Level::ReduceOnly
        }
    );

    env.trip(&guardian, scope.clone(), Level::WithdrawalsPaused)
        .unwrap();
    assert_eq!(
        allowed_set(&env, &perps, Some("eth")),
        vec![Reduce, Liquidate, Deposit, LpDeposit]
    );

    env.trip(&guardian, scope, Level::Halted).unwrap();
    assert_eq!(allowed_set(&env, &perps, Some("eth")), vec![]);
    // Other markets and the contract-level question are unaffected.
    assert_eq!(allowed_set(&env, &perps, Some("btc")), ActionClass::ALL);
    assert_eq!(allowed_set(&env, &perps, None), ActionClass::ALL);
}

#[test]
fn effective_mode_is_strictest_over_scopes() {
    let mut env = setup();
    let (owner, perps, options) = (env.owner.clone(), env.perps.clone(), env.options.clone());
    env.trip(&owner, Scope::Global, Level::ReduceOnly).unwrap();
    let s = env.contract_scope(&perps);
    env.trip(&owner, s, Level::WithdrawalsPaused).unwrap();
    let s = env.market_scope(&perps, "eth");
    env.trip(&owner, s, Level::Halted).unwrap();

    assert_eq!(allowed_set(&env, &perps, Some("eth")), vec![]);
    assert_eq!(
        allowed_set(&env, &perps, Some("btc")),
        vec![Reduce, Liquidate, Deposit, LpDeposit]
    );
    assert_eq!(
        allowed_set(&env, &options, Some("eth")),
        vec![Reduce, Liquidate, Deposit, Withdraw, LpDeposit, LpWithdraw, IbcOut]
    );
    let eff: EffectiveModeResponse = env.query(&QueryMsg::EffectiveMode {
        contract_addr: perps.to_string(),
        market_id: Some("btc".into()),
    });
    assert_eq!(eff.level, Level::WithdrawalsPaused);
    assert_eq!(
        eff.blocked_actions,
        vec![Open, Withdraw, LpWithdraw, IbcOut]
    );
    // The global record answers first.
    assert_eq!(
        env.status(&options, None, Open),
        ActionStatus::Blocked {
            scope_kind: ScopeKind::Global,
            level: Level::ReduceOnly
        }
    );
}

#[test]
fn raw_helper_reads_at_most_three_small_records() {
    let mut env = setup();
    let (owner, perps) = (env.owner.clone(), env.perps.clone());
    env.trip(&owner, Scope::Global, Level::ReduceOnly).unwrap();
    let s = env.contract_scope(&perps);
    env.trip(&owner, s, Level::ReduceOnly).unwrap();
    let s = env.market_scope(&perps, "eth");
    env.trip(&owner, s.clone(), Level::Halted).unwrap();
    // Lift the market halt so it also carries a grace deadline (the longest record).
    env.advance(COOLDOWN);
    env.exec(
        &owner,
        &ExecuteMsg::SetLevel {
            scope: s,
            level: Level::ReduceOnly,
            reason: "lift".into(),
        },
    )
    .unwrap();

    let wrap = env.app.wrap();
    let mut reads: Vec<(usize, usize)> = vec![];
    let status = action_status_with(
        |key| {
            let v = wrap.query_wasm_raw(env.breaker.to_string(), key.to_vec())?;
            reads.push((key.len(), v.as_ref().map_or(0, Vec::len)));
            Ok(v)
        },
        perps.as_str(),
        Some("eth"),
        Liquidate,
        env.now(),
    )
    .unwrap();
    assert_eq!(
        status,
        ActionStatus::LiquidationGrace {
            scope_kind: ScopeKind::Market,
            until: env.now().plus_seconds(GRACE)
        }
    );
    // Keys of 2/18/18 bytes (truncated SHA-256 tags), values of at most 10 bytes.
    assert_eq!(reads, vec![(2, 2), (18, 2), (18, 10)]);
    // The keys are the published ones: b"M" ++ kind ++ sha256(input)[..16].
    let input = [perps.as_bytes(), &[0xff], b"eth"].concat();
    let expected = [
        &[0x4d, 0x02][..],
        &bulwark_types::circuit_breaker::sha256(&input)[..16],
    ]
    .concat();
    assert_eq!(market_mode_key(perps.as_str(), "eth").to_vec(), expected);
    assert!(wrap
        .query_wasm_raw(
            env.breaker.to_string(),
            contract_mode_key(perps.as_str()).to_vec()
        )
        .unwrap()
        .is_some());
    assert!(wrap
        .query_wasm_raw(
            env.breaker.to_string(),
            market_mode_key(perps.as_str(), "eth").to_vec()
        )
        .unwrap()
        .is_some());
    let key: Binary = env.query(&QueryMsg::ScopeKey {
        scope: Scope::Global,
    });
    assert_eq!(key.to_vec(), GLOBAL_MODE_KEY.to_vec());
}

#[test]
fn consumer_contract_guards_itself_with_the_raw_helper() {
    let mut env = setup();
    let consumer = deploy_consumer(&mut env);
    let user = env.eve.clone();
    let act = |action: ActionClass, market: Option<&str>| ConsumerExec::Act {
        action,
        market_id: market.map(str::to_string),
    };
    env.app
        .execute_contract(user.clone(), consumer.clone(), &act(Open, Some("eth")), &[])
        .unwrap();
    let (guardian, owner) = (env.guardian.clone(), env.owner.clone());
    let s = env.market_scope(&consumer, "eth");
    env.trip(&guardian, s, Level::ReduceOnly).unwrap();
    let err = env
        .app
        .execute_contract(user.clone(), consumer.clone(), &act(Open, Some("eth")), &[])
        .unwrap_err();
    assert!(err
        .root_cause()
        .to_string()
        .contains("blocked by circuit breaker"));
    env.app
        .execute_contract(
            user.clone(),
            consumer.clone(),
            &act(Reduce, Some("eth")),
            &[],
        )
        .unwrap();
    env.app
        .execute_contract(user.clone(), consumer.clone(), &act(Open, Some("btc")), &[])
        .unwrap();
    env.trip(&owner, Scope::Global, Level::Halted).unwrap();
    assert!(env
        .app
        .execute_contract(user, consumer, &act(Liquidate, None), &[])
        .is_err());
}

#[test]
fn overrides_block_and_owner_allow() {
    let mut env = setup();
    let (guardian, owner, perps) = (env.guardian.clone(), env.owner.clone(), env.perps.clone());
    let scope = env.contract_scope(&perps);
    // A guardian blocks deposits only.
    env.exec(
        &guardian,
        &ExecuteMsg::SetOverride {
            scope: scope.clone(),
            action: Deposit,
            mode: Some(OverrideMode::Block),
            reason: "bad collateral".into(),
        },
    )
    .unwrap();
    assert!(!env.allowed(&perps, Some("eth"), Deposit));
    assert!(env.allowed(&perps, Some("eth"), Open));
    // The guardian halts; the owner explicitly re-allows Reduce after the cooldown.
    env.trip(&guardian, scope.clone(), Level::Halted).unwrap();
    let allow_reduce = ExecuteMsg::SetOverride {
        scope: scope.clone(),
        action: Reduce,
        mode: Some(OverrideMode::Allow),
        reason: "let users close".into(),
    };
    let until = env.now().plus_seconds(COOLDOWN);
    env.exec_err(
        &owner,
        &allow_reduce,
        ContractError::CooldownActive {
            scope: format!("contract:{perps}"),
            until,
        },
    );
    env.advance(COOLDOWN);
    env.exec(&owner, &allow_reduce).unwrap();
    assert_eq!(allowed_set(&env, &perps, None), vec![Reduce]);
    // The guardian may remove the Allow (tightening: back to the halt)...
    env.exec(
        &guardian,
        &ExecuteMsg::SetOverride {
            scope: scope.clone(),
            action: Reduce,
            mode: None,
            reason: "again".into(),
        },
    )
    .unwrap();
    assert_eq!(allowed_set(&env, &perps, None), vec![]);
    // ...but not Block Reduce (owner-only) nor re-allow it (loosening).
    env.exec_err(
        &guardian,
        &ExecuteMsg::SetOverride {
            scope: scope.clone(),
            action: Reduce,
            mode: Some(OverrideMode::Block),
            reason: "block".into(),
        },
        ContractError::OwnerOnlyBlock {
            action: "Reduce".into(),
        },
    );
    env.exec_err(
        &guardian,
        &allow_reduce,
        ContractError::GuardianCannotLoosen {
            scope: format!("contract:{perps}"),
        },
    );
    let st: ScopeStateResponse = env.query(&QueryMsg::ScopeState { scope });
    assert_eq!(st.level, Level::Halted);
    assert_eq!(st.blocked_overrides, vec![Deposit]);
    assert_eq!(st.allowed_overrides, vec![]);
}

#[test]
fn owner_allow_on_untripped_scope_needs_no_cooldown_but_other_scopes_still_bind() {
    let mut env = setup();
    let (owner, perps) = (env.owner.clone(), env.perps.clone());
    let scope = env.market_scope(&perps, "eth");
    env.exec(
        &owner,
        &ExecuteMsg::SetOverride {
            scope,
            action: Withdraw,
            mode: Some(OverrideMode::Allow),
            reason: "exempt".into(),
        },
    )
    .unwrap();
    let s = env.contract_scope(&perps);
    env.trip(&owner, s, Level::WithdrawalsPaused).unwrap();
    // Allow only relaxes its own scope: the contract scope still blocks.
    assert!(!env.allowed(&perps, Some("eth"), Withdraw));
}

#[test]
fn cooldown_guards_loosening_and_restarts_only_on_real_tightening() {
    let mut env = setup();
    let (guardian, owner, perps) = (env.guardian.clone(), env.owner.clone(), env.perps.clone());
    let scope = env.contract_scope(&perps);
    env.trip(&guardian, scope.clone(), Level::ReduceOnly)
        .unwrap();
    let tripped_at = env.now();
    let loosen = ExecuteMsg::SetLevel {
        scope: scope.clone(),
        level: Level::Normal,
        reason: "all clear".into(),
    };
    env.advance(COOLDOWN - 1);
    env.exec_err(
        &owner,
        &loosen,
        ContractError::CooldownActive {
            scope: format!("contract:{perps}"),
            until: tripped_at.plus_seconds(COOLDOWN),
        },
    );
    env.exec_err(
        &owner,
        &ExecuteMsg::Reset {
            scope: scope.clone(),
            reason: "all clear".into(),
        },
        ContractError::CooldownActive {
            scope: format!("contract:{perps}"),
            until: tripped_at.plus_seconds(COOLDOWN),
        },
    );
    assert!(!env.allowed(&perps, None, Open));
    // A repeated trip at the same level changes nothing and does not extend the cooldown.
    let res = env
        .trip(&guardian, scope.clone(), Level::ReduceOnly)
        .unwrap();
    assert!(has_attr(&res, "wasm", "changed", "false"));
    env.advance(1);
    env.exec(&owner, &loosen).unwrap();
    assert!(env.allowed(&perps, None, Open));
    // A record back at plain Normal is deleted (missing = Normal).
    let raw = env
        .app
        .wrap()
        .query_wasm_raw(
            env.breaker.to_string(),
            contract_mode_key(perps.as_str()).to_vec(),
        )
        .unwrap();
    assert_eq!(raw, None);

    // A real tightening restarts the cooldown; the owner may tighten without waiting.
    env.trip(&guardian, scope.clone(), Level::ReduceOnly)
        .unwrap();
    env.advance(COOLDOWN / 2);
    env.exec(
        &owner,
        &ExecuteMsg::SetLevel {
            scope: scope.clone(),
            level: Level::WithdrawalsPaused,
            reason: "worse".into(),
        },
    )
    .unwrap();
    let st: ScopeStateResponse = env.query(&QueryMsg::ScopeState {
        scope: scope.clone(),
    });
    assert_eq!(st.last_tripped_at, Some(env.now()));
    assert_eq!(st.cooldown_ends_at, Some(env.now().plus_seconds(COOLDOWN)));
    env.advance(COOLDOWN / 2 + 1);
    assert!(env.exec(&owner, &loosen).is_err());
    env.advance(COOLDOWN / 2);
    env.exec(&owner, &loosen).unwrap();
}

#[test]
fn grace_period_after_halt_is_lifted() {
    let mut env = setup();
    let (guardian, owner, perps) = (env.guardian.clone(), env.owner.clone(), env.perps.clone());
    let scope = env.market_scope(&perps, "eth");
    env.trip(&guardian, scope.clone(), Level::Halted).unwrap();
    assert!(!env.allowed(&perps, Some("eth"), Liquidate));
    env.advance(COOLDOWN);
    let res = env
        .exec(
            &owner,
            &ExecuteMsg::SetLevel {
                scope: scope.clone(),
                level: Level::ReduceOnly,
                reason: "lift".into(),
            },
        )
        .unwrap();
    let lifted_at = env.now();
    assert!(has_attr(
        &res,
        "bulwark_breaker_mode_change",
        "liquidations_blocked_until",
        &lifted_at.plus_seconds(GRACE).seconds().to_string()
    ));
    // Users can top up and reduce; liquidations wait.
    assert!(env.allowed(&perps, Some("eth"), Deposit));
    assert!(env.allowed(&perps, Some("eth"), Reduce));
    assert_eq!(
        env.status(&perps, Some("eth"), Liquidate),
        ActionStatus::LiquidationGrace {
            scope_kind: ScopeKind::Market,
            until: lifted_at.plus_seconds(GRACE)
        }
    );
    // Only the lifted scope is in grace.
    assert!(env.allowed(&perps, Some("btc"), Liquidate));
    env.advance(GRACE - 1);
    assert!(!env.allowed(&perps, Some("eth"), Liquidate));
    env.advance(1);
    assert!(env.allowed(&perps, Some("eth"), Liquidate));

    // Reset from a halt also starts a grace period, and keeps the record until it ends.
    env.trip(&guardian, scope.clone(), Level::Halted).unwrap();
    env.advance(COOLDOWN);
    env.exec(
        &owner,
        &ExecuteMsg::Reset {
            scope: scope.clone(),
            reason: "over".into(),
        },
    )
    .unwrap();
    assert!(env.allowed(&perps, Some("eth"), Open));
    assert!(!env.allowed(&perps, Some("eth"), Liquidate));
    let st: ScopeStateResponse = env.query(&QueryMsg::ScopeState { scope });
    assert_eq!(st.level, Level::Normal);
    assert_eq!(
        st.liquidations_blocked_until,
        Some(env.now().plus_seconds(GRACE))
    );
    env.advance(GRACE);
    assert!(env.allowed(&perps, Some("eth"), Liquidate));
}

#[test]
fn guardian_trip_during_grace_keeps_the_deadline() {
    let mut env = setup();
    let (guardian, owner) = (env.guardian.clone(), env.owner.clone());
    env.trip(&guardian, Scope::Global, Level::Halted).unwrap();
    env.advance(COOLDOWN);
    env.exec(
        &owner,
        &ExecuteMsg::SetLevel {
            scope: Scope::Global,
            level: Level::Normal,
            reason: "lift".into(),
        },
    )
    .unwrap();
    let until = env.now().plus_seconds(GRACE);
    env.trip(&guardian, Scope::Global, Level::ReduceOnly)
        .unwrap();
    let st: ScopeStateResponse = env.query(&QueryMsg::ScopeState {
        scope: Scope::Global,
    });
    assert_eq!(st.liquidations_blocked_until, Some(until));
}

#[test]
fn reporters_trip_only_their_scopes() {
    let mut env = setup();
    let (oracle, vault, perps, options) = (
        env.oracle.clone(),
        env.vault.clone(),
        env.perps.clone(),
        env.options.clone(),
    );
    let res = env
        .trip(&oracle, env.market_scope(&perps, "eth"), Level::ReduceOnly)
        .unwrap();
    assert!(has_attr(
        &res,
        "bulwark_breaker_mode_change",
        "role",
        "Reporter"
    ));
    env.trip(&oracle, env.contract_scope(&perps), Level::Halted)
        .unwrap();
    let unauthorized = |s: &Addr, what: &str| ContractError::Unauthorized {
        sender: s.to_string(),
        what: what.into(),
    };
    for scope in [
        Scope::Global,
        env.contract_scope(&options),
        env.market_scope(&options, "eth"),
    ] {
        env.exec_err(
            &oracle,
            &ExecuteMsg::Trip {
                scope,
                level: Level::Halted,
                reason: "x".into(),
            },
            unauthorized(&oracle, "trip this scope"),
        );
    }
    env.trip(&vault, env.contract_scope(&vault), Level::WithdrawalsPaused)
        .unwrap();
    // Reporters cannot set overrides.
    env.exec_err(
        &oracle,
        &ExecuteMsg::SetOverride {
            scope: env.contract_scope(&perps),
            action: Open,
            mode: Some(OverrideMode::Block),
            reason: "x".into(),
        },
        unauthorized(&oracle, "set overrides"),
    );
    // Global permission.
    let owner = env.owner.clone();
    env.exec(
        &owner,
        &ExecuteMsg::SetReporter {
            reporter: oracle.to_string(),
            permissions: bulwark_types::circuit_breaker::ReporterPermissions {
                global: true,
                contracts: vec![],
                outflows: false,
            },
        },
    )
    .unwrap();
    env.trip(&oracle, Scope::Global, Level::ReduceOnly).unwrap();
    // Removing a reporter removes its rights.
    env.exec(
        &owner,
        &ExecuteMsg::RemoveReporter {
            reporter: oracle.to_string(),
        },
    )
    .unwrap();
    env.exec_err(
        &oracle,
        &ExecuteMsg::Trip {
            scope: Scope::Global,
            level: Level::Halted,
            reason: "x".into(),
        },
        unauthorized(&oracle, "trip"),
    );
}

#[test]
fn history_is_a_bounded_paginated_ring() {
    let mut env = setup_with(3);
    let (guardian, owner, perps) = (env.guardian.clone(), env.owner.clone(), env.perps.clone());
    let scope = env.contract_scope(&perps);
    env.trip(&guardian, scope.clone(), Level::ReduceOnly)
        .unwrap();
    env.trip(&guardian, scope.clone(), Level::WithdrawalsPaused)
        .unwrap();
    env.exec(
        &guardian,
        &ExecuteMsg::SetOverride {
            scope: scope.clone(),
            action: Deposit,
            mode: Some(OverrideMode::Block),
            reason: "dep".into(),
        },
    )
    .unwrap();
    env.trip(&guardian, scope.clone(), Level::Halted).unwrap();
    env.advance(COOLDOWN);
    let res = env
        .exec(
            &owner,
            &ExecuteMsg::Reset {
                scope: scope.clone(),
                reason: "done".into(),
            },
        )
        .unwrap();
    assert!(has_attr(&res, "wasm", "action", "reset"));
    assert!(has_attr(
        &res,
        "bulwark_breaker_mode_change",
        "old_level",
        "Halted"
    ));
    assert!(has_attr(
        &res,
        "bulwark_breaker_mode_change",
        "new_level",
        "Normal"
    ));
    assert!(has_attr(
        &res,
        "bulwark_breaker_mode_change",
        "reason",
        "done"
    ));

    let all: Vec<HistoryEntry> = env.query(&QueryMsg::History {
        start_before: None,
        limit: None,
    });
    // 5 changes, capacity 3: the newest three, newest first.
    assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![4, 3, 2]);
    let reset = &all[0];
    assert_eq!(reset.kind, ChangeKind::Reset);
    assert_eq!(reset.role, Role::Owner);
    assert_eq!(reset.by_addr, owner);
    assert_eq!(
        (reset.old_level, reset.new_level),
        (Level::Halted, Level::Normal)
    );
    assert_eq!(reset.new_blocked_mask, 0);
    assert_eq!(reset.reason, "done");
    assert_eq!(reset.at, env.now());
    let ovr = &all[2];
    assert_eq!(ovr.kind, ChangeKind::SetOverride);
    assert_eq!(ovr.action, Some(Deposit));
    assert_eq!(
        (ovr.old_override, ovr.new_override),
        (None, Some(OverrideMode::Block))
    );
    assert_eq!(ovr.by_addr, guardian);
    let page: Vec<HistoryEntry> = env.query(&QueryMsg::History {
        start_before: Some(4),
        limit: Some(1),
    });
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![3]);
    let page: Vec<HistoryEntry> = env.query(&QueryMsg::History {
        start_before: Some(2),
        limit: Some(10),
    });
    assert!(page.is_empty(), "entries 0 and 1 were overwritten");
}

#[test]
fn scope_states_paginate() {
    let mut env = setup();
    let owner = env.owner.clone();
    let perps = env.perps.clone();
    for m in ["a", "b", "c", "d"] {
        let s = env.market_scope(&perps, m);
        env.trip(&owner, s, Level::ReduceOnly).unwrap();
    }
    let first: Vec<ScopeStateResponse> = env.query(&QueryMsg::ScopeStates {
        start_after: None,
        limit: Some(3),
    });
    assert_eq!(first.len(), 3);
    let rest: Vec<ScopeStateResponse> = env.query(&QueryMsg::ScopeStates {
        start_after: Some(first[2].scope.clone()),
        limit: Some(3),
    });
    assert_eq!(rest.len(), 1);
    let mut markets: Vec<_> = first
        .iter()
        .chain(rest.iter())
        .map(|s| match &s.scope {
            Scope::Market { market_id, .. } => market_id.clone(),
            _ => panic!("unexpected scope"),
        })
        .collect();
    markets.sort();
    assert_eq!(markets, vec!["a", "b", "c", "d"]);
}

#[test]
fn invalid_inputs_are_refused_without_state_change() {
    let mut env = setup();
    let (guardian, perps) = (env.guardian.clone(), env.perps.clone());
    env.exec_err(
        &guardian,
        &ExecuteMsg::Trip {
            scope: env.market_scope(&perps, ""),
            level: Level::Halted,
            reason: "x".into(),
        },
        ContractError::InvalidMarketId { max: 64 },
    );
    env.exec_err(
        &guardian,
        &ExecuteMsg::Trip {
            scope: env.market_scope(&perps, &"m".repeat(65)),
            level: Level::Halted,
            reason: "x".into(),
        },
        ContractError::InvalidMarketId { max: 64 },
    );
    env.exec_err(
        &guardian,
        &ExecuteMsg::Trip {
            scope: Scope::Global,
            level: Level::Halted,
            reason: "".into(),
        },
        ContractError::InvalidReason { max: 256 },
    );
    let bad = env.exec(
        &guardian,
        &ExecuteMsg::Trip {
            scope: Scope::Contract {
                contract_addr: Addr::unchecked("NotAnAddress"),
            },
            level: Level::Halted,
            reason: "x".into(),
        },
    );
    assert!(bad.is_err());
    let states: Vec<ScopeStateResponse> = env.query(&QueryMsg::ScopeStates {
        start_after: None,
        limit: None,
    });
    assert!(states.is_empty());
    let history: Vec<HistoryEntry> = env.query(&QueryMsg::History {
        start_before: None,
        limit: None,
    });
    assert!(history.is_empty());
}

#[test]
fn migrate_keeps_modes() {
    let mut env = setup();
    let owner = env.owner.clone();
    let perps = env.perps.clone();
    env.trip(&owner, Scope::Global, Level::ReduceOnly).unwrap();
    env.app
        .migrate_contract(
            owner,
            env.breaker.clone(),
            &bulwark_types::circuit_breaker::MigrateMsg {},
            env.breaker_code,
        )
        .unwrap();
    assert!(!env.allowed(&perps, None, Open));
}
