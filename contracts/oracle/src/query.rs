//! Query handlers. Every listing is paged (at most `MAX_PAGE_LIMIT` per page).

use cosmwasm_std::{Decimal256, Deps, Env, Order, StdResult, Uint256};
use cw_storage_plus::Bound;

use bulwark_types::oracle::{
    AssetConfig, AssetsResponse, ConfigResponse, FeedersResponse, PriceDetailResponse,
    PriceResponse, PricesResponse, SourceDetail, TwapResponse, DEFAULT_PAGE_LIMIT,
    HISTORY_CAPACITY, MAX_PAGE_LIMIT, PRICES, TWAP_CHECKPOINT_INTERVAL_SECS,
};

use crate::aggregate::{aggregate, Params};
use crate::error::ContractError;
use crate::execute::price_dt;
use crate::sources::gather;
use crate::state::{
    AssetState, HistoryEntry, ASSETS, ASSET_STATE, CHECKPOINTS, CONFIG, DELAYS, FEEDERS,
};

fn page_limit(limit: Option<u32>) -> usize {
    // safe: at most MAX_PAGE_LIMIT (50) fits in usize
    limit.unwrap_or(DEFAULT_PAGE_LIMIT).min(MAX_PAGE_LIMIT) as usize
}

pub fn config(deps: Deps) -> Result<ConfigResponse, ContractError> {
    let c = CONFIG.load(deps.storage)?;
    Ok(ConfigResponse {
        circuit_breaker_addr: c.circuit_breaker_addr,
        guardians: c.guardians,
        max_future_skew_secs: c.max_future_skew_secs,
        feeder_count: c.feeder_count,
    })
}

fn load_asset(deps: Deps, asset_id: &str) -> Result<AssetConfig, ContractError> {
    ASSETS
        .may_load(deps.storage, asset_id)?
        .ok_or_else(|| ContractError::UnknownAsset {
            asset_id: asset_id.to_string(),
        })
}

pub fn price(deps: Deps, asset_id: String) -> Result<PriceResponse, ContractError> {
    let record =
        PRICES
            .may_load(deps.storage, &asset_id)?
            .ok_or_else(|| ContractError::NoPrice {
                asset_id: asset_id.clone(),
            })?;
    Ok(PriceResponse { asset_id, record })
}

pub fn prices(
    deps: Deps,
    start_after: Option<String>,
    limit: Option<u32>,
) -> Result<PricesResponse, ContractError> {
    let start = start_after.as_deref().map(Bound::exclusive);
    let prices = PRICES
        .range(deps.storage, start, None, Order::Ascending)
        .take(page_limit(limit))
        .map(|item| item.map(|(asset_id, record)| PriceResponse { asset_id, record }))
        .collect::<StdResult<_>>()?;
    Ok(PricesResponse { prices })
}

pub fn asset(deps: Deps, asset_id: String) -> Result<AssetConfig, ContractError> {
    load_asset(deps, &asset_id)
}

pub fn assets(
    deps: Deps,
    start_after: Option<String>,
    limit: Option<u32>,
) -> Result<AssetsResponse, ContractError> {
    let start = start_after.as_deref().map(Bound::exclusive);
    let assets = ASSETS
        .range(deps.storage, start, None, Order::Ascending)
        .take(page_limit(limit))
        .map(|item| item.map(|(_, a)| a))
        .collect::<StdResult<_>>()?;
    Ok(AssetsResponse { assets })
}

pub fn feeders(
    deps: Deps,
    start_after: Option<String>,
    limit: Option<u32>,
) -> Result<FeedersResponse, ContractError> {
    let start_addr = start_after
        .map(|a| deps.api.addr_validate(&a))
        .transpose()?;
    let start = start_addr.as_ref().map(Bound::exclusive);
    let feeders = FEEDERS
        .keys(deps.storage, start, None, Order::Ascending)
        .take(page_limit(limit))
        .collect::<StdResult<_>>()?;
    Ok(FeedersResponse { feeders })
}

pub fn price_detail(
    deps: Deps,
    env: Env,
    asset_id: String,
) -> Result<PriceDetailResponse, ContractError> {
    let asset = load_asset(deps, &asset_id)?;
    let config = CONFIG.load(deps.storage)?;
    let state = ASSET_STATE
        .may_load(deps.storage, &asset_id)?
        .unwrap_or_default();
    let record = PRICES.may_load(deps.storage, &asset_id)?;
    let inputs = gather(deps, &env, &asset);
    let agg = aggregate(
        &inputs,
        &Params {
            now: env.block.time.seconds(),
            max_future_skew_secs: config.max_future_skew_secs,
            max_deviation_bps: asset.max_deviation_bps,
            quorum: asset.quorum,
        },
    );
    let sources = asset
        .sources
        .iter()
        .zip(inputs.iter().zip(agg.statuses.iter()))
        .map(|(source, (input, status))| SourceDetail {
            source: source.clone(),
            price: input.observation.as_ref().ok().map(|o| o.price),
            publish_time: input.observation.as_ref().ok().map(|o| o.publish_time),
            status: status.clone(),
        })
        .collect();
    let delayed = DELAYS
        .may_load(deps.storage, &asset_id)?
        .map(|d| d.to_public());
    Ok(PriceDetailResponse {
        asset_id,
        record,
        paused: state.paused,
        move_block: state.move_block,
        sources,
        fresh_median: agg.fresh_median,
        aggregate: agg.price.map(|p| p.price),
        accepted: agg.accepted,
        quorum: asset.quorum,
        delayed,
    })
}

