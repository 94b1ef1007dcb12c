//! Velocity-based funding (Synthetix perps v2 style), accrued lazily in closed form.
//!
//! * proportional skew `p = clamp(skew / skew_scale, −1, 1)`;
//! * velocity `v = p × max_funding_velocity` (per day per day);
//! * between two touches the skew is constant, so the rate moves linearly,
//!   `r(t) = clamp(r0 + v·t, −R, R)` with `R = max_funding_rate` and `t` in days;
//! * the cumulative index (funding owed per unit of **long** size, in whole quote units)
//!   grows by `price × ∫ r(t) dt`, in closed form:
//!   - `v = 0`: `r0·d`;
//!   - the bound is not reached within `d` days: `(r0 + r1)/2 · d`, `r1 = r0 + v·d`;
//!   - it is reached after `τ = (±R − r0)/v`: `(r0 ± R)/2 · τ + (±R)·(d − τ)`.
//!
//! A position of size `s` (+ long) with snapshot `k` owes `s × (index − k)`; a positive rate
//! therefore makes longs pay and shorts receive. The price of the whole interval is the
//! price at the touch that closes it (as in Synthetix v2).

use cosmwasm_std::{Decimal256, SignedDecimal256};

use bulwark_types::perps::FundingState;

use crate::error::{ContractError, OrOverflow};
use crate::units::{neg, signed};

pub const SECONDS_PER_DAY: u64 = 86_400;

/// What funding depends on in a market's parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FundingParams {
    pub skew_scale: Decimal256,
    pub max_funding_velocity: Decimal256,
    pub max_funding_rate: Decimal256,
}

fn clamp(x: SignedDecimal256, lo: SignedDecimal256, hi: SignedDecimal256) -> SignedDecimal256 {
    if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    }
}

/// `clamp(skew / skew_scale, −1, 1) × max_funding_velocity`, per day per day.
pub fn velocity(
    skew: SignedDecimal256,
    params: &FundingParams,
) -> Result<SignedDecimal256, ContractError> {
    let scale = signed(params.skew_scale)?;
    if scale.is_zero() {
        return Err(ContractError::InvalidParams {
            reason: "skew_scale must be positive".into(),
        });
    }
    let p = skew.checked_div(scale).or_overflow()?;
    let p = clamp(p, SignedDecimal256::negative_one(), SignedDecimal256::one());
    p.checked_mul(signed(params.max_funding_velocity)?)
        .or_overflow()
}

