//! Deterministic exp, ln and sqrt.
//!
//! Internally everything is Q80 (see `fixed`); the public wrappers take and return
//! 18-decimal cosmwasm types and round to nearest (sqrt: floor).

use cosmwasm_std::{Decimal256, Int256, Isqrt, SignedDecimal256, Uint128, Uint256, Uint512};

use crate::error::MathError;
use crate::fixed::{self, FRAC, INV_LN2, LN2_Q120, LN_1E18, ONE, SQRT2};

/// Below this (Q80) argument e^x is < half a Q80 ulp: exp saturates to 0.
pub(crate) const EXP_MIN_Q: i128 = -57 * ONE;
/// Taylor terms for e^r, |r| ≤ ln2/2: 0.347^21/21! < 1e-26.
const EXP_TERMS: u32 = 21;
/// atanh series terms for ln(m), m ∈ [√½, √2): s ≤ 0.1716, s^37/37 < 1e-29.
const LN_TERMS: u32 = 18;

/// Range reduction x = k·ln2 + r with |r| ≤ ~ln2/2; returns (k, e^r in Q80).
fn exp_reduced(x: i128) -> Result<(i32, i128), MathError> {
    // k = round(x / ln2), by a multiplication (a 256-bit division costs far more in wasm);
    // k only picks the reduction: r below stays exact to < 1 ulp whichever k is chosen, and
    // |r| ≤ ln2/2 + 2^-80. |x| is bounded by callers so k fits easily in i32.
    let k = fixed::add(fixed::mul(x, INV_LN2)?, fixed::HALF)? >> FRAC;
    let k32 = i32::try_from(k).map_err(|_| MathError::Overflow)?;
    // r = x - k·ln2, with ln2 carried in Q120 so the subtraction is exact to < 1 ulp
    let kln2 = fixed::mul_shr(k, LN2_Q120, 40)?;
    let r = fixed::sub(x, kln2)?;
    let mut term = ONE;
    let mut sum = ONE;
    for n in 1..=EXP_TERMS {
        term = fixed::div_small(fixed::mul(term, r)?, n);
        if term == 0 {
            break;
        }
        sum = fixed::add(sum, term)?;
    }
    Ok((k32, sum))
}

/// e^x for Q80 x; 0 when x < -57 (below resolution), `Overflow` when e^x ≥ 2^47.
pub(crate) fn exp_q(x: i128) -> Result<i128, MathError> {
    if x < EXP_MIN_Q {
        return Ok(0);
    }
    if x > 33 * ONE {
        return Err(MathError::Overflow);
    }
    let (k, er) = exp_reduced(x)?;
    if k >= 0 {
        let k = k.unsigned_abs();
        // er > 0; the shift must keep the sign bit clear
        if er.leading_zeros() <= k {
            return Err(MathError::Overflow);
        }
        Ok(er << k)
    } else {
        let s = k.unsigned_abs();
        if s >= 127 {
            return Ok(0);
        }
        Ok((er + (1i128 << (s - 1))) >> s)
    }
}

/// ln of a positive integer `raw` (as if it were a plain number), in Q80.
pub(crate) fn ln_uint(raw: Uint256) -> Result<i128, MathError> {
    if raw.is_zero() {
        return Err(MathError::OutOfDomain("ln of zero"));
    }
    let e = raw.ilog2();
    // mantissa m = raw / 2^e in Q80, in [1, 2)
    let m = if e >= FRAC {
        let sh = e - FRAC;
        // round half up without overflowing at Uint256::MAX; reaching exactly 2.0 is
        // handled by the √2 fold below
        let round_bit = if sh == 0 {
            Uint256::zero()
        } else {
            let r = raw >> (sh - 1);
            r - ((r >> 1) << 1)
        };
        (raw >> sh) + round_bit
    } else {
        raw << (FRAC - e)
    };
    let m = Uint128::try_from(m)
        .map_err(|_| MathError::Overflow)?
        .u128();
    // m < 2^81
    let mut m = m as i128;
    let mut e = i128::from(e);
    if m >= SQRT2 {
        // fold into [√½, √2) so the series argument stays ≤ 0.1716
        m = (m + 1) >> 1;
        e += 1;
    }
    let lm = ln_mantissa(m)?;
    let el = fixed::mul_shr(e, LN2_Q120, 40)?;
    fixed::add(lm, el)
}

/// ln(m) for m ∈ [√½, √2] via 2·atanh((m-1)/(m+1)).
fn ln_mantissa(m: i128) -> Result<i128, MathError> {
    let s = fixed::div(m - ONE, m + ONE)?;
    let s2 = fixed::mul(s, s)?;
    let mut pow = s;
    let mut sum = s;
    for k in 1..LN_TERMS {
        pow = fixed::mul(pow, s2)?;
        if pow == 0 {
            break;
        }
        sum = fixed::add(sum, fixed::div_small(pow, 2 * k + 1))?;
    }
    fixed::mul_int(sum, 2)
}

/// ln of a positive Q80 value (test helper).
#[cfg(test)]
pub(crate) fn ln_q(x: i128) -> Result<i128, MathError> {
    if x <= 0 {
        return Err(MathError::OutOfDomain("ln of a non-positive number"));
    }
    let l = ln_uint(Uint256::from_u128(x.unsigned_abs()))?;
    fixed::sub(l, fixed::mul_shr(i128::from(FRAC), LN2_Q120, 40)?)
}

