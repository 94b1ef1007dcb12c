//! Pure, deterministic aggregation of source observations into one price.
//!
//! 1. **Fresh**: a source counts only if it has a positive value, its publish time is not
//!    ahead of the block time by more than `max_future_skew_secs` (0 by default: any future
//!    timestamp is rejected), and it is not older than its own `max_age_secs`.
//! 2. **Confidence**: a Pyth source is rejected when `conf / price` exceeds its bound, or when
//!    the price is farther from Pyth's EMA price than its bound.
//! 3. **Fresh median** `m0`: the median of the values that passed 1–2. For an even count it is
//!    the average of the two middle values, rounded down to 18 decimals.
//! 4. **Outliers**: a source farther than `max_deviation_bps` from `m0` (distance relative to
//!    `m0`) is rejected; the others are *accepted*.
//! 5. **Quorum**: fewer than `quorum` accepted sources (or none) → no price.
//! 6. **Price**: `m0` itself (clamped to the accepted values' range, which only matters when
//!    rounding puts `m0` a unit outside it). Outlier rejection decides which sources count
//!    towards the quorum and which are reported as rejected; it does not move the price. A
//!    median over the accepted set only would be weaker: with honest 90, 100, 110 and
//!    corrupted 111, 112 and a 5% band, the accepted set {110, 111, 112} has median 111,
//!    outside the honest range, while `m0` = 110 is not. `m0` stays inside the honest range
//!    whenever fewer than half of the fresh sources are corrupted.
//!
//! The published publish time is the oldest publish time among the accepted sources (capped
//! at the block time). Nothing here depends on the order of the sources except the order of
//! the per-source statuses, which follows the input.

use cosmwasm_std::{Decimal256, Uint256, Uint512};

use bulwark_types::oracle::{Rejection, SourceStatus};

/// A value read from a source, already normalised to the asset's unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observation {
    pub price: Decimal256,
    pub publish_time: u64,
}

/// Pyth-style quality checks, in the same unit as the price.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QualityCheck {
    pub conf: Decimal256,
    pub max_conf_bps: u32,
    /// Pyth EMA price and the maximum distance to it, in bps.
    pub ema: Option<(Decimal256, u32)>,
}

/// One source's input to the aggregation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceInput {
    /// The value, or why none could be read.
    pub observation: Result<Observation, Rejection>,
    /// `None`: the source has no age limit (publish time is the block time).
    pub max_age_secs: Option<u64>,
    pub quality: Option<QualityCheck>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    pub now: u64,
    pub max_future_skew_secs: u64,
    pub max_deviation_bps: u32,
    pub quorum: u8,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AggregatePrice {
    pub price: Decimal256,
    pub publish_time: u64,
    pub sources_used: u8,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Aggregate {
    /// Per source, in input order.
    pub statuses: Vec<SourceStatus>,
    pub fresh_median: Option<Decimal256>,
    pub accepted: u8,
    /// `None` when the quorum is not met.
    pub price: Option<AggregatePrice>,
}

/// `|value - reference| × 10_000 / reference`, saturating at `u64::MAX`; `reference` > 0.
pub fn distance_bps(value: Decimal256, reference: Decimal256) -> u64 {
    let (v, r) = (value.atomics(), reference.atomics());
    if r.is_zero() {
        return u64::MAX;
    }
    let diff = if v >= r { v - r } else { r - v };
    let bps: Uint512 = diff.full_mul(Uint256::from(10_000u32)) / Uint512::from(r);
    let bytes = bps.to_be_bytes();
    let (high, low) = bytes.split_at(bytes.len() - 8);
    if high.iter().any(|b| *b != 0) {
        return u64::MAX;
    }
    let mut low8 = [0u8; 8];
    low8.copy_from_slice(low);
    u64::from_be_bytes(low8)
}

/// Median of a sorted slice; even count: the average of the two middle values, rounded down.
pub fn median_sorted(sorted: &[Decimal256]) -> Option<Decimal256> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    if n % 2 == 1 {
        return Some(sorted[n / 2]);
    }
    let (a, b) = (sorted[n / 2 - 1].atomics(), sorted[n / 2].atomics());
    // b >= a (sorted), so neither subtraction nor the sum can overflow.
    Some(Decimal256::new(a + (b - a) / Uint256::from(2u8)))
}

