//! Security-review fixes on outflow rate limits: sliding window with a weighted expiring
//! bucket (B1) and an absolute quota floor (B2).

mod common;

use bulwark_circuit_breaker::contract::{execute, instantiate};
use bulwark_circuit_breaker::ContractError;
use bulwark_types::circuit_breaker::{
    ExecuteMsg, InstantiateMsg, QueryMsg, RateLimitParams, RateLimitResponse, ReporterPermissions,
};
use common::*;
use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env};
use cosmwasm_std::{Timestamp, Uint128};
use proptest::prelude::*;

fn params(quota_bps: u32, window_secs: u64, buckets: u32, min_quota: u128) -> RateLimitParams {
    RateLimitParams {
        denom: "uusdc".into(),
        channel: None,
        quota_bps,
        warn_bps: 10_000,
        window_secs,
        buckets,
        min_quota: Uint128::new(min_quota),
    }
}

fn report(amount: u128, reference: u128) -> ExecuteMsg {
    ExecuteMsg::ReportOutflow {
        denom: "uusdc".into(),
        channel: None,
        amount: Uint128::new(amount),
        reference_value: Uint128::new(reference),
    }
}

#[test]
fn steady_stream_at_the_quota_rate_passes() {
    let mut env = setup();
    let (owner, vault) = (env.owner.clone(), env.vault.clone());
    // Quota 240 per 240 s in 24 buckets of 10 s: exactly 1 unit per second.
    env.exec(&owner, &ExecuteMsg::SetRateLimit(params(1_000, 240, 24, 1)))
        .unwrap();
    for i in 0..(3 * 240) {
        env.exec(&vault, &report(1, 2_400))
            .unwrap_or_else(|e| panic!("second {i}: {e}"));
        env.advance(1);
    }
    // ...and not a unit more than the rate.
    env.exec_err(
        &vault,
        &report(2, 2_400),
        ContractError::OutflowQuotaExceeded {
            denom: "uusdc".into(),
            channel: String::new(),
            quota: Uint128::new(240),
            used: Uint128::new(239),
            amount: Uint128::new(2),
        },
    );
}

#[test]
fn tiny_first_report_no_longer_freezes_the_window() {
    let mut env = setup();
    let (owner, vault) = (env.owner.clone(), env.vault.clone());
    // 10% per day, floor 5_000.
    env.exec(
        &owner,
        &ExecuteMsg::SetRateLimit(params(1_000, 86_400, 24, 5_000)),
    )
    .unwrap();
    // PoC: right after the limit is set, the attacker deposits 10 and withdraws 1: the
    // reference of the window is 10 (10% = 1).
    env.exec(&vault, &report(1, 10)).unwrap();
    let s: RateLimitResponse = env.query(&QueryMsg::RateLimit {
        denom: "uusdc".into(),
        channel: None,
    });
    assert_eq!(s.reference_value, Uint128::new(10));
    assert_eq!(s.quota, Uint128::new(5_000));
    // Honest users still withdraw up to the floor during that window.
    env.advance(60);
    env.exec(&vault, &report(4_999, 1_000_000)).unwrap();
    env.exec_err(
        &vault,
        &report(1, 1_000_000),
        ContractError::OutflowQuotaExceeded {
            denom: "uusdc".into(),
            channel: String::new(),
            quota: Uint128::new(5_000),
            used: Uint128::new(5_000),
            amount: Uint128::new(1),
        },
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever the timing of outflows, the accepted ones inside any span of `window_secs`
    /// seconds (half-open `(t - window, t]`) sum to at most `quota + floor(quota / buckets)`,
    /// the bound documented in the README.
    #[test]
    fn any_window_carries_at_most_quota_plus_one_fair_share(
        buckets in 2u32..=6,
        bucket_secs in 1u64..=6,
        quota in 1u128..=500,
        start in 0u64..50,
        ops in proptest::collection::vec((0u64..8, 1u128..=300), 1..120),
    ) {
        let mut deps = mock_dependencies();
        let api = deps.api;
        let owner = api.addr_make("dao");
        let vault = api.addr_make("vault");
        let mut env = mock_env();
        env.block.time = Timestamp::from_seconds(1_700_000_000 + start);
        instantiate(deps.as_mut(), env.clone(), message_info(&owner, &[]), InstantiateMsg {
            owner: owner.to_string(),
            guardians: vec![],
            cooldown_secs: 0,
            liquidation_grace_secs: 0,
            history_capacity: 1,
        }).unwrap();
        execute(deps.as_mut(), env.clone(), message_info(&owner, &[]), ExecuteMsg::SetReporter {
            reporter: vault.to_string(),
            permissions: ReporterPermissions { global: false, contracts: vec![], outflows: true },
        }).unwrap();
        let window = u64::from(buckets) * bucket_secs;
        // Reference 0: the quota is the constant floor.
        execute(deps.as_mut(), env.clone(), message_info(&owner, &[]),
            ExecuteMsg::SetRateLimit(params(1, window, buckets, quota))).unwrap();
        let bound = quota + quota / u128::from(buckets);
        let mut accepted: Vec<(u64, u128)> = vec![];
        for (dt, amount) in ops {
            env.block.time = env.block.time.plus_seconds(dt);
            let res = execute(deps.as_mut(), env.clone(), message_info(&vault, &[]), report(amount, 0));
            match res {
                Ok(_) => accepted.push((env.block.time.seconds(), amount)),
                Err(ContractError::OutflowQuotaExceeded { .. }) => {}
                Err(e) => prop_assert!(false, "unexpected error {e}"),
            }
        }
        // The heaviest span can be shifted to end at an accepted outflow.
        for (t, _) in &accepted {
            let sum: u128 = accepted
                .iter()
                .filter(|(u, _)| *u <= *t && *u + window > *t)
                .map(|(_, a)| *a)
                .sum();
            prop_assert!(sum <= bound, "{} accepted in the window ending {} (bound {})", sum, t, bound);
        }
    }
}
