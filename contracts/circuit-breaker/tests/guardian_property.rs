//! Property tests on the real entry points (mock storage): guardians and reporters can never
//! loosen anything, and reduce/liquidate stay allowed short of a halt.

use bulwark_circuit_breaker::contract::{execute, instantiate};
use bulwark_types::circuit_breaker::{
    action_status_with, scope_tag, ActionClass, ExecuteMsg, InstantiateMsg, Level, OverrideMode,
    ReporterPermissions, Scope, ScopeRecord,
};
use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env, MockApi, MockQuerier};
use cosmwasm_std::{from_json, Addr, Env, MemoryStorage, OwnedDeps, Storage};
use proptest::prelude::*;

type Deps = OwnedDeps<MemoryStorage, MockApi, MockQuerier>;

struct World {
    deps: Deps,
    env: Env,
    owner: Addr,
    guardian: Addr,
    reporter: Addr,
    contracts: [Addr; 2],
}

fn world() -> World {
    let mut deps = mock_dependencies();
    let api = deps.api;
    let owner = api.addr_make("dao");
    let guardian = api.addr_make("guardian");
    let reporter = api.addr_make("oracle");
    let contracts = [api.addr_make("perps"), api.addr_make("options")];
    let env = mock_env();
    instantiate(
        deps.as_mut(),
        env.clone(),
        message_info(&owner, &[]),
        InstantiateMsg {
            owner: owner.to_string(),
            guardians: vec![guardian.to_string()],
            cooldown_secs: 3600,
            liquidation_grace_secs: 1800,
            history_capacity: 50,
        },
    )
    .unwrap();
    execute(
        deps.as_mut(),
        env.clone(),
        message_info(&owner, &[]),
        ExecuteMsg::SetReporter {
            reporter: reporter.to_string(),
            permissions: ReporterPermissions {
                global: true,
                contracts: vec![contracts[0].to_string()],
                outflows: false,
            },
        },
    )
    .unwrap();
    World {
        deps,
        env,
        owner,
        guardian,
        reporter,
        contracts,
    }
}

const MARKETS: [Option<&str>; 3] = [None, Some("eth"), Some("btc")];

fn scope_of(w: &World, idx: u8) -> Scope {
    match idx % 5 {
        0 => Scope::Global,
        1 | 2 => Scope::Contract {
            contract_addr: w.contracts[usize::from(idx % 5 - 1)].clone(),
        },
        n => Scope::Market {
            contract_addr: w.contracts[usize::from(n - 3)].clone(),
            market_id: MARKETS[usize::from(idx / 5 % 2 + 1)]
                .unwrap_or_default()
                .to_string(),
        },
    }
}

fn level_of(i: u8) -> Level {
    [
        Level::Normal,
        Level::ReduceOnly,
        Level::WithdrawalsPaused,
        Level::Halted,
    ][usize::from(i % 4)]
}

fn action_of(i: u8) -> ActionClass {
    ActionClass::ALL[usize::from(i % 8)]
}

fn mode_of(i: u8) -> Option<OverrideMode> {
    [None, Some(OverrideMode::Allow), Some(OverrideMode::Block)][usize::from(i % 3)]
}

#[derive(Debug, Clone)]
enum Op {
    Trip {
        by_reporter: bool,
        scope: u8,
        level: u8,
    },
    Override {
        scope: u8,
        action: u8,
        mode: u8,
    },
    SetLevel {
        scope: u8,
        level: u8,
    },
    Reset {
        scope: u8,
    },
    Advance {
        secs: u16,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (any::<bool>(), any::<u8>(), any::<u8>()).prop_map(|(by_reporter, scope, level)| {
            Op::Trip {
                by_reporter,
                scope,
                level,
            }
        }),
        (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(scope, action, mode)| Op::Override {
            scope,
            action,
            mode
        }),
        (any::<u8>(), any::<u8>()).prop_map(|(scope, level)| Op::SetLevel { scope, level }),
        any::<u8>().prop_map(|scope| Op::Reset { scope }),
        any::<u16>().prop_map(|secs| Op::Advance { secs }),
    ]
}

