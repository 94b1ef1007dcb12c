//! Execute handlers of the circuit breaker.

use cosmwasm_std::{
    Addr, Api, DepsMut, Empty, Env, Event, MessageInfo, Response, StdError, Storage, Timestamp,
    Uint128, Uint256,
};

use bulwark_types::circuit_breaker::{
    scope_tag, ActionClass, ChangeKind, HistoryEntry, Level, OverrideMode, RateLimitParams,
    ReporterPermissions, Role, Scope, ScopeRecord, MAX_MARKET_ID_LEN,
};
use bulwark_types::ownership;

use crate::error::ContractError;
use crate::state::{
    Config, RateLimitRecord, Reporter, BPS, CONFIG, GUARDIANS, HISTORY, HISTORY_NEXT, MAX_BUCKETS,
    MAX_CHANNEL_LEN, MAX_COOLDOWN_SECS, MAX_DENOM_LEN, MAX_GRACE_SECS, MAX_GUARDIAN_UPDATES,
    MAX_REASON_LEN, MAX_REPORTER_CONTRACTS, MAX_WINDOW_SECS, MIN_BUCKETS, RATE_LIMITS, REPORTERS,
    SCOPES,
};

/// Type of the custom event emitted for every mode change.
pub const EVENT_MODE_CHANGE: &str = "bulwark_breaker_mode_change";
/// Type of the custom event emitted for configuration changes.
pub const EVENT_CONFIG: &str = "bulwark_breaker_config";
/// Type of the near-trip event of a rate limit.
pub const EVENT_OUTFLOW_WARNING: &str = "bulwark_breaker_outflow_warning";

// ---------------------------------------------------------------------------------------------
// Validation helpers
// ---------------------------------------------------------------------------------------------

pub fn validate_range(field: &str, value: u64, min: u64, max: u64) -> Result<(), ContractError> {
    if value < min || value > max {
        return Err(ContractError::OutOfRange {
            field: field.to_string(),
            value,
            min,
            max,
        });
    }
    Ok(())
}

fn validate_reason(reason: &str) -> Result<(), ContractError> {
    if reason.is_empty() || reason.len() > MAX_REASON_LEN {
        return Err(ContractError::InvalidReason {
            max: MAX_REASON_LEN,
        });
    }
    Ok(())
}

pub fn validate_market_id(market_id: &str) -> Result<(), ContractError> {
    if market_id.is_empty() || market_id.len() > MAX_MARKET_ID_LEN {
        return Err(ContractError::InvalidMarketId {
            max: MAX_MARKET_ID_LEN,
        });
    }
    Ok(())
}

/// Validates the addresses of a scope (they must be in normalized form, since the published
/// key hashes the string) and the market id.
pub fn validate_scope(api: &dyn Api, scope: &Scope) -> Result<(), ContractError> {
    match scope {
        Scope::Global => {}
        Scope::Contract { contract_addr } => {
            api.addr_validate(contract_addr.as_str())?;
        }
        Scope::Market {
            contract_addr,
            market_id,
        } => {
            api.addr_validate(contract_addr.as_str())?;
            validate_market_id(market_id)?;
        }
    }
    Ok(())
}

pub fn validate_denom(denom: &str) -> Result<(), ContractError> {
    if denom.is_empty() || denom.len() > MAX_DENOM_LEN {
        return Err(ContractError::InvalidDenom { max: MAX_DENOM_LEN });
    }
    Ok(())
}

/// The storage key part for a channel: "" for the denom-wide limit.
pub fn channel_key(channel: &Option<String>) -> Result<&str, ContractError> {
    match channel {
        None => Ok(""),
        Some(c) if c.is_empty() || c.len() > MAX_CHANNEL_LEN => {
            Err(ContractError::InvalidChannel {
                max: MAX_CHANNEL_LEN,
            })
        }
        Some(c) => Ok(c.as_str()),
    }
}

pub fn scope_label(scope: &Scope) -> String {
    match scope {
        Scope::Global => "global".to_string(),
        Scope::Contract { contract_addr } => format!("contract:{contract_addr}"),
        Scope::Market {
            contract_addr,
            market_id,
        } => format!("market:{contract_addr}:{market_id}"),
    }
}

