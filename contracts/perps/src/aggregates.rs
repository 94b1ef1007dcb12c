//! Per-market aggregates that give Σ unrealized trader PnL in O(1).
//!
//! For positions `i` with size `sᵢ` (+ long), entry `eᵢ` and funding snapshot `kᵢ`, at price
//! `P` and funding index `I`:
//!
//! `Σ pnlᵢ = Σ sᵢ(P − eᵢ) − Σ sᵢ(I − kᵢ) = skew·P − Σ sᵢeᵢ − skew·I + Σ sᵢkᵢ`
//!
//! with `skew = Σ sᵢ = oi_long − oi_short`. The contract keeps `oi_long`, `oi_short`,
//! `Σ sᵢeᵢ` and `Σ sᵢkᵢ`, removing a position's old contribution and adding its new one on
//! every fill. The contribution of a position is recomputed deterministically from its stored
//! fields, so removal takes out exactly what was added.
//!
//! The same sums are kept for the long side alone (`long_size_entry`, `long_size_funding`;
//! the short side's are total − long), so each side's PnL is known in O(1): the pool owes a
//! winning side in full, while a losing side's loss is only collectable up to each loser's
//! equity, so the two must not be netted for the redemption NAV ([`side_pnl`]).

use cosmwasm_std::{Decimal256, SignedDecimal256};

use bulwark_types::perps::{MarketAggregates, Position};

use crate::error::{ContractError, OrOverflow};
use crate::units::{abs, neg, signed};

/// A position's `(size × entry, size × snapshot)`, the terms it adds to the aggregates.
pub fn contributions(p: &Position) -> Result<(SignedDecimal256, SignedDecimal256), ContractError> {
    Ok((
        p.size.checked_mul(signed(p.entry_price)?).or_overflow()?,
        p.size.checked_mul(p.funding_snapshot).or_overflow()?,
    ))
}

/// `oi_long − oi_short`.
pub fn skew(agg: &MarketAggregates) -> Result<SignedDecimal256, ContractError> {
    signed(agg.oi_long)?
        .checked_sub(signed(agg.oi_short)?)
        .or_overflow()
}

/// Adds a position's contribution.
pub fn add(agg: &mut MarketAggregates, p: &Position) -> Result<(), ContractError> {
    let (se, sf) = contributions(p)?;
    if p.size.is_negative() {
        agg.oi_short = agg.oi_short.checked_add(abs(p.size)).or_overflow()?;
    } else {
        agg.oi_long = agg.oi_long.checked_add(abs(p.size)).or_overflow()?;
        agg.long_size_entry = agg.long_size_entry.checked_add(se).or_overflow()?;
        agg.long_size_funding = agg.long_size_funding.checked_add(sf).or_overflow()?;
    }
    agg.sum_size_entry = agg.sum_size_entry.checked_add(se).or_overflow()?;
    agg.sum_size_funding = agg.sum_size_funding.checked_add(sf).or_overflow()?;
    agg.positions = agg
        .positions
        .checked_add(1)
        .ok_or(ContractError::Overflow)?;
    Ok(())
}

/// Removes a position's contribution (it must have been added before).
pub fn remove(agg: &mut MarketAggregates, p: &Position) -> Result<(), ContractError> {
    let (se, sf) = contributions(p)?;
    if p.size.is_negative() {
        agg.oi_short = agg.oi_short.checked_sub(abs(p.size)).or_overflow()?;
    } else {
        agg.oi_long = agg.oi_long.checked_sub(abs(p.size)).or_overflow()?;
        agg.long_size_entry = agg.long_size_entry.checked_sub(se).or_overflow()?;
        agg.long_size_funding = agg.long_size_funding.checked_sub(sf).or_overflow()?;
    }
    agg.sum_size_entry = agg.sum_size_entry.checked_sub(se).or_overflow()?;
    agg.sum_size_funding = agg.sum_size_funding.checked_sub(sf).or_overflow()?;
    agg.positions = agg
        .positions
        .checked_sub(1)
        .ok_or(ContractError::Overflow)?;
    Ok(())
}