fn freshness(input: &SourceInput, params: &Params) -> Result<Observation, Rejection> {
    let obs = input.observation.clone()?;
    if obs.price.is_zero() {
        return Err(Rejection::NonPositivePrice);
    }
    if obs.publish_time > params.now.saturating_add(params.max_future_skew_secs) {
        return Err(Rejection::FromFuture {
            publish_time: obs.publish_time,
            now: params.now,
        });
    }
    if let Some(max_age_secs) = input.max_age_secs {
        let age_secs = params.now.saturating_sub(obs.publish_time);
        if age_secs > max_age_secs {
            return Err(Rejection::Stale {
                age_secs,
                max_age_secs,
            });
        }
    }
    if let Some(q) = &input.quality {
        let conf_bps = distance_bps(obs.price.saturating_add(q.conf), obs.price);
        if conf_bps > u64::from(q.max_conf_bps) {
            return Err(Rejection::ConfidenceTooWide {
                conf_bps,
                max_bps: q.max_conf_bps,
            });
        }
        if let Some((ema, max_bps)) = q.ema {
            let deviation_bps = distance_bps(obs.price, ema);
            if deviation_bps > u64::from(max_bps) {
                return Err(Rejection::EmaDeviation {
                    deviation_bps,
                    max_bps,
                });
            }
        }
    }
    Ok(Observation {
        price: obs.price,
        // A tolerated future timestamp is recorded as the block time.
        publish_time: obs.publish_time.min(params.now),
    })
}