pub fn validate_config(config: &Config) -> Result<(), ContractError> {
    validate_range("cooldown_secs", config.cooldown_secs, 0, MAX_COOLDOWN_SECS)?;
    validate_range(
        "liquidation_grace_secs",
        config.liquidation_grace_secs,
        0,
        MAX_GRACE_SECS,
    )?;
    validate_range(
        "history_capacity",
        u64::from(config.history_capacity),
        1,
        u64::from(crate::state::MAX_HISTORY_CAPACITY),
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Roles
// ---------------------------------------------------------------------------------------------

/// The strongest role of `sender`, if any.
pub fn role_of(storage: &dyn Storage, sender: &Addr) -> Result<Option<Role>, ContractError> {
    if ownership::assert_owner(storage, sender).is_ok() {
        return Ok(Some(Role::Owner));
    }
    if GUARDIANS.has(storage, sender) {
        return Ok(Some(Role::Guardian));
    }
    if REPORTERS.has(storage, sender) {
        return Ok(Some(Role::Reporter));
    }
    Ok(None)
}

fn unauthorized(sender: &Addr, what: &str) -> ContractError {
    ContractError::Unauthorized {
        sender: sender.to_string(),
        what: what.to_string(),
    }
}

fn require_owner(storage: &dyn Storage, sender: &Addr) -> Result<(), ContractError> {
    Ok(ownership::assert_owner(storage, sender)?)
}

fn reporter_may_trip(reporter: &Reporter, scope: &Scope) -> bool {
    match scope {
        Scope::Global => reporter.global,
        Scope::Contract { contract_addr } | Scope::Market { contract_addr, .. } => {
            reporter.contracts.iter().any(|c| c == contract_addr)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Scope records
// ---------------------------------------------------------------------------------------------

fn default_record(scope: &Scope, env: &Env, by: &Addr) -> ScopeRecord {
    ScopeRecord {
        scope: scope.clone(),
        level: Level::Normal,
        block_mask: 0,
        allow_mask: 0,
        last_tripped_at: None,
        loosen_not_before: None,
        grace_floor_secs: 0,
        liquidations_blocked_until: None,
        updated_at: env.block.time,
        updated_by: by.clone(),
        reason: String::new(),
    }
}

/// Loads the record of `scope` (default when missing), refusing a tag held by another scope.
pub fn load_scope(
    storage: &dyn Storage,
    tag: &[u8],
    scope: &Scope,
) -> Result<Option<ScopeRecord>, ContractError> {
    match SCOPES.may_load(storage, tag)? {
        Some(rec) if rec.scope != *scope => Err(ContractError::ScopeKeyCollision {
            scope: scope_label(scope),
            existing: scope_label(&rec.scope),
        }),
        other => Ok(other),
    }
}

/// Whether the change from `old` to `new` loosens anything (level down, a `Block` removed,
/// an `Allow` added) and whether it tightens anything.
pub fn classify(old: &ScopeRecord, new: &ScopeRecord) -> (bool, bool) {
    let loosens = new.level < old.level
        || old.block_mask & !new.block_mask != 0
        || new.allow_mask & !old.allow_mask != 0;
    let tightens = new.level > old.level
        || new.block_mask & !old.block_mask != 0
        || old.allow_mask & !new.allow_mask != 0;
    (loosens, tightens)
}

fn next_history_seq(storage: &mut dyn Storage) -> Result<u64, ContractError> {
    let seq = HISTORY_NEXT.may_load(storage)?.unwrap_or(0);
    let next = seq
        .checked_add(1)
        .ok_or_else(|| StdError::generic_err("history sequence overflow"))?;
    HISTORY_NEXT.save(storage, &next)?;
    Ok(seq)
}

pub struct Change {
    pub kind: ChangeKind,
    pub action: Option<ActionClass>,
    pub reason: String,
}

/// Applies `mutate` to the record of `scope` for `sender` acting as `role`, enforcing the
/// tighten-only rule for non-owners and the cooldown for loosening; records history, writes the
/// compact record and emits an event.
pub fn apply_change<F>(
    deps: DepsMut,
    env: &Env,
    sender: &Addr,
    role: Role,
    scope: Scope,
    change: Change,
    mutate: F,
) -> Result<Response, ContractError>
where
    F: FnOnce(&mut ScopeRecord),
{
    validate_scope(deps.api, &scope)?;
    validate_reason(&change.reason)?;
    let config = CONFIG.load(deps.storage)?;
    let tag = scope_tag(&scope);
    let label = scope_label(&scope);
    let now = env.block.time;
    let old = load_scope(deps.storage, &tag, &scope)?
        .unwrap_or_else(|| default_record(&scope, env, sender));
    let mut new = old.clone();
    mutate(&mut new);
    // Keep the override masks disjoint whatever the mutation did.
    new.allow_mask &= !new.block_mask;

    let (loosens, tightens) = classify(&old, &new);
    let action_attr = match change.kind {
        ChangeKind::Trip => "trip",
        ChangeKind::SetLevel => "set_level",
        ChangeKind::SetOverride => "set_override",
        ChangeKind::Reset => "reset",
    };
    if !loosens && !tightens {
        return Ok(Response::new()
            .add_attribute("action", action_attr)
            .add_attribute("scope", label)
            .add_attribute("changed", "false"));
    }
    if loosens {
        if role != Role::Owner {
            return Err(ContractError::GuardianCannotLoosen { scope: label });
        }
        // The deadline stored at the last real tightening, not the live config: a later cut
        // of `cooldown_secs` must not let the owner skip a running cooldown.
        let until = match (old.loosen_not_before, old.last_tripped_at) {
            (Some(until), _) => Some(until),
            // Records written before `loosen_not_before` existed.
            (None, Some(tripped)) => Some(tripped.plus_seconds(config.cooldown_secs)),
            (None, None) => None,
        };
        if let Some(until) = until {
            if now < until {
                return Err(ContractError::CooldownActive {
                    scope: label,
                    until,
                });
            }
        }
    }
    let old_mask = old.blocked_mask();
    let new_mask = new.blocked_mask();
    // Only a change that blocks something new restarts the cooldown: a no-effect override
    // (e.g. a Block at Halted) is stored but must not keep the owner out.
    if new_mask & !old_mask != 0 {
        new.last_tripped_at = Some(now);
        let until = now.plus_seconds(config.cooldown_secs);
        new.loosen_not_before = Some(match old.loosen_not_before {
            Some(prev) if prev > until => prev,
            _ => until,
        });
        new.grace_floor_secs = new.grace_floor_secs.max(config.liquidation_grace_secs);
    }
    // Grace period: an owner action that unblocks Liquidate in this scope keeps liquidations
    // blocked for the grace in force, never less than the one in force when it was tripped.
    let grace_secs = config.liquidation_grace_secs.max(old.grace_floor_secs);
    if old_mask & ActionClass::Liquidate.bit() != 0
        && new_mask & ActionClass::Liquidate.bit() == 0
        && grace_secs > 0
    {
        let until = now.plus_seconds(grace_secs);
        new.liquidations_blocked_until = Some(match old.liquidations_blocked_until {
            Some(prev) if prev > until => prev,
            _ => until,
        });
    }
    if let Some(until) = new.liquidations_blocked_until {
        if until <= now {
            new.liquidations_blocked_until = None;
        }
    }
    new.updated_at = now;
    new.updated_by = sender.clone();
    new.reason = change.reason.clone();

    let is_default = new.level == Level::Normal
        && new.block_mask == 0
        && new.allow_mask == 0
        && new.liquidations_blocked_until.is_none();
    if is_default {
        SCOPES.remove(deps.storage, &tag);
        deps.storage.remove(&tag);
    } else {
        SCOPES.save(deps.storage, &tag, &new)?;
        deps.storage.set(&tag, &new.compact().encode());
    }

    let (old_override, new_override) = match change.action {
        Some(a) => (old.override_of(a), new.override_of(a)),
        None => (None, None),
    };
    let seq = next_history_seq(deps.storage)?;
    let entry = HistoryEntry {
        seq,
        at: now,
        by_addr: sender.clone(),
        role,
        kind: change.kind,
        scope: scope.clone(),
        old_level: old.level,
        new_level: new.level,
        action: change.action,
        old_override,
        new_override,
        old_blocked_mask: old_mask,
        new_blocked_mask: new_mask,
        reason: change.reason.clone(),
    };
    let slot = seq % u64::from(config.history_capacity);
    HISTORY.save(deps.storage, slot, &entry)?;

    let mut event = Event::new(EVENT_MODE_CHANGE)
        .add_attribute("kind", action_attr)
        .add_attribute("scope", label.clone())
        .add_attribute("role", format!("{role:?}"))
        .add_attribute("by", sender.as_str())
        .add_attribute("old_level", format!("{:?}", old.level))
        .add_attribute("new_level", format!("{:?}", new.level))
        .add_attribute("old_blocked_mask", old_mask.to_string())
        .add_attribute("new_blocked_mask", new_mask.to_string())
        .add_attribute("reason", change.reason)
        .add_attribute("seq", seq.to_string());
    if let Some(a) = change.action {
        event = event
            .add_attribute("override_action", format!("{a:?}"))
            .add_attribute("old_override", format!("{old_override:?}"))
            .add_attribute("new_override", format!("{new_override:?}"));
    }
    if let Some(until) = new.liquidations_blocked_until {
        event = event.add_attribute("liquidations_blocked_until", until.seconds().to_string());
    }
    Ok(Response::new()
        .add_attribute("action", action_attr)
        .add_attribute("scope", label)
        .add_attribute("changed", "true")
        .add_event(event))
}

// ---------------------------------------------------------------------------------------------
// Mode messages
// ---------------------------------------------------------------------------------------------

pub fn trip(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    scope: Scope,
    level: Level,
    reason: String,
) -> Result<Response, ContractError> {
    let role = match role_of(deps.storage, &info.sender)? {
        Some(Role::Owner) => Role::Owner,
        Some(Role::Guardian) => Role::Guardian,
        Some(Role::Reporter) => {
            let reporter = REPORTERS.load(deps.storage, &info.sender)?;
            if !reporter_may_trip(&reporter, &scope) {
                return Err(unauthorized(&info.sender, "trip this scope"));
            }
            Role::Reporter
        }
        None => return Err(unauthorized(&info.sender, "trip")),
    };
    apply_change(
        deps,
        &env,
        &info.sender,
        role,
        scope,
        Change {
            kind: ChangeKind::Trip,
            action: None,
            reason,
        },
        |rec| {
            if level > rec.level {
                rec.level = level;
            }
        },
    )
}

pub fn set_level(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    scope: Scope,
    level: Level,
    reason: String,
) -> Result<Response, ContractError> {
    require_owner(deps.storage, &info.sender)?;
    apply_change(
        deps,
        &env,
        &info.sender,
        Role::Owner,
        scope,
        Change {
            kind: ChangeKind::SetLevel,
            action: None,
            reason,
        },
        |rec| rec.level = level,
    )
}

pub fn set_override(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    scope: Scope,
    action: ActionClass,
    mode: Option<OverrideMode>,
    reason: String,
) -> Result<Response, ContractError> {
    let role = match role_of(deps.storage, &info.sender)? {
        Some(Role::Owner) => Role::Owner,
        Some(Role::Guardian) => Role::Guardian,
        _ => return Err(unauthorized(&info.sender, "set overrides")),
    };
    // Reducing risk stays possible in every mode short of a full halt (DESIGN §5): only the
    // owner may block Reduce or Liquidate by override; guardians can still Trip to Halted.
    if role != Role::Owner
        && mode == Some(OverrideMode::Block)
        && matches!(action, ActionClass::Reduce | ActionClass::Liquidate)
    {
        return Err(ContractError::OwnerOnlyBlock {
            action: format!("{action:?}"),
        });
    }
    let bit = action.bit();
    apply_change(
        deps,
        &env,
        &info.sender,
        role,
        scope,
        Change {
            kind: ChangeKind::SetOverride,
            action: Some(action),
            reason,
        },
        |rec| {
            rec.block_mask &= !bit;
            rec.allow_mask &= !bit;
            match mode {
                Some(OverrideMode::Block) => rec.block_mask |= bit,
                Some(OverrideMode::Allow) => rec.allow_mask |= bit,
                None => {}
            }
        },
    )
}

pub fn reset(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    scope: Scope,
    reason: String,
) -> Result<Response, ContractError> {
    require_owner(deps.storage, &info.sender)?;
    apply_change(
        deps,
        &env,
        &info.sender,
        Role::Owner,
        scope,
        Change {
            kind: ChangeKind::Reset,
            action: None,
            reason,
        },
        |rec| {
            rec.level = Level::Normal;
            rec.block_mask = 0;
            rec.allow_mask = 0;
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Roles and configuration (owner only)
// ---------------------------------------------------------------------------------------------

pub fn update_guardians(
    deps: DepsMut,
    info: MessageInfo,
    add: Vec<String>,
    remove: Vec<String>,
) -> Result<Response, ContractError> {
    require_owner(deps.storage, &info.sender)?;
    let total = add.len().saturating_add(remove.len());
    if total > MAX_GUARDIAN_UPDATES {
        return Err(ContractError::TooMany {
            field: "guardian updates".into(),
            len: total,
            max: MAX_GUARDIAN_UPDATES,
        });
    }
    let mut event = Event::new(EVENT_CONFIG).add_attribute("kind", "update_guardians");
    for g in remove {
        let addr = deps.api.addr_validate(&g)?;
        if !GUARDIANS.has(deps.storage, &addr) {
            return Err(ContractError::NotAGuardian { addr: g });
        }
        GUARDIANS.remove(deps.storage, &addr);
        event = event.add_attribute("removed", addr);
    }
    for g in add {
        let addr = deps.api.addr_validate(&g)?;
        GUARDIANS.save(deps.storage, &addr, &Empty {})?;
        event = event.add_attribute("added", addr);
    }
    Ok(Response::new()
        .add_attribute("action", "update_guardians")
        .add_event(event))
}

pub fn set_reporter(
    deps: DepsMut,
    info: MessageInfo,
    reporter: String,
    permissions: ReporterPermissions,
) -> Result<Response, ContractError> {
    require_owner(deps.storage, &info.sender)?;
    let reporter_addr = deps.api.addr_validate(&reporter)?;
    if permissions.contracts.len() > MAX_REPORTER_CONTRACTS {
        return Err(ContractError::TooMany {
            field: "contracts".into(),
            len: permissions.contracts.len(),
            max: MAX_REPORTER_CONTRACTS,
        });
    }
    let contracts = permissions
        .contracts
        .iter()
        .map(|c| deps.api.addr_validate(c))
        .collect::<Result<Vec<_>, _>>()?;
    let record = Reporter {
        global: permissions.global,
        contracts,
        outflows: permissions.outflows,
    };
    REPORTERS.save(deps.storage, &reporter_addr, &record)?;
    let event = Event::new(EVENT_CONFIG)
        .add_attribute("kind", "set_reporter")
        .add_attribute("reporter", reporter_addr.as_str())
        .add_attribute("global", record.global.to_string())
        .add_attribute(
            "contracts",
            record
                .contracts
                .iter()
                .map(Addr::as_str)
                .collect::<Vec<_>>()
                .join(","),
        )
        .add_attribute("outflows", record.outflows.to_string());
    Ok(Response::new()
        .add_attribute("action", "set_reporter")
        .add_attribute("reporter", reporter_addr)
        .add_event(event))
}

pub fn remove_reporter(
    deps: DepsMut,
    info: MessageInfo,
    reporter: String,
) -> Result<Response, ContractError> {
    require_owner(deps.storage, &info.sender)?;
    let reporter_addr = deps.api.addr_validate(&reporter)?;
    if !REPORTERS.has(deps.storage, &reporter_addr) {
        return Err(ContractError::NotAReporter { addr: reporter });
    }
    REPORTERS.remove(deps.storage, &reporter_addr);
    Ok(Response::new()
        .add_attribute("action", "remove_reporter")
        .add_attribute("reporter", reporter_addr.as_str())
        .add_event(
            Event::new(EVENT_CONFIG)
                .add_attribute("kind", "remove_reporter")
                .add_attribute("reporter", reporter_addr),
        ))
}

pub fn update_config(
    deps: DepsMut,
    info: MessageInfo,
    cooldown_secs: Option<u64>,
    liquidation_grace_secs: Option<u64>,
) -> Result<Response, ContractError> {
    require_owner(deps.storage, &info.sender)?;
    let mut config = CONFIG.load(deps.storage)?;
    if let Some(c) = cooldown_secs {
        config.cooldown_secs = c;
    }
    if let Some(g) = liquidation_grace_secs {
        config.liquidation_grace_secs = g;
    }
    validate_config(&config)?;
    CONFIG.save(deps.storage, &config)?;
    Ok(Response::new()
        .add_attribute("action", "update_config")
        .add_event(
            Event::new(EVENT_CONFIG)
                .add_attribute("kind", "update_config")
                .add_attribute("cooldown_secs", config.cooldown_secs.to_string())
                .add_attribute(
                    "liquidation_grace_secs",
                    config.liquidation_grace_secs.to_string(),
                ),
        ))
}

// ---------------------------------------------------------------------------------------------
// Rate limits
// ---------------------------------------------------------------------------------------------

fn validate_rate_limit(params: &RateLimitParams) -> Result<(), ContractError> {
    validate_denom(&params.denom)?;
    channel_key(&params.channel)?;
    validate_range("quota_bps", u64::from(params.quota_bps), 1, u64::from(BPS))?;
    validate_range("warn_bps", u64::from(params.warn_bps), 1, u64::from(BPS))?;
    // One bucket would be a fixed window: 2x the quota across its edge.
    validate_range(
        "buckets",
        u64::from(params.buckets),
        u64::from(MIN_BUCKETS),
        u64::from(MAX_BUCKETS),
    )?;
    // A zero floor would let a tiny first report set a zero quota for a whole window.
    if params.min_quota.is_zero() {
        return Err(ContractError::InvalidMinQuota);
    }
    validate_range(
        "window_secs",
        params.window_secs,
        u64::from(params.buckets),
        MAX_WINDOW_SECS,
    )?;
    if params.window_secs % u64::from(params.buckets) != 0 {
        return Err(ContractError::WindowNotDivisible {
            window_secs: params.window_secs,
            buckets: params.buckets,
        });
    }
    Ok(())
}

fn empty_buckets(buckets: u32) -> Vec<Uint128> {
    vec![Uint128::zero(); buckets as usize]
}

fn bucket_secs(record: &RateLimitRecord) -> Result<u64, ContractError> {
    record
        .params
        .window_secs
        .checked_div(u64::from(record.params.buckets))
        .filter(|s| *s > 0)
        .ok_or_else(|| StdError::generic_err("invalid rate limit bucket length").into())
}

/// Rolls the ring forward to the bucket containing `now`, zeroing every bucket that left the
/// ring and keeping the amount of the bucket now leaving the sliding window in `expiring`:
/// at most `buckets` writes, whatever the time elapsed.
pub fn roll(record: &mut RateLimitRecord, now: Timestamp) -> Result<(), ContractError> {
    let n = u64::from(record.params.buckets);
    let bucket_secs = bucket_secs(record)?;
    if record.amounts.len() as u64 != n {
        return Err(StdError::generic_err("rate limit ring has the wrong length").into());
    }
    let current = now.seconds() / bucket_secs;
    if current <= record.latest_bucket && record.reference_captured_at.is_some() {
        return Ok(());
    }
    let gap = current.saturating_sub(record.latest_bucket);
    if gap > n || record.reference_captured_at.is_none() {
        record.amounts.iter_mut().for_each(|a| *a = Uint128::zero());
        record.expiring = Uint128::zero();
    } else {
        // The slot of `current` still holds bucket `current - n` (gap <= n): it is the one
        // now sliding out of the window.
        record.expiring = record
            .amounts
            .get((current % n) as usize)
            .copied()
            .unwrap_or_default();
        for b in (record.latest_bucket + 1)..=current {
            // safe: `b % n < n == amounts.len()`, checked above; `get_mut` avoids any panic.
            if let Some(slot) = record.amounts.get_mut((b % n) as usize) {
                *slot = Uint128::zero();
            }
        }
    }
    record.latest_bucket = current;
    Ok(())
}

/// Outflow counted against the quota at `now` (call [`roll`] first): the `buckets` newest
/// buckets in full, plus the expiring bucket `E` (the one before them) as
/// `max(ceil(E * inside / bucket_secs), E - floor(quota / buckets))`, where
/// `inside = bucket_secs - 1 - (now % bucket_secs)` is how many of its seconds are still in
/// the sliding window `(now - window_secs, now]`. The first term lets a steady stream at the
/// quota rate pass; the second caps what an adversary gains by timing outflows at a bucket's
/// end to one fair share (`quota / buckets`), which gives the bound proved in the README.
pub fn used(record: &RateLimitRecord, now: Timestamp) -> Result<Uint128, ContractError> {
    let ring = record
        .amounts
        .iter()
        .try_fold(Uint128::zero(), |acc, a| acc.checked_add(*a))
        .map_err(StdError::from)?;
    if record.expiring.is_zero() {
        return Ok(ring);
    }
    let bucket_secs = bucket_secs(record)?;
    let inside = bucket_secs
        .saturating_sub(1)
        .saturating_sub(now.seconds() % bucket_secs);
    // Round up (count more): conservative.
    let weighted = record
        .expiring
        .full_mul(inside)
        .checked_add(Uint256::from(bucket_secs.saturating_sub(1)))
        .map_err(StdError::from)?
        .checked_div(Uint256::from(bucket_secs))
        .map_err(StdError::from)?;
    let weighted = Uint128::try_from(weighted).map_err(|e| StdError::generic_err(e.to_string()))?;
    let fair_share = quota(record)?
        .checked_div(Uint128::from(record.params.buckets))
        .map_err(StdError::from)?;
    let capped = record.expiring.saturating_sub(fair_share);
    ring.checked_add(weighted.max(capped))
        .map_err(|e| StdError::from(e).into())
}

pub fn quota(record: &RateLimitRecord) -> Result<Uint128, ContractError> {
    let proportional = record
        .reference_value
        .checked_multiply_ratio(record.params.quota_bps, BPS)
        .map_err(|e| StdError::generic_err(e.to_string()))?;
    Ok(proportional.max(record.params.min_quota))
}

/// Captures the reference value when no window is running or the captured one is a whole
/// window old.
pub fn maybe_capture_reference(record: &mut RateLimitRecord, now: Timestamp, reference: Uint128) {
    let stale = match record.reference_captured_at {
        None => true,
        Some(at) => now >= at.plus_seconds(record.params.window_secs),
    };
    if stale {
        record.reference_value = reference;
        record.reference_captured_at = Some(now);
    }
}

pub fn set_rate_limit(
    deps: DepsMut,
    info: MessageInfo,
    params: RateLimitParams,
) -> Result<Response, ContractError> {
    require_owner(deps.storage, &info.sender)?;
    validate_rate_limit(&params)?;
    let ch = channel_key(&params.channel)?.to_string();
    let existing = RATE_LIMITS.may_load(deps.storage, (&params.denom, &ch))?;
    let record = match existing {
        Some(mut rec)
            if rec.params.window_secs == params.window_secs
                && rec.params.buckets == params.buckets =>
        {
            rec.params = params.clone();
            rec
        }
        _ => RateLimitRecord {
            params: params.clone(),
            reference_value: Uint128::zero(),
            reference_captured_at: None,
            latest_bucket: 0,
            amounts: empty_buckets(params.buckets),
            expiring: Uint128::zero(),
        },
    };
    RATE_LIMITS.save(deps.storage, (&params.denom, &ch), &record)?;
    Ok(Response::new()
        .add_attribute("action", "set_rate_limit")
        .add_event(
            Event::new(EVENT_CONFIG)
                .add_attribute("kind", "set_rate_limit")
                .add_attribute("denom", params.denom.as_str())
                .add_attribute("channel", ch)
                .add_attribute("quota_bps", params.quota_bps.to_string())
                .add_attribute("warn_bps", params.warn_bps.to_string())
                .add_attribute("window_secs", params.window_secs.to_string())
                .add_attribute("buckets", params.buckets.to_string())
                .add_attribute("min_quota", params.min_quota),
        ))
}

pub fn remove_rate_limit(
    deps: DepsMut,
    info: MessageInfo,
    denom: String,
    channel: Option<String>,
) -> Result<Response, ContractError> {
    require_owner(deps.storage, &info.sender)?;
    validate_denom(&denom)?;
    let ch = channel_key(&channel)?;
    if !RATE_LIMITS.has(deps.storage, (&denom, ch)) {
        return Err(ContractError::RateLimitNotFound {
            denom,
            channel: ch.to_string(),
        });
    }
    RATE_LIMITS.remove(deps.storage, (&denom, ch));
    Ok(Response::new()
        .add_attribute("action", "remove_rate_limit")
        .add_event(
            Event::new(EVENT_CONFIG)
                .add_attribute("kind", "remove_rate_limit")
                .add_attribute("denom", denom.as_str())
                .add_attribute("channel", ch),
        ))
}

pub fn report_outflow(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    denom: String,
    channel: Option<String>,
    amount: Uint128,
    reference_value: Uint128,
) -> Result<Response, ContractError> {
    let may_report = REPORTERS
        .may_load(deps.storage, &info.sender)?
        .is_some_and(|r| r.outflows);
    if !may_report {
        return Err(unauthorized(&info.sender, "report outflows"));
    }
    validate_denom(&denom)?;
    let ch = channel_key(&channel)?.to_string();
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount);
    }
    let now = env.block.time;
    let mut keys = vec![String::new()];
    if !ch.is_empty() {
        keys.push(ch.clone());
    }
    let mut response = Response::new()
        .add_attribute("action", "report_outflow")
        .add_attribute("denom", denom.as_str())
        .add_attribute("channel", ch.as_str())
        .add_attribute("amount", amount);
    let mut limited = false;
    for key in keys {
        let Some(mut record) = RATE_LIMITS.may_load(deps.storage, (&denom, &key))? else {
            continue;
        };
        limited = true;
        roll(&mut record, now)?;
        maybe_capture_reference(&mut record, now, reference_value);
        let quota = quota(&record)?;
        let used = used(&record, now)?;
        let new_used = used.checked_add(amount).map_err(StdError::from)?;
        if new_used > quota {
            return Err(ContractError::OutflowQuotaExceeded {
                denom,
                channel: key,
                quota,
                used,
                amount,
            });
        }
        let n = u64::from(record.params.buckets);
        // safe: `latest_bucket % n < n == amounts.len()` (checked in `roll`).
        if let Some(slot) = record.amounts.get_mut((record.latest_bucket % n) as usize) {
            *slot = slot.checked_add(amount).map_err(StdError::from)?;
        }
        let warn_at = quota
            .checked_multiply_ratio(record.params.warn_bps, BPS)
            .map_err(|e| StdError::generic_err(e.to_string()))?;
        if new_used >= warn_at {
            response = response.add_event(
                Event::new(EVENT_OUTFLOW_WARNING)
                    .add_attribute("denom", denom.as_str())
                    .add_attribute("channel", key.as_str())
                    .add_attribute("used", new_used)
                    .add_attribute("quota", quota)
                    .add_attribute("warn_bps", record.params.warn_bps.to_string()),
            );
        }
        response = response.add_attribute(
            if key.is_empty() {
                "denom_used"
            } else {
                "channel_used"
            },
            format!("{new_used}/{quota}"),
        );
        RATE_LIMITS.save(deps.storage, (&denom, &key), &record)?;
    }
    Ok(response.add_attribute("limited", limited.to_string()))
}

#[cfg(test)]
mod tests;
