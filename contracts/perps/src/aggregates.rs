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

use cosmwasm_std::{Decimal256, SignedDecimal256};

use bulwark_types::perps::{MarketAggregates, Position};

use crate::error::{ContractError, OrOverflow};
use crate::units::{abs, signed};

fn contributions(p: &Position) -> Result<(SignedDecimal256, SignedDecimal256), ContractError> {
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
    }
    agg.sum_size_entry = agg.sum_size_entry.checked_sub(se).or_overflow()?;
    agg.sum_size_funding = agg.sum_size_funding.checked_sub(sf).or_overflow()?;
    agg.positions = agg
        .positions
        .checked_sub(1)
        .ok_or(ContractError::Overflow)?;
    Ok(())
}

/// Σ unrealized trader PnL (mark PnL net of funding owed) in whole quote units.
pub fn unrealized_pnl(
    agg: &MarketAggregates,
    price: Decimal256,
    index: SignedDecimal256,
) -> Result<SignedDecimal256, ContractError> {
    let k = skew(agg)?;
    let mark = k
        .checked_mul(signed(price)?)
        .or_overflow()?
        .checked_sub(agg.sum_size_entry)
        .or_overflow()?;
    let funding = k
        .checked_mul(index)
        .or_overflow()?
        .checked_sub(agg.sum_size_funding)
        .or_overflow()?;
    mark.checked_sub(funding).or_overflow()
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
            let (mut long, mut short) = (Decimal256::zero(), Decimal256::zero());
            for p in book.values() {
                sum = sum.checked_add(position_pnl(p, price, index).unwrap()).unwrap();
                if p.size.is_negative() { short += abs(p.size) } else { long += abs(p.size) }
            }
            prop_assert_eq!(agg.oi_long, long);
            prop_assert_eq!(agg.oi_short, short);
            prop_assert_eq!(agg.positions, book.len() as u64);
            let got = unrealized_pnl(&agg, price, index).unwrap();
            // each side truncates a few products at 1e-18
            let tolerance = Decimal256::new(cosmwasm_std::Uint256::from(4 * (1 + book.len() as u64)));
            prop_assert!(got.abs_diff(sum) <= tolerance, "{} vs {}", got, sum);
            if book.is_empty() {
                prop_assert_eq!(agg, MarketAggregates::default());
            }
        }
    }
}
