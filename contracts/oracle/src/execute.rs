//! Execute handlers.

use cosmwasm_std::{
    to_json_binary, Binary, Decimal256, DepsMut, Env, Event, MessageInfo, Reply, Response,
    StdError, Storage, SubMsg, SubMsgResult, Uint256, WasmMsg,
};

use bulwark_types::circuit_breaker::ExecuteMsg as BreakerExecuteMsg;
use bulwark_types::oracle::{
    AssetConfig, DelayConfig, DelayedPrice, FeedPrice, MoveBlock, PriceRecord, Source,
    SourceStatus, FLAG_MOVE_BLOCKED, FLAG_PAUSED, HISTORY_CAPACITY, MAX_ADDRESS_BATCH,
    MAX_ASSET_ID_LEN, MAX_DELAY_SECS, MAX_FEEDERS, MAX_FEED_BATCH, MAX_FUTURE_SKEW_CAP_SECS,
    MAX_GUARDIANS, MAX_POKE_BATCH, MAX_REFRESH_BATCH, MAX_SOURCES_PER_ASSET, MAX_TRIP_TARGETS,
    MIN_DELAY_SECS, MOVE_ANCHOR_INTERVAL_SECS, PRICES, TWAP_CHECKPOINT_INTERVAL_SECS,
};
use bulwark_types::ownership::assert_owner;

use crate::aggregate::{aggregate, distance_bps, AggregatePrice, Params};
use crate::error::ContractError;
use crate::sources::gather;
use crate::state::{
    hop, AssetState, Config, DelayState, FeederObservation, HistoryEntry, Hop, ASSETS, ASSET_STATE,
    CHECKPOINTS, CONFIG, DELAYS, FEEDERS, FEEDER_OBS, LEGACY_HISTORY,
};

/// Reply id of a breaker `Trip` sub-message (reply on error only); payload = asset id.
pub const REPLY_TRIP: u64 = 1;
/// Longest Osmosis TWAP window accepted (Osmosis prunes TWAP records after 48 h).
pub const MAX_TWAP_WINDOW_SECS: u64 = 48 * 3600;

// ---------------------------------------------------------------------------------------------
// Administration

pub fn set_circuit_breaker(
    deps: DepsMut,
    info: MessageInfo,
    circuit_breaker: Option<String>,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    let mut config = CONFIG.load(deps.storage)?;
    config.circuit_breaker_addr = circuit_breaker
        .map(|a| deps.api.addr_validate(&a))
        .transpose()?;
    CONFIG.save(deps.storage, &config)?;
    Ok(Response::new()
        .add_attribute("action", "set_circuit_breaker")
        .add_attribute(
            "circuit_breaker",
            config
                .circuit_breaker_addr
                .map_or_else(|| "none".to_string(), |a| a.to_string()),
        ))
}

fn check_address_batch(add: &[String], remove: &[String]) -> Result<(), ContractError> {
    let len = add.len().saturating_add(remove.len());
    if len == 0 {
        return Err(ContractError::EmptyBatch);
    }
    if len > MAX_ADDRESS_BATCH {
        return Err(ContractError::BatchTooLarge {
            len,
            max: MAX_ADDRESS_BATCH,
        });
    }
    Ok(())
}

pub fn update_guardians(
    deps: DepsMut,
    info: MessageInfo,
    add: Vec<String>,
    remove: Vec<String>,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    check_address_batch(&add, &remove)?;
    let mut config = CONFIG.load(deps.storage)?;
    for a in &remove {
        let addr = deps.api.addr_validate(a)?;
        let before = config.guardians.len();
        config.guardians.retain(|g| *g != addr);
        if config.guardians.len() == before {
            return Err(ContractError::NotListed { addr: a.clone() });
        }
    }
    for a in &add {
        let addr = deps.api.addr_validate(a)?;
        if config.guardians.contains(&addr) {
            return Err(ContractError::AlreadyListed { addr: a.clone() });
        }
        config.guardians.push(addr);
    }
    if config.guardians.len() > MAX_GUARDIANS {
        return Err(ContractError::TooManyGuardians { max: MAX_GUARDIANS });
    }
    CONFIG.save(deps.storage, &config)?;
    Ok(Response::new()
        .add_attribute("action", "update_guardians")
        .add_attribute("guardians", config.guardians.len().to_string()))
}

pub fn validate_skew(secs: u64) -> Result<u64, ContractError> {
    if secs > MAX_FUTURE_SKEW_CAP_SECS {
        return Err(ContractError::SkewTooLarge {
            secs,
            max: MAX_FUTURE_SKEW_CAP_SECS,
        });
    }
    Ok(secs)
}

pub fn set_max_future_skew(
    deps: DepsMut,
    info: MessageInfo,
    max_future_skew_secs: u64,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    let mut config = CONFIG.load(deps.storage)?;
    config.max_future_skew_secs = validate_skew(max_future_skew_secs)?;
    CONFIG.save(deps.storage, &config)?;
    Ok(Response::new()
        .add_attribute("action", "set_max_future_skew")
        .add_attribute("max_future_skew_secs", max_future_skew_secs.to_string()))
}

