//! Implied volatility: safeguarded Newton (on σ, using vega) with bisection fallback,
//! bracketed in [`IV_MIN`, `IV_MAX`] = [1e-4, 10], at most 128 price evaluations.
//!
//! Errors: `PriceOutOfBounds` when the price violates the no-arbitrage bounds,
//! `ImpliedVolOutOfRange` when it is consistent with a vol outside the bracket,
//! `OutOfDomain` for T = 0 or a zero spot/forward/strike (vol is then undetermined).
//! The result is the vol rounded to 18 decimals; since prices are 18-decimal, the
//! recovered vol is only as good as 1e-18 / vega.

use cosmwasm_std::{Decimal256, Int256, Uint128, Uint256, Uint512};

use crate::black_scholes::{bounds, Black76Input, BsmInput, Market, OptionKind};
use crate::error::MathError;
use crate::fixed::{self, FRAC, ONE};

/// Lower end of the search bracket (0.01 %).
pub const IV_MIN: Decimal256 = Decimal256::raw(100_000_000_000_000);
/// Upper end of the search bracket (1,000 %).
pub const IV_MAX: Decimal256 = Decimal256::raw(10_000_000_000_000_000_000);

const MAX_ITER: u32 = 128;
/// After this many iterations every step bisects, which bounds the loop.
const NEWTON_ITER: u32 = 48;
/// Stop when the bracket or the Newton step is below 2^-62 ≈ 2.2e-19.
const TOL: i128 = 1 << (FRAC - 62);

/// Implied vol under generalized BSM; `input.vol` is ignored.
pub fn bsm_implied_vol(
    kind: OptionKind,
    input: &BsmInput,
    price: Decimal256,
) -> Result<Decimal256, MathError> {
    solve(&Market::bsm(input)?, kind, price)
}

/// Implied vol under Black-76; `input.vol` is ignored.
pub fn black76_implied_vol(
    kind: OptionKind,
    input: &Black76Input,
    price: Decimal256,
) -> Result<Decimal256, MathError> {
    solve(&Market::black76(input)?, kind, price)
}

fn to_dec(a: Int256) -> Decimal256 {
    Decimal256::new(a.max(Int256::zero()).unsigned_abs())
}

fn solve(m: &Market, kind: OptionKind, price: Decimal256) -> Result<Decimal256, MathError> {
    if m.t == 0 {
        return Err(MathError::OutOfDomain("implied vol at expiry"));
    }
    if m.s.is_zero() || m.k.is_zero() {
        return Err(MathError::OutOfDomain(
            "implied vol with zero spot or strike",
        ));
    }
    let target = Int256::try_from(price.atomics()).map_err(|_| MathError::Overflow)?;
    let ls = fixed::scale(m.s, m.df_s)?;
    let lk = fixed::scale(m.k, m.df_k)?;
    let (lower, upper) = bounds(kind, ls, lk)?;
    if target < lower || target > upper {
        return Err(MathError::PriceOutOfBounds {
            price,
            lower: to_dec(lower),
            upper: to_dec(upper),
        });
    }

    // f(σ) = model price − target (atomics), and vega (atomics per 1.00 vol)
    let eval = |sigma: i128| -> Result<(Int256, Int256), MathError> {
        let v = fixed::mul(sigma, m.sqrt_t)?;
        let e = m.eval_v(v, Some(sigma))?;
        let (p, _, _) = m.raw_price(kind, &e)?;
        let f = p.checked_sub(target).map_err(|_| MathError::Overflow)?;
        let vega = fixed::scale(m.s, fixed::mul(fixed::mul(m.df_s, e.n1)?, m.sqrt_t)?)?;
        Ok((f, vega))
    };

    let mut lo = fixed::from_dec(IV_MIN)?;
    let mut hi = fixed::from_dec(IV_MAX)?;
    let range_err = MathError::ImpliedVolOutOfRange {
        min: IV_MIN,
        max: IV_MAX,
    };
    let (f_lo, _) = eval(lo)?;
    if f_lo > Int256::zero() {
        return Err(range_err);
    }
    if f_lo.is_zero() {
        return Ok(IV_MIN);
    }
    let (f_hi, _) = eval(hi)?;
    if f_hi < Int256::zero() {
        return Err(range_err);
    }

    // Manaster–Koehler start √(2|ln(F/K)|/T): vega is maximal there, so Newton
    // from it is well behaved; near the money fall back to 30 %.
    let mk = fixed::div(fixed::mul_int(m.x.abs(), 2)?, m.t)
        .and_then(fixed::sqrt)
        .unwrap_or(hi);
    let mut sigma = if mk < ONE / 100 { ONE * 3 / 10 } else { mk }.clamp(lo, hi);

    for iter in 0..MAX_ITER {
        let (f, vega) = eval(sigma)?;
        if f.is_zero() {
            return Ok(fixed::to_dec(sigma));
        }
        if f > Int256::zero() {
            hi = sigma;
        } else {
            lo = sigma;
        }
        let bisect = lo + (hi - lo) / 2;
        let next = if iter < NEWTON_ITER && vega > Int256::zero() {
            match newton_step(f, vega) {
                Some(step) => match sigma.checked_sub(step) {
                    Some(n) if n > lo && n < hi => n,
                    _ => bisect,
                },
                None => bisect,
            }
        } else {
            bisect
        };
        if hi - lo <= TOL || (next - sigma).abs() <= TOL {
            return Ok(fixed::to_dec(next));
        }
        sigma = next;
    }
    Err(MathError::NoConvergence)
}