fn msg_of(w: &World, op: &Op) -> Option<ExecuteMsg> {
    let reason = "p".to_string();
    Some(match *op {
        Op::Trip { scope, level, .. } => ExecuteMsg::Trip {
            scope: scope_of(w, scope),
            level: level_of(level),
            reason,
        },
        Op::Override {
            scope,
            action,
            mode,
        } => ExecuteMsg::SetOverride {
            scope: scope_of(w, scope),
            action: action_of(action),
            mode: mode_of(mode),
            reason,
        },
        Op::SetLevel { scope, level } => ExecuteMsg::SetLevel {
            scope: scope_of(w, scope),
            level: level_of(level),
            reason,
        },
        Op::Reset { scope } => ExecuteMsg::Reset {
            scope: scope_of(w, scope),
            reason,
        },
        Op::Advance { .. } => return None,
    })
}

/// Blocked-ness of every (contract, market, action), through the published raw decoding.
fn blocked_matrix(w: &World) -> Vec<bool> {
    let storage: &dyn Storage = &w.deps.storage;
    let mut out = vec![];
    for c in &w.contracts {
        for m in MARKETS {
            for a in ActionClass::ALL {
                let st =
                    action_status_with(|k| Ok(storage.get(k)), c.as_str(), m, a, w.env.block.time)
                        .unwrap();
                out.push(!st.is_allowed());
            }
        }
    }
    out
}

fn records(w: &World) -> Vec<Option<ScopeRecord>> {
    (0u8..10)
        .map(|i| {
            let key = [b"\x00\x06scopes".as_slice(), &scope_tag(&scope_of(w, i))].concat();
            w.deps
                .storage
                .get(&key)
                .map(|b| from_json::<ScopeRecord>(&b).unwrap())
        })
        .collect()
}

