//! Reading the sources of an asset into aggregation inputs (shared by execute and query).

use std::str::FromStr;

use cosmwasm_std::{Decimal256, Deps, Env, Uint256};
use osmosis_std::shim::Timestamp;
use osmosis_std::types::osmosis::twap::v1beta1::TwapQuerier;

use bulwark_types::oracle::{
    AssetConfig, PythPrice, PythPriceFeedResponse, PythQueryMsg, Rejection, Source, TwapKind,
};

use crate::aggregate::{Observation, QualityCheck, SourceInput};
use crate::state::{FEEDERS, FEEDER_OBS};

/// Most negative Pyth exponent accepted (Decimal256 has 18 decimals).
pub const MIN_PYTH_EXPO: i32 = -18;

/// `value × 10^exp`, `None` on overflow or if the result rounds to zero.
pub fn scale_pow10(value: Decimal256, exp: i32) -> Option<Decimal256> {
    let factor = Uint256::from(10u8).checked_pow(exp.unsigned_abs()).ok()?;
    let atomics = if exp >= 0 {
        value.atomics().checked_mul(factor).ok()?
    } else {
        value.atomics().checked_div(factor).ok()?
    };
    if atomics.is_zero() {
        return None;
    }
    Some(Decimal256::new(atomics))
}

/// Converts a Pyth price (`price × 10^expo`) into a decimal; `Err` says why not.
pub fn pyth_value(raw: i64, expo: i32) -> Result<Decimal256, Rejection> {
    if raw <= 0 {
        return Err(Rejection::NonPositivePrice);
    }
    if !(MIN_PYTH_EXPO..=0).contains(&expo) {
        return Err(Rejection::BadExponent { expo });
    }
    // safe: raw > 0 fits in u128; -expo is in 0..=18, within Decimal256's 18 decimals
    Decimal256::from_atomics(Uint256::from(raw.unsigned_abs()), expo.unsigned_abs())
        .map_err(|_| Rejection::Normalisation)
}

fn pyth_conf(raw: u64, expo: i32) -> Result<Decimal256, Rejection> {
    Decimal256::from_atomics(Uint256::from(raw), expo.unsigned_abs())
        .map_err(|_| Rejection::Normalisation)
}

/// Normalises a Pyth price with its confidence and EMA into an aggregation input.
pub fn pyth_input(
    price: &PythPrice,
    ema_price: &PythPrice,
    max_age_secs: u64,
    max_conf_bps: u32,
    max_ema_deviation_bps: Option<u32>,
) -> SourceInput {
    let read = || -> Result<(Observation, QualityCheck), Rejection> {
        let value = pyth_value(price.price.i64(), price.expo)?;
        let conf = pyth_conf(price.conf.u64(), price.expo)?;
        let publish_time =
            u64::try_from(price.publish_time).map_err(|_| Rejection::Unavailable {
                error: "negative publish time".to_string(),
            })?;
        let ema = match max_ema_deviation_bps {
            Some(max_bps) => Some((pyth_value(ema_price.price.i64(), ema_price.expo)?, max_bps)),
            None => None,
        };
        Ok((
            Observation {
                price: value,
                publish_time,
            },
            QualityCheck {
                conf,
                max_conf_bps,
                ema,
            },
        ))
    };
    match read() {
        Ok((obs, quality)) => SourceInput {
            observation: Ok(obs),
            max_age_secs: Some(max_age_secs),
            quality: Some(quality),
        },
        Err(rejection) => SourceInput {
            observation: Err(rejection),
            max_age_secs: Some(max_age_secs),
            quality: None,
        },
    }
}

/// Smallest accepted Osmosis TWAP ratio in atomics (6 significant digits).
pub const MIN_TWAP_RATIO_ATOMICS: u64 = 1_000_000;

/// Converts an Osmosis TWAP (a ratio of smallest units, as an 18-decimal string) into whole
/// quote units per whole base unit: `twap × 10^(base_decimals - quote_decimals)`.
pub fn twap_value(
    twap: &str,
    base_decimals: u8,
    quote_decimals: u8,
) -> Result<Decimal256, Rejection> {
    let ratio = Decimal256::from_str(twap).map_err(|e| Rejection::Unavailable {
        error: format!("bad twap {twap}: {e}"),
    })?;
    if ratio.is_zero() {
        return Err(Rejection::NonPositivePrice);
    }
    // An 18-decimal ratio below 10^-12 keeps fewer than 6 significant digits: too coarse.
    if ratio.atomics() < Uint256::from(MIN_TWAP_RATIO_ATOMICS) {
        return Err(Rejection::TwapPrecision { ratio });
    }
    scale_pow10(ratio, i32::from(base_decimals) - i32::from(quote_decimals))
        .ok_or(Rejection::Normalisation)
}

fn unavailable(e: impl ToString) -> Rejection {
    Rejection::Unavailable {
        error: e.to_string(),
    }
}