/// The funding state after accruing from `state.last_update_secs` to `now_secs` at constant
/// `skew` and `price`. A `now_secs` before the last update accrues nothing.
pub fn accrue(
    state: &FundingState,
    skew: SignedDecimal256,
    price: Decimal256,
    params: &FundingParams,
    now_secs: u64,
) -> Result<FundingState, ContractError> {
    let bound = signed(params.max_funding_rate)?;
    let neg_bound = neg(bound)?;
    let r0 = clamp(state.rate, neg_bound, bound);
    let elapsed = now_secs.saturating_sub(state.last_update_secs);
    if elapsed == 0 {
        return Ok(FundingState {
            rate: r0,
            index: state.index,
            last_update_secs: state.last_update_secs.max(now_secs),
        });
    }
    let days = SignedDecimal256::checked_from_ratio(elapsed, SECONDS_PER_DAY).or_overflow()?;
    let v = velocity(skew, params)?;
    let two = SignedDecimal256::from_ratio(2u8, 1u8);
    let (r1, integral) = if v.is_zero() {
        (r0, r0.checked_mul(days).or_overflow()?)
    } else {
        let target = if v.is_negative() { neg_bound } else { bound };
        // days until the rate reaches the bound (≥ 0 because r0 is within the bounds)
        let tau = target
            .checked_sub(r0)
            .or_overflow()?
            .checked_div(v)
            .or_overflow()?;
        if days <= tau {
            let r1 = r0
                .checked_add(v.checked_mul(days).or_overflow()?)
                .or_overflow()?;
            let r1 = clamp(r1, neg_bound, bound);
            let avg = r0
                .checked_add(r1)
                .or_overflow()?
                .checked_div(two)
                .or_overflow()?;
            (r1, avg.checked_mul(days).or_overflow()?)
        } else {
            let ramp = r0
                .checked_add(target)
                .or_overflow()?
                .checked_div(two)
                .or_overflow()?
                .checked_mul(tau)
                .or_overflow()?;
            let flat = target
                .checked_mul(days.checked_sub(tau).or_overflow()?)
                .or_overflow()?;
            (target, ramp.checked_add(flat).or_overflow()?)
        }
    };
    let index = state
        .index
        .checked_add(integral.checked_mul(signed(price)?).or_overflow()?)
        .or_overflow()?;
    Ok(FundingState {
        rate: r1,
        index,
        last_update_secs: now_secs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn sd(s: &str) -> SignedDecimal256 {
        SignedDecimal256::from_str(s).unwrap()
    }
    fn d(s: &str) -> Decimal256 {
        Decimal256::from_str(s).unwrap()
    }
    fn params() -> FundingParams {
        FundingParams {
            skew_scale: d("1000"),
            max_funding_velocity: d("0.03"),
            max_funding_rate: d("0.01"),
        }
    }
    fn f(x: SignedDecimal256) -> f64 {
        f64::from_str(&x.to_string()).unwrap()
    }

    #[test]
    fn constant_rate_without_skew() {
        let s = FundingState {
            rate: sd("0.004"),
            index: sd("0"),
            last_update_secs: 1000,
        };
        let out = accrue(&s, sd("0"), d("10"), &params(), 1000 + SECONDS_PER_DAY).unwrap();
        assert_eq!(out.rate, sd("0.004"));
        assert_eq!(out.index, sd("0.04"));
        assert_eq!(out.last_update_secs, 1000 + SECONDS_PER_DAY);
    }

    #[test]
    fn linear_ramp_then_bound() {
        // skew 500 of scale 1000: v = 0.5 × 0.03 = 0.015/day/day, from 0 to the bound 0.01
        // after 2/3 day; over 1 day: 0.01/2 × 2/3 + 0.01 × 1/3 = 0.00666..
        let s = FundingState::default();
        let out = accrue(&s, sd("500"), d("1"), &params(), SECONDS_PER_DAY).unwrap();
        assert_eq!(out.rate, sd("0.01"));
        let got = f(out.index);
        assert!((got - 0.02 / 3.0).abs() < 1e-15, "{got}");
        // half a day: 0.0075 rate, integral 0.0075/2 × 0.5
        let out = accrue(&s, sd("500"), d("1"), &params(), SECONDS_PER_DAY / 2).unwrap();
        assert_eq!(out.rate, sd("0.0075"));
        assert_eq!(out.index, sd("0.001875"));
        // short skew pushes the rate down, saturating at −1 proportional skew
        let out = accrue(&s, sd("-5000"), d("2"), &params(), SECONDS_PER_DAY / 10).unwrap();
        assert_eq!(out.rate, sd("-0.003"));
        assert_eq!(out.index, sd("-0.0003"));
    }

    #[test]
    fn time_going_backwards_accrues_nothing() {
        let s = FundingState {
            rate: sd("0.001"),
            index: sd("5"),
            last_update_secs: 100,
        };
        let out = accrue(&s, sd("10"), d("3"), &params(), 50).unwrap();
        assert_eq!(out.index, sd("5"));
        assert_eq!(out.last_update_secs, 100);
    }

    #[test]
    fn lowered_bound_clamps_the_stored_rate() {
        let s = FundingState {
            rate: sd("0.05"),
            index: sd("0"),
            last_update_secs: 0,
        };
        let out = accrue(&s, sd("0"), d("1"), &params(), SECONDS_PER_DAY).unwrap();
        assert_eq!(out.rate, sd("0.01"));
        assert_eq!(out.index, sd("0.01"));
    }

    /// Independent f64 reference: ∫ clamp(r0 + v t, −R, R) dt over [0, d] by its
    /// antiderivative, the index grows by price × integral.
    fn reference_step(r0: f64, v: f64, rmax: f64, days: f64) -> (f64, f64) {
        let r0 = r0.clamp(-rmax, rmax);
        if v == 0.0 {
            return (r0, r0 * days);
        }
        let target = if v > 0.0 { rmax } else { -rmax };
        let unclamped_end = r0 + v * days;
        let reached = if v > 0.0 {
            unclamped_end >= rmax
        } else {
            unclamped_end <= -rmax
        };
        if !reached {
            // ∫ (r0 + v t) dt = r0 d + v d²/2
            (unclamped_end, r0 * days + v * days * days / 2.0)
        } else {
            let t_hit = (target - r0) / v;
            (
                target,
                r0 * t_hit + v * t_hit * t_hit / 2.0 + target * (days - t_hit),
            )
        }
    }

    proptest! {
        /// Over a random sequence of (elapsed, skew, price) intervals, touched lazily at
        /// random extra points inside each interval, the accrued index and rate equal the
        /// closed-form reference.
        #[test]
        fn accrual_matches_closed_form_reference(
            steps in proptest::collection::vec(
                (1u64..200_000, -3_000i64..3_000, 1u64..100_000, 0u64..100),
                1..25,
            )
        ) {
            let p = params();
            let mut state = FundingState { rate: sd("0"), index: sd("0"), last_update_secs: 10 };
            let (mut r_ref, mut idx_ref) = (0f64, 0f64);
            let mut now = 10u64;
            for (dt, skew, price_cents, split_pct) in steps {
                let skew_d = SignedDecimal256::from_ratio(skew, 1);
                let price = Decimal256::from_ratio(price_cents, 100u64);
                // a lazy touch inside the interval at the same skew and price changes nothing
                let mid = now + dt * split_pct / 100;
                state = accrue(&state, skew_d, price, &p, mid).unwrap();
                now += dt;
                state = accrue(&state, skew_d, price, &p, now).unwrap();
                let v = (skew as f64 / 1000.0).clamp(-1.0, 1.0) * 0.03;
                let (r1, integral) = reference_step(r_ref, v, 0.01, dt as f64 / 86_400.0);
                r_ref = r1;
                idx_ref += integral * (price_cents as f64 / 100.0);
                let got_r = f(state.rate);
                let got_idx = f(state.index);
                prop_assert!((got_r - r_ref).abs() < 1e-12, "rate {} vs {}", got_r, r_ref);
                prop_assert!(
                    (got_idx - idx_ref).abs() < 1e-9 * (1.0 + idx_ref.abs()),
                    "index {} vs {}", got_idx, idx_ref
                );
                prop_assert!(state.rate.abs_diff(sd("0")) <= d("0.01"));
            }
        }

        /// Position accrual in closed form: what a position owes between two touches is
        /// size × Δindex, and is the same whether funding was touched in between or not.
        #[test]
        fn lazy_touches_do_not_change_what_a_position_owes(
            dt in 1u64..1_000_000, skew in -5_000i64..5_000, size in -1_000i64..1_000,
            split in 1u64..999
        ) {
            let p = params();
            let s0 = FundingState { rate: sd("0.002"), index: sd("1"), last_update_secs: 0 };
            let skew_d = SignedDecimal256::from_ratio(skew, 1);
            let price = d("12.5");
            let direct = accrue(&s0, skew_d, price, &p, dt).unwrap();
            let mid = accrue(&s0, skew_d, price, &p, dt * split / 1000).unwrap();
            let lazy = accrue(&mid, skew_d, price, &p, dt).unwrap();
            let size = SignedDecimal256::from_ratio(size, 1);
            let owed_direct = f(size.checked_mul(direct.index.checked_sub(s0.index).unwrap()).unwrap());
            let owed_lazy = f(size.checked_mul(lazy.index.checked_sub(s0.index).unwrap()).unwrap());
            prop_assert!((owed_direct - owed_lazy).abs() < 1e-9, "{} vs {}", owed_direct, owed_lazy);
        }
    }
}
