//! Internal high-precision fixed point: signed Q47.80 in an `i128`.
//!
//! Resolution 2^-80 ≈ 8.3e-25 (about 24 significant decimals, i.e. six more than
//! `Decimal256`), range ±2^47 ≈ ±1.4e14. All dimensionless option quantities (discount
//! factors, d1/d2, N(d), n(d)) live comfortably in that range; money amounts never enter
//! this type (they stay in `Uint256`/`Int256` and are only multiplied by Q80 factors).
//! Products use a 128×128→256-bit multiply on native u64 halves (cheap in wasm); the few
//! divisions go through `Uint256`.

use cosmwasm_std::{Decimal256, Int256, Isqrt, SignedDecimal256, Uint128, Uint256, Uint512};

use crate::error::MathError;

pub(crate) const FRAC: u32 = 80;
pub(crate) const ONE: i128 = 1 << FRAC;
pub(crate) const HALF: i128 = 1 << (FRAC - 1);

/// ln 2 in Q120 (extra bits so k·ln2 stays exact to < 1 Q80 ulp for |k| ≤ 2^30).
pub(crate) const LN2_Q120: i128 = 921_350_637_599_661_305_226_344_307_672_478_455;
/// 1 / ln 2 in Q80.
pub(crate) const INV_LN2: i128 = 1_744_111_284_760_651_037_637_904;
pub(crate) const SQRT2: i128 = 1_709_679_290_002_018_430_137_083;
pub(crate) const INV_SQRT_2PI: i128 = 482_291_623_313_231_213_510_445;
/// 18 · ln 10, to turn ln(atomics) into ln(value) for 18-decimal types.
pub(crate) const LN_1E18: i128 = 50_105_782_274_044_568_689_305_708;

const DEC_SCALE: u128 = 1_000_000_000_000_000_000;
const LO_MASK: u128 = u64::MAX as u128;

/// Full 128×128 → 256-bit unsigned product as (hi, lo).
#[inline]
fn wide_mul(a: u128, b: u128) -> (u128, u128) {
    let (a1, a0) = (a >> 64, a & LO_MASK);
    let (b1, b0) = (b >> 64, b & LO_MASK);
    // each partial product of two u64 fits in u128
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    // < 3·2^64, no overflow
    let mid = (p00 >> 64) + (p01 & LO_MASK) + (p10 & LO_MASK);
    let lo = (p00 & LO_MASK) | ((mid & LO_MASK) << 64);
    // the true product is < 2^256, so the high word cannot overflow
    let hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    (hi, lo)
}

/// (a·b) >> shift for unsigned a, b, rounded half up; `None` if the result needs > 127 bits.
#[inline]
fn mul_shr_u(a: u128, b: u128, shift: u32) -> Option<u128> {
    debug_assert!(shift > 0 && shift < 128);
    let (mut hi, lo) = wide_mul(a, b);
    let (lo, carry) = lo.overflowing_add(1u128 << (shift - 1));
    if carry {
        hi = hi.checked_add(1)?;
    }
    if hi >> shift != 0 {
        return None;
    }
    let r = (hi << (128 - shift)) | (lo >> shift);
    if r > i128::MAX as u128 {
        None
    } else {
        Some(r)
    }
}

#[inline]
fn apply_sign(mag: u128, neg: bool) -> i128 {
    // callers guarantee mag <= i128::MAX
    let m = mag as i128;
    if neg {
        -m
    } else {
        m
    }
}

/// (a·b) >> shift for signed values, rounded half away from zero.
#[inline]
pub(crate) fn mul_shr(a: i128, b: i128, shift: u32) -> Result<i128, MathError> {
    let neg = (a < 0) != (b < 0);
    let mag = mul_shr_u(a.unsigned_abs(), b.unsigned_abs(), shift).ok_or(MathError::Overflow)?;
    Ok(apply_sign(mag, neg))
}

/// Q80 product, rounded half away from zero.
#[inline]
pub(crate) fn mul(a: i128, b: i128) -> Result<i128, MathError> {
    mul_shr(a, b, FRAC)
}

