//! Query handlers of the circuit breaker.

use cosmwasm_std::{Addr, Binary, Deps, Env, Order, StdResult, Timestamp, Uint128};
use cw_storage_plus::Bound;

use bulwark_types::circuit_breaker::{
    action_status_with, actions_in_mask, contract_mode_key, market_mode_key, scope_tag,
    ActionClass, ActionStatusResponse, CompactMode, ConfigResponse, EffectiveModeResponse,
    HistoryEntry, Level, RateLimitResponse, ReporterResponse, Scope, ScopeRecord,
    ScopeStateResponse, GLOBAL_MODE_KEY,
};

use crate::error::ContractError;
use crate::execute::{
    channel_key, load_scope, quota, roll, used, validate_denom, validate_market_id, validate_scope,
};
use crate::state::{
    CONFIG, DEFAULT_LIMIT, GUARDIANS, HISTORY, HISTORY_NEXT, MAX_LIMIT, RATE_LIMITS, REPORTERS,
    SCOPES,
};

fn limit_of(limit: Option<u32>) -> usize {
    limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT) as usize
}

pub fn config(deps: Deps) -> Result<ConfigResponse, ContractError> {
    let c = CONFIG.load(deps.storage)?;
    Ok(ConfigResponse {
        cooldown_secs: c.cooldown_secs,
        liquidation_grace_secs: c.liquidation_grace_secs,
        history_capacity: c.history_capacity,
    })
}

fn scope_response(
    record: Option<ScopeRecord>,
    scope: Scope,
    cooldown_secs: u64,
) -> ScopeStateResponse {
    let raw_key = Binary::from(scope_tag(&scope));
    match record {
        None => ScopeStateResponse {
            scope,
            level: Level::Normal,
            blocked_overrides: vec![],
            allowed_overrides: vec![],
            blocked_actions: vec![],
            last_tripped_at: None,
            cooldown_ends_at: None,
            liquidations_blocked_until: None,
            updated_at: None,
            updated_by: None,
            reason: String::new(),
            raw_key,
        },
        Some(rec) => ScopeStateResponse {
            blocked_overrides: actions_in_mask(rec.block_mask),
            allowed_overrides: actions_in_mask(rec.allow_mask),
            blocked_actions: actions_in_mask(rec.blocked_mask()),
            last_tripped_at: rec.last_tripped_at,
            cooldown_ends_at: rec
                .loosen_not_before
                .or_else(|| rec.last_tripped_at.map(|t| t.plus_seconds(cooldown_secs))),
            liquidations_blocked_until: rec.liquidations_blocked_until,
            updated_at: Some(rec.updated_at),
            updated_by: Some(rec.updated_by),
            reason: rec.reason,
            level: rec.level,
            scope,
            raw_key,
        },
    }
}

pub fn scope_state(deps: Deps, scope: Scope) -> Result<ScopeStateResponse, ContractError> {
    validate_scope(deps.api, &scope)?;
    let cooldown = CONFIG.load(deps.storage)?.cooldown_secs;
    let record = load_scope(deps.storage, &scope_tag(&scope), &scope)?;
    Ok(scope_response(record, scope, cooldown))
}

pub fn scope_states(
    deps: Deps,
    start_after: Option<Scope>,
    limit: Option<u32>,
) -> Result<Vec<ScopeStateResponse>, ContractError> {
    let cooldown = CONFIG.load(deps.storage)?.cooldown_secs;
    let start_tag = start_after.map(|s| scope_tag(&s));
    let start = start_tag.as_deref().map(Bound::exclusive);
    SCOPES
        .range(deps.storage, start, None, Order::Ascending)
        .take(limit_of(limit))
        .map(|item| {
            let (_, rec) = item?;
            let scope = rec.scope.clone();
            Ok(scope_response(Some(rec), scope, cooldown))
        })
        .collect()
}

fn validated_target(
    deps: Deps,
    contract_addr: &str,
    market_id: &Option<String>,
) -> Result<Addr, ContractError> {
    let addr = deps.api.addr_validate(contract_addr)?;
    if let Some(m) = market_id {
        validate_market_id(m)?;
    }
    Ok(addr)
}

pub fn action_status(
    deps: Deps,
    env: Env,
    contract_addr: String,
    market_id: Option<String>,
    action: ActionClass,
) -> Result<ActionStatusResponse, ContractError> {
    let addr = validated_target(deps, &contract_addr, &market_id)?;
    // The very same decoding the raw helper runs, on the same bytes.
    let status = action_status_with(
        |key| Ok(deps.storage.get(key)),
        addr.as_str(),
        market_id.as_deref(),
        action,
        env.block.time,
    )?;
    Ok(ActionStatusResponse {
        allowed: status.is_allowed(),
        status,
    })
}

