//! The effect of one fill on one net position: new size and entry price, realized PnL of
//! the closed part, funding settled. Pure; used by orders and force-reductions.
//!
//! * increase (same side, or from flat): entry = size-weighted average of the old entry and
//!   the fill;
//! * decrease: entry unchanged, the closed part realizes `closed × (fill − entry)`;
//! * close: as decrease, the position is deleted;
//! * flip: the whole old position closes at the fill, the remainder opens at the fill.
//!
//! Every fill also settles the funding the old position owes, `size × (index − snapshot)`,
//! and resets the snapshot to the current index. Realized PnL is rounded down (a credit
//! rounds down, a debit up) and funding owed is rounded up.

use cosmwasm_std::{Decimal256, Int128, SignedDecimal256, Uint256, Uint512};

use bulwark_types::perps::Position;

use crate::error::{ContractError, OrOverflow};
use crate::units::{abs, mul_to_amount, neg, signed, Round};

#[derive(Clone, Debug, PartialEq)]
pub struct Fill {
    /// The position after the fill; `None` when it is closed.
    pub position: Option<Position>,
    /// The part of the old position that was closed (same sign as the old size, or zero).
    pub closed_size: SignedDecimal256,
    /// `closed × (fill − entry)`, settlement units, rounded down.
    pub realized_pnl: Int128,
    /// Funding owed by the old position (+ = the account pays), settlement units, rounded up.
    pub funding_owed: Int128,
    /// The fill adds exposure: an increase, an open from flat or a flip.
    pub increases_risk: bool,
}

fn same_sign(a: SignedDecimal256, b: SignedDecimal256) -> bool {
    a.is_negative() == b.is_negative()
}

/// The size after the fill and whether it adds exposure, without pricing anything.
pub fn classify(
    old_size: SignedDecimal256,
    size_delta: SignedDecimal256,
) -> Result<(SignedDecimal256, bool), ContractError> {
    let new_size = old_size.checked_add(size_delta).or_overflow()?;
    let flips = !old_size.is_zero() && !new_size.is_zero() && !same_sign(old_size, new_size);
    Ok((new_size, abs(new_size) > abs(old_size) || flips))
}

/// Funding owed by a position at `index` (+ = the account pays), rounded up.
pub fn funding_owed(
    position: &Position,
    index: SignedDecimal256,
    decimals: u8,
) -> Result<Int128, ContractError> {
    let diff = index.checked_sub(position.funding_snapshot).or_overflow()?;
    mul_to_amount(position.size, diff, decimals, Round::Ceil)
}

/// Mark PnL of a position at `price`, rounded down.
pub fn mark_pnl(
    position: &Position,
    price: Decimal256,
    decimals: u8,
) -> Result<Int128, ContractError> {
    let diff = signed(price)?
        .checked_sub(signed(position.entry_price)?)
        .or_overflow()?;
    mul_to_amount(position.size, diff, decimals, Round::Floor)
}

/// `(a·pa + b·pb) / (a + b)` exactly, rounded up or down.
fn weighted_entry(
    a: Decimal256,
    pa: Decimal256,
    b: Decimal256,
    pb: Decimal256,
    round_up: bool,
) -> Result<Decimal256, ContractError> {
    let num = a
        .atomics()
        .full_mul(pa.atomics())
        .checked_add(b.atomics().full_mul(pb.atomics()))
        .or_overflow()?;
    let den = Uint512::from(a.atomics().checked_add(b.atomics()).or_overflow()?);
    if den.is_zero() {
        return Err(ContractError::ZeroSize);
    }
    let mut q = num.checked_div(den).or_overflow()?;
    if round_up && !num.checked_rem(den).or_overflow()?.is_zero() {
        q = q.checked_add(Uint512::one()).or_overflow()?;
    }
    Ok(Decimal256::new(Uint256::try_from(q).or_overflow()?))
}