/// Q80 quotient a/b, rounded half away from zero.
pub(crate) fn div(a: i128, b: i128) -> Result<i128, MathError> {
    if b == 0 {
        return Err(MathError::DivideByZero);
    }
    let neg = (a < 0) != (b < 0);
    let den = Uint256::from_u128(b.unsigned_abs());
    let num = Uint256::from_u128(a.unsigned_abs()) << FRAC;
    // num < 2^207 and den/2 < 2^127: no overflow
    let q = (num + (den >> 1)) / den;
    let mag = Uint128::try_from(q)
        .map_err(|_| MathError::Overflow)?
        .u128();
    if mag > i128::MAX as u128 {
        return Err(MathError::Overflow);
    }
    Ok(apply_sign(mag, neg))
}

#[inline]
pub(crate) fn add(a: i128, b: i128) -> Result<i128, MathError> {
    a.checked_add(b).ok_or(MathError::Overflow)
}

#[inline]
pub(crate) fn sub(a: i128, b: i128) -> Result<i128, MathError> {
    a.checked_sub(b).ok_or(MathError::Overflow)
}

/// `a / d` truncated toward zero, exactly as `i128` division, for a small positive divisor.
/// Long division in 32-bit limbs on native 64-bit operations: wasm has no 128-bit divide, and
/// the generic `i128` division routine is several times slower in the VM.
#[inline]
pub(crate) fn div_small(a: i128, d: u32) -> i128 {
    debug_assert!(d > 0);
    let d = u64::from(d.max(1));
    let m = a.unsigned_abs();
    let mut rem: u64 = 0;
    let mut q: u128 = 0;
    for i in (0..4u32).rev() {
        let cur = (rem << 32) | ((m >> (32 * i)) as u64 & 0xffff_ffff);
        q |= u128::from(cur / d) << (32 * i);
        rem = cur % d;
    }
    // |a / d| ≤ |a|: the magnitude fits back into i128 (i128::MIN / 1 wraps exactly as `/`
    // would overflow; callers never divide i128::MIN)
    apply_sign(q, a < 0)
}

/// Integer multiple of a Q80 value.
#[inline]
pub(crate) fn mul_int(a: i128, k: i128) -> Result<i128, MathError> {
    a.checked_mul(k).ok_or(MathError::Overflow)
}

/// Floor square root of a non-negative Q80 value, in Q80.
pub(crate) fn sqrt(a: i128) -> Result<i128, MathError> {
    if a < 0 {
        return Err(MathError::OutOfDomain("sqrt of a negative number"));
    }
    let r = (Uint256::from_u128(a.unsigned_abs()) << FRAC).isqrt();
    // sqrt(2^207) < 2^104, always fits
    let mag = Uint128::try_from(r)
        .map_err(|_| MathError::Overflow)?
        .u128();
    Ok(apply_sign(mag, false))
}

/// Q80 from an unsigned 18-decimal atomics value, rounded to nearest.
pub(crate) fn from_atomics_u(raw: Uint256) -> Result<i128, MathError> {
    // raw < 2^108 keeps raw << 80 inside 256 bits; anything larger is > 1.4e14 anyway
    if raw.ilog2_checked() >= 108 {
        return Err(MathError::Overflow);
    }
    let num = raw << FRAC;
    let q = (num + Uint256::from_u128(DEC_SCALE / 2)) / Uint256::from_u128(DEC_SCALE);
    let mag = Uint128::try_from(q)
        .map_err(|_| MathError::Overflow)?
        .u128();
    if mag > i128::MAX as u128 {
        return Err(MathError::Overflow);
    }
    Ok(apply_sign(mag, false))
}

pub(crate) fn from_dec(d: Decimal256) -> Result<i128, MathError> {
    from_atomics_u(d.atomics())
}

pub(crate) fn from_sdec(d: SignedDecimal256) -> Result<i128, MathError> {
    let a = d.atomics();
    let mag = from_atomics_u(a.unsigned_abs())?;
    Ok(if a.is_negative() { -mag } else { mag })
}

/// Q80 → signed 18-decimal atomics, rounded half away from zero.
pub(crate) fn to_atomics(a: i128) -> i128 {
    // |a|·1e18 >> 80 < 2^107: never overflows
    let neg = a < 0;
    let mag = mul_shr_u(a.unsigned_abs(), DEC_SCALE, FRAC).unwrap_or(0); // safe: < 2^107
    apply_sign(mag, neg)
}

