//! Portfolio margin: pure functions, no storage, no queries.
//!
//! Per underlying, the scenario PnL vectors reported by every market are summed element-wise;
//! the worst loss is `max(0, −min)`. Requirements (rounded up, debts favour the vault):
//!
//! * maintenance = Σ_u ⌈worst_loss_u × maintenance_factor⌉ + Σ maintenance add-ons
//! * initial     = Σ_u ⌈worst_loss_u × initial_factor⌉ + Σ initial add-ons
//!
//! Equity = collateral value (after haircut, rounded down) + settlement balance + Σ unrealized
//! PnL. Health = equity / maintenance, `None` (infinite) without a requirement.
//!
//! Offsetting positions on one underlying net out scenario by scenario before the worst case
//! is taken, so a hedged book needs at most (usually strictly less than) the sum of its legs:
//! `max(0, −min(a + b)) ≤ max(0, −min a) + max(0, −min b)`.

use std::collections::BTreeMap;

use bulwark_math::rounding::mul_ceil;
use cosmwasm_std::{Decimal, Decimal256, Int128, Int256, SignedDecimal256, Uint128};
use thiserror::Error;

use bulwark_types::market::{AccountRisk, MAX_SCENARIOS, MAX_UNDERLYINGS_PER_REPORT};

#[derive(Error, Debug, PartialEq)]
pub enum MarginError {
    #[error("no scenario grid for underlying {asset_id}")]
    UnknownUnderlying { asset_id: String },
    #[error(
        "underlying {asset_id}: risk computed against grid version {got}, current is {expected}"
    )]
    GridVersionMismatch {
        asset_id: String,
        expected: u32,
        got: u32,
    },
    #[error("underlying {asset_id}: {got} scenario values, the grid has {expected}")]
    ScenarioLengthMismatch {
        asset_id: String,
        expected: usize,
        got: usize,
    },
    #[error("underlying {asset_id} appears twice in one market's report")]
    DuplicateUnderlying { asset_id: String },
    #[error("a market reported {got} underlyings, at most {max}")]
    TooManyUnderlyings { got: usize, max: usize },
    #[error("underlying {asset_id}: initial add-on below the maintenance add-on")]
    AddonOrder { asset_id: String },
    #[error("margin arithmetic overflow")]
    Overflow,
}

/// The current grid of an underlying as the margin check needs it: (version, scenario count).
pub trait GridLookup {
    fn grid(&self, asset_id: &str) -> Option<(u32, usize)>;
}

impl GridLookup for BTreeMap<String, (u32, usize)> {
    fn grid(&self, asset_id: &str) -> Option<(u32, usize)> {
        self.get(asset_id).copied()
    }
}

/// Checks one market's report against the current grids (shape, versions, bounds).
pub fn validate_risk(risk: &AccountRisk, grids: &impl GridLookup) -> Result<(), MarginError> {
    if risk.underlyings.len() > MAX_UNDERLYINGS_PER_REPORT {
        return Err(MarginError::TooManyUnderlyings {
            got: risk.underlyings.len(),
            max: MAX_UNDERLYINGS_PER_REPORT,
        });
    }
    for (i, u) in risk.underlyings.iter().enumerate() {
        if risk.underlyings[..i]
            .iter()
            .any(|o| o.asset_id == u.asset_id)
        {
            return Err(MarginError::DuplicateUnderlying {
                asset_id: u.asset_id.clone(),
            });
        }
        let (version, len) =
            grids
                .grid(&u.asset_id)
                .ok_or_else(|| MarginError::UnknownUnderlying {
                    asset_id: u.asset_id.clone(),
                })?;
        if u.grid_version != version {
            return Err(MarginError::GridVersionMismatch {
                asset_id: u.asset_id.clone(),
                expected: version,
                got: u.grid_version,
            });
        }
        if u.scenario_pnl.len() != len || len > MAX_SCENARIOS {
            return Err(MarginError::ScenarioLengthMismatch {
                asset_id: u.asset_id.clone(),
                expected: len,
                got: u.scenario_pnl.len(),
            });
        }
        if u.initial_addon < u.maintenance_addon {
            return Err(MarginError::AddonOrder {
                asset_id: u.asset_id.clone(),
            });
        }
    }
    Ok(())
}