/// f / vega as a Q80 vol step; `None` if it does not fit (then bisect).
fn newton_step(f: Int256, vega: Int256) -> Option<i128> {
    let num = Uint512::from(f.unsigned_abs()) << FRAC;
    let q = num.checked_div(Uint512::from(vega.unsigned_abs())).ok()?;
    let q = Uint128::try_from(Uint256::try_from(q).ok()?).ok()?.u128();
    let q = i128::try_from(q).ok()?;
    Some(if f.is_negative() { -q } else { q })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::black_scholes::bsm_price;
    use cosmwasm_std::SignedDecimal256;
    use std::str::FromStr;

    fn input(vol: &str) -> BsmInput {
        BsmInput {
            spot: Decimal256::from_str("42").unwrap(),
            strike: Decimal256::from_str("40").unwrap(),
            time: Decimal256::from_str("0.5").unwrap(),
            vol: Decimal256::from_str(vol).unwrap(),
            rate: SignedDecimal256::from_str("0.1").unwrap(),
            dividend_yield: SignedDecimal256::zero(),
        }
    }

    #[test]
    fn recovers_hull_vol() {
        for kind in [OptionKind::Call, OptionKind::Put] {
            let i = input("0.2");
            let p = bsm_price(kind, &i).unwrap();
            let iv = bsm_implied_vol(kind, &i, p).unwrap();
            let err = iv.abs_diff(Decimal256::from_str("0.2").unwrap());
            assert!(
                err < Decimal256::from_str("0.000000000001").unwrap(),
                "{iv}"
            );
        }
    }

    #[test]
    fn rejects_out_of_bounds() {
        let i = input("0.2");
        // call below intrinsic S − K e^{−rT} ≈ 3.95
        let r = bsm_implied_vol(OptionKind::Call, &i, Decimal256::from_str("3").unwrap());
        assert!(matches!(r, Err(MathError::PriceOutOfBounds { .. })));
        let r = bsm_implied_vol(OptionKind::Call, &i, Decimal256::from_str("43").unwrap());
        assert!(matches!(r, Err(MathError::PriceOutOfBounds { .. })));
        // inside bounds but needs σ > 10
        let r = bsm_implied_vol(OptionKind::Call, &i, Decimal256::from_str("41.99").unwrap());
        assert!(matches!(r, Err(MathError::ImpliedVolOutOfRange { .. })));
        let mut z = i;
        z.time = Decimal256::zero();
        assert!(bsm_implied_vol(OptionKind::Call, &z, Decimal256::one()).is_err());
    }
}