/// `size·P − Σ size·entry − (size·I − Σ size·snapshot)` for a signed total size and its sums.
fn pnl_of(
    size: SignedDecimal256,
    size_entry: SignedDecimal256,
    size_funding: SignedDecimal256,
    price: Decimal256,
    index: SignedDecimal256,
) -> Result<SignedDecimal256, ContractError> {
    let mark = size
        .checked_mul(signed(price)?)
        .or_overflow()?
        .checked_sub(size_entry)
        .or_overflow()?;
    let funding = size
        .checked_mul(index)
        .or_overflow()?
        .checked_sub(size_funding)
        .or_overflow()?;
    mark.checked_sub(funding).or_overflow()
}

/// Σ unrealized trader PnL (mark PnL net of funding owed) in whole quote units.
pub fn unrealized_pnl(
    agg: &MarketAggregates,
    price: Decimal256,
    index: SignedDecimal256,
) -> Result<SignedDecimal256, ContractError> {
    pnl_of(
        skew(agg)?,
        agg.sum_size_entry,
        agg.sum_size_funding,
        price,
        index,
    )
}

/// A side of a market's book.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Long,
    Short,
}

/// Σ unrealized PnL of one side's positions (mark net of funding) in whole quote units:
/// long `oi_long·P − long_size_entry − (oi_long·I − long_size_funding)`, short the same with
/// `−oi_short` and the total's sums minus the long ones. The two sides add up to
/// [`unrealized_pnl`].
pub fn side_pnl(
    agg: &MarketAggregates,
    side: Side,
    price: Decimal256,
    index: SignedDecimal256,
) -> Result<SignedDecimal256, ContractError> {
    match side {
        Side::Long => pnl_of(
            signed(agg.oi_long)?,
            agg.long_size_entry,
            agg.long_size_funding,
            price,
            index,
        ),
        Side::Short => pnl_of(
            neg(signed(agg.oi_short)?)?,
            agg.sum_size_entry
                .checked_sub(agg.long_size_entry)
                .or_overflow()?,
            agg.sum_size_funding
                .checked_sub(agg.long_size_funding)
                .or_overflow()?,
            price,
            index,
        ),
    }
}