/// The part of a (stored, possibly old) report that still matches the current grids: an
/// underlying whose grid changed since the report is dropped, so an old report never blocks
/// the sum with vectors of another length.
pub fn current_only(risk: &AccountRisk, grids: &impl GridLookup) -> AccountRisk {
    AccountRisk {
        underlyings: risk
            .underlyings
            .iter()
            .filter(|u| {
                grids
                    .grid(&u.asset_id)
                    .is_some_and(|(v, len)| v == u.grid_version && len == u.scenario_pnl.len())
            })
            .cloned()
            .collect(),
    }
}

/// The factors of the requirements.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Factors {
    pub maintenance: Decimal,
    pub initial: Decimal,
}

/// Result of the portfolio computation over every market of one account.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Portfolio {
    pub unrealized_pnl: Int128,
    /// Per underlying: summed scenario PnL and worst loss.
    pub underlyings: BTreeMap<String, (Vec<Int128>, Uint128)>,
    pub maintenance: Uint128,
    pub initial: Uint128,
}

impl Portfolio {
    pub fn has_exposure(&self) -> bool {
        !self.maintenance.is_zero() || !self.initial.is_zero()
    }
}

fn worst_loss(pnl: &[Int128]) -> Result<Uint128, MarginError> {
    let min = pnl.iter().copied().min().unwrap_or_default();
    if min >= Int128::zero() {
        return Ok(Uint128::zero());
    }
    // unsigned_abs is total (|i128::MIN| fits a u128)
    Ok(Uint128::new(min.i128().unsigned_abs()))
}

/// Sums the (already validated) reports of every market and derives the requirements.
pub fn portfolio(risks: &[&AccountRisk], factors: Factors) -> Result<Portfolio, MarginError> {
    let mut out = Portfolio::default();
    let mut maint_addons = Uint128::zero();
    let mut init_addons = Uint128::zero();
    for risk in risks {
        for u in &risk.underlyings {
            out.unrealized_pnl = out
                .unrealized_pnl
                .checked_add(u.unrealized_pnl)
                .map_err(|_| MarginError::Overflow)?;
            maint_addons = maint_addons
                .checked_add(u.maintenance_addon)
                .map_err(|_| MarginError::Overflow)?;
            init_addons = init_addons
                .checked_add(u.initial_addon)
                .map_err(|_| MarginError::Overflow)?;
            let entry = out
                .underlyings
                .entry(u.asset_id.clone())
                .or_insert_with(|| (vec![Int128::zero(); u.scenario_pnl.len()], Uint128::zero()));
            if entry.0.len() != u.scenario_pnl.len() {
                return Err(MarginError::ScenarioLengthMismatch {
                    asset_id: u.asset_id.clone(),
                    expected: entry.0.len(),
                    got: u.scenario_pnl.len(),
                });
            }
            for (acc, v) in entry.0.iter_mut().zip(u.scenario_pnl.iter()) {
                *acc = acc.checked_add(*v).map_err(|_| MarginError::Overflow)?;
            }
        }
    }
    let mut maintenance = maint_addons;
    let mut initial = init_addons;
    for (pnl, loss) in out.underlyings.values_mut() {
        *loss = worst_loss(pnl)?;
        let m = mul_ceil(*loss, Decimal256::from(factors.maintenance))
            .map_err(|_| MarginError::Overflow)?;
        let i = mul_ceil(*loss, Decimal256::from(factors.initial))
            .map_err(|_| MarginError::Overflow)?;
        maintenance = maintenance
            .checked_add(m)
            .map_err(|_| MarginError::Overflow)?;
        initial = initial.checked_add(i).map_err(|_| MarginError::Overflow)?;
    }
    out.maintenance = maintenance;
    out.initial = initial;
    Ok(out)
}

/// equity = collateral_value + settlement_balance + unrealized_pnl.
pub fn equity(
    collateral_value: Uint128,
    settlement_balance: Int128,
    unrealized_pnl: Int128,
) -> Result<Int128, MarginError> {
    let c = Int128::try_from(collateral_value).map_err(|_| MarginError::Overflow)?;
    c.checked_add(settlement_balance)
        .and_then(|x| x.checked_add(unrealized_pnl))
        .map_err(|_| MarginError::Overflow)
}

