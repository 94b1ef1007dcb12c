//! Unit conversions and exactly rounded products.
//!
//! Values in whole quote units (decimals with 18 places) become **settlement amounts** (base
//! units of the vault's settlement denom) by `× 10^settlement_decimals`, rounded explicitly:
//! what the account receives is rounded down (floor), what it owes or pays is rounded up
//! (ceil). Products that turn into cash are computed exactly over 512 bits and rounded once.

use cosmwasm_std::{Decimal256, Int128, Int256, Int512, SignedDecimal256, Uint128};

use crate::error::{ContractError, OrOverflow};

/// 10^18, the fractional of the 18-decimal types.
const ATOMICS: i128 = 1_000_000_000_000_000_000;

/// Rounding direction of a conversion to an integer amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Round {
    /// Towards −∞: credits to the account, and debits expressed as negative numbers grow.
    Floor,
    /// Towards +∞.
    Ceil,
}

pub fn zero() -> SignedDecimal256 {
    SignedDecimal256::zero()
}

/// |x| as an unsigned decimal (never panics, also for the minimum value).
pub fn abs(x: SignedDecimal256) -> Decimal256 {
    x.abs_diff(SignedDecimal256::zero())
}

/// −x, checked.
pub fn neg(x: SignedDecimal256) -> Result<SignedDecimal256, ContractError> {
    SignedDecimal256::zero().checked_sub(x).or_overflow()
}

/// An unsigned decimal as a signed one, checked.
pub fn signed(x: Decimal256) -> Result<SignedDecimal256, ContractError> {
    SignedDecimal256::try_from(x).or_overflow()
}

/// A non-negative signed decimal as an unsigned one, checked.
pub fn unsigned(x: SignedDecimal256) -> Result<Decimal256, ContractError> {
    Decimal256::try_from(x).or_overflow()
}

fn pow10(decimals: u8) -> Result<Int512, ContractError> {
    Int512::from(10i32)
        .checked_pow(u32::from(decimals))
        .or_overflow()
}

/// 10^decimals as u128, checked.
pub fn pow10_u128(decimals: u8) -> Result<u128, ContractError> {
    10u128
        .checked_pow(u32::from(decimals))
        .ok_or(ContractError::Overflow)
}

fn div_round(num: Int512, den: Int512, round: Round) -> Result<Int512, ContractError> {
    let q = num.checked_div(den).or_overflow()?;
    let r = num.checked_rem(den).or_overflow()?;
    if r.is_zero() {
        return Ok(q);
    }
    // den > 0 here, so the sign of the remainder is the sign of num
    match (round, r.is_negative()) {
        (Round::Floor, true) => q.checked_sub(Int512::one()).or_overflow(),
        (Round::Ceil, false) => q.checked_add(Int512::one()).or_overflow(),
        _ => Ok(q),
    }
}

fn narrow(x: Int512) -> Result<Int128, ContractError> {
    let x = Int256::try_from(x).or_overflow()?;
    Int128::try_from(x).or_overflow()
}

/// A value in whole quote units as a settlement amount, rounded as asked.
pub fn to_amount(
    value: SignedDecimal256,
    decimals: u8,
    round: Round,
) -> Result<Int128, ContractError> {
    let num = Int512::from(value.atomics())
        .checked_mul(pow10(decimals)?)
        .or_overflow()?;
    narrow(div_round(num, Int512::from(ATOMICS), round)?)
}

/// `a × b` (both in whole units) as a settlement amount, exact product, rounded once.
pub fn mul_to_amount(
    a: SignedDecimal256,
    b: SignedDecimal256,
    decimals: u8,
    round: Round,
) -> Result<Int128, ContractError> {
    let prod = Int512::from(a.atomics())
        .checked_mul(Int512::from(b.atomics()))
        .or_overflow()?
        .checked_mul(pow10(decimals)?)
        .or_overflow()?;
    let den = Int512::from(ATOMICS)
        .checked_mul(Int512::from(ATOMICS))
        .or_overflow()?;
    narrow(div_round(prod, den, round)?)
}

