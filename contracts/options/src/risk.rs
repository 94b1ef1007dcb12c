//! Pure risk of one account on one underlying against the vault's scenario grid.
//!
//! * `unrealized_pnl` = Σ mark-to-model value of the positions (long +, short −), each
//!   rounded against the account (long floor, short ceiling).
//! * `scenario_pnl[i]` = Σ net × multiplier × (V(spot·(1+ds_i), vol·(1+dv_i)) − V(spot, vol)),
//!   computed exactly in 18 decimals and floored.
//! * add-ons per short contract: `rate × spot × multiplier` (maintenance / initial rates);
//!   none for positions whose settlement price is already fixed (their liability is known).
//! * positions of a board with a fixed settlement price are worth their payoff in every
//!   scenario.

use cosmwasm_std::{Decimal256, Int128, SignedDecimal256, Uint128};

use bulwark_types::market::{ScenarioGrid, UnderlyingRisk, MAX_SCENARIOS};
use bulwark_types::options::OptionType;

use crate::error::ContractError;
use crate::pricing::{cash_ceil, mid_price, payoff_unit, sd, sd_int, signed_cash, ModelInput};

#[derive(Clone, Copy, Debug)]
pub struct RiskPosition {
    pub kind: OptionType,
    pub strike: Decimal256,
    pub secs_to_expiry: u64,
    /// Surface vol of the series.
    pub vol: Decimal256,
    /// Contracts, + long / − short.
    pub net: i128,
    pub multiplier: Uint128,
    pub settlement_price: Option<Decimal256>,
    /// The board's cap price (calls are valued as capped).
    pub cap: Decimal256,
}

#[derive(Clone, Copy, Debug)]
pub struct RiskParams {
    pub rate: SignedDecimal256,
    pub maintenance_addon_rate: Decimal256,
    pub initial_addon_rate: Decimal256,
}

fn unit_value(
    p: &RiskPosition,
    spot: Decimal256,
    vol: Decimal256,
    rate: SignedDecimal256,
) -> Result<Decimal256, ContractError> {
    match p.settlement_price {
        Some(s) => Ok(payoff_unit(p.kind, p.strike, s)),
        None => mid_price(&ModelInput {
            kind: p.kind,
            spot,
            strike: p.strike,
            secs_to_expiry: p.secs_to_expiry,
            vol,
            rate,
            cap: p.cap,
        }),
    }
}

/// `x × (1 + shock)`, floored at 0.
fn shocked(x: Decimal256, shock: SignedDecimal256) -> Result<Decimal256, ContractError> {
    let factor = SignedDecimal256::one().checked_add(shock)?;
    if factor.is_negative() {
        return Ok(Decimal256::zero());
    }
    let f = Decimal256::try_from(factor).map_err(|_| ContractError::PositionTooLarge)?;
    Ok(x.checked_mul(f)?)
}

/// Mark-to-model value of the positions (long +, short −), in base units.
pub fn mark_value(
    positions: &[RiskPosition],
    spot: Decimal256,
    rate: SignedDecimal256,
) -> Result<Int128, ContractError> {
    let mut total = Int128::zero();
    for p in positions {
        let v = unit_value(p, spot, p.vol, rate)?;
        total = total.checked_add(signed_cash(v, p.net, p.multiplier)?)?;
    }
    Ok(total)
}

/// `total + ⌈rate × spot × multiplier⌉ × short contracts` for a short whose settlement price is
/// not fixed yet; `total` otherwise. (Two callers, so the wasm optimizer keeps it out of line:
/// inlined, the risk report exceeds wasmvm's limit of 100 locals per function.)
#[inline(never)]
fn add_addon(
    total: Uint128,
    p: &RiskPosition,
    spot: Decimal256,
    rate: Decimal256,
) -> Result<Uint128, ContractError> {
    if p.net >= 0 || p.settlement_price.is_some() {
        return Ok(total);
    }
    let short = Uint128::new(p.net.unsigned_abs());
    Ok(total.checked_add(cash_ceil(spot.checked_mul(rate)?, short, p.multiplier)?)?)
}