/// `equity ≥ requirement`.
pub fn meets(equity: Int128, requirement: Uint128) -> bool {
    // a requirement beyond i128::MAX cannot be met by any Int128 equity
    i128::try_from(requirement.u128()).is_ok_and(|r| equity.i128() >= r)
}

/// equity / maintenance, `None` without a requirement.
pub fn health(equity: Int128, maintenance: Uint128) -> Option<SignedDecimal256> {
    if maintenance.is_zero() {
        return None;
    }
    let m = i128::try_from(maintenance.u128()).ok()?;
    SignedDecimal256::checked_from_ratio(equity.i128(), m).ok()
}

/// Whether health (equity / maintenance) after is at least health before. Without a
/// requirement after, health is infinite: not worse. Without one before (and one after),
/// worse.
pub fn health_not_worse(
    equity_before: Int128,
    maintenance_before: Uint128,
    equity_after: Int128,
    maintenance_after: Uint128,
) -> bool {
    if maintenance_after.is_zero() {
        return true;
    }
    if maintenance_before.is_zero() {
        return false;
    }
    // e_a / m_a ≥ e_b / m_b  ⇔  e_a · m_b ≥ e_b · m_a  (m > 0), exact in 256 bits.
    // safe: |i128| · u128 < 2^255, so neither product overflows an Int256.
    let lhs = Int256::from(equity_after) * Int256::from(maintenance_before);
    let rhs = Int256::from(equity_before) * Int256::from(maintenance_after);
    lhs >= rhs
}

/// Outcome of the check applied by `Settle`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettleCheck {
    Ok,
    /// Risk increase below the initial requirement.
    BelowInitial,
    /// Risk reduction that leaves the account below maintenance and grows its shortfall.
    ReduceWorsened,
}

