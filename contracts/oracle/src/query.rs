//! Query handlers. Every listing is paged (at most `MAX_PAGE_LIMIT` per page).

use cosmwasm_std::{Decimal256, Deps, Env, Order, StdResult, Uint256, Uint512};
use cw_storage_plus::Bound;

use bulwark_types::oracle::{
    AssetConfig, AssetsResponse, ConfigResponse, FeedersResponse, PriceDetailResponse,
    PriceResponse, PricesResponse, SourceDetail, TwapResponse, DEFAULT_PAGE_LIMIT,
    HISTORY_CAPACITY, MAX_PAGE_LIMIT, PRICES,
};

use crate::aggregate::{aggregate, Params};
use crate::error::ContractError;
use crate::sources::gather;
use crate::state::{ASSETS, ASSET_STATE, CONFIG, FEEDERS, HISTORY};

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
    })
}

/// Time-weighted average over `[end - window, end]` of the step function defined by the
/// history (each entry's price holds until the next entry). Errors if the oldest entry is
/// after the window start. Reads at most `HISTORY_CAPACITY` entries, newest first.
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
    let count = state.history_next.min(HISTORY_CAPACITY);
    let mut sum = Uint512::zero();
    let mut samples: u32 = 0;
    // End of the current segment: the time of the next newer entry, capped at `end`.
    let mut segment_end = end;
    let mut oldest: Option<u64> = None;
    let mut covered = false;
    for k in 0..count {
        // safe: k < count <= history_next, so the subtraction cannot underflow
        let seq = state.history_next - 1 - k;
        let entry = HISTORY.load(deps.storage, (asset_id.as_str(), seq % HISTORY_CAPACITY))?;
        oldest = Some(entry.time);
        if entry.time >= end {
            continue;
        }
        let from = entry.time.max(start);
        if segment_end > from {
            let dt = Uint512::from(segment_end - from);
            let weighted = Uint512::from(entry.price.atomics())
                .checked_mul(dt)
                .map_err(|_| ContractError::Overflow)?;
            sum = sum
                .checked_add(weighted)
                .map_err(|_| ContractError::Overflow)?;
            samples = samples.saturating_add(1);
        }
        segment_end = entry.time.min(segment_end);
        if entry.time <= start {
            covered = true;
            break;
        }
    }
    if !covered {
        return Err(ContractError::HistoryTooShort {
            asset_id,
            oldest: oldest.unwrap_or(now),
            start,
        });
    }
    let avg = sum
        .checked_div(Uint512::from(window_secs))
        .map_err(|_| ContractError::Overflow)?;
    let avg = Uint256::try_from(avg).map_err(|_| ContractError::Overflow)?;
    Ok(TwapResponse {
        asset_id,
        price: Decimal256::new(avg),
        start_time: start,
        end_time: end,
        samples,
    })
}
