//! Outflow rate limits: rolling bucketed windows, reference capture, edge bursts, warnings.

mod common;

use bulwark_circuit_breaker::ContractError;
use bulwark_types::circuit_breaker::{ExecuteMsg, QueryMsg, RateLimitParams, RateLimitResponse};
use common::*;
use cosmwasm_std::{Timestamp, Uint128};

const DAY: u64 = 86_400;
const HOUR: u64 = 3_600;

fn limit(denom: &str, channel: Option<&str>, quota_bps: u32) -> ExecuteMsg {
    ExecuteMsg::SetRateLimit(RateLimitParams {
        denom: denom.into(),
        channel: channel.map(str::to_string),
        quota_bps,
        warn_bps: 8_000,
        window_secs: DAY,
        buckets: 24,
        min_quota: Uint128::one(),
    })
}

fn report(denom: &str, channel: Option<&str>, amount: u128, reference: u128) -> ExecuteMsg {
    ExecuteMsg::ReportOutflow {
        denom: denom.into(),
        channel: channel.map(str::to_string),
        amount: Uint128::new(amount),
        reference_value: Uint128::new(reference),
    }
}

fn exceeded(denom: &str, channel: &str, quota: u128, used: u128, amount: u128) -> ContractError {
    ContractError::OutflowQuotaExceeded {
        denom: denom.into(),
        channel: channel.into(),
        quota: Uint128::new(quota),
        used: Uint128::new(used),
        amount: Uint128::new(amount),
    }
}

fn state(env: &Env_, denom: &str, channel: Option<&str>) -> RateLimitResponse {
    env.query(&QueryMsg::RateLimit {
        denom: denom.into(),
        channel: channel.map(str::to_string),
    })
}

/// 10% of a 1000 reference: quota 100 per 24 h in 24 buckets.
fn setup_limited() -> Env_ {
    let mut env = setup();
    let owner = env.owner.clone();
    env.exec(&owner, &limit("uusdc", None, 1_000)).unwrap();
    env
}

#[test]
fn quota_refuses_the_exceeding_report_atomically() {
    let mut env = setup_limited();
    let vault = env.vault.clone();
    env.exec(&vault, &report("uusdc", None, 60, 1_000)).unwrap();
    env.advance(10);
    env.exec(&vault, &report("uusdc", None, 40, 940)).unwrap();
    env.exec_err(
        &vault,
        &report("uusdc", None, 1, 900),
        exceeded("uusdc", "", 100, 100, 1),
    );
    let s = state(&env, "uusdc", None);
    assert_eq!(s.used, Uint128::new(100));
    assert_eq!(s.quota, Uint128::new(100));
    assert_eq!(s.remaining, Uint128::zero());
    assert_eq!(s.reference_value, Uint128::new(1_000));
    assert_eq!(s.reference_captured_at, Some(Timestamp::from_seconds(T0)));
}

#[test]
fn warning_event_past_threshold() {
    let mut env = setup_limited();
    let vault = env.vault.clone();
    let res = env.exec(&vault, &report("uusdc", None, 79, 1_000)).unwrap();
    assert!(!res
        .events
        .iter()
        .any(|e| e.ty == "wasm-bulwark_breaker_outflow_warning"));
    let res = env.exec(&vault, &report("uusdc", None, 1, 1_000)).unwrap();
    assert!(has_attr(
        &res,
        "bulwark_breaker_outflow_warning",
        "used",
        "80"
    ));
    assert!(has_attr(&res, "wasm", "denom_used", "80/100"));
}

#[test]
fn window_rolls_over_bucket_by_bucket() {
    let mut env = setup_limited();
    let vault = env.vault.clone();
    env.exec(&vault, &report("uusdc", None, 60, 1_000)).unwrap(); // bucket 0
    env.set_time(T0 + 12 * HOUR);
    env.exec(&vault, &report("uusdc", None, 40, 1_000)).unwrap(); // bucket 12
    env.set_time(T0 + 23 * HOUR + HOUR - 1);
    env.exec_err(
        &vault,
        &report("uusdc", None, 1, 1_000),
        exceeded("uusdc", "", 100, 100, 1),
    );
    // Bucket 0 is the expiring bucket during bucket 24: at its start 3599 of its 3600 s are
    // still inside the window (ceil(60 * 3599 / 3600) = 60), and at most one fair share
    // (quota / buckets = 4) of it is ever forgiven before it fully leaves.
    env.set_time(T0 + DAY);
    assert_eq!(state(&env, "uusdc", None).used, Uint128::new(100));
    env.set_time(T0 + DAY + HOUR - 1);
    assert_eq!(state(&env, "uusdc", None).used, Uint128::new(96));
    // Bucket 0 is out once bucket 25 starts; bucket 12 stays.
    env.set_time(T0 + DAY + HOUR);
    let s = state(&env, "uusdc", None);
    assert_eq!(s.used, Uint128::new(40));
    env.exec_err(
        &vault,
        &report("uusdc", None, 61, 1_000),
        exceeded("uusdc", "", 100, 40, 61),
    );
    env.exec(&vault, &report("uusdc", None, 60, 1_000)).unwrap();
    // A long silence empties every bucket in O(buckets).
    env.set_time(T0 + 30 * DAY);
    assert_eq!(state(&env, "uusdc", None).used, Uint128::zero());
    env.exec(&vault, &report("uusdc", None, 100, 1_000))
        .unwrap();
}

