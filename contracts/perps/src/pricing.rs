//! Fill price with price impact (Synthetix perps v2 style) and trading fees.
//!
//! The premium of a skew `k` is `k / skew_scale`. An order of `Δ` moves the skew from `k` to
//! `k + Δ` and fills at the oracle price times one plus the average premium over that move:
//!
//! `fill = oracle × (1 + (k + Δ/2) / skew_scale)`.
//!
//! Orders that increase the skew pay a premium, orders that reduce it get a discount. The
//! fill is rounded against the trader: up for buys, down for sells. The trading fee is
//! `|Δ| × fill × trading_fee_rate` in settlement units, rounded up; the protocol's share is
//! rounded down and the LP pool gets the rest.

use cosmwasm_std::{Decimal256, Int256, Int512, SignedDecimal256, Uint128};

const ATOMICS: i128 = 1_000_000_000_000_000_000;

use bulwark_math::rounding::{dec_mul_ceil, dec_mul_floor, mul_floor};

use crate::error::{ContractError, OrOverflow};
use crate::units::{abs, to_uamount_ceil};

/// Fill price of an order of `size_delta` against the current `skew`.
pub fn fill_price(
    oracle_price: Decimal256,
    skew: SignedDecimal256,
    size_delta: SignedDecimal256,
    skew_scale: Decimal256,
) -> Result<Decimal256, ContractError> {
    // premium = (2·skew + Δ) / (2·skew_scale), rounded up for buys and down for sells
    let buy = !size_delta.is_negative();
    let num = Int512::from(skew.atomics())
        .checked_mul(Int512::from(2i32))
        .or_overflow()?
        .checked_add(Int512::from(size_delta.atomics()))
        .or_overflow()?
        .checked_mul(Int512::from(ATOMICS))
        .or_overflow()?;
    let den = Int512::from(Int256::try_from(skew_scale.atomics()).or_overflow()?)
        .checked_mul(Int512::from(2i32))
        .or_overflow()?;
    if den.is_zero() {
        return Err(ContractError::InvalidParams {
            reason: "skew_scale must be positive".into(),
        });
    }
    let mut q = num.checked_div(den).or_overflow()?;
    let r = num.checked_rem(den).or_overflow()?;
    if !r.is_zero() {
        if buy && !r.is_negative() {
            q = q.checked_add(Int512::one()).or_overflow()?;
        } else if !buy && r.is_negative() {
            q = q.checked_sub(Int512::one()).or_overflow()?;
        }
    }
    let premium = SignedDecimal256::new(Int256::try_from(q).or_overflow()?);
    let factor = SignedDecimal256::one().checked_add(premium).or_overflow()?;
    if factor <= SignedDecimal256::zero() {
        return Err(ContractError::PriceImpactTooLarge);
    }
    let factor = abs(factor);
    let fill = if size_delta.is_negative() {
        dec_mul_floor(oracle_price, factor)?
    } else {
        dec_mul_ceil(oracle_price, factor)?
    };
    if fill.is_zero() {
        return Err(ContractError::PriceImpactTooLarge);
    }
    Ok(fill)
}

/// Errors unless the fill is at least as good as `acceptable_price` for the order's side.
pub fn check_slippage(
    size_delta: SignedDecimal256,
    fill: Decimal256,
    acceptable_price: Decimal256,
) -> Result<(), ContractError> {
    let worse = if size_delta.is_negative() {
        fill < acceptable_price
    } else {
        fill > acceptable_price
    };
    if worse {
        return Err(ContractError::Slippage {
            fill_price: fill,
            acceptable_price,
        });
    }
    Ok(())
}