/// Exact Σ net × multiplier × value per unit at `spot` and every series' vol × (1 + vol_shock)
/// (18 decimals, no rounding: net and multiplier are integers). Called for the base and for
/// every scenario (two call sites, so it stays out of line in wasm).
#[inline(never)]
fn exact_value(
    positions: &[RiskPosition],
    spot: Decimal256,
    vol_shock: SignedDecimal256,
    rate: SignedDecimal256,
) -> Result<SignedDecimal256, ContractError> {
    let mut total = SignedDecimal256::zero();
    for p in positions {
        let v = sd(unit_value(p, spot, shocked(p.vol, vol_shock)?, rate)?)?;
        let mult =
            i128::try_from(p.multiplier.u128()).map_err(|_| ContractError::PositionTooLarge)?;
        let scale = sd_int(p.net)?.checked_mul(sd_int(mult)?)?;
        total = total.checked_add(v.checked_mul(scale)?)?;
    }
    Ok(total)
}

pub fn underlying_risk(
    spot: Decimal256,
    positions: &[RiskPosition],
    grid: &ScenarioGrid,
    params: &RiskParams,
) -> Result<UnderlyingRisk, ContractError> {
    let n = grid.len();
    if n == 0 || n > MAX_SCENARIOS {
        return Err(ContractError::BadScenarioGrid {
            asset_id: grid.asset_id.clone(),
            len: n,
            max: MAX_SCENARIOS,
        });
    }
    let mut unrealized_pnl = Int128::zero();
    let mut maintenance_addon = Uint128::zero();
    let mut initial_addon = Uint128::zero();
    for p in positions {
        let v0 = unit_value(p, spot, p.vol, params.rate)?;
        unrealized_pnl = unrealized_pnl.checked_add(signed_cash(v0, p.net, p.multiplier)?)?;
        maintenance_addon = add_addon(maintenance_addon, p, spot, params.maintenance_addon_rate)?;
        initial_addon = add_addon(initial_addon, p, spot, params.initial_addon_rate)?;
    }
    let base = exact_value(positions, spot, SignedDecimal256::zero(), params.rate)?;
    let mut scenario_pnl = Vec::with_capacity(n);
    for i in 0..n {
        let (ds, dv) = grid.scenario(i).ok_or(ContractError::BadScenarioGrid {
            asset_id: grid.asset_id.clone(),
            len: n,
            max: MAX_SCENARIOS,
        })?;
        let shocked_value = exact_value(positions, shocked(spot, ds)?, dv, params.rate)?;
        let floored = shocked_value.checked_sub(base)?.to_int_floor();
        scenario_pnl.push(Int128::try_from(floored).map_err(|_| ContractError::PositionTooLarge)?);
    }
    Ok(UnderlyingRisk {
        asset_id: grid.asset_id.clone(),
        grid_version: grid.version,
        unrealized_pnl,
        scenario_pnl,
        maintenance_addon,
        initial_addon,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal256 {
        Decimal256::from_str(s).unwrap()
    }
    fn s(x: &str) -> SignedDecimal256 {
        SignedDecimal256::from_str(x).unwrap()
    }

    fn grid() -> ScenarioGrid {
        ScenarioGrid {
            asset_id: "ATOM".into(),
            version: 3,
            spot_shocks: vec![s("-0.2"), s("0"), s("0.2")],
            vol_shocks: vec![s("-0.3"), s("0"), s("0.3")],
        }
    }

    fn params() -> RiskParams {
        RiskParams {
            rate: SignedDecimal256::zero(),
            maintenance_addon_rate: d("0.05"),
            initial_addon_rate: d("0.1"),
        }
    }

    fn pos(kind: OptionType, strike: &str, net: i128) -> RiskPosition {
        RiskPosition {
            kind,
            strike: d(strike),
            secs_to_expiry: 30 * 86_400,
            vol: d("0.6"),
            net,
            multiplier: Uint128::new(1_000_000),
            settlement_price: None,
            cap: d("1000"),
        }
    }

    #[test]
    fn short_call_loses_when_spot_rises_and_long_put_gains_when_it_falls() {
        let r = underlying_risk(
            d("100"),
            &[pos(OptionType::Call, "110", -2)],
            &grid(),
            &params(),
        )
        .unwrap();
        assert_eq!(r.grid_version, 3);
        assert_eq!(r.scenario_pnl.len(), 9);
        // spot +20 %, vol +30 % is scenario 8: a loss for the short call
        assert!(r.scenario_pnl[8] < Int128::zero());
        assert!(r.scenario_pnl[0] > Int128::zero());
        // unshocked scenario is 0 (floored, so 0 or -1 at most)
        assert!(r.scenario_pnl[4] <= Int128::zero() && r.scenario_pnl[4] >= Int128::new(-1));
        assert!(r.unrealized_pnl < Int128::zero());
        // add-ons: 2 contracts × 100 × 1e6 × 5 % / 10 %
        assert_eq!(r.maintenance_addon, Uint128::new(10_000_000));
        assert_eq!(r.initial_addon, Uint128::new(20_000_000));

        let r = underlying_risk(
            d("100"),
            &[pos(OptionType::Put, "90", 3)],
            &grid(),
            &params(),
        )
        .unwrap();
        assert!(r.scenario_pnl[0] > Int128::zero());
        assert!(r.unrealized_pnl > Int128::zero());
        assert!(r.maintenance_addon.is_zero());
    }

    #[test]
    fn hedged_portfolio_needs_less_than_its_parts() {
        let short_call = pos(OptionType::Call, "100", -1);
        let long_call = pos(OptionType::Call, "105", 1);
        let worst = |ps: &[RiskPosition]| {
            *underlying_risk(d("100"), ps, &grid(), &params())
                .unwrap()
                .scenario_pnl
                .iter()
                .min()
                .unwrap()
        };
        let alone = worst(&[short_call]);
        let spread = worst(&[short_call, long_call]);
        assert!(spread > alone);
    }

    #[test]
    fn fixed_settlement_price_has_no_scenario_risk() {
        let mut p = pos(OptionType::Call, "90", -1);
        p.settlement_price = Some(d("100"));
        p.secs_to_expiry = 0;
        let r = underlying_risk(d("130"), &[p], &grid(), &params()).unwrap();
        assert!(r.scenario_pnl.iter().all(|x| x.is_zero()));
        assert_eq!(r.unrealized_pnl, Int128::new(-10_000_000));
        assert!(r.maintenance_addon.is_zero());
    }

    #[test]
    fn bad_grids_are_refused() {
        let mut g = grid();
        g.vol_shocks.clear();
        assert!(matches!(
            underlying_risk(d("100"), &[], &g, &params()),
            Err(ContractError::BadScenarioGrid { .. })
        ));
        let mut g = grid();
        g.spot_shocks = vec![s("0"); 30];
        assert!(underlying_risk(d("100"), &[], &g, &params()).is_err());
    }

    proptest! {
        /// The scenario PnL equals the revaluation difference (floored), position by position
        /// additive up to rounding.
        #[test]
        fn scenarios_are_additive(n1 in -50i128..50, n2 in -50i128..50, k1 in 50u64..150, k2 in 50u64..150) {
            let a = RiskPosition { strike: Decimal256::from_ratio(k1, 1u64), ..pos(OptionType::Call, "1", n1) };
            let b = RiskPosition { strike: Decimal256::from_ratio(k2, 1u64), ..pos(OptionType::Put, "1", n2) };
            let both = underlying_risk(d("100"), &[a, b], &grid(), &params()).unwrap();
            let ra = underlying_risk(d("100"), &[a], &grid(), &params()).unwrap();
            let rb = underlying_risk(d("100"), &[b], &grid(), &params()).unwrap();
            for i in 0..9 {
                let sum = ra.scenario_pnl[i].i128() + rb.scenario_pnl[i].i128();
                let diff = both.scenario_pnl[i].i128() - sum;
                prop_assert!((0..=1).contains(&diff), "scenario {i}: {diff}");
            }
        }
    }
}