/// ln of a positive `Decimal256`, in Q80 (valid for the whole `Decimal256` range).
pub(crate) fn ln_dec_q(x: Decimal256) -> Result<i128, MathError> {
    let l = ln_uint(x.atomics())?;
    fixed::sub(l, LN_1E18)
}

/// e^x as `Decimal256`, rounded to nearest.
///
/// Domain: any x. Saturates to 0 for x < -43 (e^x below half an 18-decimal ulp);
/// returns `MathError::Overflow` when e^x exceeds `Decimal256::MAX` (x > ~135.99).
/// Relative error < 1e-22 before the final rounding to 18 decimals.
pub fn exp(x: SignedDecimal256) -> Result<Decimal256, MathError> {
    let lo = SignedDecimal256::from_atomics(Int256::from_i128(-43), 0)
        .map_err(|_| MathError::Overflow)?;
    let hi = SignedDecimal256::from_atomics(Int256::from_i128(136), 0)
        .map_err(|_| MathError::Overflow)?;
    if x < lo {
        return Ok(Decimal256::zero());
    }
    if x > hi {
        return Err(MathError::Overflow);
    }
    let xq = fixed::from_sdec(x)?;
    let (k, er) = exp_reduced(xq)?;
    // result atomics = er · 1e18 · 2^(k - 80)
    let p: Uint512 = Uint256::from_u128(er.unsigned_abs())
        .full_mul(Uint256::from_u128(1_000_000_000_000_000_000));
    let shift = k - FRAC as i32;
    let v = if shift >= 0 {
        let s = shift.unsigned_abs();
        if p.ilog2() + s >= 256 {
            return Err(MathError::Overflow);
        }
        p << s
    } else {
        let s = shift.unsigned_abs();
        if s >= 512 {
            return Ok(Decimal256::zero());
        }
        (p + (Uint512::one() << (s - 1))) >> s
    };
    let v = Uint256::try_from(v).map_err(|_| MathError::Overflow)?;
    Ok(Decimal256::new(v))
}

/// Natural logarithm, rounded to nearest 18-decimal ulp. Domain x > 0 (`OutOfDomain` for 0).
/// Absolute error < 1e-22 before rounding.
pub fn ln(x: Decimal256) -> Result<SignedDecimal256, MathError> {
    Ok(fixed::to_sdec(ln_dec_q(x)?))
}

/// Square root, exactly ⌊√x⌋ at 18 decimals. Total over `Decimal256`.
pub fn sqrt(x: Decimal256) -> Decimal256 {
    let r = x
        .atomics()
        .full_mul(Uint256::from_u128(1_000_000_000_000_000_000))
        .isqrt();
    // √(2^256 · 2^60) < 2^158: always fits
    Decimal256::new(Uint256::try_from(r).unwrap_or(Uint256::MAX)) // safe: < 2^158
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn q(x: f64) -> i128 {
        (x * (ONE as f64)) as i128
    }
    fn f(x: i128) -> f64 {
        x as f64 / ONE as f64
    }

    #[test]
    fn exp_q_basic() {
        for &x in &[-50.0, -10.0, -1.0, -0.3, 0.0, 0.25, 1.0, 5.0, 20.0, 32.0] {
            let got = f(exp_q(q(x)).unwrap());
            let want = x.exp();
            assert!(
                (got - want).abs() < 1e-14 * want + 1e-23,
                "{x}: {got} vs {want}"
            );
        }
        assert_eq!(exp_q(-60 * ONE).unwrap(), 0);
        assert!(exp_q(34 * ONE).is_err());
        assert_eq!(exp_q(0).unwrap(), ONE);
    }

    #[test]
    fn ln_q_basic() {
        for &x in &[1e-20, 1e-5, 0.3, 0.7, 1.0, 1.4, 2.0, 10.0, 1e10] {
            let got = f(ln_q(q(x)).unwrap());
            let want = (q(x) as f64 / ONE as f64).ln();
            assert!((got - want).abs() < 1e-13, "{x}: {got} vs {want}");
        }
        assert_eq!(ln_q(ONE).unwrap(), 0);
        assert!(ln_q(0).is_err());
    }

    #[test]
    fn public_wrappers() {
        let e = exp(SignedDecimal256::one()).unwrap();
        assert_eq!(e, Decimal256::from_str("2.718281828459045235").unwrap());
        assert_eq!(exp(SignedDecimal256::zero()).unwrap(), Decimal256::one());
        assert_eq!(
            exp(SignedDecimal256::from_str("-44").unwrap()).unwrap(),
            Decimal256::zero()
        );
        assert!(exp(SignedDecimal256::from_str("136.5").unwrap()).is_err());
        assert!(exp(SignedDecimal256::from_str("135.5").unwrap()).is_ok());
        assert!(exp(SignedDecimal256::MAX).is_err());
        assert_eq!(exp(SignedDecimal256::MIN).unwrap(), Decimal256::zero());
        assert_eq!(
            ln(Decimal256::from_str("10").unwrap()).unwrap(),
            SignedDecimal256::from_str("2.302585092994045684").unwrap()
        );
        assert_eq!(
            ln(Decimal256::from_str("0.000000000000000001").unwrap()).unwrap(),
            SignedDecimal256::from_str("-41.446531673892822312").unwrap()
        );
        assert!(ln(Decimal256::MAX).is_ok());
        assert!(ln(Decimal256::zero()).is_err());
        assert_eq!(
            sqrt(Decimal256::from_str("2").unwrap()),
            Decimal256::from_str("1.414213562373095048").unwrap()
        );
        let _ = sqrt(Decimal256::MAX);
    }
}