#[allow(clippy::too_many_arguments)]
pub fn apply_fill(
    old: Option<&Position>,
    account_id: u64,
    market_id: &str,
    size_delta: SignedDecimal256,
    fill_price: Decimal256,
    index: SignedDecimal256,
    now_secs: u64,
    decimals: u8,
) -> Result<Fill, ContractError> {
    if size_delta.is_zero() {
        return Err(ContractError::ZeroSize);
    }
    let old_size = old.map(|p| p.size).unwrap_or_default();
    let (new_size, increases_risk) = classify(old_size, size_delta)?;

    let (realized_pnl, funding, closed_size) = match old {
        None => (Int128::zero(), Int128::zero(), SignedDecimal256::zero()),
        Some(p) => {
            let closed = if same_sign(p.size, size_delta) {
                SignedDecimal256::zero()
            } else if abs(size_delta) >= abs(p.size) {
                p.size
            } else {
                neg(size_delta)?
            };
            let diff = signed(fill_price)?
                .checked_sub(signed(p.entry_price)?)
                .or_overflow()?;
            let pnl = mul_to_amount(closed, diff, decimals, Round::Floor)?;
            (pnl, funding_owed(p, index, decimals)?, closed)
        }
    };

    let position = if new_size.is_zero() {
        None
    } else {
        let (entry_price, opened_at_secs) = match old {
            Some(p) if same_sign(p.size, new_size) => {
                let entry = if abs(new_size) > abs(p.size) {
                    // increase: size-weighted average entry, rounded against the
                    // account (up for a long, down for a short)
                    weighted_entry(
                        abs(p.size),
                        p.entry_price,
                        abs(size_delta),
                        fill_price,
                        !new_size.is_negative(),
                    )?
                } else {
                    p.entry_price
                };
                (entry, p.opened_at_secs)
            }
            // from flat, or a flip: the remainder opens at the fill
            _ => (fill_price, now_secs),
        };
        Some(Position {
            account_id,
            market_id: market_id.to_string(),
            size: new_size,
            entry_price,
            funding_snapshot: index,
            opened_at_secs,
            updated_at_secs: now_secs,
        })
    };
    Ok(Fill {
        position,
        closed_size,
        realized_pnl,
        funding_owed: funding,
        increases_risk,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn sd(s: &str) -> SignedDecimal256 {
        SignedDecimal256::from_str(s).unwrap()
    }
    fn d(s: &str) -> Decimal256 {
        Decimal256::from_str(s).unwrap()
    }
    fn pos(size: &str, entry: &str, snap: &str) -> Position {
        Position {
            account_id: 1,
            market_id: "ATOM-PERP".into(),
            size: sd(size),
            entry_price: d(entry),
            funding_snapshot: sd(snap),
            opened_at_secs: 5,
            updated_at_secs: 5,
        }
    }

    #[test]
    fn open_increase_decrease_close_flip() {
        let open = apply_fill(None, 1, "ATOM-PERP", sd("2"), d("10"), sd("0.5"), 9, 6).unwrap();
        let p = open.position.clone().unwrap();
        assert_eq!(
            (p.size, p.entry_price, p.funding_snapshot),
            (sd("2"), d("10"), sd("0.5"))
        );
        assert!(open.increases_risk);
        assert_eq!(open.realized_pnl, Int128::zero());

        // increase by 2 at 12: entry 11; funding owed 2 × (0.7 − 0.5) = 0.4
        let inc = apply_fill(Some(&p), 1, "ATOM-PERP", sd("2"), d("12"), sd("0.7"), 10, 6).unwrap();
        let p = inc.position.clone().unwrap();
        assert_eq!(
            (p.size, p.entry_price, p.opened_at_secs),
            (sd("4"), d("11"), 9)
        );
        assert_eq!(inc.funding_owed, Int128::new(400_000));
        assert!(inc.increases_risk);

        // decrease by 1 at 13: realize +2, entry stays
        let dec = apply_fill(
            Some(&p),
            1,
            "ATOM-PERP",
            sd("-1"),
            d("13"),
            sd("0.7"),
            11,
            6,
        )
        .unwrap();
        assert_eq!(dec.realized_pnl, Int128::new(2_000_000));
        assert_eq!(dec.closed_size, sd("1"));
        assert!(!dec.increases_risk);
        let p = dec.position.clone().unwrap();
        assert_eq!((p.size, p.entry_price), (sd("3"), d("11")));

        // flip by −5 at 9: closes 3 (realize −6), opens −2 at 9
        let flip =
            apply_fill(Some(&p), 1, "ATOM-PERP", sd("-5"), d("9"), sd("0.6"), 12, 6).unwrap();
        assert_eq!(flip.realized_pnl, Int128::new(-6_000_000));
        // funding 3 × (0.6 − 0.7) = −0.3: the account receives
        assert_eq!(flip.funding_owed, Int128::new(-300_000));
        assert!(flip.increases_risk);
        let p = flip.position.clone().unwrap();
        assert_eq!(
            (p.size, p.entry_price, p.opened_at_secs),
            (sd("-2"), d("9"), 12)
        );

        // close the short at 8: +2
        let close =
            apply_fill(Some(&p), 1, "ATOM-PERP", sd("2"), d("8"), sd("0.6"), 13, 6).unwrap();
        assert_eq!(close.position, None);
        assert_eq!(close.realized_pnl, Int128::new(2_000_000));
        assert!(!close.increases_risk);
    }

    #[test]
    fn rounding_against_the_account() {
        let p = pos("3", "1", "0");
        // closing 1 at 1.0000001 on 0 decimals realizes 0.0000001 → 0 (floor)
        let f = apply_fill(
            Some(&p),
            1,
            "m",
            sd("-1"),
            d("1.0000001"),
            sd("0.0000001"),
            6,
            0,
        )
        .unwrap();
        assert_eq!(f.realized_pnl, Int128::zero());
        // funding owed 3 × 1e-7 → 1 (ceil)
        assert_eq!(f.funding_owed, Int128::new(1));
        // a loss of 0.0000001 → −1
        let f = apply_fill(Some(&p), 1, "m", sd("-1"), d("0.9999999"), sd("0"), 6, 0).unwrap();
        assert_eq!(f.realized_pnl, Int128::new(-1));
    }

    #[test]
    fn weighted_entry_rounds_against_the_account() {
        // (1 × 1 + 2 × 2) / 3 = 1.666..
        let long = apply_fill(
            Some(&pos("1", "1", "0")),
            1,
            "m",
            sd("2"),
            d("2"),
            sd("0"),
            6,
            6,
        )
        .unwrap();
        assert_eq!(
            long.position.unwrap().entry_price,
            d("1.666666666666666667")
        );
        let short = apply_fill(
            Some(&pos("-1", "1", "0")),
            1,
            "m",
            sd("-2"),
            d("2"),
            sd("0"),
            6,
            6,
        )
        .unwrap();
        assert_eq!(
            short.position.unwrap().entry_price,
            d("1.666666666666666666")
        );
    }

    #[test]
    fn zero_and_overflow_sizes() {
        assert_eq!(
            apply_fill(None, 1, "m", sd("0"), d("1"), sd("0"), 1, 6),
            Err(ContractError::ZeroSize)
        );
        let p = pos("1", "1", "0");
        assert_eq!(
            apply_fill(
                Some(&p),
                1,
                "m",
                SignedDecimal256::MAX,
                d("1"),
                sd("0"),
                1,
                6
            ),
            Err(ContractError::Overflow)
        );
    }

    #[test]
    fn classification() {
        assert_eq!(classify(sd("0"), sd("1")).unwrap(), (sd("1"), true));
        assert_eq!(classify(sd("2"), sd("-1")).unwrap(), (sd("1"), false));
        assert_eq!(classify(sd("2"), sd("-2")).unwrap(), (sd("0"), false));
        assert_eq!(classify(sd("2"), sd("-3")).unwrap(), (sd("-1"), true));
        assert_eq!(classify(sd("-2"), sd("-3")).unwrap(), (sd("-5"), true));
    }
}
