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

use cosmwasm_std::{Decimal256, Int128, Int256, SignedDecimal256, Uint128};

/// 10^18: atomics of one unit of an 18-decimal value.
const ATOMICS: i128 = 1_000_000_000_000_000_000;

use bulwark_types::market::{ScenarioGrid, UnderlyingRisk, MAX_SCENARIOS};
use bulwark_types::options::OptionType;

use bulwark_math::{
    years_from_seconds, BsmInput, BsmScenarioPricer, OptionKind, SpotShock, VolPoint,
};

use crate::error::ContractError;
use crate::pricing::{cash_ceil, kind_of, mid_price, payoff_unit, signed_cash, ModelInput};

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

/// Values one position per unit under the grid's scenarios: the Black-Scholes work that does
/// not depend on spot or vol is done once per position (two legs for a capped call).
struct PositionPricer {
    kind: OptionType,
    leg: BsmScenarioPricer,
    /// The cap leg C(cap) of a capped call.
    cap_leg: Option<BsmScenarioPricer>,
}

impl PositionPricer {
    fn new(
        p: &RiskPosition,
        spot: Decimal256,
        rate: SignedDecimal256,
    ) -> Result<Self, ContractError> {
        let input = |strike| BsmInput {
            spot,
            strike,
            time: years_from_seconds(p.secs_to_expiry),
            vol: p.vol,
            rate,
            dividend_yield: SignedDecimal256::zero(),
        };
        Ok(Self {
            kind: p.kind,
            leg: BsmScenarioPricer::new(&input(p.strike))?,
            cap_leg: match p.kind {
                OptionType::Call => Some(BsmScenarioPricer::new(&input(p.cap))?),
                OptionType::Put => None,
            },
        })
    }

    /// The vol terms of both legs at `vol`.
    fn vols(&self, vol: Decimal256) -> Result<(VolPoint, Option<VolPoint>), ContractError> {
        Ok((
            self.leg.vol_point(vol)?,
            match &self.cap_leg {
                Some(cap) => Some(cap.vol_point(vol)?),
                None => None,
            },
        ))
    }

    /// Value per unit (capped calls as the call spread C(K) − C(cap), as `mid_price`).
    fn value(
        &self,
        shock: &SpotShock,
        vols: &(VolPoint, Option<VolPoint>),
    ) -> Result<Decimal256, ContractError> {
        let v = self.leg.price_at(kind_of(self.kind), shock, &vols.0)?;
        match (&self.cap_leg, &vols.1) {
            // C(K) ≥ C(cap) for K < cap; saturate against rounding in the last digit.
            (Some(cap), Some(cap_vol)) => {
                Ok(v.saturating_sub(cap.price_at(OptionKind::Call, shock, cap_vol)?))
            }
            _ => Ok(v),
        }
    }
}

/// `x × (1 + shock)`, floored at 0.
fn shocked(x: Decimal256, shock: SignedDecimal256) -> Result<Decimal256, ContractError> {
    Ok(x.checked_mul(shock_factor(shock)?)?)
}

/// `1 + shock`, floored at 0.
fn shock_factor(shock: SignedDecimal256) -> Result<Decimal256, ContractError> {
    let factor = SignedDecimal256::one().checked_add(shock)?;
    if factor.is_negative() {
        return Ok(Decimal256::zero());
    }
    Decimal256::try_from(factor).map_err(|_| ContractError::PositionTooLarge)
}

