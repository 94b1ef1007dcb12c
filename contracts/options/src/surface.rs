//! The vol surface: vol of a series = base IV of its board × skew of its strike; trades move
//! both by a vega-normalised size, clamped to the configured bounds.

use cosmwasm_std::{Decimal256, Uint128};

use bulwark_math::{sqrt, years_from_seconds};
use bulwark_types::options::ConfigParams;

use crate::error::ContractError;

/// φ(0) = 1/√(2π), 18 decimals.
const PHI0_ATOMICS: u128 = 398_942_280_401_432_678;

pub fn series_vol(base_iv: Decimal256, skew: Decimal256) -> Result<Decimal256, ContractError> {
    Ok(base_iv.checked_mul(skew)?)
}

/// `amount × vega / (spot · √T · φ(0))`: contracts weighted by their vega relative to an
/// at-the-money option of the same expiry (≤ 1 per contract when the rate is ≤ the carry),
/// so deep out-of-the-money trades move the surface less. Zero at T = 0 or spot 0.
pub fn vega_normalised(
    amount: Uint128,
    vega: Decimal256,
    spot: Decimal256,
    secs_to_expiry: u64,
) -> Result<Decimal256, ContractError> {
    let atm_vega = spot
        .checked_mul(sqrt(years_from_seconds(secs_to_expiry)))?
        .checked_mul(Decimal256::new(PHI0_ATOMICS.into()))?;
    if atm_vega.is_zero() {
        return Ok(Decimal256::zero());
    }
    let ratio = vega.checked_div(atm_vega).map_err(|_| {
        ContractError::Std(cosmwasm_std::StdError::generic_err("vega ratio overflow"))
    })?;
    Ok(Decimal256::from_ratio(amount, 1u8).checked_mul(ratio)?)
}

fn clamp(v: Decimal256, lo: Decimal256, hi: Decimal256) -> Decimal256 {
    v.max(lo).min(hi)
}

/// Surface after a trade of vega-normalised `size`: buys add `size × impact`, sells subtract
/// it (saturating), then base IV and skew are clamped into their bounds.
pub fn apply_impact(
    base_iv: Decimal256,
    skew: Decimal256,
    size: Decimal256,
    is_buy: bool,
    p: &ConfigParams,
) -> Result<(Decimal256, Decimal256), ContractError> {
    let d_base = size.saturating_mul(p.base_iv_impact);
    let d_skew = size.saturating_mul(p.skew_impact);
    let (b, s) = if is_buy {
        (base_iv.saturating_add(d_base), skew.saturating_add(d_skew))
    } else {
        (base_iv.saturating_sub(d_base), skew.saturating_sub(d_skew))
    };
    Ok((
        clamp(b, p.min_base_iv, p.max_base_iv),
        clamp(s, p.min_skew, p.max_skew),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::default_params;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal256 {
        Decimal256::from_str(s).unwrap()
    }

    #[test]
    fn atm_contract_normalises_to_about_one() {
        // ATM vega at r = q = 0 is S√T φ(d1) with d1 = σ√T/2 ≈ small → ratio just below 1.
        let t = 30 * 86_400;
        let input = bulwark_math::BsmInput {
            spot: d("100"),
            strike: d("100"),
            time: years_from_seconds(t),
            vol: d("0.2"),
            rate: Default::default(),
            dividend_yield: Default::default(),
        };
        let pg = bulwark_math::bsm_price_greeks(bulwark_math::OptionKind::Call, &input).unwrap();
        let n = vega_normalised(Uint128::new(10), pg.vega, d("100"), t).unwrap();
        assert!(n > d("9.9") && n <= d("10"), "{n}");
        assert_eq!(
            vega_normalised(Uint128::new(10), pg.vega, d("100"), 0).unwrap(),
            Decimal256::zero()
        );
    }

    proptest! {
        #[test]
        fn impact_stays_in_bounds_and_has_the_right_sign(
            base in 1u64..400, skew in 1u64..300, size in 0u64..1_000_000, is_buy: bool
        ) {
            let p = default_params();
            let base = Decimal256::percent(base);
            let skew = Decimal256::percent(skew);
            let size = Decimal256::from_ratio(size, 100u64);
            let (b, s) = apply_impact(base, skew, size, is_buy, &p).unwrap();
            prop_assert!(b >= p.min_base_iv && b <= p.max_base_iv);
            prop_assert!(s >= p.min_skew && s <= p.max_skew);
            let cb = clamp(base, p.min_base_iv, p.max_base_iv);
            let cs = clamp(skew, p.min_skew, p.max_skew);
            if is_buy { prop_assert!(b >= cb && s >= cs); } else { prop_assert!(b <= cb && s <= cs); }
        }
    }
}