pub fn effective_mode(
    deps: Deps,
    env: Env,
    contract_addr: String,
    market_id: Option<String>,
) -> Result<EffectiveModeResponse, ContractError> {
    let addr = validated_target(deps, &contract_addr, &market_id)?;
    let mut keys = vec![
        GLOBAL_MODE_KEY.to_vec(),
        contract_mode_key(addr.as_str()).to_vec(),
    ];
    if let Some(m) = &market_id {
        keys.push(market_mode_key(addr.as_str(), m).to_vec());
    }
    let mut level = Level::Normal;
    let mut mask = 0u8;
    let mut until = 0u64;
    for key in keys {
        if let Some(bytes) = deps.storage.get(&key) {
            let rec = CompactMode::decode(&bytes)?;
            level = level.max(Level::from_byte(rec.level_byte)?);
            mask |= rec.blocked_mask;
            until = until.max(rec.liquidations_blocked_until);
        }
    }
    let now = env.block.time.seconds();
    let mut blocked = mask;
    if now < until {
        blocked |= ActionClass::Liquidate.bit();
    }
    Ok(EffectiveModeResponse {
        level,
        blocked_actions: actions_in_mask(blocked),
        liquidations_blocked_until: (now < until).then(|| Timestamp::from_seconds(until)),
    })
}

pub fn guardians(
    deps: Deps,
    start_after: Option<String>,
    limit: Option<u32>,
) -> Result<Vec<Addr>, ContractError> {
    let start_addr = start_after
        .map(|s| deps.api.addr_validate(&s))
        .transpose()?;
    let start = start_addr.as_ref().map(Bound::exclusive);
    Ok(GUARDIANS
        .keys(deps.storage, start, None, Order::Ascending)
        .take(limit_of(limit))
        .collect::<StdResult<Vec<_>>>()?)
}

pub fn reporters(
    deps: Deps,
    start_after: Option<String>,
    limit: Option<u32>,
) -> Result<Vec<ReporterResponse>, ContractError> {
    let start_addr = start_after
        .map(|s| deps.api.addr_validate(&s))
        .transpose()?;
    let start = start_addr.as_ref().map(Bound::exclusive);
    Ok(REPORTERS
        .range(deps.storage, start, None, Order::Ascending)
        .take(limit_of(limit))
        .map(|item| {
            let (reporter_addr, r) = item?;
            Ok(ReporterResponse {
                reporter_addr,
                global: r.global,
                contracts: r.contracts,
                outflows: r.outflows,
            })
        })
        .collect::<StdResult<Vec<_>>>()?)
}

fn rate_limit_response(
    mut record: crate::state::RateLimitRecord,
    now: Timestamp,
) -> Result<RateLimitResponse, ContractError> {
    // Usage as of `now`; the reference shown is the captured one (a report after it is a
    // window old captures a new one).
    roll(&mut record, now)?;
    let quota = quota(&record)?;
    let used = used(&record, now)?;
    Ok(RateLimitResponse {
        remaining: quota.checked_sub(used).unwrap_or(Uint128::zero()),
        reference_value: record.reference_value,
        reference_captured_at: record.reference_captured_at,
        params: record.params,
        quota,
        used,
    })
}

pub fn rate_limit(
    deps: Deps,
    env: Env,
    denom: String,
    channel: Option<String>,
) -> Result<RateLimitResponse, ContractError> {
    validate_denom(&denom)?;
    let ch = channel_key(&channel)?;
    let record = RATE_LIMITS.load(deps.storage, (&denom, ch))?;
    rate_limit_response(record, env.block.time)
}

pub fn rate_limits(
    deps: Deps,
    env: Env,
    start_after: Option<(String, String)>,
    limit: Option<u32>,
) -> Result<Vec<RateLimitResponse>, ContractError> {
    let start = start_after
        .as_ref()
        .map(|(d, c)| Bound::exclusive((d.as_str(), c.as_str())));
    RATE_LIMITS
        .range(deps.storage, start, None, Order::Ascending)
        .take(limit_of(limit))
        .map(|item| {
            let (_, record) = item?;
            rate_limit_response(record, env.block.time)
        })
        .collect()
}

pub fn history(
    deps: Deps,
    start_before: Option<u64>,
    limit: Option<u32>,
) -> Result<Vec<HistoryEntry>, ContractError> {
    let capacity = u64::from(CONFIG.load(deps.storage)?.history_capacity);
    let next = HISTORY_NEXT.may_load(deps.storage)?.unwrap_or(0);
    let oldest = next.saturating_sub(capacity);
    let end = start_before.map_or(next, |s| s.min(next));
    let mut out = Vec::new();
    let mut seq = end;
    let limit = limit_of(limit);
    while seq > oldest && out.len() < limit {
        seq -= 1;
        if let Some(entry) = HISTORY.may_load(deps.storage, seq % capacity)? {
            if entry.seq == seq {
                out.push(entry);
            }
        }
    }
    Ok(out)
}
