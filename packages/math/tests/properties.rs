//! Property tests: parity, bounds, monotonicity, totality.

use bulwark_math::{
    black76_price_greeks, bsm_implied_vol, bsm_price, bsm_price_greeks, exp, ln, norm_cdf,
    Black76Input, BsmInput, MathError, OptionKind,
};
use cosmwasm_std::{Decimal256, Int256, SignedDecimal256, Uint256};
use proptest::prelude::*;

fn dec(raw: u128) -> Decimal256 {
    Decimal256::new(Uint256::from_u128(raw))
}
fn sdec(raw: i128) -> SignedDecimal256 {
    SignedDecimal256::new(Int256::from_i128(raw))
}
fn to_f(x: Decimal256) -> f64 {
    x.to_string().parse().unwrap()
}

/// a ≥ b up to the final 18-decimal rounding of each leg (2 atomics).
fn ge(a: Decimal256, b: Decimal256) -> bool {
    a + dec(2) >= b
}

const E18: u128 = 1_000_000_000_000_000_000;

/// Inputs in the accuracy domain: S ∈ [0.01, 1e6], K/S ∈ [0.2, 5], T ∈ [1h, 3y],
/// σ ∈ [1 %, 500 %], r ∈ [−5 %, 20 %], q ∈ [−5 %, 15 %].
fn input() -> impl Strategy<Value = BsmInput> {
    (
        E18 / 100..1_000_000 * E18,
        200u128..5_000,
        114_155_251_141_553u128..3 * E18,
        E18 / 100..5 * E18,
        -(E18 as i128) / 20..(E18 as i128) / 5,
        -(E18 as i128) / 20..(E18 as i128) * 15 / 100,
    )
        .prop_map(|(s, m, t, v, r, q)| BsmInput {
            spot: dec(s),
            strike: dec(s / 1000 * m),
            time: dec(t),
            vol: dec(v),
            rate: sdec(r),
            dividend_yield: sdec(q),
        })
}

fn legs(i: &BsmInput) -> (f64, f64) {
    let t = to_f(i.time);
    let r: f64 = i.rate.to_string().parse().unwrap();
    let q: f64 = i.dividend_yield.to_string().parse().unwrap();
    (
        to_f(i.spot) * (-q * t).exp(),
        to_f(i.strike) * (-r * t).exp(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn put_call_parity(i in input()) {
        let c = to_f(bsm_price(OptionKind::Call, &i).unwrap());
        let p = to_f(bsm_price(OptionKind::Put, &i).unwrap());
        let (ls, lk) = legs(&i);
        let s = to_f(i.spot);
        // f64 reference legs carry ~1e-16 relative error themselves
        prop_assert!((c - p - (ls - lk)).abs() <= 1e-12 * s + 4e-16 * (ls + lk),
            "c={c} p={p} ls={ls} lk={lk}");
    }

    #[test]
    fn within_no_arbitrage_bounds(i in input()) {
        let (ls, lk) = legs(&i);
        let slack = 1e-15 * (ls + lk);
        let c = to_f(bsm_price(OptionKind::Call, &i).unwrap());
        let p = to_f(bsm_price(OptionKind::Put, &i).unwrap());
        prop_assert!(c >= (ls - lk).max(0.0) - slack && c <= ls + slack);
        prop_assert!(p >= (lk - ls).max(0.0) - slack && p <= lk + slack);
    }

    #[test]
    fn monotone_in_spot_and_vol(i in input(), bump in 1u128..1_000) {
        let base_c = bsm_price(OptionKind::Call, &i).unwrap();
        let base_p = bsm_price(OptionKind::Put, &i).unwrap();
        // spot up by bump basis points: call up, put down
        let mut up = i;
        up.spot = i.spot + Decimal256::from_ratio(bump, 10_000u128) * i.spot;
        prop_assert!(ge(bsm_price(OptionKind::Call, &up).unwrap(), base_c));
        prop_assert!(ge(base_p, bsm_price(OptionKind::Put, &up).unwrap()));
        // vol up: both up
        let mut hv = i;
        hv.vol = i.vol + Decimal256::from_ratio(bump, 10_000u128);
        prop_assert!(ge(bsm_price(OptionKind::Call, &hv).unwrap(), base_c));
        prop_assert!(ge(bsm_price(OptionKind::Put, &hv).unwrap(), base_p));
    }

    #[test]
    fn greeks_signs(i in input()) {
        let c = bsm_price_greeks(OptionKind::Call, &i).unwrap();
        let p = bsm_price_greeks(OptionKind::Put, &i).unwrap();
        prop_assert!(c.delta >= SignedDecimal256::zero() && p.delta <= SignedDecimal256::zero());
        // delta parity: Δc − Δp = e^{−qT}
        let (ls, _) = legs(&i);
        let dd: f64 = (c.delta - p.delta).to_string().parse().unwrap();
        prop_assert!((dd - ls / to_f(i.spot)).abs() <= 1e-15, "{dd}");
        prop_assert_eq!(c.gamma, p.gamma);
        prop_assert_eq!(c.vega, p.vega);
        prop_assert!(c.rho >= SignedDecimal256::zero() && p.rho <= SignedDecimal256::zero());
    }

    #[test]
    fn implied_vol_round_trip(i in input()) {
        let g = bsm_price_greeks(OptionKind::Call, &i).unwrap();
        if to_f(g.vega) >= 1e-6 {
            let iv = bsm_implied_vol(OptionKind::Call, &i, g.price).unwrap();
            prop_assert!(to_f(iv.abs_diff(i.vol)) <= 1e-9, "iv {iv} vol {}", i.vol);
        }
    }

    /// Any input at all: never panics, errors are typed.
    #[test]
    fn total_on_arbitrary_inputs(s in any::<u128>(), k in any::<u128>(), t in any::<u128>(),
                                 v in any::<u128>(), r in any::<i128>(), q in any::<i128>(),
                                 shift in 0u32..128, price in any::<u128>()) {
        let sh = |x: u128| Decimal256::new(Uint256::from_u128(x) << shift);
        let i = BsmInput {
            spot: sh(s),
            strike: dec(k),
            time: dec(t >> (shift / 2)),
            vol: dec(v >> (shift / 2)),
            rate: sdec(r >> (shift / 2)),
            dividend_yield: sdec(q >> (shift / 2)),
        };
        for kind in [OptionKind::Call, OptionKind::Put] {
            if let Ok(g) = bsm_price_greeks(kind, &i) {
                prop_assert!(g.gamma >= Decimal256::zero());
            }
            let b = Black76Input { forward: i.spot, strike: i.strike, time: i.time, vol: i.vol, rate: i.rate };
            let _ = black76_price_greeks(kind, &b);
            match bsm_implied_vol(kind, &i, dec(price)) {
                Ok(_) | Err(MathError::PriceOutOfBounds { .. })
                | Err(MathError::ImpliedVolOutOfRange { .. })
                | Err(MathError::OutOfDomain(_)) | Err(MathError::Overflow) => {}
                Err(e) => prop_assert!(false, "unexpected {e}"),
            }
        }
        let _ = exp(sdec(r));
        let _ = ln(dec(s));
        let _ = norm_cdf(sdec(q));
    }
}
