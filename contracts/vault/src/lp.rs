//! LP share math: pure functions. The share price is
//! `(nav + VIRTUAL_ASSETS) / (total_shares + VIRTUAL_SHARES)` (ERC-4626 virtual offset): the
//! first depositor cannot inflate it, because a donation must be ~10^6 times larger than the
//! victim's deposit to round it to zero shares, and NAV comes from the vault's ledger, so a
//! bank transfer to the vault does not move it at all.
//!
//! Rounding favours the pool: shares minted are rounded down, assets paid are rounded down.

use bulwark_math::rounding::mul_div_floor;
use cosmwasm_std::{Decimal256, Int128, Uint128, Uint256};

use bulwark_types::vault::{VIRTUAL_ASSETS, VIRTUAL_SHARES};

#[derive(Debug, PartialEq, Eq)]
pub enum LpMathError {
    Overflow,
}

/// NAV = pool assets − Σ traders' unrealized PnL, floored at 0.
pub fn nav(pool_assets: Uint128, unrealized_trader_pnl: Int128) -> Result<Uint128, LpMathError> {
    let pnl = unrealized_trader_pnl.i128();
    if pnl >= 0 {
        Ok(pool_assets.saturating_sub(Uint128::new(pnl.unsigned_abs())))
    } else {
        pool_assets
            .checked_add(Uint128::new(pnl.unsigned_abs()))
            .map_err(|_| LpMathError::Overflow)
    }
}

fn narrow(x: Uint256) -> Result<Uint128, LpMathError> {
    Uint128::try_from(x).map_err(|_| LpMathError::Overflow)
}

// The `+` on Uint256 below cannot overflow: both operands are below 2^128.

/// ⌊amount × (total_shares + V_S) / (nav + V_A)⌋ (see above).
pub fn shares_for_deposit(
    amount: Uint128,
    nav: Uint128,
    total_shares: Uint128,
) -> Result<Uint128, LpMathError> {
    let s = Uint256::from(total_shares) + Uint256::from(VIRTUAL_SHARES);
    let a = Uint256::from(nav) + Uint256::from(VIRTUAL_ASSETS);
    narrow(mul_div_floor(Uint256::from(amount), s, a).map_err(|_| LpMathError::Overflow)?)
}

/// ⌊shares × (nav + V_A) / (total_shares + V_S)⌋.
pub fn assets_for_shares(
    shares: Uint128,
    nav: Uint128,
    total_shares: Uint128,
) -> Result<Uint128, LpMathError> {
    let s = Uint256::from(total_shares) + Uint256::from(VIRTUAL_SHARES);
    let a = Uint256::from(nav) + Uint256::from(VIRTUAL_ASSETS);
    narrow(mul_div_floor(Uint256::from(shares), a, s).map_err(|_| LpMathError::Overflow)?)
}

/// The share price for display.
pub fn share_price(nav: Uint128, total_shares: Uint128) -> Decimal256 {
    let s = Uint256::from(total_shares) + Uint256::from(VIRTUAL_SHARES);
    let a = Uint256::from(nav) + Uint256::from(VIRTUAL_ASSETS);
    Decimal256::checked_from_ratio(a, s).unwrap_or(Decimal256::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn first_deposit_and_nav() {
        let s = shares_for_deposit(Uint128::new(1_000), Uint128::zero(), Uint128::zero()).unwrap();
        assert_eq!(s, Uint128::new(1_000_000_000));
        assert_eq!(
            nav(Uint128::new(100), Int128::new(30)).unwrap(),
            Uint128::new(70)
        );
        assert_eq!(
            nav(Uint128::new(100), Int128::new(300)).unwrap(),
            Uint128::zero()
        );
        assert_eq!(
            nav(Uint128::new(100), Int128::new(-30)).unwrap(),
            Uint128::new(130)
        );
        assert_eq!(
            nav(Uint128::MAX, Int128::new(-1)),
            Err(LpMathError::Overflow)
        );
    }

    /// The classic inflation attack: the attacker deposits 1 unit, then (somehow) grows the
    /// NAV by a huge donation before the victim deposits. With the virtual offset the victim
    /// still gets shares, and the attacker loses money on the round trip.
    #[test]
    fn inflation_attack_unprofitable() {
        let attacker_shares =
            shares_for_deposit(Uint128::new(1), Uint128::zero(), Uint128::zero()).unwrap();
        let donation = Uint128::new(10_000_000_000);
        let nav1 = Uint128::new(1) + donation;
        let victim = Uint128::new(10_000_000_000);
        let victim_shares = shares_for_deposit(victim, nav1, attacker_shares).unwrap();
        assert!(!victim_shares.is_zero());
        let total = attacker_shares + victim_shares;
        let nav2 = nav1 + victim;
        let attacker_out = assets_for_shares(attacker_shares, nav2, total).unwrap();
        assert!(attacker_out < donation + Uint128::new(1));
        let victim_out = assets_for_shares(victim_shares, nav2, total).unwrap();
        // the victim loses at most a tiny fraction
        assert!(victim_out >= victim.multiply_ratio(99u128, 100u128));
    }

    proptest! {
        /// Deposit then immediate withdraw never returns more than deposited, and the pool
        /// keeps what rounding took.
        #[test]
        fn no_shares_for_nothing(
            nav0 in 0u128..1_000_000_000_000_000,
            total0 in 0u128..1_000_000_000_000_000_000,
            amount in 1u128..1_000_000_000_000_000,
        ) {
            let nav0 = Uint128::new(nav0);
            let total0 = Uint128::new(total0);
            let amount = Uint128::new(amount);
            let shares = shares_for_deposit(amount, nav0, total0).unwrap();
            let out = assets_for_shares(shares, nav0 + amount, total0 + shares).unwrap();
            prop_assert!(out <= amount);
            // the other holders' per-share value did not drop
            let before = (nav0.u128() as f64 + 1.0) / (total0.u128() as f64 + 1e6);
            let after = ((nav0 + amount).u128() as f64 + 1.0) / ((total0 + shares).u128() as f64 + 1e6);
            prop_assert!(after >= before * (1.0 - 1e-12));
        }

        /// Redeeming in two parts never pays more than redeeming at once.
        #[test]
        fn split_redeem_no_gain(
            nav0 in 1u128..1_000_000_000_000,
            total0 in 1u128..1_000_000_000_000_000,
            a in 1u128..1_000_000_000,
            b in 1u128..1_000_000_000,
        ) {
            let nav0 = Uint128::new(nav0);
            let total0 = Uint128::new(total0) + Uint128::new(a + b);
            let once = assets_for_shares(Uint128::new(a + b), nav0, total0).unwrap();
            let first = assets_for_shares(Uint128::new(a), nav0, total0).unwrap();
            let second = assets_for_shares(Uint128::new(b), nav0 - first, total0 - Uint128::new(a)).unwrap();
            prop_assert!(first + second <= once + Uint128::one());
        }
    }
}