#[test]
fn no_double_quota_burst_across_a_window_edge() {
    let mut env = setup_limited();
    let vault = env.vault.clone();
    // A full quota just before a fixed-window edge...
    env.set_time(T0 + DAY - 1);
    env.exec(&vault, &report("uusdc", None, 100, 1_000))
        .unwrap();
    // ...and another one just after it: with fixed windows this would pass (2x quota in 2 s).
    env.set_time(T0 + DAY + 1);
    env.exec_err(
        &vault,
        &report("uusdc", None, 100, 1_000),
        exceeded("uusdc", "", 100, 100, 100),
    );
    // The review's case: 100 at T0+DAY-1 and 100 at T0+2DAY-HOUR (23 h + 1 s later) used to
    // pass. Now the bucket of the first one (23) is the expiring bucket and still counts.
    env.set_time(T0 + 2 * DAY - HOUR);
    env.exec_err(
        &vault,
        &report("uusdc", None, 100, 1_000),
        exceeded("uusdc", "", 100, 100, 100),
    );
    env.exec_err(
        &vault,
        &report("uusdc", None, 1, 1_000),
        exceeded("uusdc", "", 100, 100, 1),
    );
    // At the very end of the expiring bucket at most one fair share (100 / 24 = 4) is free:
    // within one window the total stays <= quota + quota / buckets.
    env.set_time(T0 + 2 * DAY - 2);
    env.exec_err(
        &vault,
        &report("uusdc", None, 5, 1_000),
        exceeded("uusdc", "", 100, 96, 5),
    );
    env.exec(&vault, &report("uusdc", None, 4, 1_000)).unwrap();
    // Bucket 23 is out when bucket 48 starts.
    env.set_time(T0 + 2 * DAY);
    env.exec_err(
        &vault,
        &report("uusdc", None, 97, 1_000),
        exceeded("uusdc", "", 100, 4, 97),
    );
    env.exec(&vault, &report("uusdc", None, 96, 1_000)).unwrap();
}

#[test]
fn reference_is_captured_at_window_start() {
    let mut env = setup_limited();
    let vault = env.vault.clone();
    env.exec(&vault, &report("uusdc", None, 10, 1_000)).unwrap();
    // A big deposit mid-window does not raise the quota...
    env.advance(6 * HOUR);
    env.exec_err(
        &vault,
        &report("uusdc", None, 91, 100_000),
        exceeded("uusdc", "", 100, 10, 91),
    );
    // ...until a report a whole window after the capture captures a new reference.
    env.set_time(T0 + DAY);
    env.exec(&vault, &report("uusdc", None, 5_000, 100_000))
        .unwrap();
    let s = state(&env, "uusdc", None);
    assert_eq!(s.reference_value, Uint128::new(100_000));
    assert_eq!(s.quota, Uint128::new(10_000));
    // The 10 of bucket 0 are the expiring bucket (3599 of its 3600 s still in the window).
    assert_eq!(s.used, Uint128::new(5_010));
}

#[test]
fn channel_limits_count_alongside_the_denom_limit() {
    let mut env = setup_limited();
    let (owner, vault) = (env.owner.clone(), env.vault.clone());
    // 5% per day over channel-0.
    env.exec(&owner, &limit("uusdc", Some("channel-0"), 500))
        .unwrap();
    env.exec(&vault, &report("uusdc", Some("channel-0"), 50, 1_000))
        .unwrap();
    env.exec_err(
        &vault,
        &report("uusdc", Some("channel-0"), 1, 1_000),
        exceeded("uusdc", "channel-0", 50, 50, 1),
    );
    // Other channels and plain withdrawals still have the denom quota left (100 - 50).
    env.exec(&vault, &report("uusdc", Some("channel-1"), 30, 1_000))
        .unwrap();
    env.exec_err(
        &vault,
        &report("uusdc", None, 21, 1_000),
        exceeded("uusdc", "", 100, 80, 21),
    );
    env.exec(&vault, &report("uusdc", None, 20, 1_000)).unwrap();
    assert_eq!(state(&env, "uusdc", None).used, Uint128::new(100));
    assert_eq!(
        state(&env, "uusdc", Some("channel-0")).used,
        Uint128::new(50)
    );
}