/// The trading fee of an order, split (to the pool, to the protocol), settlement units.
pub fn trading_fee(
    size_delta: SignedDecimal256,
    fill: Decimal256,
    fee_rate: Decimal256,
    protocol_share: Decimal256,
    decimals: u8,
) -> Result<(Uint128, Uint128), ContractError> {
    let notional = dec_mul_ceil(abs(size_delta), fill)?;
    let fee = to_uamount_ceil(dec_mul_ceil(notional, fee_rate)?, decimals)?;
    let to_protocol = mul_floor(fee, protocol_share)?;
    let to_pool = fee.checked_sub(to_protocol).or_overflow()?;
    Ok((to_pool, to_protocol))
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

    #[test]
    fn synthetix_fill_price() {
        // skew 0, buy 100 of scale 10_000: premium 0.5%
        assert_eq!(
            fill_price(d("10"), sd("0"), sd("100"), d("10000")).unwrap(),
            d("10.05")
        );
        // skew 1000 long, sell 1000: average premium 5% (discount relative to a premium)
        assert_eq!(
            fill_price(d("10"), sd("1000"), sd("-1000"), d("10000")).unwrap(),
            d("10.5")
        );
        // skew −1000, sell 200: premium (−1000 − 100)/10000 = −11%
        assert_eq!(
            fill_price(d("10"), sd("-1000"), sd("-200"), d("10000")).unwrap(),
            d("8.9")
        );
        // rounding against the trader
        assert_eq!(
            fill_price(d("1"), sd("0"), sd("0.000000000000000002"), d("3")).unwrap(),
            d("1.000000000000000001")
        );
        assert_eq!(
            fill_price(d("1"), sd("0"), sd("-1"), d("3")).unwrap(),
            d("0.833333333333333333")
        );
        // an impact beyond −100% is refused
        assert_eq!(
            fill_price(d("10"), sd("0"), sd("-20000"), d("10000")),
            Err(ContractError::PriceImpactTooLarge)
        );
        assert_eq!(
            fill_price(
                d("10"),
                sd("0"),
                SignedDecimal256::MAX,
                d("0.000000000000000001")
            ),
            Err(ContractError::Overflow)
        );
    }

    #[test]
    fn slippage() {
        assert!(check_slippage(sd("1"), d("10"), d("10")).is_ok());
        assert!(check_slippage(sd("1"), d("10.01"), d("10")).is_err());
        assert!(check_slippage(sd("-1"), d("9.99"), d("10")).is_err());
        assert!(check_slippage(sd("-1"), d("10.01"), d("10")).is_ok());
    }

    #[test]
    fn fees_round_up_and_split() {
        // 3 × 10.05 × 0.001 = 0.03015 → 30_150 units; protocol 1/3 → 10_050, pool 20_100
        let (pool, proto) = trading_fee(
            sd("-3"),
            d("10.05"),
            d("0.001"),
            d("0.333333333333333333"),
            6,
        )
        .unwrap();
        assert_eq!((pool.u128(), proto.u128()), (20_101, 10_049));
        // a tiny fee rounds up to one unit
        let (pool, proto) = trading_fee(sd("0.000001"), d("1"), d("0.0001"), d("0"), 6).unwrap();
        assert_eq!((pool.u128(), proto.u128()), (1, 0));
    }

    proptest! {
        #[test]
        fn buys_pay_at_least_sells_receive(
            skew in -1_000_000i64..1_000_000, delta in 1i64..1_000_000, price in 1u64..1_000_000
        ) {
            let scale = d("10000000");
            let price = Decimal256::from_ratio(price, 1000u64);
            let skew = SignedDecimal256::from_ratio(skew, 100);
            let delta = SignedDecimal256::from_ratio(delta, 100);
            let buy = fill_price(price, skew, delta, scale).unwrap();
            // selling the same size back from the new skew fills at the same average premium
            let new_skew = skew.checked_add(delta).unwrap();
            let sell = fill_price(price, new_skew, -delta, scale).unwrap();
            prop_assert!(buy >= sell);
            prop_assert!(buy.abs_diff(sell) <= d("0.000000000000000002"));
        }
    }
}