/// Runs the aggregation described in the module docs.
pub fn aggregate(inputs: &[SourceInput], params: &Params) -> Aggregate {
    let fresh: Vec<Result<Observation, Rejection>> =
        inputs.iter().map(|i| freshness(i, params)).collect();
    let mut fresh_values: Vec<Decimal256> = fresh
        .iter()
        .filter_map(|f| f.as_ref().ok().map(|o| o.price))
        .collect();
    fresh_values.sort_unstable();
    let fresh_median = median_sorted(&fresh_values);

    let mut statuses = Vec::with_capacity(inputs.len());
    let mut accepted_values = Vec::with_capacity(fresh_values.len());
    let mut oldest: Option<u64> = None;
    for f in fresh {
        let status = match (f, fresh_median) {
            (Err(rejection), _) => SourceStatus::Rejected(rejection),
            (Ok(obs), Some(m0)) => {
                let deviation_bps = distance_bps(obs.price, m0);
                if deviation_bps > u64::from(params.max_deviation_bps) {
                    SourceStatus::Rejected(Rejection::Outlier {
                        deviation_bps,
                        max_bps: params.max_deviation_bps,
                    })
                } else {
                    accepted_values.push(obs.price);
                    oldest = Some(oldest.map_or(obs.publish_time, |t| t.min(obs.publish_time)));
                    SourceStatus::Accepted
                }
            }
            // safe: a fresh observation implies a non-empty fresh set, hence a median
            (Ok(_), None) => SourceStatus::Rejected(Rejection::NoValue),
        };
        statuses.push(status);
    }
    accepted_values.sort_unstable();
    // At most MAX_SOURCES_PER_ASSET (8) inputs; saturate regardless.
    let accepted = u8::try_from(accepted_values.len()).unwrap_or(u8::MAX);
    let price = match (fresh_median, oldest) {
        (Some(m0), Some(publish_time)) if accepted >= params.quorum.max(1) => {
            match (accepted_values.first(), accepted_values.last()) {
                (Some(lo), Some(hi)) => Some(AggregatePrice {
                    price: m0.clamp(*lo, *hi),
                    publish_time,
                    sources_used: accepted,
                }),
                _ => None,
            }
        }
        _ => None,
    };
    Aggregate {
        statuses,
        fresh_median,
        accepted,
        price,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    const NOW: u64 = 1_700_000_000;

    fn d(s: &str) -> Decimal256 {
        Decimal256::from_str(s).unwrap()
    }

    fn src(price: &str, age: u64) -> SourceInput {
        SourceInput {
            observation: Ok(Observation {
                price: d(price),
                publish_time: NOW - age,
            }),
            max_age_secs: Some(60),
            quality: None,
        }
    }

    fn params(max_dev: u32, quorum: u8) -> Params {
        Params {
            now: NOW,
            max_future_skew_secs: 0,
            max_deviation_bps: max_dev,
            quorum,
        }
    }

    #[test]
    fn median_odd_and_even() {
        assert_eq!(median_sorted(&[]), None);
        assert_eq!(median_sorted(&[d("1"), d("2"), d("9")]), Some(d("2")));
        assert_eq!(median_sorted(&[d("1"), d("2")]), Some(d("1.5")));
        // rounded down at 18 decimals
        assert_eq!(
            median_sorted(&[d("0.000000000000000001"), d("0.000000000000000002")]),
            Some(d("0.000000000000000001"))
        );
    }

    #[test]
    fn three_sources_agree() {
        let agg = aggregate(
            &[src("10", 1), src("10.1", 5), src("9.9", 2)],
            &params(200, 2),
        );
        assert_eq!(agg.accepted, 3);
        assert_eq!(
            agg.price,
            Some(AggregatePrice {
                price: d("10"),
                publish_time: NOW - 5,
                sources_used: 3
            })
        );
        assert!(agg.statuses.iter().all(|s| *s == SourceStatus::Accepted));
    }

    #[test]
    fn every_rejection_is_reported() {
        let mut conf = src("10", 0);
        conf.quality = Some(QualityCheck {
            conf: d("0.5"),
            max_conf_bps: 100,
            ema: None,
        });
        let mut ema = src("10", 0);
        ema.quality = Some(QualityCheck {
            conf: d("0.01"),
            max_conf_bps: 100,
            ema: Some((d("8"), 500)),
        });
        let inputs = vec![
            src("10", 0),
            src("10.05", 3),
            src("10", 61),
            SourceInput {
                observation: Ok(Observation {
                    price: d("10"),
                    publish_time: NOW + 1,
                }),
                max_age_secs: Some(60),
                quality: None,
            },
            src("0", 0),
            src("12", 0),
            conf,
            ema,
            SourceInput {
                observation: Err(Rejection::NoValue),
                max_age_secs: None,
                quality: None,
            },
        ];
        let agg = aggregate(&inputs, &params(100, 2));
        use Rejection::*;
        use SourceStatus::*;
        assert_eq!(
            agg.statuses,
            vec![
                Accepted,
                Accepted,
                Rejected(Stale {
                    age_secs: 61,
                    max_age_secs: 60
                }),
                Rejected(FromFuture {
                    publish_time: NOW + 1,
                    now: NOW
                }),
                Rejected(NonPositivePrice),
                Rejected(Outlier {
                    deviation_bps: 1940,
                    max_bps: 100
                }),
                Rejected(ConfidenceTooWide {
                    conf_bps: 500,
                    max_bps: 100
                }),
                Rejected(EmaDeviation {
                    deviation_bps: 2500,
                    max_bps: 500
                }),
                Rejected(NoValue),
            ]
        );
        // fresh set {10, 10.05, 12}: median 10.05; accepted {10, 10.05} → clamp(10.05) = 10.05
        assert_eq!(agg.fresh_median, Some(d("10.05")));
        assert_eq!(agg.price.unwrap().price, d("10.05"));
    }

    #[test]
    fn future_skew_tolerance() {
        let input = SourceInput {
            observation: Ok(Observation {
                price: d("10"),
                publish_time: NOW + 2,
            }),
            max_age_secs: Some(60),
            quality: None,
        };
        let mut p = params(100, 1);
        assert!(aggregate(std::slice::from_ref(&input), &p).price.is_none());
        p.max_future_skew_secs = 2;
        let agg = aggregate(&[input], &p);
        assert_eq!(agg.price.unwrap().publish_time, NOW, "capped at block time");
    }

    #[test]
    fn quorum_lost() {
        let agg = aggregate(&[src("10", 0), src("10", 100)], &params(100, 2));
        assert_eq!(agg.accepted, 1);
        assert_eq!(agg.price, None);
        let agg = aggregate(&[src("10", 0), src("20", 0)], &params(100, 2));
        assert_eq!(agg.accepted, 0, "both are 33% from their average");
        assert_eq!(agg.price, None);
        assert_eq!(aggregate(&[], &params(100, 1)).price, None);
        // quorum 0 behaves as 1
        assert_eq!(aggregate(&[], &params(100, 0)).price, None);
    }

    #[test]
    fn two_corrupted_of_five_on_one_side_do_not_pull_price() {
        // m0 = 110; the band keeps {110, 111, 112}, whose own median would be 111.
        let agg = aggregate(
            &[
                src("90", 0),
                src("100", 0),
                src("110", 0),
                src("111", 0),
                src("112", 0),
            ],
            &params(500, 3),
        );
        assert_eq!(agg.accepted, 3);
        assert_eq!(agg.price.unwrap().price, d("110"));
    }

    #[test]
    fn corrupted_accepted_source_does_not_pull_price() {
        // honest 100 and 110, corrupted 115: m0 = 110; with 5% max deviation 100 is rejected
        // and 115 accepted. Averaging would publish 112.5, outside the honest range.
        let agg = aggregate(
            &[src("100", 0), src("110", 0), src("115", 0)],
            &params(500, 2),
        );
        assert_eq!(agg.accepted, 2);
        assert_eq!(agg.price.unwrap().price, d("110"));
    }

    fn price_strategy() -> impl Strategy<Value = u128> {
        1u128..1_000_000_000_000_000_000_000u128
    }

    fn input(atomics: u128, age: u64) -> SourceInput {
        SourceInput {
            observation: Ok(Observation {
                price: Decimal256::new(Uint256::from(atomics)),
                publish_time: NOW - age,
            }),
            max_age_secs: Some(30),
            quality: None,
        }
    }

    proptest! {
        #[test]
        fn order_independent(
            prices in prop::collection::vec((price_strategy(), 0u64..40), 0..8),
            max_dev in 0u32..20_000,
            quorum in 0u8..5,
            seed in any::<u64>(),
        ) {
            let inputs: Vec<SourceInput> = prices.iter().map(|(p, a)| input(*p, *a)).collect();
            let p = params(max_dev, quorum);
            let base = aggregate(&inputs, &p);
            // a deterministic permutation from the seed
            let mut order: Vec<usize> = (0..inputs.len()).collect();
            let mut s = seed;
            for i in (1..order.len()).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let j = (s >> 33) as usize % (i + 1);
                order.swap(i, j);
            }
            let permuted: Vec<SourceInput> = order.iter().map(|&i| inputs[i].clone()).collect();
            let other = aggregate(&permuted, &p);
            prop_assert_eq!(&base.price, &other.price);
            prop_assert_eq!(base.fresh_median, other.fresh_median);
            prop_assert_eq!(base.accepted, other.accepted);
            for (k, &i) in order.iter().enumerate() {
                prop_assert_eq!(&base.statuses[i], &other.statuses[k]);
            }
        }

        #[test]
        fn one_corrupted_of_three_stays_in_honest_range(
            h1 in price_strategy(),
            h2 in price_strategy(),
            corrupted in prop_oneof![Just(0u128), Just(1u128), price_strategy(), Just(u128::MAX)],
            corrupted_pos in 0usize..3,
            max_dev in 0u32..20_000,
            quorum in 1u8..4,
        ) {
            let mut inputs = vec![input(h1, 0), input(h2, 0)];
            inputs.insert(corrupted_pos, input(corrupted, 0));
            let agg = aggregate(&inputs, &params(max_dev, quorum));
            if let Some(out) = agg.price {
                let lo = Decimal256::new(Uint256::from(h1.min(h2)));
                let hi = Decimal256::new(Uint256::from(h1.max(h2)));
                prop_assert!(out.price >= lo && out.price <= hi, "{} not in [{}, {}]", out.price, lo, hi);
            }
        }

        #[test]
        fn minority_corrupted_stays_in_honest_range(
            honest in prop::collection::vec(price_strategy(), 3..6),
            corrupted in prop::collection::vec(
                prop_oneof![Just(1u128), price_strategy(), Just(u128::MAX / 4)], 0..3),
            max_dev in 0u32..20_000,
            quorum in 1u8..4,
            seed in any::<u64>(),
        ) {
            prop_assume!(corrupted.len() * 2 < honest.len() + corrupted.len());
            let mut all: Vec<u128> = honest.iter().chain(corrupted.iter()).copied().collect();
            // interleave deterministically from the seed
            let shift = (seed % all.len() as u64) as usize;
            all.rotate_left(shift);
            let inputs: Vec<SourceInput> = all.iter().map(|p| input(*p, 0)).collect();
            let agg = aggregate(&inputs, &params(max_dev, quorum));
            if let Some(out) = agg.price {
                let lo = Decimal256::new(Uint256::from(*honest.iter().min().unwrap()));
                let hi = Decimal256::new(Uint256::from(*honest.iter().max().unwrap()));
                prop_assert!(out.price >= lo && out.price <= hi, "{} not in [{}, {}]", out.price, lo, hi);
            }
        }

        #[test]
        fn quorum_is_respected(
            prices in prop::collection::vec((price_strategy(), 0u64..60), 0..8),
            max_dev in 0u32..20_000,
            quorum in 1u8..9,
        ) {
            let inputs: Vec<SourceInput> = prices.iter().map(|(p, a)| input(*p, *a)).collect();
            let agg = aggregate(&inputs, &params(max_dev, quorum));
            let accepted = agg.statuses.iter().filter(|s| **s == SourceStatus::Accepted).count();
            prop_assert_eq!(accepted, usize::from(agg.accepted));
            prop_assert_eq!(agg.price.is_some(), accepted >= usize::from(quorum));
            if let Some(out) = agg.price {
                prop_assert_eq!(usize::from(out.sources_used), accepted);
                // the price lies within the accepted values
                let acc: Vec<Decimal256> = inputs.iter().zip(&agg.statuses)
                    .filter(|(_, s)| **s == SourceStatus::Accepted)
                    .map(|(i, _)| i.observation.as_ref().unwrap().price).collect();
                prop_assert!(acc.iter().any(|v| *v <= out.price));
                prop_assert!(acc.iter().any(|v| *v >= out.price));
                prop_assert!(out.publish_time <= NOW && NOW - out.publish_time <= 30);
            }
        }
    }
}