/// One position's unrealized PnL in whole quote units, computed directly (reference for
/// the aggregate).
pub fn position_pnl(
    p: &Position,
    price: Decimal256,
    index: SignedDecimal256,
) -> Result<SignedDecimal256, ContractError> {
    let mark = p
        .size
        .checked_mul(
            signed(price)?
                .checked_sub(signed(p.entry_price)?)
                .or_overflow()?,
        )
        .or_overflow()?;
    let funding = p
        .size
        .checked_mul(index.checked_sub(p.funding_snapshot).or_overflow()?)
        .or_overflow()?;
    mark.checked_sub(funding).or_overflow()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::position::apply_fill;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    proptest! {
        /// Random open / increase / decrease / close / flip sequences over several accounts
        /// with a moving price and funding index: the O(1) aggregate PnL equals the sum of
        /// the positions' own PnL (up to the 1e-18 truncation of each stored product), and
        /// open interest equals Σ sizes per side.
        #[test]
        fn aggregate_pnl_equals_sum_of_positions(
            ops in proptest::collection::vec(
                (0u64..6, -5_000i64..5_000, 1u64..100_000, -1_000i64..1_000),
                1..60,
            ),
            final_price in 1u64..100_000,
            final_index in -1_000i64..1_000,
        ) {
            let mut agg = MarketAggregates::default();
            let mut book: BTreeMap<u64, Position> = BTreeMap::new();
            for (i, (account, delta, price, index)) in ops.into_iter().enumerate() {
                if delta == 0 { continue; }
                let old = book.get(&account).cloned();
                let fill = apply_fill(
                    old.as_ref(), account, "m",
                    SignedDecimal256::from_ratio(delta, 100),
                    Decimal256::from_ratio(price, 1000u64),
                    SignedDecimal256::from_ratio(index, 1000),
                    i as u64, 6,
                ).unwrap();
                if let Some(o) = &old { remove(&mut agg, o).unwrap(); }
                match fill.position {
                    Some(p) => { add(&mut agg, &p).unwrap(); book.insert(account, p); }
                    None => { book.remove(&account); }
                }
            }
            let price = Decimal256::from_ratio(final_price, 1000u64);
            let index = SignedDecimal256::from_ratio(final_index, 1000);
            let mut sum = SignedDecimal256::zero();
            let (mut long_pnl, mut short_pnl) = (SignedDecimal256::zero(), SignedDecimal256::zero());
            let (mut long, mut short) = (Decimal256::zero(), Decimal256::zero());
            for p in book.values() {
                let pnl = position_pnl(p, price, index).unwrap();
                sum = sum.checked_add(pnl).unwrap();
                if p.size.is_negative() {
                    short += abs(p.size);
                    short_pnl = short_pnl.checked_add(pnl).unwrap();
                } else {
                    long += abs(p.size);
                    long_pnl = long_pnl.checked_add(pnl).unwrap();
                }
            }
            prop_assert_eq!(agg.oi_long, long);
            prop_assert_eq!(agg.oi_short, short);
            prop_assert_eq!(agg.positions, book.len() as u64);
            let got = unrealized_pnl(&agg, price, index).unwrap();
            // each side truncates a few products at 1e-18
            let tolerance = Decimal256::new(cosmwasm_std::Uint256::from(4 * (1 + book.len() as u64)));
            prop_assert!(got.abs_diff(sum) <= tolerance, "{} vs {}", got, sum);
            // per side: the O(1) side PnL equals Σ position_pnl over that side's positions
            let got_long = side_pnl(&agg, Side::Long, price, index).unwrap();
            let got_short = side_pnl(&agg, Side::Short, price, index).unwrap();
            prop_assert!(got_long.abs_diff(long_pnl) <= tolerance, "long {} vs {}", got_long, long_pnl);
            prop_assert!(got_short.abs_diff(short_pnl) <= tolerance, "short {} vs {}", got_short, short_pnl);
            prop_assert!(got_long.checked_add(got_short).unwrap().abs_diff(got) <= tolerance);
            if book.is_empty() {
                prop_assert_eq!(agg, MarketAggregates::default());
            }
        }
    }

    fn pos(size: &str, entry: &str, snapshot: &str) -> Position {
        Position {
            account_id: 0,
            market_id: "m".into(),
            size: size.parse().unwrap(),
            entry_price: entry.parse().unwrap(),
            funding_snapshot: snapshot.parse().unwrap(),
            opened_at_secs: 0,
            updated_at_secs: 0,
        }
    }

    /// Longs that lose X and shorts that gain X net to zero, but each side keeps its own PnL.
    #[test]
    fn two_sided_book_keeps_each_side() {
        let mut agg = MarketAggregates::default();
        for p in [
            pos("10", "12", "0.5"),
            pos("5", "11", "-0.25"),
            pos("-15", "11.666666666666666666", "0.25"),
        ] {
            add(&mut agg, &p).unwrap();
        }
        let (price, index) = (Decimal256::percent(1_000), SignedDecimal256::percent(50));
        let long = side_pnl(&agg, Side::Long, price, index).unwrap();
        let short = side_pnl(&agg, Side::Short, price, index).unwrap();
        // longs: 10·(10 − 12) − 10·(0.5 − 0.5) + 5·(10 − 11) − 5·(0.5 + 0.25) = −28.75
        assert_eq!(long, "-28.75".parse::<SignedDecimal256>().unwrap());
        // shorts: −15·(10 − 11.666…) + 15·(0.5 − 0.25) = 28.75 (up to the 1e-18 entry)
        let eps = Decimal256::new(cosmwasm_std::Uint256::from(100u64));
        assert!(short.abs_diff("28.75".parse().unwrap()) <= eps, "{short}");
        assert!(
            unrealized_pnl(&agg, price, index)
                .unwrap()
                .abs_diff(SignedDecimal256::zero())
                <= eps
        );
    }
}
