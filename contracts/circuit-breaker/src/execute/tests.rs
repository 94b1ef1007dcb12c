//! Unit tests of the pure rate-limit and scope helpers of `execute.rs`.

use super::*;
use cosmwasm_std::testing::{mock_dependencies, mock_env, MockStorage};

fn record(buckets: u32, window_secs: u64) -> RateLimitRecord {
    RateLimitRecord {
        params: RateLimitParams {
            denom: "u".into(),
            channel: None,
            quota_bps: 1_000,
            warn_bps: 8_000,
            window_secs,
            buckets,
            min_quota: Uint128::one(),
        },
        reference_value: Uint128::new(1_000),
        reference_captured_at: Some(Timestamp::from_seconds(0)),
        latest_bucket: 0,
        amounts: empty_buckets(buckets),
        expiring: Uint128::zero(),
    }
}

#[test]
fn roll_zeroes_only_expired_buckets() {
    let mut r = record(4, 40);
    r.amounts = vec![1u128, 2, 3, 4].into_iter().map(Uint128::new).collect();
    r.latest_bucket = 3; // buckets 0..=3 in the window
    let t = Timestamp::from_seconds(35);
    roll(&mut r, t).unwrap(); // still bucket 3
    assert_eq!(used(&r, t).unwrap(), Uint128::new(10));
    // Bucket 5: 0 and 1 leave the ring; 1 is the expiring one and at offset 0, 9 of its
    // 10 seconds are still in the window: ceil(2 * 9 / 10) = 2.
    let t = Timestamp::from_seconds(50);
    roll(&mut r, t).unwrap();
    assert_eq!(r.latest_bucket, 5);
    assert_eq!(r.expiring, Uint128::new(2));
    assert_eq!(used(&r, t).unwrap(), Uint128::new(9));
    // Last second of bucket 5: the expiring bucket no longer counts (its share of the
    // quota 100/4 = 25 exceeds it).
    assert_eq!(
        used(&r, Timestamp::from_seconds(59)).unwrap(),
        Uint128::new(7)
    );
    let t = Timestamp::from_seconds(10_000);
    roll(&mut r, t).unwrap(); // far future: all zero
    assert_eq!(used(&r, t).unwrap(), Uint128::zero());
}

#[test]
fn roll_rejects_corrupt_ring_without_panicking() {
    let mut r = record(4, 40);
    r.amounts.pop();
    assert!(roll(&mut r, Timestamp::from_seconds(100)).is_err());
}

#[test]
fn classify_orders_overrides() {
    let deps = mock_dependencies();
    let env = mock_env();
    let by = deps.api.addr_make("x");
    let base = default_record(&Scope::Global, &env, &by);
    let mut t = base.clone();
    t.block_mask = ActionClass::Open.bit();
    assert_eq!(classify(&base, &t), (false, true));
    assert_eq!(classify(&t, &base), (true, false));
    let mut a = base.clone();
    a.allow_mask = ActionClass::Open.bit();
    assert_eq!(classify(&base, &a), (true, false));
    assert_eq!(classify(&a, &t), (false, true));
    let mut l = base.clone();
    l.level = Level::Halted;
    l.allow_mask = ActionClass::Reduce.bit();
    assert_eq!(classify(&t, &l), (true, true));
}

#[test]
fn scope_tag_collision_is_refused() {
    let mut storage = MockStorage::new();
    let deps = mock_dependencies();
    let env = mock_env();
    let a = Scope::Contract {
        contract_addr: deps.api.addr_make("a"),
    };
    let b = Scope::Contract {
        contract_addr: deps.api.addr_make("b"),
    };
    // Pretend `b` hashed to `a`'s tag.
    let tag = scope_tag(&a);
    let by = deps.api.addr_make("x");
    SCOPES
        .save(&mut storage, &tag, &default_record(&b, &env, &by))
        .unwrap();
    assert!(matches!(
        load_scope(&storage, &tag, &a),
        Err(ContractError::ScopeKeyCollision { .. })
    ));
    assert!(load_scope(&storage, &tag, &b).unwrap().is_some());
}

#[test]
fn capture_reference_only_at_window_start() {
    let mut r = record(4, 40);
    r.reference_captured_at = Some(Timestamp::from_seconds(100));
    maybe_capture_reference(&mut r, Timestamp::from_seconds(139), Uint128::new(9));
    assert_eq!(r.reference_value, Uint128::new(1_000));
    maybe_capture_reference(&mut r, Timestamp::from_seconds(140), Uint128::new(9));
    assert_eq!(r.reference_value, Uint128::new(9));
    // The proportional quota is 0; the floor applies.
    assert_eq!(quota(&r).unwrap(), Uint128::one());
}
