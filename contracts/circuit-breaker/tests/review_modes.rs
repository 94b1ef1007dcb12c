//! Security-review fixes on modes: no-effect overrides do not restart the cooldown (B5a),
//! Reduce/Liquidate blocks are owner-only (B5b), cooldown and grace are fixed at trip time (B4).

mod common;

use bulwark_circuit_breaker::ContractError;
use bulwark_types::circuit_breaker::{
    ActionClass, ActionStatus, ExecuteMsg, Level, OverrideMode, QueryMsg, ScopeKind,
    ScopeStateResponse,
};
use common::*;

use ActionClass::*;

fn block(scope: &bulwark_types::circuit_breaker::Scope, action: ActionClass) -> ExecuteMsg {
    ExecuteMsg::SetOverride {
        scope: scope.clone(),
        action,
        mode: Some(OverrideMode::Block),
        reason: "block".into(),
    }
}

#[test]
fn no_effect_block_at_halt_does_not_restart_cooldown() {
    let mut env = setup();
    let (guardian, owner, perps) = (env.guardian.clone(), env.owner.clone(), env.perps.clone());
    let scope = env.contract_scope(&perps);
    env.trip(&guardian, scope.clone(), Level::Halted).unwrap();
    let tripped_at = env.now();
    // Blocks that Halted already implies: stored, but the cooldown does not move.
    for (i, a) in [Open, Deposit, Withdraw, LpDeposit, LpWithdraw, IbcOut]
        .into_iter()
        .enumerate()
    {
        env.advance(COOLDOWN / 10);
        let res = env.exec(&guardian, &block(&scope, a)).unwrap();
        assert!(has_attr(&res, "wasm", "changed", "true"), "block {i}");
    }
    let st: ScopeStateResponse = env.query(&QueryMsg::ScopeState {
        scope: scope.clone(),
    });
    assert_eq!(st.last_tripped_at, Some(tripped_at));
    assert_eq!(st.cooldown_ends_at, Some(tripped_at.plus_seconds(COOLDOWN)));
    assert_eq!(st.blocked_overrides.len(), 6);
    env.set_time(tripped_at.plus_seconds(COOLDOWN).seconds());
    env.exec(
        &owner,
        &ExecuteMsg::SetLevel {
            scope: scope.clone(),
            level: Level::Normal,
            reason: "lift".into(),
        },
    )
    .unwrap();
    // The stored blocks still bind after the level is lifted.
    assert!(!env.allowed(&perps, None, Open));
    assert!(env.allowed(&perps, None, Reduce));
}

#[test]
fn a_real_tightening_by_override_still_restarts_cooldown() {
    let mut env = setup();
    let (guardian, owner, perps) = (env.guardian.clone(), env.owner.clone(), env.perps.clone());
    let scope = env.contract_scope(&perps);
    env.trip(&guardian, scope.clone(), Level::ReduceOnly)
        .unwrap();
    env.advance(COOLDOWN - 1);
    env.exec(&guardian, &block(&scope, Withdraw)).unwrap();
    let blocked_at = env.now();
    env.advance(1);
    env.exec_err(
        &owner,
        &ExecuteMsg::SetLevel {
            scope: scope.clone(),
            level: Level::Normal,
            reason: "lift".into(),
        },
        ContractError::CooldownActive {
            scope: format!("contract:{perps}"),
            until: blocked_at.plus_seconds(COOLDOWN),
        },
    );
}

#[test]
fn only_the_owner_blocks_reduce_or_liquidate() {
    let mut env = setup();
    let (guardian, owner, perps) = (env.guardian.clone(), env.owner.clone(), env.perps.clone());
    let scope = env.market_scope(&perps, "eth");
    env.trip(&guardian, scope.clone(), Level::ReduceOnly)
        .unwrap();
    for a in [Reduce, Liquidate] {
        env.exec_err(
            &guardian,
            &block(&scope, a),
            ContractError::OwnerOnlyBlock {
                action: format!("{a:?}"),
            },
        );
        // Reporters may not set overrides at all.
        let oracle = env.oracle.clone();
        assert!(env.exec(&oracle, &block(&scope, a)).is_err());
        assert!(env.allowed(&perps, Some("eth"), a));
    }
    // Other actions stay blockable by guardians; a full halt stays possible.
    env.exec(&guardian, &block(&scope, Withdraw)).unwrap();
    assert!(!env.allowed(&perps, Some("eth"), Withdraw));
    env.exec(&owner, &block(&scope, Reduce)).unwrap();
    assert!(!env.allowed(&perps, Some("eth"), Reduce));
    let global = bulwark_types::circuit_breaker::Scope::Global;
    env.trip(&guardian, global, Level::Halted).unwrap();
    assert!(!env.allowed(&perps, Some("eth"), Liquidate));
}

#[test]
fn config_cut_does_not_shorten_a_running_cooldown_or_grace() {
    let mut env = setup();
    let (guardian, owner, perps) = (env.guardian.clone(), env.owner.clone(), env.perps.clone());
    let scope = env.contract_scope(&perps);
    env.trip(&guardian, scope.clone(), Level::Halted).unwrap();
    let tripped_at = env.now();
    env.exec(
        &owner,
        &ExecuteMsg::UpdateConfig {
            cooldown_secs: Some(0),
            liquidation_grace_secs: Some(0),
        },
    )
    .unwrap();
    let lift = ExecuteMsg::SetLevel {
        scope: scope.clone(),
        level: Level::ReduceOnly,
        reason: "lift".into(),
    };
    env.exec_err(
        &owner,
        &lift,
        ContractError::CooldownActive {
            scope: format!("contract:{perps}"),
            until: tripped_at.plus_seconds(COOLDOWN),
        },
    );
    let st: ScopeStateResponse = env.query(&QueryMsg::ScopeState {
        scope: scope.clone(),
    });
    assert_eq!(st.cooldown_ends_at, Some(tripped_at.plus_seconds(COOLDOWN)));
    env.advance(COOLDOWN);
    env.exec(&owner, &lift).unwrap();
    // The grace in force when the scope was tripped still applies.
    assert_eq!(
        env.status(&perps, None, Liquidate),
        ActionStatus::LiquidationGrace {
            scope_kind: ScopeKind::Contract,
            until: env.now().plus_seconds(GRACE)
        }
    );
    // A scope tripped under the new config gets the new (zero) cooldown and grace.
    let options = env.options.clone();
    let other = env.market_scope(&options, "btc");
    env.trip(&guardian, other.clone(), Level::Halted).unwrap();
    env.exec(
        &owner,
        &ExecuteMsg::Reset {
            scope: other,
            reason: "lift".into(),
        },
    )
    .unwrap();
    assert!(env.allowed(&options, Some("btc"), Liquidate));
}

#[test]
fn verify_breaker_accepts_only_a_live_breaker() {
    use bulwark_types::circuit_breaker::verify_breaker;
    let mut env = setup();
    let consumer = deploy_consumer(&mut env);
    let wrap = env.app.wrap();
    verify_breaker(&wrap, &env.breaker).unwrap();
    // Another contract, or an address with no contract: raw reads would say "Normal".
    assert!(verify_breaker(&wrap, &consumer).is_err());
    let nobody = env.app.api().addr_make("not-a-contract");
    assert!(verify_breaker(&wrap, &nobody).is_err());
    assert!(bulwark_types::circuit_breaker::is_action_allowed(
        &wrap,
        &nobody,
        &env.perps,
        None,
        Open,
        env.now()
    )
    .unwrap());
}