fn checkpoint(deps: Deps, asset_id: &str, seq: u32) -> Result<HistoryEntry, ContractError> {
    Ok(CHECKPOINTS.load(deps.storage, (asset_id, seq % HISTORY_CAPACITY))?)
}

/// Sequence of the newest kept checkpoint with `time <= t` (binary search: ≤ 9 reads).
fn newest_at_or_before(
    deps: Deps,
    asset_id: &str,
    state: &AssetState,
    t: u64,
) -> Result<Option<u32>, ContractError> {
    let mut lo = state.ckpt_next.saturating_sub(HISTORY_CAPACITY);
    let mut hi = state.ckpt_next;
    // invariant: every seq in [oldest, lo) has time <= t, every seq in [hi, next) has time > t
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if checkpoint(deps, asset_id, mid)?.time <= t {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    let oldest = state.ckpt_next.saturating_sub(HISTORY_CAPACITY);
    Ok(lo.checked_sub(1).filter(|k| *k >= oldest))
}

/// The cumulative price C(t), from the checkpoint `k` at or before `t`:
/// - exactly from the asset state when `t` is at or after the last price change;
/// - exactly backwards from checkpoint `k + 1` when `t >= time_k + interval` (no price changed
///   between then and `k + 1`, else a checkpoint would have been written);
/// - else forwards from `k` at its price: off by at most the price variation within that one
///   interval × the time since `k`.
fn cumulative_at(
    deps: Deps,
    asset_id: &str,
    state: &AssetState,
    k: u32,
    t: u64,
) -> Result<Uint256, ContractError> {
    let ck = checkpoint(deps, asset_id, k)?;
    let next = k.checked_add(1).ok_or(ContractError::Overflow)?;
    if next < state.ckpt_next {
        if t >= ck.time.saturating_add(TWAP_CHECKPOINT_INTERVAL_SECS) {
            let nx = checkpoint(deps, asset_id, next)?;
            return Ok(nx
                .cumulative
                .wrapping_sub(price_dt(nx.before, nx.time.saturating_sub(t))));
        }
    } else if let (Some(p), true) = (state.cum_price, t >= state.cum_time) {
        return Ok(state
            .cumulative
            .wrapping_add(price_dt(p, t - state.cum_time)));
    }
    Ok(ck
        .cumulative
        .wrapping_add(price_dt(ck.price, t.saturating_sub(ck.time))))
}

/// Time-weighted average price over `[end - window, end]` = `(C(end) - C(start)) / window`
/// from cumulative-price checkpoints (see [`cumulative_at`] for the endpoint error bound).
/// Refuses a window that may overlap a pause or a move block: the disruption count of the
/// checkpoint at or before the start must equal the count at the first checkpoint at or after
/// the end (or now) — conservative by up to one interval on each side.
pub fn twap(
    deps: Deps,
    env: Env,
    asset_id: String,
    window_secs: u64,
    end_time: Option<u64>,
) -> Result<TwapResponse, ContractError> {
    load_asset(deps, &asset_id)?;
    let now = env.block.time.seconds();
    let end = end_time.unwrap_or(now);
    if window_secs == 0 || end > now {
        return Err(ContractError::InvalidTwapWindow);
    }
    let start = end
        .checked_sub(window_secs)
        .ok_or(ContractError::InvalidTwapWindow)?;
    let state = ASSET_STATE
        .may_load(deps.storage, &asset_id)?
        .unwrap_or_default();
    let too_short = |deps: Deps, state: &AssetState| -> Result<ContractError, ContractError> {
        let oldest_seq = state.ckpt_next.saturating_sub(HISTORY_CAPACITY);
        let oldest = if state.ckpt_next == 0 {
            now
        } else {
            checkpoint(deps, &asset_id, oldest_seq)?.time
        };
        Ok(ContractError::HistoryTooShort {
            asset_id: asset_id.clone(),
            oldest,
            start,
        })
    };
    let Some(k_start) = newest_at_or_before(deps, &asset_id, &state, start)? else {
        return Err(too_short(deps, &state)?);
    };
    let Some(k_end) = newest_at_or_before(deps, &asset_id, &state, end)? else {
        return Err(too_short(deps, &state)?);
    };
    // Disruptions started in (time(k_start), first checkpoint at or after end]; none is
    // ongoing at a checkpoint, since checkpoints are written by publications.
    let ck_end = checkpoint(deps, &asset_id, k_end)?;
    let after_end = k_end.checked_add(1).ok_or(ContractError::Overflow)?;
    let disruptions_end = if ck_end.time == end {
        ck_end.disruptions
    } else if after_end < state.ckpt_next {
        checkpoint(deps, &asset_id, after_end)?.disruptions
    } else {
        state.disruptions
    };
    if disruptions_end != checkpoint(deps, &asset_id, k_start)?.disruptions {
        return Err(ContractError::TwapDisrupted {
            asset_id,
            start,
            end,
        });
    }
    let c_start = cumulative_at(deps, &asset_id, &state, k_start, start)?;
    let c_end = cumulative_at(deps, &asset_id, &state, k_end, end)?;
    let avg = c_end
        .wrapping_sub(c_start)
        .checked_div(Uint256::from(window_secs))
        .map_err(|_| ContractError::Overflow)?;
    Ok(TwapResponse {
        asset_id,
        price: Decimal256::new(avg),
        start_time: start,
        end_time: end,
        samples: k_end.saturating_sub(k_start).saturating_add(1),
    })
}