fn run(w: &mut World, sender: &Addr, op: &Op) -> bool {
    if let Op::Advance { secs } = op {
        w.env.block.time = w.env.block.time.plus_seconds(u64::from(*secs));
        return true;
    }
    let Some(msg) = msg_of(w, op) else {
        return true;
    };
    execute(
        w.deps.as_mut(),
        w.env.clone(),
        message_info(sender, &[]),
        msg,
    )
    .is_ok()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Whatever the owner set up before, no sequence of guardian/reporter messages ever
    /// unblocks anything (at a fixed time), lowers a level, removes a Block override or adds
    /// an Allow override, or shortens a grace period.
    #[test]
    fn guardians_and_reporters_never_loosen(
        prelude in proptest::collection::vec(op(), 0..12),
        ops in proptest::collection::vec(op(), 1..40),
    ) {
        let mut w = world();
        let owner = w.owner.clone();
        for o in &prelude {
            run(&mut w, &owner, o);
        }
        for o in &ops {
            let sender = match o {
                Op::Trip { by_reporter: true, .. } => w.reporter.clone(),
                _ => w.guardian.clone(),
            };
            let before = blocked_matrix(&w);
            let recs_before = records(&w);
            let ok = run(&mut w, &sender, o);
            if matches!(o, Op::Advance { .. }) {
                continue;
            }
            if matches!(o, Op::SetLevel { .. } | Op::Reset { .. }) {
                prop_assert!(!ok, "a guardian ran an owner-only message {:?}", o);
            }
            // Blocking Reduce/Liquidate by override is owner-only (DESIGN §5).
            if let Op::Override { action, mode, .. } = *o {
                if mode_of(mode) == Some(OverrideMode::Block)
                    && matches!(action_of(action), ActionClass::Reduce | ActionClass::Liquidate)
                {
                    prop_assert!(!ok, "a guardian blocked {:?}", action_of(action));
                }
            }
            let after = blocked_matrix(&w);
            for (i, (b, a)) in before.iter().zip(after.iter()).enumerate() {
                prop_assert!(!*b || *a, "op {:?} unblocked entry {}", o, i);
            }
            for (rb, ra) in recs_before.iter().zip(records(&w).iter()) {
                if let Some(rb) = rb {
                    let now = w.env.block.time;
                    let Some(ra) = ra.as_ref() else {
                        // A record may only disappear when it is back to plain Normal
                        // (e.g. a guardian removed a no-effect Allow).
                        prop_assert_eq!(rb.level, Level::Normal);
                        prop_assert_eq!(rb.block_mask, 0);
                        prop_assert!(rb.liquidations_blocked_until.is_none_or(|t| t <= now));
                        continue;
                    };
                    prop_assert!(ra.level >= rb.level);
                    prop_assert_eq!(rb.block_mask & !ra.block_mask, 0);
                    prop_assert_eq!(ra.allow_mask & !rb.allow_mask, 0);
                    // An expired grace deadline may be dropped; a running one never shortens.
                    let live = |t: Option<cosmwasm_std::Timestamp>| t.filter(|t| *t > now);
                    prop_assert!(
                        live(ra.liquidations_blocked_until) >= live(rb.liquidations_blocked_until)
                    );
                }
            }
        }
    }

    /// Whatever guardians and reporters send (trips and overrides) from a clean state, reduce
    /// and liquidate stay allowed everywhere no relevant scope is halted.
    #[test]
    fn guardians_never_block_reduce_short_of_halt(
        ops in proptest::collection::vec(op(), 1..40),
    ) {
        let mut w = world();
        for o in &ops {
            let sender = match o {
                Op::Trip { by_reporter: true, .. } => w.reporter.clone(),
                _ => w.guardian.clone(),
            };
            run(&mut w, &sender, o);
        }
        let storage: &dyn Storage = &w.deps.storage;
        let halted = |s: &Scope| {
            storage
                .get(&scope_tag(s))
                .is_some_and(|b| b[0] == Level::Halted.to_byte())
        };
        for c in &w.contracts {
            for m in MARKETS {
                let mut scopes = vec![Scope::Global, Scope::Contract { contract_addr: c.clone() }];
                if let Some(m) = m {
                    scopes.push(Scope::Market { contract_addr: c.clone(), market_id: m.into() });
                }
                let any_halt = scopes.iter().any(halted);
                for a in [ActionClass::Reduce, ActionClass::Liquidate] {
                    let st = action_status_with(
                        |k| Ok(storage.get(k)), c.as_str(), m, a, w.env.block.time,
                    ).unwrap();
                    prop_assert_eq!(st.is_allowed(), !any_halt, "{:?} {:?} {:?}", c, m, a);
                }
            }
        }
    }

    /// With levels only (no overrides), reduce and liquidate are allowed everywhere no
    /// relevant scope is halted; deposits too.
    #[test]
    fn reduce_and_liquidate_open_short_of_halt(
        trips in proptest::collection::vec((any::<u8>(), any::<u8>()), 0..20),
    ) {
        let mut w = world();
        let owner = w.owner.clone();
        for (scope, level) in &trips {
            run(&mut w, &owner, &Op::Trip { by_reporter: false, scope: *scope, level: *level });
        }
        let storage: &dyn Storage = &w.deps.storage;
        let halted = |s: &Scope| {
            storage
                .get(&scope_tag(s))
                .is_some_and(|b| b[0] == Level::Halted.to_byte())
        };
        for c in &w.contracts {
            for m in MARKETS {
                let mut scopes = vec![Scope::Global, Scope::Contract { contract_addr: c.clone() }];
                if let Some(m) = m {
                    scopes.push(Scope::Market { contract_addr: c.clone(), market_id: m.into() });
                }
                let any_halt = scopes.iter().any(halted);
                for a in [ActionClass::Reduce, ActionClass::Liquidate, ActionClass::Deposit] {
                    let st = action_status_with(
                        |k| Ok(storage.get(k)), c.as_str(), m, a, w.env.block.time,
                    ).unwrap();
                    prop_assert_eq!(st.is_allowed(), !any_halt, "{:?} {:?} {:?}", c, m, a);
                }
            }
        }
    }
}