pub fn update_feeders(
    deps: DepsMut,
    info: MessageInfo,
    add: Vec<String>,
    remove: Vec<String>,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    check_address_batch(&add, &remove)?;
    let mut config = CONFIG.load(deps.storage)?;
    for a in &remove {
        let addr = deps.api.addr_validate(a)?;
        if !FEEDERS.has(deps.storage, &addr) {
            return Err(ContractError::NotListed { addr: a.clone() });
        }
        FEEDERS.remove(deps.storage, &addr);
        config.feeder_count = config.feeder_count.saturating_sub(1);
    }
    for a in &add {
        let addr = deps.api.addr_validate(a)?;
        if FEEDERS.has(deps.storage, &addr) {
            return Err(ContractError::AlreadyListed { addr: a.clone() });
        }
        FEEDERS.save(deps.storage, &addr, &())?;
        config.feeder_count = config
            .feeder_count
            .checked_add(1)
            .ok_or(ContractError::Overflow)?;
    }
    if config.feeder_count > MAX_FEEDERS {
        return Err(ContractError::TooManyFeeders { max: MAX_FEEDERS });
    }
    CONFIG.save(deps.storage, &config)?;
    Ok(Response::new()
        .add_attribute("action", "update_feeders")
        .add_attribute("feeders", config.feeder_count.to_string()))
}

pub fn validate_asset_id(asset_id: &str) -> Result<(), ContractError> {
    if asset_id.is_empty() || asset_id.len() > MAX_ASSET_ID_LEN {
        return Err(ContractError::InvalidAssetId {
            reason: format!("length must be 1..={MAX_ASSET_ID_LEN} bytes"),
        });
    }
    if !asset_id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"._-/:".contains(&b))
    {
        return Err(ContractError::InvalidAssetId {
            reason: "only ASCII letters, digits and . _ - / : are allowed".to_string(),
        });
    }
    Ok(())
}

fn invalid(reason: &str) -> ContractError {
    ContractError::InvalidAssetConfig {
        reason: reason.to_string(),
    }
}

fn validate_source(deps: &DepsMut, index: usize, source: &Source) -> Result<Source, ContractError> {
    let bad = |reason: &str| ContractError::InvalidSource {
        index,
        reason: reason.to_string(),
    };
    Ok(match source {
        Source::Feeder {
            feeder_addr,
            max_age_secs,
        } => {
            let feeder_addr = deps.api.addr_validate(feeder_addr.as_str())?;
            if !FEEDERS.has(deps.storage, &feeder_addr) {
                return Err(bad("feeder is not whitelisted"));
            }
            if *max_age_secs == 0 {
                return Err(bad("max_age_secs must be positive"));
            }
            Source::Feeder {
                feeder_addr,
                max_age_secs: *max_age_secs,
            }
        }
        Source::Pyth {
            contract_addr,
            feed_id,
            max_age_secs,
            max_conf_bps,
            max_ema_deviation_bps,
        } => {
            let contract_addr = deps.api.addr_validate(contract_addr.as_str())?;
            if feed_id.len() != 64 || !feed_id.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(bad("feed_id must be 64 hex characters without 0x"));
            }
            if *max_age_secs == 0 {
                return Err(bad("max_age_secs must be positive"));
            }
            if *max_conf_bps > 10_000 || max_ema_deviation_bps.is_some_and(|b| b > 10_000) {
                return Err(bad("bps bounds must be at most 10000"));
            }
            Source::Pyth {
                contract_addr,
                feed_id: feed_id.to_ascii_lowercase(),
                max_age_secs: *max_age_secs,
                max_conf_bps: *max_conf_bps,
                max_ema_deviation_bps: *max_ema_deviation_bps,
            }
        }
        Source::OsmosisTwap {
            pool_id,
            base_denom,
            quote_denom,
            window_secs,
            kind,
        } => {
            if *pool_id == 0 || base_denom.is_empty() || quote_denom.is_empty() {
                return Err(bad("pool id and denoms are required"));
            }
            if base_denom == quote_denom {
                return Err(bad("base and quote denoms must differ"));
            }
            if *window_secs == 0 || *window_secs > MAX_TWAP_WINDOW_SECS {
                return Err(bad("window_secs must be 1..=172800"));
            }
            Source::OsmosisTwap {
                pool_id: *pool_id,
                base_denom: base_denom.clone(),
                quote_denom: quote_denom.clone(),
                window_secs: *window_secs,
                kind: *kind,
            }
        }
        Source::Fixed { price } => {
            if price.is_zero() {
                return Err(bad("a fixed price must be positive"));
            }
            Source::Fixed { price: *price }
        }
    })
}

/// Two sources are the same if one market event moves both: the same feeder, the same Pyth
/// feed, the same Osmosis pool, or two fixed prices.
fn same_source(a: &Source, b: &Source) -> bool {
    match (a, b) {
        (Source::Feeder { feeder_addr: x, .. }, Source::Feeder { feeder_addr: y, .. }) => x == y,
        (Source::Pyth { feed_id: x, .. }, Source::Pyth { feed_id: y, .. }) => x == y,
        (Source::OsmosisTwap { pool_id: x, .. }, Source::OsmosisTwap { pool_id: y, .. }) => x == y,
        (Source::Fixed { .. }, Source::Fixed { .. }) => true,
        _ => false,
    }
}