/// Reads every source of `asset` at the current block.
pub fn gather(deps: Deps, env: &Env, asset: &AssetConfig) -> Vec<SourceInput> {
    let now = env.block.time.seconds();
    asset
        .sources
        .iter()
        .map(|source| match source {
            Source::Feeder {
                feeder_addr,
                max_age_secs,
            } => {
                let observation = if !FEEDERS.has(deps.storage, feeder_addr) {
                    Err(Rejection::FeederNotWhitelisted)
                } else {
                    match FEEDER_OBS.may_load(deps.storage, (asset.asset_id.as_str(), feeder_addr))
                    {
                        Ok(Some(obs)) => Ok(Observation {
                            price: obs.price,
                            publish_time: obs.publish_time,
                        }),
                        Ok(None) => Err(Rejection::NoValue),
                        Err(e) => Err(unavailable(e)),
                    }
                };
                SourceInput {
                    observation,
                    max_age_secs: Some(*max_age_secs),
                    quality: None,
                }
            }
            Source::Pyth {
                contract_addr,
                feed_id,
                max_age_secs,
                max_conf_bps,
                max_ema_deviation_bps,
            } => {
                let res: Result<PythPriceFeedResponse, _> = deps.querier.query_wasm_smart(
                    contract_addr,
                    &PythQueryMsg::PriceFeed {
                        id: feed_id.clone(),
                    },
                );
                match res {
                    Ok(res) => pyth_input(
                        &res.price_feed.price,
                        &res.price_feed.ema_price,
                        *max_age_secs,
                        *max_conf_bps,
                        *max_ema_deviation_bps,
                    ),
                    Err(e) => SourceInput {
                        observation: Err(unavailable(e)),
                        max_age_secs: Some(*max_age_secs),
                        quality: None,
                    },
                }
            }
            Source::OsmosisTwap {
                pool_id,
                base_denom,
                quote_denom,
                window_secs,
                kind,
            } => {
                let start = now.saturating_sub(*window_secs);
                let start_time = Some(Timestamp {
                    // safe: block times are far below i64::MAX; saturate regardless
                    seconds: i64::try_from(start).unwrap_or(i64::MAX),
                    nanos: 0,
                });
                let querier = TwapQuerier::new(&deps.querier);
                let twap = match kind {
                    TwapKind::Arithmetic => querier
                        .arithmetic_twap_to_now(
                            *pool_id,
                            base_denom.clone(),
                            quote_denom.clone(),
                            start_time,
                        )
                        .map(|r| r.arithmetic_twap),
                    TwapKind::Geometric => querier
                        .geometric_twap_to_now(
                            *pool_id,
                            base_denom.clone(),
                            quote_denom.clone(),
                            start_time,
                        )
                        .map(|r| r.geometric_twap),
                };
                let observation = twap.map_err(unavailable).and_then(|t| {
                    twap_value(&t, asset.base_decimals, asset.quote_decimals).map(|price| {
                        Observation {
                            price,
                            publish_time: now,
                        }
                    })
                });
                SourceInput {
                    observation,
                    max_age_secs: None,
                    quality: None,
                }
            }
            Source::Fixed { price } => SourceInput {
                observation: Ok(Observation {
                    price: *price,
                    publish_time: now,
                }),
                max_age_secs: None,
                quality: None,
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::{Int64, Uint64};

    fn d(s: &str) -> Decimal256 {
        Decimal256::from_str(s).unwrap()
    }

    #[test]
    fn pyth_normalisation() {
        assert_eq!(pyth_value(987_000_000, -8), Ok(d("9.87")));
        assert_eq!(pyth_value(5, 0), Ok(d("5")));
        assert_eq!(pyth_value(0, -8), Err(Rejection::NonPositivePrice));
        assert_eq!(pyth_value(-1, -8), Err(Rejection::NonPositivePrice));
        assert_eq!(
            pyth_value(1, -19),
            Err(Rejection::BadExponent { expo: -19 })
        );
        assert_eq!(pyth_value(1, 2), Err(Rejection::BadExponent { expo: 2 }));
        let p = PythPrice {
            price: Int64::new(1_000_000),
            conf: Uint64::new(1_000),
            expo: -5,
            publish_time: 100,
        };
        let input = pyth_input(&p, &p, 60, 50, Some(10));
        assert_eq!(
            input.observation,
            Ok(Observation {
                price: d("10"),
                publish_time: 100
            })
        );
        assert_eq!(input.quality.unwrap().conf, d("0.01"));
    }

    #[test]
    fn twap_normalisation() {
        // 1 uatom = 9.87 uusdc, both 6 decimals
        assert_eq!(twap_value("9.870000000000000000", 6, 6), Ok(d("9.87")));
        // 1 wei (18 decimals) = 0.000000003 uusdc (6 decimals) → 3000 USDC per ETH
        assert_eq!(twap_value("0.000000003", 18, 6), Ok(d("3000")));
        assert_eq!(twap_value("3000000000", 6, 18), Ok(d("0.003")));
        assert_eq!(twap_value("0", 6, 6), Err(Rejection::NonPositivePrice));
        assert!(matches!(
            twap_value("abc", 6, 6),
            Err(Rejection::Unavailable { .. })
        ));
        assert_eq!(twap_value("0.000001", 0, 18), Err(Rejection::Normalisation));
    }

    #[test]
    fn twap_with_too_few_significant_digits_is_rejected() {
        // a cheap 18-decimal token: 1 wei = 1.23e-16 uusdc keeps only 3 digits
        assert_eq!(
            twap_value("0.000000000000000123", 18, 6),
            Err(Rejection::TwapPrecision {
                ratio: d("0.000000000000000123")
            })
        );
        // 10^6 atomics (6 digits) is the smallest accepted: 1 USDC per whole token
        assert_eq!(twap_value("0.000000000001", 18, 6), Ok(d("1")));
    }
}