/// The check `Settle` applies after a trade.
///
/// * Increase: equity ≥ initial requirement after.
/// * Reduce: equity ≥ maintenance after, **or** the trade did not grow the account's
///   shortfall (maintenance − equity). The vault cannot observe the market's fresh risk from
///   *before* the trade, so it estimates: at oracle prices a reduction only moves value from
///   unrealized to realized PnL, so the trade changes equity by exactly the fees it pays
///   (`equity_before ≈ equity_after + fees`), and `maintenance_before` is the requirement with
///   the market's last stored report. The shortfall does not grow iff
///   `maintenance_after + fees ≤ maintenance_before`. So a reducing trade is never blocked just
///   because the account is already underwater, as long as it sheds at least as much
///   requirement as it pays in fees.
pub fn settle_check(
    increase: bool,
    maintenance_before: Uint128,
    fees: Uint128,
    equity_after: Int128,
    after: &Portfolio,
) -> SettleCheck {
    if increase {
        if meets(equity_after, after.initial) {
            SettleCheck::Ok
        } else {
            SettleCheck::BelowInitial
        }
    } else if meets(equity_after, after.maintenance)
        || after
            .maintenance
            .checked_add(fees)
            .is_ok_and(|x| x <= maintenance_before)
    {
        SettleCheck::Ok
    } else {
        SettleCheck::ReduceWorsened
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulwark_types::market::UnderlyingRisk;
    use proptest::prelude::*;

    fn f() -> Factors {
        Factors {
            maintenance: Decimal::one(),
            initial: Decimal::percent(150),
        }
    }

    fn ur(asset: &str, upnl: i128, pnl: &[i128], addon: u128) -> UnderlyingRisk {
        UnderlyingRisk {
            asset_id: asset.into(),
            grid_version: 1,
            unrealized_pnl: Int128::new(upnl),
            scenario_pnl: pnl.iter().map(|x| Int128::new(*x)).collect(),
            maintenance_addon: Uint128::new(addon),
            initial_addon: Uint128::new(addon * 2),
        }
    }

    fn risk(us: Vec<UnderlyingRisk>) -> AccountRisk {
        AccountRisk { underlyings: us }
    }

    fn grids() -> BTreeMap<String, (u32, usize)> {
        let mut g = BTreeMap::new();
        g.insert("ATOM".to_string(), (1, 3));
        g.insert("ETH".to_string(), (1, 3));
        g
    }

    #[test]
    fn single_leg_requirements() {
        let r = risk(vec![ur("ATOM", 5, &[-100, 0, 100], 10)]);
        let p = portfolio(&[&r], f()).unwrap();
        assert_eq!(p.unrealized_pnl, Int128::new(5));
        assert_eq!(p.maintenance, Uint128::new(110));
        assert_eq!(p.initial, Uint128::new(150 + 20));
        assert_eq!(p.underlyings["ATOM"].1, Uint128::new(100));
    }

    #[test]
    fn factor_rounds_up() {
        let r = risk(vec![ur("ATOM", 0, &[-3, 0, 1], 0)]);
        let p = portfolio(&[&r], f()).unwrap();
        // 3 × 1.5 = 4.5 → 5
        assert_eq!(p.initial, Uint128::new(5));
    }

    #[test]
    fn hedged_needs_strictly_less_than_legs() {
        // long perp in market A, long put in market B, same underlying
        let perp = risk(vec![ur("ATOM", 0, &[-150, 0, 150], 0)]);
        let put = risk(vec![ur("ATOM", 0, &[120, -10, -10], 0)]);
        let both = portfolio(&[&perp, &put], f()).unwrap();
        let a = portfolio(&[&perp], f()).unwrap();
        let b = portfolio(&[&put], f()).unwrap();
        assert!(both.maintenance < a.maintenance + b.maintenance);
        assert!(both.initial < a.initial + b.initial);
        assert_eq!(
            both.underlyings["ATOM"].0,
            vec![Int128::new(-30), Int128::new(-10), Int128::new(140)]
        );
        assert_eq!(both.maintenance, Uint128::new(30));
    }

    #[test]
    fn different_underlyings_do_not_net() {
        let a = risk(vec![ur("ATOM", 0, &[-100, 0, 100], 0)]);
        let b = risk(vec![ur("ETH", 0, &[100, 0, -100], 0)]);
        let p = portfolio(&[&a, &b], f()).unwrap();
        assert_eq!(p.maintenance, Uint128::new(200));
    }

    #[test]
    fn validation_errors() {
        let g = grids();
        let mut r = risk(vec![ur("BTC", 0, &[0, 0, 0], 0)]);
        assert_eq!(
            validate_risk(&r, &g),
            Err(MarginError::UnknownUnderlying {
                asset_id: "BTC".into()
            })
        );
        r.underlyings[0].asset_id = "ATOM".into();
        r.underlyings[0].grid_version = 2;
        assert!(matches!(
            validate_risk(&r, &g),
            Err(MarginError::GridVersionMismatch { .. })
        ));
        r.underlyings[0].grid_version = 1;
        r.underlyings[0].scenario_pnl.pop();
        assert!(matches!(
            validate_risk(&r, &g),
            Err(MarginError::ScenarioLengthMismatch { .. })
        ));
        let dup = risk(vec![
            ur("ATOM", 0, &[0, 0, 0], 0),
            ur("ATOM", 0, &[0, 0, 0], 0),
        ]);
        assert!(matches!(
            validate_risk(&dup, &g),
            Err(MarginError::DuplicateUnderlying { .. })
        ));
        let mut bad_addon = risk(vec![ur("ATOM", 0, &[0, 0, 0], 5)]);
        bad_addon.underlyings[0].initial_addon = Uint128::new(1);
        assert!(matches!(
            validate_risk(&bad_addon, &g),
            Err(MarginError::AddonOrder { .. })
        ));
        let ok = risk(vec![ur("ATOM", 0, &[0, 0, 0], 0)]);
        assert_eq!(validate_risk(&ok, &g), Ok(()));
    }

    #[test]
    fn overflow_is_an_error() {
        let a = risk(vec![ur("ATOM", i128::MAX, &[0, 0, 0], 0)]);
        let b = risk(vec![ur("ATOM", 1, &[0, 0, 0], 0)]);
        assert_eq!(portfolio(&[&a, &b], f()), Err(MarginError::Overflow));
        assert_eq!(
            equity(Uint128::MAX, Int128::zero(), Int128::zero()),
            Err(MarginError::Overflow)
        );
    }

    #[test]
    fn health_and_checks() {
        assert_eq!(health(Int128::new(10), Uint128::zero()), None);
        assert_eq!(
            health(Int128::new(-5), Uint128::new(10)),
            Some(SignedDecimal256::from_ratio(-1i128, 2i128))
        );
        assert!(meets(Int128::new(10), Uint128::new(10)));
        assert!(!meets(Int128::new(9), Uint128::new(10)));
        assert!(!meets(Int128::new(-1), Uint128::zero()));
        assert!(meets(Int128::zero(), Uint128::zero()));
        assert!(!meets(Int128::MAX, Uint128::MAX));
        // reduce from underwater (even negative equity): shedding requirement is accepted
        let after = Portfolio {
            maintenance: Uint128::new(50),
            initial: Uint128::new(75),
            ..Default::default()
        };
        let m_before = Uint128::new(100);
        assert_eq!(
            settle_check(false, m_before, Uint128::new(50), Int128::new(-30), &after),
            SettleCheck::Ok
        );
        // paying more in fees than the requirement shed grows the shortfall
        assert_eq!(
            settle_check(false, m_before, Uint128::new(51), Int128::new(10), &after),
            SettleCheck::ReduceWorsened
        );
        // meeting maintenance afterwards is always fine
        assert_eq!(
            settle_check(
                false,
                Uint128::zero(),
                Uint128::new(51),
                Int128::new(50),
                &after
            ),
            SettleCheck::Ok
        );
        assert_eq!(
            settle_check(true, m_before, Uint128::zero(), Int128::new(74), &after),
            SettleCheck::BelowInitial
        );
        assert_eq!(
            settle_check(true, m_before, Uint128::zero(), Int128::new(75), &after),
            SettleCheck::Ok
        );
    }

    fn arb_vec() -> impl Strategy<Value = Vec<i128>> {
        proptest::collection::vec(-1_000_000_000i128..1_000_000_000, 5)
    }

    proptest! {
        /// Netting never needs more than the sum of the legs, and both requirements are
        /// ordered initial ≥ maintenance.
        #[test]
        fn netting_is_subadditive(a in arb_vec(), b in arb_vec(), addon in 0u128..1000) {
            let ra = risk(vec![ur("ATOM", 0, &a, addon)]);
            let rb = risk(vec![ur("ATOM", 0, &b, addon)]);
            let both = portfolio(&[&ra, &rb], f()).unwrap();
            let la = portfolio(&[&ra], f()).unwrap();
            let lb = portfolio(&[&rb], f()).unwrap();
            prop_assert!(both.maintenance <= la.maintenance + lb.maintenance + Uint128::one());
            prop_assert!(both.initial >= both.maintenance);
            // exact: worst loss is subadditive
            prop_assert!(both.underlyings["ATOM"].1 <= la.underlyings["ATOM"].1 + lb.underlyings["ATOM"].1);
        }

        /// An exact hedge (b = −a) has no scenario requirement at all.
        #[test]
        fn perfect_hedge_is_free(a in arb_vec()) {
            let neg: Vec<i128> = a.iter().map(|x| -x).collect();
            let ra = risk(vec![ur("ATOM", 0, &a, 0)]);
            let rb = risk(vec![ur("ATOM", 0, &neg, 0)]);
            let both = portfolio(&[&ra, &rb], f()).unwrap();
            prop_assert_eq!(both.maintenance, Uint128::zero());
        }

        /// health_not_worse agrees with the decimal ratio.
        #[test]
        fn health_comparison_exact(eb in -1_000_000i128..1_000_000, mb in 1u128..1_000_000,
                                   ea in -1_000_000i128..1_000_000, ma in 1u128..1_000_000) {
            let hb = health(Int128::new(eb), Uint128::new(mb)).unwrap();
            let ha = health(Int128::new(ea), Uint128::new(ma)).unwrap();
            let nw = health_not_worse(Int128::new(eb), Uint128::new(mb), Int128::new(ea), Uint128::new(ma));
            // decimals are rounded to 18 places; only assert when they differ clearly
            if ha > hb { prop_assert!(nw || (ha - hb) < SignedDecimal256::from_ratio(1i128, 1_000_000_000_000i128)); }
            if ha < hb { prop_assert!(!nw || (hb - ha) < SignedDecimal256::from_ratio(1i128, 1_000_000_000_000i128)); }
        }
    }
}