pub fn set_asset(
    deps: DepsMut,
    info: MessageInfo,
    asset: AssetConfig,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    validate_asset_id(&asset.asset_id)?;
    if asset.quote.is_empty() || asset.quote.len() > MAX_ASSET_ID_LEN {
        return Err(invalid("quote must be 1..=64 bytes"));
    }
    if asset.base_decimals > 18 || asset.quote_decimals > 18 {
        return Err(invalid("decimals must be at most 18"));
    }
    if asset.sources.is_empty() || asset.sources.len() > MAX_SOURCES_PER_ASSET {
        return Err(invalid("an asset needs 1..=8 sources"));
    }
    if asset.quorum == 0 || usize::from(asset.quorum) > asset.sources.len() {
        return Err(invalid("quorum must be 1..=number of sources"));
    }
    if asset.max_deviation_bps > 10_000 {
        return Err(invalid("max_deviation_bps must be at most 10000"));
    }
    if let Some(mm) = &asset.max_move {
        if mm.max_bps == 0 || mm.min_bps > mm.max_bps {
            return Err(invalid("max_move needs 0 < max_bps and min_bps <= max_bps"));
        }
    }
    if asset.trip_targets.len() > MAX_TRIP_TARGETS {
        return Err(invalid("at most 4 trip targets"));
    }
    let mut sources: Vec<Source> = Vec::with_capacity(asset.sources.len());
    for (index, source) in asset.sources.iter().enumerate() {
        let source = validate_source(&deps, index, source)?;
        if sources.iter().any(|s| same_source(s, &source)) {
            return Err(ContractError::DuplicateSource { index });
        }
        sources.push(source);
    }
    let mut trip_targets = asset.trip_targets.clone();
    for target in &mut trip_targets {
        use bulwark_types::circuit_breaker::Scope;
        match &mut target.scope {
            Scope::Global => {}
            Scope::Contract { contract_addr } | Scope::Market { contract_addr, .. } => {
                *contract_addr = deps.api.addr_validate(contract_addr.as_str())?;
            }
        }
    }
    if let Some(existing) = ASSETS.may_load(deps.storage, &asset.asset_id)? {
        if existing.quote != asset.quote
            || existing.base_decimals != asset.base_decimals
            || existing.quote_decimals != asset.quote_decimals
        {
            return Err(ContractError::AssetUnitChanged {
                asset_id: asset.asset_id,
            });
        }
        // A dropped feeder's observation must not come back if it is re-added later.
        // Bounded by MAX_SOURCES_PER_ASSET.
        for old in &existing.sources {
            if let Source::Feeder { feeder_addr, .. } = old {
                if !sources.iter().any(|s| same_source(s, old)) {
                    FEEDER_OBS.remove(deps.storage, (asset.asset_id.as_str(), feeder_addr));
                }
            }
        }
    } else {
        ASSET_STATE.save(deps.storage, &asset.asset_id, &AssetState::default())?;
    }
    let config = AssetConfig {
        sources,
        trip_targets,
        ..asset
    };
    ASSETS.save(deps.storage, &config.asset_id, &config)?;
    Ok(Response::new()
        .add_attribute("action", "set_asset")
        .add_attribute("asset_id", config.asset_id))
}

fn load_asset(storage: &dyn Storage, asset_id: &str) -> Result<AssetConfig, ContractError> {
    ASSETS
        .may_load(storage, asset_id)?
        .ok_or_else(|| ContractError::UnknownAsset {
            asset_id: asset_id.to_string(),
        })
}

pub fn remove_asset(
    deps: DepsMut,
    info: MessageInfo,
    asset_id: String,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    let asset = load_asset(deps.storage, &asset_id)?;
    let state = ASSET_STATE
        .may_load(deps.storage, &asset_id)?
        .unwrap_or_default();
    // Bounded: ≤ MAX_SOURCES_PER_ASSET feeders and ≤ HISTORY_CAPACITY slots per ring.
    for source in &asset.sources {
        if let Source::Feeder { feeder_addr, .. } = source {
            FEEDER_OBS.remove(deps.storage, (asset_id.as_str(), feeder_addr));
        }
    }
    for slot in 0..state.ckpt_next.min(HISTORY_CAPACITY) {
        CHECKPOINTS.remove(deps.storage, (asset_id.as_str(), slot));
    }
    for slot in 0..state.history_next.min(HISTORY_CAPACITY) {
        LEGACY_HISTORY.remove(deps.storage, (asset_id.as_str(), slot));
    }
    PRICES.remove(deps.storage, &asset_id);
    DELAYS.remove(deps.storage, &asset_id);
    ASSET_STATE.remove(deps.storage, &asset_id);
    ASSETS.remove(deps.storage, &asset_id);
    Ok(Response::new()
        .add_attribute("action", "remove_asset")
        .add_attribute("asset_id", asset_id))
}

pub fn pause_asset(
    deps: DepsMut,
    info: MessageInfo,
    asset_id: String,
) -> Result<Response, ContractError> {
    guardian_or_owner(deps.storage, &info.sender)?;
    load_asset(deps.storage, &asset_id)?;
    let mut state = ASSET_STATE
        .may_load(deps.storage, &asset_id)?
        .unwrap_or_default();
    if state.paused {
        return Err(ContractError::AssetPaused { asset_id });
    }
    state.paused = true;
    // A TWAP window overlapping the pause is refused.
    state.disruptions = state
        .disruptions
        .checked_add(1)
        .ok_or(ContractError::Overflow)?;
    ASSET_STATE.save(deps.storage, &asset_id, &state)?;
    if let Some(mut record) = PRICES.may_load(deps.storage, &asset_id)? {
        record.flags |= FLAG_PAUSED;
        PRICES.save(deps.storage, &asset_id, &record)?;
    }
    Ok(Response::new()
        .add_attribute("action", "pause_asset")
        .add_attribute("asset_id", asset_id)
        .add_attribute("by", info.sender))
}