/// A non-negative value in whole quote units as an unsigned settlement amount, rounded up.
pub fn to_uamount_ceil(value: Decimal256, decimals: u8) -> Result<Uint128, ContractError> {
    let amount = to_amount(signed(value)?, decimals, Round::Ceil)?;
    uamount(amount)
}

/// A non-negative value in whole quote units as an unsigned settlement amount, rounded down.
pub fn to_uamount_floor(value: Decimal256, decimals: u8) -> Result<Uint128, ContractError> {
    let amount = to_amount(signed(value)?, decimals, Round::Floor)?;
    uamount(amount)
}

/// A non-negative signed amount as unsigned.
pub fn uamount(x: Int128) -> Result<Uint128, ContractError> {
    if x.is_negative() {
        return Err(ContractError::Overflow);
    }
    Ok(Uint128::new(x.i128().unsigned_abs()))
}

/// An unsigned amount as signed, checked.
pub fn samount(x: Uint128) -> Result<Int128, ContractError> {
    i128::try_from(x.u128()).map(Int128::new).or_overflow()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn sd(s: &str) -> SignedDecimal256 {
        SignedDecimal256::from_str(s).unwrap()
    }

    #[test]
    fn rounding_directions() {
        assert_eq!(
            to_amount(sd("1.2345678"), 6, Round::Floor).unwrap(),
            Int128::new(1_234_567)
        );
        assert_eq!(
            to_amount(sd("1.2345678"), 6, Round::Ceil).unwrap(),
            Int128::new(1_234_568)
        );
        assert_eq!(
            to_amount(sd("-1.2345678"), 6, Round::Floor).unwrap(),
            Int128::new(-1_234_568)
        );
        assert_eq!(
            to_amount(sd("-1.2345678"), 6, Round::Ceil).unwrap(),
            Int128::new(-1_234_567)
        );
        assert_eq!(
            to_amount(sd("-2"), 6, Round::Floor).unwrap(),
            Int128::new(-2_000_000)
        );
        assert_eq!(to_amount(sd("3"), 0, Round::Ceil).unwrap(), Int128::new(3));
    }

    #[test]
    fn exact_products() {
        // 0.000000000000000001 × 0.5 = 5e-19: exact product rounds to 0 / 1 base units
        assert_eq!(
            mul_to_amount(sd("0.000000000000000001"), sd("0.5"), 18, Round::Ceil).unwrap(),
            Int128::new(1)
        );
        assert_eq!(
            mul_to_amount(sd("0.000000000000000001"), sd("0.5"), 18, Round::Floor).unwrap(),
            Int128::zero()
        );
        assert_eq!(
            mul_to_amount(sd("-1.5"), sd("10.333333"), 6, Round::Floor).unwrap(),
            Int128::new(-15_500_000)
        );
        assert_eq!(
            mul_to_amount(sd("-1.5"), sd("10.3333333"), 6, Round::Floor).unwrap(),
            Int128::new(-15_500_000)
        );
        assert_eq!(
            mul_to_amount(sd("-1.5"), sd("10.3333334"), 6, Round::Floor).unwrap(),
            Int128::new(-15_500_001)
        );
    }

    #[test]
    fn overflow_is_an_error() {
        assert_eq!(
            to_amount(SignedDecimal256::MAX, 18, Round::Floor),
            Err(ContractError::Overflow)
        );
        assert_eq!(
            mul_to_amount(
                SignedDecimal256::MAX,
                SignedDecimal256::MAX,
                18,
                Round::Floor
            ),
            Err(ContractError::Overflow)
        );
        assert_eq!(neg(SignedDecimal256::MIN), Err(ContractError::Overflow));
        assert_eq!(abs(sd("-2.5")), Decimal256::from_str("2.5").unwrap());
        assert_eq!(uamount(Int128::new(-1)), Err(ContractError::Overflow));
    }
}
