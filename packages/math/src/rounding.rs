//! Explicitly rounded arithmetic so every amount can be rounded in the protocol's favour:
//! round *down* what the protocol pays out or credits, round *up* what it charges or debits.
//!
//! All functions are exact (the intermediate product is 512-bit), checked, and never panic:
//! `floor(x) ≤ x ≤ ceil(x)` and `ceil(x) − floor(x) ≤ 1` (in units of the result).
//! The amount functions are generic over `Uint128` and `Uint256`.

use cosmwasm_std::{Decimal256, Uint256, Uint512};

use crate::error::MathError;

const ATOMICS: u128 = 1_000_000_000_000_000_000;

/// Integer amounts accepted by the rounding helpers (`Uint128`, `Uint256`).
pub trait Amount: Copy + Into<Uint256> + TryFrom<Uint256> {}
impl<T: Copy + Into<Uint256> + TryFrom<Uint256>> Amount for T {}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dir {
    Floor,
    Ceil,
}

/// ⌊a·b/c⌋ or ⌈a·b/c⌉ over 512 bits.
fn muldiv512(a: Uint256, b: Uint256, c: Uint256, dir: Dir) -> Result<Uint256, MathError> {
    if c.is_zero() {
        return Err(MathError::DivideByZero);
    }
    let p: Uint512 = a.full_mul(b);
    let c = Uint512::from(c);
    let q = p / c;
    let q = if dir == Dir::Ceil && !(p % c).is_zero() {
        // a non-zero remainder implies c ≥ 2, so q < 2^511 and +1 cannot overflow
        q + Uint512::one()
    } else {
        q
    };
    Uint256::try_from(q).map_err(|_| MathError::Overflow)
}

fn narrow<T: Amount>(x: Uint256) -> Result<T, MathError> {
    T::try_from(x).map_err(|_| MathError::Overflow)
}

/// ⌊a·b/c⌋.
pub fn mul_div_floor(a: Uint256, b: Uint256, c: Uint256) -> Result<Uint256, MathError> {
    muldiv512(a, b, c, Dir::Floor)
}

/// ⌈a·b/c⌉.
pub fn mul_div_ceil(a: Uint256, b: Uint256, c: Uint256) -> Result<Uint256, MathError> {
    muldiv512(a, b, c, Dir::Ceil)
}

/// ⌊amount · d⌋.
pub fn mul_floor<T: Amount>(amount: T, d: Decimal256) -> Result<T, MathError> {
    narrow(muldiv512(
        amount.into(),
        d.atomics(),
        Uint256::from_u128(ATOMICS),
        Dir::Floor,
    )?)
}

/// ⌈amount · d⌉.
pub fn mul_ceil<T: Amount>(amount: T, d: Decimal256) -> Result<T, MathError> {
    narrow(muldiv512(
        amount.into(),
        d.atomics(),
        Uint256::from_u128(ATOMICS),
        Dir::Ceil,
    )?)
}

/// ⌊amount / d⌋; `DivideByZero` for d = 0.
pub fn div_floor<T: Amount>(amount: T, d: Decimal256) -> Result<T, MathError> {
    narrow(muldiv512(
        amount.into(),
        Uint256::from_u128(ATOMICS),
        d.atomics(),
        Dir::Floor,
    )?)
}

/// ⌈amount / d⌉; `DivideByZero` for d = 0.
pub fn div_ceil<T: Amount>(amount: T, d: Decimal256) -> Result<T, MathError> {
    narrow(muldiv512(
        amount.into(),
        Uint256::from_u128(ATOMICS),
        d.atomics(),
        Dir::Ceil,
    )?)
}

/// a·b rounded down to 18 decimals.
pub fn dec_mul_floor(a: Decimal256, b: Decimal256) -> Result<Decimal256, MathError> {
    muldiv512(
        a.atomics(),
        b.atomics(),
        Uint256::from_u128(ATOMICS),
        Dir::Floor,
    )
    .map(Decimal256::new)
}

/// a·b rounded up to 18 decimals.
pub fn dec_mul_ceil(a: Decimal256, b: Decimal256) -> Result<Decimal256, MathError> {
    muldiv512(
        a.atomics(),
        b.atomics(),
        Uint256::from_u128(ATOMICS),
        Dir::Ceil,
    )
    .map(Decimal256::new)
}

/// a/b rounded down to 18 decimals; `DivideByZero` for b = 0.
pub fn dec_div_floor(a: Decimal256, b: Decimal256) -> Result<Decimal256, MathError> {
    muldiv512(
        a.atomics(),
        Uint256::from_u128(ATOMICS),
        b.atomics(),
        Dir::Floor,
    )
    .map(Decimal256::new)
}