/// Mark-to-model value of the positions (long +, short −), in base units.
pub fn mark_value(
    positions: &[RiskPosition],
    spot: Decimal256,
    rate: SignedDecimal256,
) -> Result<Int128, ContractError> {
    let mut total = Int128::zero();
    for p in positions {
        let v = match p.settlement_price {
            Some(s) => payoff_unit(p.kind, p.strike, s),
            None => mid_price(&ModelInput {
                kind: p.kind,
                spot,
                strike: p.strike,
                secs_to_expiry: p.secs_to_expiry,
                vol: p.vol,
                rate,
                cap: p.cap,
            })?,
        };
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

/// Adds one position's exact value (net × multiplier × value per unit, in 18-decimal atomics:
/// integers only, no rounding) at the base and in every scenario to the running totals;
/// returns its unit value at the base. Positions with a fixed settlement price are worth their
/// payoff everywhere.
#[inline(never)]
fn accumulate_position(
    p: &RiskPosition,
    spot: Decimal256,
    rate: SignedDecimal256,
    spot_moves: &[SpotShock],
    vol_shocks: &[SignedDecimal256],
    base_total: &mut Int256,
    totals: &mut [Int256],
) -> Result<Decimal256, ContractError> {
    let scale = Int256::from_i128(p.net).checked_mul(Int256::from(p.multiplier.u128()))?;
    let exact = |unit: Decimal256| -> Result<Int256, ContractError> {
        let atomics =
            Int256::try_from(unit.atomics()).map_err(|_| ContractError::PositionTooLarge)?;
        Ok(atomics.checked_mul(scale)?)
    };
    if let Some(s) = p.settlement_price {
        let v0 = payoff_unit(p.kind, p.strike, s);
        let e = exact(v0)?;
        *base_total = base_total.checked_add(e)?;
        for t in totals.iter_mut() {
            *t = t.checked_add(e)?;
        }
        return Ok(v0);
    }
    let pricer = PositionPricer::new(p, spot, rate)?;
    let v0 = pricer.value(&SpotShock::none(), &pricer.vols(p.vol)?)?;
    *base_total = base_total.checked_add(exact(v0)?)?;
    let vols = vol_shocks
        .iter()
        .map(|dv| pricer.vols(shocked(p.vol, *dv)?))
        .collect::<Result<Vec<_>, _>>()?;
    let n_vol = vols.len();
    for (i, t) in totals.iter_mut().enumerate() {
        let (move_, vol) = match (spot_moves.get(i / n_vol), vols.get(i % n_vol)) {
            (Some(m), Some(v)) => (m, v),
            _ => return Err(ContractError::PositionTooLarge),
        };
        *t = t.checked_add(exact(pricer.value(move_, vol)?)?)?;
    }
    Ok(v0)
}

/// The account's risk on one underlying: every position revalued under every scenario of the
/// grid (full revaluation, no greek approximation). Cost: per position one set-up of the
/// σ-independent Black-Scholes terms and one d1/d2/CDF evaluation per scenario and leg.
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
    let spot_moves = grid
        .spot_shocks
        .iter()
        .map(|ds| Ok(SpotShock::new(shock_factor(*ds)?)?))
        .collect::<Result<Vec<_>, ContractError>>()?;
    let mut unrealized_pnl = Int128::zero();
    let mut maintenance_addon = Uint128::zero();
    let mut initial_addon = Uint128::zero();
    let mut base = Int256::zero();
    let mut totals = vec![Int256::zero(); n];
    for p in positions {
        let v0 = accumulate_position(
            p,
            spot,
            params.rate,
            &spot_moves,
            &grid.vol_shocks,
            &mut base,
            &mut totals,
        )?;
        unrealized_pnl = unrealized_pnl.checked_add(signed_cash(v0, p.net, p.multiplier)?)?;
        maintenance_addon = add_addon(maintenance_addon, p, spot, params.maintenance_addon_rate)?;
        initial_addon = add_addon(initial_addon, p, spot, params.initial_addon_rate)?;
    }
    let scenario_pnl = totals
        .into_iter()
        .map(|t| {
            // atomics → base units, floored (toward −∞)
            let diff = t.checked_sub(base)?;
            let units = diff
                .checked_div_euclid(Int256::from(ATOMICS))
                .map_err(|_| ContractError::PositionTooLarge)?;
            Int128::try_from(units).map_err(|_| ContractError::PositionTooLarge)
        })
        .collect::<Result<Vec<_>, ContractError>>()?;
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

    /// Naive revaluation: a fresh `mid_price` at the shocked spot and vol for every scenario.
    fn naive_scenario_pnl(spot: Decimal256, ps: &[RiskPosition], g: &ScenarioGrid) -> Vec<f64> {
        let value = |p: &RiskPosition, s: Decimal256, v: Decimal256| -> f64 {
            let unit = mid_price(&ModelInput {
                kind: p.kind,
                spot: s,
                strike: p.strike,
                secs_to_expiry: p.secs_to_expiry,
                vol: v,
                rate: SignedDecimal256::zero(),
                cap: p.cap,
            })
            .unwrap();
            unit.to_string().parse::<f64>().unwrap() * p.net as f64 * p.multiplier.u128() as f64
        };
        (0..g.len())
            .map(|i| {
                let (ds, dv) = g.scenario(i).unwrap();
                ps.iter()
                    .map(|p| {
                        value(p, shocked(spot, ds).unwrap(), shocked(p.vol, dv).unwrap())
                            - value(p, spot, p.vol)
                    })
                    .sum()
            })
            .collect()
    }

    proptest! {
        /// The shared-work revaluation equals a fresh Black-Scholes valuation per scenario.
        #[test]
        fn scenarios_match_naive_revaluation(
            n1 in -50i128..50, n2 in -50i128..50, k1 in 50u64..150, k2 in 50u64..150,
            cap in 120u64..400, days in 0u64..400,
        ) {
            let a = RiskPosition {
                strike: Decimal256::from_ratio(k1, 1u64),
                cap: Decimal256::from_ratio(cap, 1u64),
                secs_to_expiry: days * 86_400,
                ..pos(OptionType::Call, "1", n1)
            };
            let b = RiskPosition {
                strike: Decimal256::from_ratio(k2, 1u64),
                secs_to_expiry: days * 86_400,
                ..pos(OptionType::Put, "1", n2)
            };
            let g = ScenarioGrid {
                spot_shocks: vec![s("-1.5"), s("-0.15"), s("-0.05"), s("0"), s("0.1"), s("0.5")],
                ..grid()
            };
            let r = underlying_risk(d("100"), &[a, b], &g, &params()).unwrap();
            let naive = naive_scenario_pnl(d("100"), &[a, b], &g);
            for (i, want) in naive.iter().enumerate() {
                let got = r.scenario_pnl[i].i128() as f64;
                // f64 sums of ~1e9-sized terms: allow a few units of relative 1e-12
                prop_assert!((got - want).abs() <= 2.0 + want.abs() * 1e-12, "scenario {i}: {got} vs {want}");
            }
        }

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