pub fn unpause_asset(
    deps: DepsMut,
    info: MessageInfo,
    asset_id: String,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    load_asset(deps.storage, &asset_id)?;
    let mut state = ASSET_STATE
        .may_load(deps.storage, &asset_id)?
        .unwrap_or_default();
    if !state.paused {
        return Err(ContractError::AssetNotPaused { asset_id });
    }
    state.paused = false;
    ASSET_STATE.save(deps.storage, &asset_id, &state)?;
    if let Some(mut record) = PRICES.may_load(deps.storage, &asset_id)? {
        record.flags &= !FLAG_PAUSED;
        PRICES.save(deps.storage, &asset_id, &record)?;
    }
    Ok(Response::new()
        .add_attribute("action", "unpause_asset")
        .add_attribute("asset_id", asset_id))
}

pub fn reset_move_reference(
    deps: DepsMut,
    info: MessageInfo,
    asset_id: String,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    load_asset(deps.storage, &asset_id)?;
    let mut state = ASSET_STATE
        .may_load(deps.storage, &asset_id)?
        .unwrap_or_default();
    state.skip_move_check_once = true;
    ASSET_STATE.save(deps.storage, &asset_id, &state)?;
    Ok(Response::new()
        .add_attribute("action", "reset_move_reference")
        .add_attribute("asset_id", asset_id))
}

// ---------------------------------------------------------------------------------------------
// Publication

fn check_batch<'a>(
    ids: impl Iterator<Item = &'a str> + Clone,
    max: usize,
) -> Result<(), ContractError> {
    let len = ids.clone().count();
    if len == 0 {
        return Err(ContractError::EmptyBatch);
    }
    if len > max {
        return Err(ContractError::BatchTooLarge { len, max });
    }
    // O(n²) over at most `max` (16) ids.
    for (i, id) in ids.clone().enumerate() {
        if ids.clone().skip(i + 1).any(|other| other == id) {
            return Err(ContractError::DuplicateAsset {
                asset_id: id.to_string(),
            });
        }
    }
    Ok(())
}

/// The outcome of one asset's aggregation in an execute path.
enum Outcome {
    Published(PriceRecord),
    /// An asset with an OSM delay accepted the aggregate `latest` and ran the hop rule; the
    /// record (if any) carries the delayed current value.
    Delayed {
        latest: Decimal256,
        hop: Hop,
        record: Option<PriceRecord>,
    },
    /// Same price and publish time as the record: nothing rewritten.
    Unchanged(PriceRecord),
    MoveBlocked(MoveBlock),
    QuorumNotMet {
        accepted: u8,
        reasons: String,
    },
    Paused,
}

