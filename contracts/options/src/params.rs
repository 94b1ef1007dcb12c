//! Default parameters and their validation.

use std::str::FromStr;

use cosmwasm_std::{Decimal256, SignedDecimal256};

use bulwark_types::options::ConfigParams;

use crate::error::ContractError;

fn d(s: &str) -> Decimal256 {
    // safe: only called on the literals below, which parse
    Decimal256::from_str(s).unwrap_or_default()
}

/// Documented defaults (README "Parameters").
pub fn default_params() -> ConfigParams {
    ConfigParams {
        rate: SignedDecimal256::zero(),
        trading_cutoff_secs: 3_600,
        twap_window_secs: 1_800,
        max_price_age_secs: 120,
        vol_spread: d("0.02"),
        spot_spread: d("0.0005"),
        spot_fee_rate: d("0.0003"),
        premium_fee_rate: d("0.01"),
        protocol_fee_share: d("0.2"),
        base_iv_impact: d("0.0001"),
        skew_impact: d("0.0002"),
        min_base_iv: d("0.05"),
        max_base_iv: d("3"),
        min_skew: d("0.5"),
        max_skew: d("2"),
        max_pool_delta: d("100000"),
        max_pool_vega: d("10000000"),
        maintenance_addon_rate: d("0.05"),
        initial_addon_rate: d("0.1"),
    }
}

fn bad(name: &str, reason: &str) -> ContractError {
    ContractError::InvalidParam {
        name: name.to_string(),
        reason: reason.to_string(),
    }
}

pub fn validate(p: &ConfigParams) -> Result<(), ContractError> {
    let one = Decimal256::one();
    // r ≥ 0 keeps every model value within the maximum payoff (K·e^{−rT} ≤ K for puts,
    // (cap − K)·e^{−rT} ≤ cap − K for capped calls), so no quote can exceed what a position
    // can ever pay.
    if p.rate > SignedDecimal256::one() || p.rate.is_negative() {
        return Err(bad("rate", "must be within [0, 1]"));
    }
    if p.twap_window_secs == 0 {
        return Err(bad("twap_window_secs", "must be positive"));
    }
    if p.max_price_age_secs == 0 {
        return Err(bad("max_price_age_secs", "must be positive"));
    }
    if p.vol_spread >= one {
        return Err(bad("vol_spread", "must be below 1"));
    }
    for (name, v) in [
        ("spot_spread", p.spot_spread),
        ("spot_fee_rate", p.spot_fee_rate),
        ("premium_fee_rate", p.premium_fee_rate),
        ("protocol_fee_share", p.protocol_fee_share),
    ] {
        if v > one {
            return Err(bad(name, "must be at most 1"));
        }
    }
    if p.min_base_iv.is_zero() || p.min_base_iv > p.max_base_iv || p.max_base_iv > d("10") {
        return Err(bad("base_iv bounds", "need 0 < min ≤ max ≤ 10"));
    }
    if p.min_skew.is_zero() || p.min_skew > p.max_skew || p.max_skew > d("10") {
        return Err(bad("skew bounds", "need 0 < min ≤ max ≤ 10"));
    }
    if p.base_iv_impact > one || p.skew_impact > one {
        return Err(bad("impact", "must be at most 1 per normalised contract"));
    }
    if p.initial_addon_rate < p.maintenance_addon_rate || p.initial_addon_rate > one {
        return Err(bad("addon rates", "need maintenance ≤ initial ≤ 1"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        validate(&default_params()).unwrap();
    }

    #[test]
    fn bad_params_are_refused() {
        let mut p = default_params();
        p.vol_spread = Decimal256::one();
        assert!(matches!(
            validate(&p),
            Err(ContractError::InvalidParam { .. })
        ));
        let mut p = default_params();
        p.initial_addon_rate = d("0.01");
        assert!(validate(&p).is_err());
        let mut p = default_params();
        p.min_skew = d("3");
        assert!(validate(&p).is_err());
        let mut p = default_params();
        p.twap_window_secs = 0;
        assert!(validate(&p).is_err());
        let mut p = default_params();
        p.rate = SignedDecimal256::percent(-1);
        assert!(validate(&p).is_err());
    }
}