/// a/b rounded up to 18 decimals; `DivideByZero` for b = 0.
pub fn dec_div_ceil(a: Decimal256, b: Decimal256) -> Result<Decimal256, MathError> {
    muldiv512(
        a.atomics(),
        Uint256::from_u128(ATOMICS),
        b.atomics(),
        Dir::Ceil,
    )
    .map(Decimal256::new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::Uint128;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal256 {
        Decimal256::from_str(s).unwrap()
    }

    #[test]
    fn units() {
        let a = Uint128::new(10);
        assert_eq!(mul_floor(a, d("0.15")).unwrap(), Uint128::new(1));
        assert_eq!(mul_ceil(a, d("0.15")).unwrap(), Uint128::new(2));
        assert_eq!(mul_floor(a, d("0.2")).unwrap(), Uint128::new(2));
        assert_eq!(mul_ceil(a, d("0.2")).unwrap(), Uint128::new(2));
        assert_eq!(div_floor(a, d("3")).unwrap(), Uint128::new(3));
        assert_eq!(div_ceil(a, d("3")).unwrap(), Uint128::new(4));
        assert_eq!(
            div_floor(a, Decimal256::zero()),
            Err(MathError::DivideByZero)
        );
        assert_eq!(mul_floor(Uint128::MAX, d("2")), Err(MathError::Overflow));
        assert_eq!(mul_floor(Uint256::MAX, d("2")), Err(MathError::Overflow));
        assert_eq!(mul_floor(Uint256::MAX, d("1")).unwrap(), Uint256::MAX);
        assert_eq!(
            mul_ceil(Uint256::MAX, d("0.5")).unwrap(),
            Uint256::MAX / Uint256::from(2u8) + Uint256::one()
        );
        let m = Uint256::MAX;
        assert_eq!(mul_div_floor(m, m, m).unwrap(), m);
        assert_eq!(mul_div_ceil(m, m, m).unwrap(), m);
        assert_eq!(
            mul_div_ceil(Uint256::from(7u8), Uint256::one(), Uint256::from(2u8)).unwrap(),
            Uint256::from(4u8)
        );
        assert_eq!(
            mul_div_floor(m, Uint256::one(), Uint256::zero()),
            Err(MathError::DivideByZero)
        );
        assert_eq!(
            dec_mul_floor(d("0.000000000000000001"), d("0.5")).unwrap(),
            Decimal256::zero()
        );
        assert_eq!(
            dec_mul_ceil(d("0.000000000000000001"), d("0.5")).unwrap(),
            d("0.000000000000000001")
        );
        assert_eq!(
            dec_div_floor(d("1"), d("3")).unwrap(),
            d("0.333333333333333333")
        );
        assert_eq!(
            dec_div_ceil(d("1"), d("3")).unwrap(),
            d("0.333333333333333334")
        );
        assert!(dec_div_ceil(d("1"), Decimal256::zero()).is_err());
        assert!(dec_mul_floor(Decimal256::MAX, d("2")).is_err());
    }

    fn u256(hi: u128, lo: u128) -> Uint256 {
        (Uint256::from_u128(hi) << 128) + Uint256::from_u128(lo)
    }

    proptest! {
        #[test]
        fn floor_le_exact_le_ceil(ah in any::<u128>(), al in any::<u128>(), b in any::<u128>(),
                                  ch in 0u128..4, cl in 1u128..u128::MAX) {
            let a = u256(ah >> 64, al);
            let b = Uint256::from_u128(b);
            let c = u256(ch, cl);
            let exact = a.full_mul(b);
            match (mul_div_floor(a, b, c), mul_div_ceil(a, b, c)) {
                (Ok(f), Ok(cl)) => {
                    let c5 = Uint512::from(c);
                    prop_assert!(Uint512::from(f) * c5 <= exact);
                    prop_assert!(Uint512::from(cl) * c5 >= exact);
                    prop_assert!(cl - f <= Uint256::one());
                    prop_assert_eq!(cl == f, (exact % c5).is_zero());
                }
                (Err(e), _) | (_, Err(e)) => prop_assert_eq!(e, MathError::Overflow),
            }
        }

        #[test]
        fn dec_helpers_bracket(a in any::<u128>(), raw in 1u128..u128::MAX) {
            let dd = Decimal256::new(Uint256::from_u128(raw));
            let a128 = Uint128::new(a);
            let exact = Uint256::from_u128(a).full_mul(Uint256::from_u128(raw));
            let one = Uint512::from(Uint256::from_u128(ATOMICS));
            if let (Ok(f), Ok(c)) = (mul_floor(a128, dd), mul_ceil(a128, dd)) {
                prop_assert!(Uint512::from(Uint256::from(f)) * one <= exact);
                prop_assert!(Uint512::from(Uint256::from(c)) * one >= exact);
                prop_assert!(c.u128() - f.u128() <= 1);
            }
            let f = div_floor(Uint256::from_u128(a), dd).unwrap();
            let c = div_ceil(Uint256::from_u128(a), dd).unwrap();
            let num = Uint256::from_u128(a).full_mul(Uint256::from_u128(ATOMICS));
            let den = Uint512::from(Uint256::from_u128(raw));
            prop_assert!(Uint512::from(f) * den <= num);
            prop_assert!(Uint512::from(c) * den >= num);
            prop_assert!(c - f <= Uint256::one());
        }
    }
}