pub(crate) fn to_sdec(a: i128) -> SignedDecimal256 {
    SignedDecimal256::new(Int256::from_i128(to_atomics(a)))
}

/// Non-negative Q80 → `Decimal256` (negative values clamp to zero).
pub(crate) fn to_dec(a: i128) -> Decimal256 {
    let v = to_atomics(a);
    if v <= 0 {
        Decimal256::zero()
    } else {
        Decimal256::new(Uint256::from_u128(v.unsigned_abs()))
    }
}

/// `amount · f` for a money amount in atomics and a Q80 factor, rounded to nearest.
/// The result is in the same atomics unit as `amount`.
pub(crate) fn scale(amount: Uint256, f: i128) -> Result<Int256, MathError> {
    let p: Uint512 = amount.full_mul(Uint256::from_u128(f.unsigned_abs()));
    let p = (p + Uint512::from(HALF.unsigned_abs())) >> FRAC;
    let mag = Uint256::try_from(p).map_err(|_| MathError::Overflow)?;
    let mag = Int256::try_from(mag).map_err(|_| MathError::Overflow)?;
    Ok(if f < 0 { -mag } else { mag })
}

/// ⌊log2 x⌋ helper that is total (0 for x = 0).
trait Ilog2Checked {
    fn ilog2_checked(self) -> u32;
}

impl Ilog2Checked for Uint256 {
    fn ilog2_checked(self) -> u32 {
        if self.is_zero() {
            0
        } else {
            self.ilog2()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_mul_matches_uint256() {
        let xs = [
            0u128,
            1,
            3,
            u64::MAX as u128,
            (u64::MAX as u128) + 7,
            u128::MAX,
            1 << 100,
        ];
        for &a in &xs {
            for &b in &xs {
                let (hi, lo) = wide_mul(a, b);
                let exp = Uint256::from_u128(a).full_mul(Uint256::from_u128(b));
                let got = (Uint512::from(hi) << 128) + Uint512::from(lo);
                assert_eq!(got, exp);
            }
        }
    }

    #[test]
    fn mul_div_roundtrip() {
        let a = 3 * ONE + 12345;
        let b = -(ONE / 3);
        let p = mul(a, b).unwrap();
        let back = div(p, b).unwrap();
        assert!((back - a).abs() <= 4);
        assert_eq!(mul(ONE, ONE).unwrap(), ONE);
        assert_eq!(div(ONE, 2 * ONE).unwrap(), HALF);
        assert!(mul(i128::MAX, 2 * ONE).is_err());
        assert_eq!(div(1, 0), Err(MathError::DivideByZero));
    }

    #[test]
    fn conversions() {
        let d = Decimal256::percent(150);
        assert_eq!(from_dec(d).unwrap(), 3 * HALF);
        assert_eq!(to_dec(3 * HALF), d);
        let s = SignedDecimal256::percent(-250);
        assert_eq!(to_sdec(from_sdec(s).unwrap()), s);
        assert!(from_dec(Decimal256::MAX).is_err());
        assert_eq!(sqrt(4 * ONE).unwrap(), 2 * ONE);
    }

    #[test]
    fn scale_rounds() {
        let amt = Uint256::from_u128(1_000_000);
        assert_eq!(scale(amt, HALF).unwrap(), Int256::from_i128(500_000));
        assert_eq!(scale(amt, -HALF).unwrap(), Int256::from_i128(-500_000));
        assert!(scale(Uint256::MAX, 4 * ONE).is_err());
    }
}

#[cfg(test)]
mod div_small_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn div_small_is_i128_division(a in (i128::MIN + 1)..=i128::MAX, d in 1u32..=200) {
            prop_assert_eq!(div_small(a, d), a / i128::from(d));
        }
    }

    #[test]
    fn div_small_edges() {
        for a in [0, 1, -1, i128::MAX, i128::MIN + 1, ONE, -ONE] {
            for d in [1u32, 2, 3, 145, u32::MAX] {
                assert_eq!(div_small(a, d), a / i128::from(d), "{a} / {d}");
            }
        }
    }
}