fn rejection_summary(asset: &AssetConfig, statuses: &[SourceStatus]) -> String {
    statuses
        .iter()
        .enumerate()
        .filter_map(|(i, s)| match s {
            SourceStatus::Accepted => None,
            SourceStatus::Rejected(r) => {
                Some(format!("#{i} {}: {r:?}", source_kind(&asset.sources[i])))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn source_kind(source: &Source) -> &'static str {
    match source {
        Source::Feeder { .. } => "feeder",
        Source::Pyth { .. } => "pyth",
        Source::OsmosisTwap { .. } => "osmosis_twap",
        Source::Fixed { .. } => "fixed",
    }
}

/// `price × dt` in atomics. Wrapping on purpose (Uniswap v2 style): only differences of
/// cumulatives are used, and an overflow must never stop publication.
pub fn price_dt(price: Decimal256, dt: u64) -> Uint256 {
    price.atomics().wrapping_mul(Uint256::from(dt))
}

/// Accrues the cumulative price to `now` and starts `price`; writes a TWAP checkpoint when the
/// last one is at least `TWAP_CHECKPOINT_INTERVAL_SECS` old (or updates a checkpoint of this
/// block). At most two storage reads/writes: no loop.
fn accrue_price_change(
    storage: &mut dyn Storage,
    asset_id: &str,
    state: &mut AssetState,
    price: Decimal256,
    now: u64,
) -> Result<(), ContractError> {
    if let Some(p) = state.cum_price {
        state.cumulative = state
            .cumulative
            .wrapping_add(price_dt(p, now.saturating_sub(state.cum_time)));
    }
    let before = state.cum_price.unwrap_or(price);
    state.cum_price = Some(price);
    state.cum_time = now;
    if let Some(last_seq) = state.ckpt_next.checked_sub(1) {
        let key = (asset_id, last_seq % HISTORY_CAPACITY);
        let mut last = CHECKPOINTS.load(storage, key)?;
        if last.time == now {
            // The block's last price holds from this checkpoint on.
            last.price = price;
            CHECKPOINTS.save(storage, key, &last)?;
            return Ok(());
        }
        if now < last.time.saturating_add(TWAP_CHECKPOINT_INTERVAL_SECS) {
            return Ok(());
        }
    }
    CHECKPOINTS.save(
        storage,
        (asset_id, state.ckpt_next % HISTORY_CAPACITY),
        &HistoryEntry {
            price,
            time: now,
            before,
            cumulative: state.cumulative,
            disruptions: state.disruptions,
        },
    )?;
    state.ckpt_next = state
        .ckpt_next
        .checked_add(1)
        .ok_or(ContractError::Overflow)?;
    Ok(())
}

/// Aggregates `asset` and publishes, or records why not. Adds messages and events to `res`.
fn refresh_asset(
    deps: &mut DepsMut,
    env: &Env,
    config: &Config,
    asset: &AssetConfig,
    res: &mut Response,
) -> Result<Outcome, ContractError> {
    let asset_id = asset.asset_id.as_str();
    let mut state = ASSET_STATE
        .may_load(deps.storage, asset_id)?
        .unwrap_or_default();
    if state.paused {
        return Ok(Outcome::Paused);
    }
    let now = env.block.time.seconds();
    let inputs = gather(deps.as_ref(), env, asset);
    let agg = aggregate(
        &inputs,
        &Params {
            now,
            max_future_skew_secs: config.max_future_skew_secs,
            max_deviation_bps: asset.max_deviation_bps,
            quorum: asset.quorum,
        },
    );
    let Some(AggregatePrice {
        price,
        publish_time,
        sources_used,
    }) = agg.price
    else {
        return Ok(Outcome::QuorumNotMet {
            accepted: agg.accepted,
            reasons: rejection_summary(asset, &agg.statuses),
        });
    };

    let last = PRICES.may_load(deps.storage, asset_id)?;
    // Measured against the anchor, which moves at most once per minute, so stacking many
    // publications in one block or minute gains nothing. State from before anchors existed
    // falls back to the last accepted price. (With an OSM delay the anchor follows the latest
    // accepted aggregate, not the delayed record.)
    let anchor = match state.anchor_price {
        Some(p) => Some((p, state.anchor_time)),
        None => last.as_ref().map(|l| (l.price, state.last_stored_time)),
    };
    if let (Some(mm), Some((anchor_price, anchor_time)), false) =
        (&asset.max_move, anchor, state.skip_move_check_once)
    {
        let elapsed = now.saturating_sub(anchor_time);
        let allowed_bps = (u64::from(mm.bps_per_minute).saturating_mul(elapsed) / 60)
            .saturating_add(u64::from(mm.min_bps))
            .min(u64::from(mm.max_bps));
        let move_bps = distance_bps(price, anchor_price);
        if move_bps > allowed_bps {
            let retry_trip = match &state.move_block {
                None => true,
                Some(previous) => previous.trip_error.is_some(),
            };
            if state.move_block.is_none() {
                state.disruptions = state
                    .disruptions
                    .checked_add(1)
                    .ok_or(ContractError::Overflow)?;
            }
            let block = MoveBlock {
                attempted_price: price,
                reference_price: anchor_price,
                move_bps,
                allowed_bps,
                time: now,
                block_height: env.block.height,
                trip_error: if retry_trip {
                    None
                } else {
                    state.move_block.as_ref().and_then(|b| b.trip_error.clone())
                },
            };
            state.move_block = Some(block.clone());
            ASSET_STATE.save(deps.storage, asset_id, &state)?;
            if let Some(mut last) = last.filter(|l| !l.is_move_blocked()) {
                // Only the flag changes: the value and its block height stay.
                last.flags |= FLAG_MOVE_BLOCKED;
                PRICES.save(deps.storage, asset_id, &last)?;
            }
            *res = std::mem::take(res).add_event(
                Event::new("bulwark_oracle_move_blocked")
                    .add_attribute("asset_id", asset_id)
                    .add_attribute("attempted_price", price.to_string())
                    .add_attribute("reference_price", anchor_price.to_string())
                    .add_attribute("move_bps", move_bps.to_string())
                    .add_attribute("allowed_bps", allowed_bps.to_string()),
            );
            if let (true, Some(breaker)) = (retry_trip, &config.circuit_breaker_addr) {
                for target in &asset.trip_targets {
                    let msg = WasmMsg::Execute {
                        contract_addr: breaker.to_string(),
                        msg: to_json_binary(&BreakerExecuteMsg::Trip {
                            scope: target.scope.clone(),
                            level: target.level,
                            reason: format!(
                                "oracle: {asset_id} moved {move_bps} bps, allowed {allowed_bps}"
                            ),
                        })?,
                        funds: vec![],
                    };
                    *res = std::mem::take(res).add_submessage(
                        SubMsg::reply_on_error(msg, REPLY_TRIP)
                            .with_payload(Binary::from(asset_id.as_bytes())),
                    );
                }
            }
            return Ok(Outcome::MoveBlocked(block));
        }
    }

    if let Some(delay) = DELAYS.may_load(deps.storage, asset_id)? {
        let accepted = AggregatePrice {
            price,
            publish_time,
            sources_used,
        };
        return publish_delayed(deps.storage, env, asset_id, state, delay, last, &accepted);
    }

    let height = env.block.height;
    let price_changed = last.as_ref().is_none_or(|r| r.price != price);
    let value_changed = price_changed
        || last
            .as_ref()
            .is_some_and(|r| r.publish_time != publish_time);
    let record = match last {
        Some(mut r) if !value_changed => {
            // Nothing new: the record (and its block height) stays, so a re-publication
            // cannot make the value "current block"; only a stale block flag is cleared.
            if r.is_move_blocked() {
                r.flags &= !FLAG_MOVE_BLOCKED;
                PRICES.save(deps.storage, asset_id, &r)?;
            }
            r
        }
        last => store_value(
            deps.storage,
            asset_id,
            last,
            &AggregatePrice {
                price,
                publish_time,
                sources_used,
            },
            height,
            0,
        )?,
    };
    if price_changed {
        accrue_price_change(deps.storage, asset_id, &mut state, price, now)?;
        state.last_stored_time = now;
    }
    let anchor_due = state.anchor_price.is_none()
        || state.skip_move_check_once
        || (price_changed && now >= state.anchor_time.saturating_add(MOVE_ANCHOR_INTERVAL_SECS));
    if anchor_due {
        state.anchor_price = Some(price);
        state.anchor_time = now;
    }
    let state_changed = price_changed || anchor_due || state.move_block.is_some();
    if state_changed {
        state.skip_move_check_once = false;
        state.move_block = None;
        ASSET_STATE.save(deps.storage, asset_id, &state)?;
    }
    if value_changed {
        Ok(Outcome::Published(record))
    } else {
        Ok(Outcome::Unchanged(record))
    }
}

/// Stores a new value in the record, keeping the previous block's value in `P/T/H`:
/// consumers use it while this block lasts.
fn store_value(
    storage: &mut dyn Storage,
    asset_id: &str,
    last: Option<PriceRecord>,
    value: &AggregatePrice,
    height: u64,
    flags: u8,
) -> Result<PriceRecord, ContractError> {
    let (prev_price, prev_publish_time, prev_block_height) = match &last {
        Some(r) if r.block_height < height => {
            (Some(r.price), Some(r.publish_time), Some(r.block_height))
        }
        Some(r) => (r.prev_price, r.prev_publish_time, r.prev_block_height),
        None => (None, None, None),
    };
    let record = PriceRecord {
        price: value.price,
        publish_time: value.publish_time,
        block_height: height,
        sources_used: value.sources_used,
        flags,
        prev_price,
        prev_publish_time,
        prev_block_height,
    };
    PRICES.save(storage, asset_id, &record)?;
    Ok(record)
}

/// Publication of an asset with an OSM delay, after the max-move check accepted `accepted`:
/// `accepted` becomes the latest aggregate (and the max-move anchor follows it as without a
/// delay), then the hop rule runs and the record is brought to the delayed current value.
fn publish_delayed(
    storage: &mut dyn Storage,
    env: &Env,
    asset_id: &str,
    mut state: AssetState,
    mut delay: DelayState,
    last: Option<PriceRecord>,
    accepted: &AggregatePrice,
) -> Result<Outcome, ContractError> {
    let now = env.block.time.seconds();
    let price_changed = delay
        .latest
        .as_ref()
        .is_none_or(|l| l.price != accepted.price);
    let value_changed = price_changed
        || delay
            .latest
            .as_ref()
            .is_some_and(|l| l.publish_time != accepted.publish_time);
    if value_changed {
        delay.latest = Some(DelayedPrice {
            price: accepted.price,
            publish_time: accepted.publish_time,
            sources_used: accepted.sources_used,
            since: now,
        });
    }
    if price_changed {
        state.last_stored_time = now;
    }
    let anchor_due = state.anchor_price.is_none()
        || state.skip_move_check_once
        || (price_changed && now >= state.anchor_time.saturating_add(MOVE_ANCHOR_INTERVAL_SECS));
    if anchor_due {
        state.anchor_price = Some(accepted.price);
        state.anchor_time = now;
    }
    state.skip_move_check_once = false;
    state.move_block = None;
    let hop = hop(&mut delay, now);
    let record = publish_current(storage, env, asset_id, &mut state, &delay, last)?;
    ASSET_STATE.save(storage, asset_id, &state)?;
    DELAYS.save(storage, asset_id, &delay)?;
    Ok(Outcome::Delayed {
        latest: accepted.price,
        hop,
        record,
    })
}

/// Brings the record of a delayed asset to its `current` value (no rewrite when the value is
/// the same, as without a delay, so the block height stays) and keeps its flags in line with
/// the asset state. A price change of the record accrues the TWAP: the TWAP follows the
/// published (delayed) price.
fn publish_current(
    storage: &mut dyn Storage,
    env: &Env,
    asset_id: &str,
    state: &mut AssetState,
    delay: &DelayState,
    last: Option<PriceRecord>,
) -> Result<Option<PriceRecord>, ContractError> {
    let mut flags = 0;
    if state.paused {
        flags |= FLAG_PAUSED;
    }
    if state.move_block.is_some() {
        flags |= FLAG_MOVE_BLOCKED;
    }
    let current = match &delay.current {
        Some(c)
            if last
                .as_ref()
                .is_none_or(|r| r.price != c.price || r.publish_time != c.publish_time) =>
        {
            c
        }
        _ => {
            // Nothing new to publish: only the flags may need an update.
            return Ok(match last {
                Some(mut r) if r.flags != flags => {
                    r.flags = flags;
                    PRICES.save(storage, asset_id, &r)?;
                    Some(r)
                }
                last => last,
            });
        }
    };
    let price_changed = last.as_ref().is_none_or(|r| r.price != current.price);
    let record = store_value(
        storage,
        asset_id,
        last,
        &AggregatePrice {
            price: current.price,
            publish_time: current.publish_time,
            sources_used: current.sources_used,
        },
        env.block.height,
        flags,
    )?;
    if price_changed {
        accrue_price_change(
            storage,
            asset_id,
            state,
            current.price,
            env.block.time.seconds(),
        )?;
    }
    Ok(Some(record))
}

fn guardian_or_owner(
    storage: &dyn Storage,
    sender: &cosmwasm_std::Addr,
) -> Result<(), ContractError> {
    let config = CONFIG.load(storage)?;
    if !config.guardians.contains(sender) && assert_owner(storage, sender).is_err() {
        return Err(ContractError::NotGuardian);
    }
    Ok(())
}

/// Owner: set, change or remove the OSM delay of an asset.
pub fn set_asset_delay(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    asset_id: String,
    delay: Option<DelayConfig>,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    load_asset(deps.storage, &asset_id)?;
    let res = Response::new()
        .add_attribute("action", "set_asset_delay")
        .add_attribute("asset_id", asset_id.as_str());
    let Some(DelayConfig { delay_secs }) = delay else {
        if !DELAYS.has(deps.storage, &asset_id) {
            return Err(ContractError::NoDelay { asset_id });
        }
        // The record keeps the delayed value until the next publication publishes directly.
        DELAYS.remove(deps.storage, &asset_id);
        return Ok(res.add_attribute("delay_secs", "none"));
    };
    if !(MIN_DELAY_SECS..=MAX_DELAY_SECS).contains(&delay_secs) {
        return Err(ContractError::InvalidDelay {
            delay_secs,
            min: MIN_DELAY_SECS,
            max: MAX_DELAY_SECS,
        });
    }
    let state = match DELAYS.may_load(deps.storage, &asset_id)? {
        // The new delay applies to the queued next too.
        Some(existing) => DelayState {
            delay_secs,
            ..existing
        },
        // The published value stays published: it becomes the delayed current.
        None => DelayState {
            delay_secs,
            current: PRICES
                .may_load(deps.storage, &asset_id)?
                .map(|r| DelayedPrice {
                    price: r.price,
                    publish_time: r.publish_time,
                    sources_used: r.sources_used,
                    since: env.block.time.seconds(),
                }),
            next: None,
            latest: None,
        },
    };
    DELAYS.save(deps.storage, &asset_id, &state)?;
    Ok(res.add_attribute("delay_secs", delay_secs.to_string()))
}

/// Anyone: run the hop rule of delayed assets with their latest accepted aggregate.
pub fn poke(deps: DepsMut, env: Env, asset_ids: Vec<String>) -> Result<Response, ContractError> {
    check_batch(asset_ids.iter().map(String::as_str), MAX_POKE_BATCH)?;
    let now = env.block.time.seconds();
    let mut res = Response::new().add_attribute("action", "poke");
    // Bounded by MAX_POKE_BATCH; an error reverts the whole message.
    for asset_id in &asset_ids {
        load_asset(deps.storage, asset_id)?;
        let mut delay =
            DELAYS
                .may_load(deps.storage, asset_id)?
                .ok_or_else(|| ContractError::NoDelay {
                    asset_id: asset_id.clone(),
                })?;
        let mut state = ASSET_STATE
            .may_load(deps.storage, asset_id)?
            .unwrap_or_default();
        if state.paused {
            return Err(ContractError::AssetPaused {
                asset_id: asset_id.clone(),
            });
        }
        let hop = hop(&mut delay, now);
        let mut ev = Event::new("bulwark_oracle_poke")
            .add_attribute("asset_id", asset_id)
            .add_attribute("result", hop.as_str());
        if matches!(hop, Hop::Promoted | Hop::Queued) {
            let last = PRICES.may_load(deps.storage, asset_id)?;
            let record = publish_current(deps.storage, &env, asset_id, &mut state, &delay, last)?;
            ASSET_STATE.save(deps.storage, asset_id, &state)?;
            DELAYS.save(deps.storage, asset_id, &delay)?;
            if let Some(r) = record {
                ev = ev.add_attribute("price", r.price.to_string());
            }
        }
        if let (Some(next), Some(at)) = (&delay.next, delay.next_current_at()) {
            ev = ev
                .add_attribute("next_price", next.price.to_string())
                .add_attribute("next_current_at", at.to_string());
        }
        res = res.add_event(ev);
    }
    Ok(res)
}

/// Owner or guardian: discard the queued next (and the latest aggregate) of a delayed asset.
pub fn void_next(
    deps: DepsMut,
    info: MessageInfo,
    asset_id: String,
) -> Result<Response, ContractError> {
    guardian_or_owner(deps.storage, &info.sender)?;
    load_asset(deps.storage, &asset_id)?;
    let mut delay =
        DELAYS
            .may_load(deps.storage, &asset_id)?
            .ok_or_else(|| ContractError::NoDelay {
                asset_id: asset_id.clone(),
            })?;
    let Some(voided) = delay.next.take() else {
        return Err(ContractError::NothingToVoid { asset_id });
    };
    // Not queued again by the next hop; a later publication starts a new, full delay.
    delay.latest = None;
    DELAYS.save(deps.storage, &asset_id, &delay)?;
    Ok(Response::new()
        .add_attribute("action", "void_next")
        .add_attribute("asset_id", asset_id.as_str())
        .add_attribute("by", info.sender.as_str())
        .add_event(
            Event::new("bulwark_oracle_next_voided")
                .add_attribute("asset_id", asset_id)
                .add_attribute("voided_price", voided.price.to_string())
                .add_attribute("voided_publish_time", voided.publish_time.to_string())
                .add_attribute("by", info.sender),
        ))
}

fn outcome_event(asset_id: &str, outcome: &Outcome) -> Event {
    let ev = Event::new("bulwark_oracle_price").add_attribute("asset_id", asset_id);
    match outcome {
        Outcome::Published(r) => ev
            .add_attribute("result", "published")
            .add_attribute("price", r.price.to_string())
            .add_attribute("publish_time", r.publish_time.to_string())
            .add_attribute("sources_used", r.sources_used.to_string()),
        Outcome::MoveBlocked(b) => ev
            .add_attribute("result", "move_blocked")
            .add_attribute("attempted_price", b.attempted_price.to_string()),
        Outcome::QuorumNotMet { accepted, reasons } => ev
            .add_attribute("result", "quorum_not_met")
            .add_attribute("accepted", accepted.to_string())
            .add_attribute("rejections", reasons.clone()),
        Outcome::Unchanged(r) => ev
            .add_attribute("result", "unchanged")
            .add_attribute("price", r.price.to_string()),
        Outcome::Delayed {
            latest,
            hop,
            record,
        } => {
            let ev = ev
                .add_attribute("result", "delayed")
                .add_attribute("latest_price", latest.to_string())
                .add_attribute("hop", hop.as_str());
            match record {
                Some(r) => ev.add_attribute("price", r.price.to_string()),
                None => ev,
            }
        }
        Outcome::Paused => ev.add_attribute("result", "paused"),
    }
}

pub fn refresh(
    mut deps: DepsMut,
    env: Env,
    assets: Vec<String>,
) -> Result<Response, ContractError> {
    check_batch(assets.iter().map(String::as_str), MAX_REFRESH_BATCH)?;
    let config = CONFIG.load(deps.storage)?;
    let mut res = Response::new().add_attribute("action", "refresh");
    for asset_id in &assets {
        let asset = load_asset(deps.storage, asset_id)?;
        let outcome = refresh_asset(&mut deps, &env, &config, &asset, &mut res)?;
        match outcome {
            Outcome::Paused => {
                return Err(ContractError::AssetPaused {
                    asset_id: asset_id.clone(),
                })
            }
            Outcome::QuorumNotMet { accepted, reasons } => {
                return Err(ContractError::QuorumLost {
                    asset_id: asset_id.clone(),
                    accepted,
                    quorum: asset.quorum,
                    reasons,
                })
            }
            outcome => res = res.add_event(outcome_event(asset_id, &outcome)),
        }
    }
    Ok(res)
}

fn positive_price(fp: &FeedPrice) -> Result<Decimal256, ContractError> {
    let err = || ContractError::NonPositivePrice {
        asset_id: fp.asset_id.clone(),
    };
    if fp.price.is_negative() || fp.price.is_zero() {
        return Err(err());
    }
    Decimal256::try_from(fp.price).map_err(|_| err())
}

pub fn feed(
    mut deps: DepsMut,
    env: Env,
    info: MessageInfo,
    prices: Vec<FeedPrice>,
) -> Result<Response, ContractError> {
    if !FEEDERS.has(deps.storage, &info.sender) {
        return Err(ContractError::UnauthorizedFeeder {
            sender: info.sender.to_string(),
        });
    }
    check_batch(prices.iter().map(|p| p.asset_id.as_str()), MAX_FEED_BATCH)?;
    let config = CONFIG.load(deps.storage)?;
    let now = env.block.time.seconds();
    // Validate and store every observation first, so that a bad entry stores nothing.
    let mut assets = Vec::with_capacity(prices.len());
    for fp in &prices {
        let asset = load_asset(deps.storage, &fp.asset_id)?;
        let max_age_secs = asset
            .sources
            .iter()
            .find_map(|s| match s {
                Source::Feeder {
                    feeder_addr,
                    max_age_secs,
                } if *feeder_addr == info.sender => Some(*max_age_secs),
                _ => None,
            })
            .ok_or_else(|| ContractError::FeederNotSource {
                asset_id: fp.asset_id.clone(),
            })?;
        let price = positive_price(fp)?;
        if fp.publish_time > now.saturating_add(config.max_future_skew_secs) {
            return Err(ContractError::FromFuture {
                asset_id: fp.asset_id.clone(),
                publish_time: fp.publish_time,
                now,
            });
        }
        let publish_time = fp.publish_time.min(now);
        let age_secs = now - publish_time;
        if age_secs > max_age_secs {
            return Err(ContractError::Stale {
                asset_id: fp.asset_id.clone(),
                publish_time: fp.publish_time,
                age_secs,
                max_age_secs,
            });
        }
        let key = (fp.asset_id.as_str(), &info.sender);
        if let Some(prev) = FEEDER_OBS.may_load(deps.storage, key)? {
            if publish_time < prev.publish_time {
                return Err(ContractError::OutOfOrder {
                    asset_id: fp.asset_id.clone(),
                    publish_time: fp.publish_time,
                    last: prev.publish_time,
                });
            }
        }
        FEEDER_OBS.save(
            deps.storage,
            key,
            &FeederObservation {
                price,
                publish_time,
            },
        )?;
        assets.push(asset);
    }
    let mut res = Response::new()
        .add_attribute("action", "feed")
        .add_attribute("feeder", info.sender.as_str());
    for asset in &assets {
        // A feed that does not complete a quorum, or feeds a paused asset, still records the
        // feeder's observation: the next feeder's push can then complete the quorum.
        let outcome = refresh_asset(&mut deps, &env, &config, asset, &mut res)?;
        res = res.add_event(outcome_event(&asset.asset_id, &outcome));
    }
    Ok(res)
}

/// Records a failed breaker `Trip` (the oracle's refusal bookkeeping stays committed).
pub fn reply(deps: DepsMut, msg: Reply) -> Result<Response, ContractError> {
    if msg.id != REPLY_TRIP {
        return Err(ContractError::UnknownReply { id: msg.id });
    }
    let error = match msg.result {
        SubMsgResult::Err(e) => e,
        SubMsgResult::Ok(_) => return Ok(Response::new().add_attribute("action", "trip_ok")),
    };
    let asset_id = String::from_utf8(msg.payload.to_vec())
        .map_err(|_| StdError::generic_err("trip reply payload is not an asset id"))?;
    if let Some(mut state) = ASSET_STATE.may_load(deps.storage, &asset_id)? {
        if let Some(block) = state.move_block.as_mut() {
            block.trip_error = Some(error.clone());
            ASSET_STATE.save(deps.storage, &asset_id, &state)?;
        }
    }
    Ok(Response::new()
        .add_attribute("action", "trip_failed")
        .add_attribute("asset_id", asset_id)
        .add_attribute("error", error))
}