#[test]
fn unlimited_denoms_pass_and_limits_can_be_changed() {
    let mut env = setup_limited();
    let (owner, vault) = (env.owner.clone(), env.vault.clone());
    let res = env
        .exec(&vault, &report("uatom", None, 1_000_000, 1))
        .unwrap();
    assert!(has_attr(&res, "wasm", "limited", "false"));
    env.exec(&vault, &report("uusdc", None, 90, 1_000)).unwrap();
    // Same window and buckets: usage is kept, the new quota applies.
    env.exec(&owner, &limit("uusdc", None, 2_000)).unwrap();
    let s = state(&env, "uusdc", None);
    assert_eq!((s.used, s.quota), (Uint128::new(90), Uint128::new(200)));
    // A new window shape restarts the state.
    env.exec(
        &owner,
        &ExecuteMsg::SetRateLimit(RateLimitParams {
            denom: "uusdc".into(),
            channel: None,
            quota_bps: 2_000,
            warn_bps: 8_000,
            window_secs: 12 * HOUR,
            buckets: 12,
            min_quota: Uint128::one(),
        }),
    )
    .unwrap();
    assert_eq!(state(&env, "uusdc", None).used, Uint128::zero());
    env.exec(
        &owner,
        &ExecuteMsg::RemoveRateLimit {
            denom: "uusdc".into(),
            channel: None,
        },
    )
    .unwrap();
    let res = env.exec(&vault, &report("uusdc", None, 1_000, 1)).unwrap();
    assert!(has_attr(&res, "wasm", "limited", "false"));
}

#[test]
fn invalid_limits_and_reports_are_refused() {
    let mut env = setup_limited();
    let (owner, vault) = (env.owner.clone(), env.vault.clone());
    let with = |f: &dyn Fn(&mut RateLimitParams)| {
        let mut p = RateLimitParams {
            denom: "uusdc".into(),
            channel: None,
            quota_bps: 1_000,
            warn_bps: 8_000,
            window_secs: DAY,
            buckets: 24,
            min_quota: Uint128::one(),
        };
        f(&mut p);
        ExecuteMsg::SetRateLimit(p)
    };
    let range = |field: &str, value: u64, min: u64, max: u64| ContractError::OutOfRange {
        field: field.into(),
        value,
        min,
        max,
    };
    env.exec_err(
        &owner,
        &with(&|p| p.quota_bps = 0),
        range("quota_bps", 0, 1, 10_000),
    );
    env.exec_err(
        &owner,
        &with(&|p| p.quota_bps = 10_001),
        range("quota_bps", 10_001, 1, 10_000),
    );
    env.exec_err(
        &owner,
        &with(&|p| p.warn_bps = 0),
        range("warn_bps", 0, 1, 10_000),
    );
    env.exec_err(
        &owner,
        &with(&|p| p.buckets = 0),
        range("buckets", 0, 2, 48),
    );
    // One bucket = a fixed window (2x the quota across its edge): refused.
    env.exec_err(
        &owner,
        &with(&|p| p.buckets = 1),
        range("buckets", 1, 2, 48),
    );
    env.exec_err(
        &owner,
        &with(&|p| p.buckets = 49),
        range("buckets", 49, 2, 48),
    );
    env.exec_err(
        &owner,
        &with(&|p| p.min_quota = Uint128::zero()),
        ContractError::InvalidMinQuota,
    );
    env.exec_err(
        &owner,
        &with(&|p| p.window_secs = DAY + 1),
        ContractError::WindowNotDivisible {
            window_secs: DAY + 1,
            buckets: 24,
        },
    );
    env.exec_err(
        &owner,
        &with(&|p| p.denom = String::new()),
        ContractError::InvalidDenom { max: 128 },
    );
    env.exec_err(
        &owner,
        &with(&|p| p.channel = Some(String::new())),
        ContractError::InvalidChannel { max: 64 },
    );
    env.exec_err(
        &owner,
        &ExecuteMsg::RemoveRateLimit {
            denom: "nope".into(),
            channel: None,
        },
        ContractError::RateLimitNotFound {
            denom: "nope".into(),
            channel: String::new(),
        },
    );
    env.exec_err(
        &vault,
        &report("uusdc", None, 0, 1_000),
        ContractError::ZeroAmount,
    );
    // Nothing was recorded by the refusals.
    assert_eq!(state(&env, "uusdc", None).used, Uint128::zero());
    assert_eq!(state(&env, "uusdc", None).params.quota_bps, 1_000);
}
