//! Messages of the circuit-breaker contract, its published raw storage layout and the
//! raw-query helper every consumer (oracle, vault, perps, options) calls before acting.
//!
//! # Model
//!
//! A *scope* is global, one contract, or one market (contract + market id). Each scope has a
//! preset [`Level`] plus per-action [`OverrideMode`]s. Within one scope the blocked set is
//! `(level_mask(level) | block_overrides) & !allow_overrides`; the effective mode for
//! (contract, market) is the strictest over the global, contract and market scopes (a union
//! of the blocked sets). After an owner action unblocks `Liquidate` in a scope (a halt is
//! lifted, or a `Liquidate` block is removed), liquidations on that scope stay blocked until
//! `liquidations_blocked_until` (grace period, so users can top up).
//!
//! # Published raw layout (read by [`is_action_allowed`] / [`action_status`])
//!
//! For every scope that is not plain Normal the breaker writes one compact record with
//! `Storage::set` (no cw-storage-plus framing, no JSON):
//!
//! * key: `b"M"` followed by the scope tag ([`scope_tag`]):
//!   * Global: `[0x00]` → key `4d 00` (2 bytes)
//!   * Contract: `[0x01] ++ sha256(contract_addr)[..16]` → 18 bytes
//!   * Market: `[0x02] ++ sha256(contract_addr ++ 0xff ++ market_id)[..16]` → 18 bytes
//!
//!   The hash is SHA-256 truncated to its first 16 bytes ([`scope_hash`]) over the UTF-8 bytes
//!   of the address as the chain spells it (`Addr::as_str`, always the normalized form because
//!   the breaker validates it). 128 bits: aiming a chosen market id at another scope's tag is a
//!   second preimage (~2^128 work), unlike the 64-bit FNV-1a tags of earlier versions, where a
//!   guardian or reporter choosing market ids could find a colliding id in ~2^32 work.
//! * value: 2 or 10 bytes:
//!   * byte 0: the scope's [`Level`] (`0` Normal, `1` ReduceOnly, `2` WithdrawalsPaused,
//!     `3` Halted);
//!   * byte 1: blocked mask of this scope, bit `i` set = action class `i` blocked, with
//!     `i` = [`ActionClass::bit_index`] (`Open`=0, `Reduce`=1, `Liquidate`=2, `Deposit`=3,
//!     `Withdraw`=4, `LpDeposit`=5, `LpWithdraw`=6, `IbcOut`=7);
//!   * bytes 2..10 (present only when non-zero): `liquidations_blocked_until` as big-endian
//!     u64 seconds since the epoch.
//!
//! A missing record means Normal with no grace period. Any other value length is an error
//! (the helper fails closed). Because the tag is a 64-bit hash, the breaker refuses to write a
//! scope whose tag is already held by a different scope ([`ScopeRecord::scope`] is checked), so
//! one record never describes two scopes.
//!
//! # Cost
//!
//! [`action_status`] reads global, then contract, then (if a market id is given) market, and
//! stops at the first record that blocks the action: at most 3 raw reads of keys of 2, 18 and
//! 18 bytes returning at most 10 bytes each.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Binary, QuerierWrapper, StdError, StdResult, Timestamp, Uint128};

use crate::ownership::OwnershipAction;

/// Where a mode applies. The effective mode for (contract, market) is the strictest of the
/// global, contract and market scopes.
#[cw_serde]
pub enum Scope {
    Global,
    Contract {
        contract_addr: Addr,
    },
    Market {
        contract_addr: Addr,
        market_id: String,
    },
}

/// Preset levels, from most to least permissive.
///
/// * `Normal`: everything allowed.
/// * `ReduceOnly`: `Open` blocked; reduce, liquidate, deposits (risk reducing), withdrawals
///   allowed.
/// * `WithdrawalsPaused`: `ReduceOnly` plus `Withdraw`, `LpWithdraw`, `IbcOut` blocked.
/// * `Halted`: every action class blocked.
#[cw_serde]
#[derive(Copy, PartialOrd, Ord, Eq)]
pub enum Level {
    Normal,
    ReduceOnly,
    WithdrawalsPaused,
    Halted,
}

/// The action classes a consumer asks about.
#[cw_serde]
#[derive(Copy, Eq, PartialOrd, Ord)]
pub enum ActionClass {
    Open,
    Reduce,
    Liquidate,
    Deposit,
    Withdraw,
    LpDeposit,
    LpWithdraw,
    IbcOut,
}

/// A per-action override inside one scope. Ordered from loosest to strictest:
/// `Allow` < (no override) < `Block`.
#[cw_serde]
#[derive(Copy, Eq, PartialOrd, Ord)]
pub enum OverrideMode {
    /// Owner only: the action stays allowed in this scope whatever the level (other scopes
    /// can still block it).
    Allow,
    /// The action is blocked in this scope whatever the level.
    Block,
}

impl ActionClass {
    pub const ALL: [ActionClass; 8] = [
        ActionClass::Open,
        ActionClass::Reduce,
        ActionClass::Liquidate,
        ActionClass::Deposit,
        ActionClass::Withdraw,
        ActionClass::LpDeposit,
        ActionClass::LpWithdraw,
        ActionClass::IbcOut,
    ];

    /// Bit position in the published blocked mask.
    pub const fn bit_index(self) -> u8 {
        match self {
            ActionClass::Open => 0,
            ActionClass::Reduce => 1,
            ActionClass::Liquidate => 2,
            ActionClass::Deposit => 3,
            ActionClass::Withdraw => 4,
            ActionClass::LpDeposit => 5,
            ActionClass::LpWithdraw => 6,
            ActionClass::IbcOut => 7,
        }
    }

    pub const fn bit(self) -> u8 {
        1u8 << self.bit_index()
    }
}

impl Level {
    /// Actions this level blocks, as a published mask.
    pub const fn blocked_mask(self) -> u8 {
        match self {
            Level::Normal => 0,
            Level::ReduceOnly => ActionClass::Open.bit(),
            Level::WithdrawalsPaused => {
                ActionClass::Open.bit()
                    | ActionClass::Withdraw.bit()
                    | ActionClass::LpWithdraw.bit()
                    | ActionClass::IbcOut.bit()
            }
            Level::Halted => u8::MAX,
        }
    }

    pub const fn to_byte(self) -> u8 {
        match self {
            Level::Normal => 0,
            Level::ReduceOnly => 1,
            Level::WithdrawalsPaused => 2,
            Level::Halted => 3,
        }
    }

    pub fn from_byte(byte: u8) -> StdResult<Level> {
        Ok(match byte {
            0 => Level::Normal,
            1 => Level::ReduceOnly,
            2 => Level::WithdrawalsPaused,
            3 => Level::Halted,
            _ => return Err(StdError::generic_err("circuit breaker: unknown level byte")),
        })
    }
}

/// Expands a mask into the action classes it contains, in published bit order.
pub fn actions_in_mask(mask: u8) -> Vec<ActionClass> {
    ActionClass::ALL
        .into_iter()
        .filter(|a| mask & a.bit() != 0)
        .collect()
}

/// Folds a list of action classes into a mask.
pub fn mask_of(actions: &[ActionClass]) -> u8 {
    actions.iter().fold(0u8, |m, a| m | a.bit())
}

// ---------------------------------------------------------------------------------------------
// Published raw layout
// ---------------------------------------------------------------------------------------------

/// First byte of every compact mode record key.
pub const MODE_KEY_PREFIX: u8 = b'M';
pub const SCOPE_KIND_GLOBAL: u8 = 0x00;
pub const SCOPE_KIND_CONTRACT: u8 = 0x01;
pub const SCOPE_KIND_MARKET: u8 = 0x02;
/// Separator between the contract address and the market id in the market hash input.
pub const MARKET_TAG_SEPARATOR: u8 = 0xff;
/// Longest market id the breaker accepts.
pub const MAX_MARKET_ID_LEN: usize = 64;

/// Bytes of SHA-256 kept in a scope tag (128 bits: finding any id whose tag equals a given
/// scope's tag is a second preimage, ~2^128 work).
pub const SCOPE_HASH_LEN: usize = 16;
/// Length of a contract or market compact key: `b"M"`, the kind byte and the hash.
pub const SCOPE_KEY_LEN: usize = 2 + SCOPE_HASH_LEN;

/// SHA-256 of `data` (the audited `sha2` crate, already linked by cosmwasm-std).
pub fn sha256(data: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(data).into()
}

/// The published scope hash: the first [`SCOPE_HASH_LEN`] bytes of SHA-256 of `input`.
pub fn scope_hash(input: &[u8]) -> [u8; SCOPE_HASH_LEN] {
    let digest = sha256(input);
    let mut out = [0u8; SCOPE_HASH_LEN];
    out.copy_from_slice(&digest[..SCOPE_HASH_LEN]);
    out
}

fn tagged(kind: u8, hash: [u8; SCOPE_HASH_LEN]) -> [u8; SCOPE_KEY_LEN] {
    let mut key = [0u8; SCOPE_KEY_LEN];
    key[0] = MODE_KEY_PREFIX;
    key[1] = kind;
    key[2..].copy_from_slice(&hash);
    key
}

/// Raw key of the global compact record.
pub const GLOBAL_MODE_KEY: [u8; 2] = [MODE_KEY_PREFIX, SCOPE_KIND_GLOBAL];

/// Raw key of the compact record of a contract scope:
/// `4d 01 ++ sha256(contract_addr)[..16]` (18 bytes).
pub fn contract_mode_key(contract_addr: &str) -> [u8; SCOPE_KEY_LEN] {
    tagged(SCOPE_KIND_CONTRACT, scope_hash(contract_addr.as_bytes()))
}

/// Raw key of the compact record of a market scope:
/// `4d 02 ++ sha256(contract_addr ++ 0xff ++ market_id)[..16]` (18 bytes).
pub fn market_mode_key(contract_addr: &str, market_id: &str) -> [u8; SCOPE_KEY_LEN] {
    let mut input = Vec::with_capacity(
        contract_addr
            .len()
            .saturating_add(market_id.len())
            .saturating_add(1),
    );
    input.extend_from_slice(contract_addr.as_bytes());
    input.push(MARKET_TAG_SEPARATOR);
    input.extend_from_slice(market_id.as_bytes());
    tagged(SCOPE_KIND_MARKET, scope_hash(&input))
}

/// Raw key of the compact record of any scope (also the key of the breaker's detailed record,
/// see [`scope_detail_key`]).
pub fn scope_tag(scope: &Scope) -> Vec<u8> {
    match scope {
        Scope::Global => GLOBAL_MODE_KEY.to_vec(),
        Scope::Contract { contract_addr } => contract_mode_key(contract_addr.as_str()).to_vec(),
        Scope::Market {
            contract_addr,
            market_id,
        } => market_mode_key(contract_addr.as_str(), market_id).to_vec(),
    }
}

/// The decoded compact record of one scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct CompactMode {
    pub level_byte: u8,
    pub blocked_mask: u8,
    /// Seconds since the epoch; 0 = no grace period.
    pub liquidations_blocked_until: u64,
}

impl CompactMode {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(10);
        out.push(self.level_byte);
        out.push(self.blocked_mask);
        if self.liquidations_blocked_until != 0 {
            out.extend_from_slice(&self.liquidations_blocked_until.to_be_bytes());
        }
        out
    }

    pub fn decode(bytes: &[u8]) -> StdResult<CompactMode> {
        match bytes.len() {
            2 | 10 => {
                let mut until = 0u64;
                if bytes.len() == 10 {
                    let mut be = [0u8; 8];
                    be.copy_from_slice(&bytes[2..10]);
                    until = u64::from_be_bytes(be);
                }
                Ok(CompactMode {
                    level_byte: bytes[0],
                    blocked_mask: bytes[1],
                    liquidations_blocked_until: until,
                })
            }
            _ => Err(StdError::generic_err(
                "circuit breaker: malformed compact mode record",
            )),
        }
    }

    /// Whether this one record blocks `action` at `now`.
    pub fn blocks(&self, action: ActionClass, now: Timestamp) -> bool {
        self.blocked_mask & action.bit() != 0
            || (action == ActionClass::Liquidate && now.seconds() < self.liquidations_blocked_until)
    }
}

/// Which scope kind a blocking record belongs to.
#[cw_serde]
#[derive(Copy, Eq)]
pub enum ScopeKind {
    Global,
    Contract,
    Market,
}

/// Answer of [`action_status`] and of the `ActionStatus` smart query.
#[cw_serde]
pub enum ActionStatus {
    Allowed,
    /// The level or an override of this scope blocks the action.
    Blocked {
        scope_kind: ScopeKind,
        level: Level,
    },
    /// Liquidations wait for the grace period after a halt was lifted in this scope.
    LiquidationGrace {
        scope_kind: ScopeKind,
        until: Timestamp,
    },
}

impl ActionStatus {
    pub fn is_allowed(&self) -> bool {
        matches!(self, ActionStatus::Allowed)
    }
}

fn status_of(
    record: &CompactMode,
    kind: ScopeKind,
    action: ActionClass,
    now: Timestamp,
) -> StdResult<Option<ActionStatus>> {
    if record.blocked_mask & action.bit() != 0 {
        return Ok(Some(ActionStatus::Blocked {
            scope_kind: kind,
            level: Level::from_byte(record.level_byte)?,
        }));
    }
    if action == ActionClass::Liquidate && now.seconds() < record.liquidations_blocked_until {
        return Ok(Some(ActionStatus::LiquidationGrace {
            scope_kind: kind,
            until: Timestamp::from_seconds(record.liquidations_blocked_until),
        }));
    }
    Ok(None)
}

/// Reads a compact record through any raw reader (a querier in consumers, storage in the
/// breaker itself) and combines global → contract → market, stopping at the first block.
pub fn action_status_with<F>(
    mut read: F,
    contract_addr: &str,
    market_id: Option<&str>,
    action: ActionClass,
    now: Timestamp,
) -> StdResult<ActionStatus>
where
    F: FnMut(&[u8]) -> StdResult<Option<Vec<u8>>>,
{
    let mut keys: Vec<(ScopeKind, Vec<u8>)> = Vec::with_capacity(3);
    keys.push((ScopeKind::Global, GLOBAL_MODE_KEY.to_vec()));
    keys.push((
        ScopeKind::Contract,
        contract_mode_key(contract_addr).to_vec(),
    ));
    if let Some(market_id) = market_id {
        keys.push((
            ScopeKind::Market,
            market_mode_key(contract_addr, market_id).to_vec(),
        ));
    }
    for (kind, key) in keys {
        if let Some(bytes) = read(&key)? {
            let record = CompactMode::decode(&bytes)?;
            if let Some(status) = status_of(&record, kind, action, now)? {
                return Ok(status);
            }
        }
    }
    Ok(ActionStatus::Allowed)
}

/// Why `action` is or is not allowed for (`contract_addr`, `market_id`) at `now`, read by
/// `WasmQuery::Raw` from the breaker at `breaker_addr`: at most 3 raw reads (global, contract,
/// market), keys of 2/18/18 bytes, values of at most 10 bytes. Errors (fail closed) on a
/// malformed record.
pub fn action_status(
    querier: &QuerierWrapper,
    breaker_addr: &Addr,
    contract_addr: &Addr,
    market_id: Option<&str>,
    action: ActionClass,
    now: Timestamp,
) -> StdResult<ActionStatus> {
    action_status_with(
        |key| crate::querier::query_wasm_raw(querier, breaker_addr.as_str(), key),
        contract_addr.as_str(),
        market_id,
        action,
        now,
    )
}

/// `true` when `action` is allowed for (`contract_addr`, `market_id`) at `now`; see
/// [`action_status`]. A missing record reads as Normal, so a wrong `breaker_addr` fails open:
/// check the address once with [`verify_breaker`] when it is configured.
pub fn is_action_allowed(
    querier: &QuerierWrapper,
    breaker_addr: &Addr,
    contract_addr: &Addr,
    market_id: Option<&str>,
    action: ActionClass,
    now: Timestamp,
) -> StdResult<bool> {
    Ok(action_status(querier, breaker_addr, contract_addr, market_id, action, now)?.is_allowed())
}

/// Checks that `breaker_addr` is a live circuit breaker by running its `Config` smart query.
///
/// Run it whenever a consumer stores or changes the breaker address (instantiate, config
/// update, migration): [`is_action_allowed`] reads raw storage, and a raw read of an address
/// that is not the breaker (a typo, a wrong chain prefix, a contract not yet instantiated)
/// returns nothing, which decodes as Normal — the guard would fail open. A smart query errors
/// instead. It costs one VM instance, so it belongs in the configuration path, not the hot path.
pub fn verify_breaker(querier: &QuerierWrapper, breaker_addr: &Addr) -> StdResult<()> {
    let _config: ConfigResponse =
        crate::querier::query_wasm_smart(querier, breaker_addr.as_str(), &QueryMsg::Config {})?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Contract-internal layout (documented for operators; not meant for raw reads)
// ---------------------------------------------------------------------------------------------

/// cw-storage-plus namespace of the detailed per-scope records ([`ScopeRecord`]), keyed by
/// [`scope_tag`]. Lower-case names never clash with the `b"M"` compact keys.
pub const SCOPES_NAMESPACE: &str = "scopes";

/// The breaker's detailed record of one scope (JSON, cw-storage-plus `Map<&[u8], _>` under
/// [`SCOPES_NAMESPACE`]).
#[cw_serde]
pub struct ScopeRecord {
    pub scope: Scope,
    pub level: Level,
    /// Actions with a `Block` override, as a mask.
    pub block_mask: u8,
    /// Actions with an `Allow` override, as a mask (disjoint from `block_mask`).
    pub allow_mask: u8,
    /// When this scope was last really tightened (its blocked set grew), if ever.
    pub last_tripped_at: Option<Timestamp>,
    /// The owner may loosen this scope from then on. Set to `now + cooldown_secs` (the config
    /// in force then) at every real tightening, so a later cut of `cooldown_secs` does not
    /// shorten a running cooldown. `None` on records written before this field existed, which
    /// fall back to `last_tripped_at + cooldown_secs`.
    #[serde(default)]
    pub loosen_not_before: Option<Timestamp>,
    /// Largest `liquidation_grace_secs` in force at a real tightening of this scope. Lifting
    /// uses the larger of this and the current config, so a cut of the grace does not apply to
    /// scopes already tripped.
    #[serde(default)]
    pub grace_floor_secs: u64,
    /// Liquidations on this scope stay blocked until then (grace after a halt is lifted).
    pub liquidations_blocked_until: Option<Timestamp>,
    pub updated_at: Timestamp,
    pub updated_by: Addr,
    pub reason: String,
}

impl ScopeRecord {
    /// Blocked set of this one scope, ignoring the grace period.
    pub fn blocked_mask(&self) -> u8 {
        (self.level.blocked_mask() | self.block_mask) & !self.allow_mask
    }

    pub fn compact(&self) -> CompactMode {
        CompactMode {
            level_byte: self.level.to_byte(),
            blocked_mask: self.blocked_mask(),
            liquidations_blocked_until: self
                .liquidations_blocked_until
                .map(|t| t.seconds())
                .unwrap_or(0),
        }
    }

    pub fn override_of(&self, action: ActionClass) -> Option<OverrideMode> {
        if self.block_mask & action.bit() != 0 {
            Some(OverrideMode::Block)
        } else if self.allow_mask & action.bit() != 0 {
            Some(OverrideMode::Allow)
        } else {
            None
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

#[cw_serde]
pub struct InstantiateMsg {
    /// The owner, meant to be the DAO.
    pub owner: String,
    /// Initial guardians (may only tighten).
    pub guardians: Vec<String>,
    /// Seconds after the last tightening of a scope before the owner may loosen it.
    pub cooldown_secs: u64,
    /// Seconds liquidations stay blocked on a scope after an owner action unblocks them.
    pub liquidation_grace_secs: u64,
    /// Size of the trip/reset history ring buffer (1..=10_000); fixed for the contract's life.
    pub history_capacity: u32,
}

/// What a registered reporter may do.
#[cw_serde]
pub struct ReporterPermissions {
    /// May trip the global scope.
    pub global: bool,
    /// May trip the Contract scope and every Market scope of these contracts (at most 32).
    pub contracts: Vec<String>,
    /// May report outflows (rate limits).
    pub outflows: bool,
}

/// Owner-set rate limit on outflows of one denom (channel `None`: every outflow of the denom,
/// IBC or not) or of one denom over one IBC channel.
#[cw_serde]
pub struct RateLimitParams {
    pub denom: String,
    pub channel: Option<String>,
    /// Quota per rolling window in basis points (1..=10_000) of the reference value.
    pub quota_bps: u32,
    /// Emit a warning event once usage reaches this fraction of the quota, in bps (1..=10_000).
    pub warn_bps: u32,
    /// Rolling window length in seconds; a multiple of `buckets`.
    pub window_secs: u64,
    /// Number of buckets (2..=48) the window is divided into.
    pub buckets: u32,
    /// Absolute floor of the quota per window, in `denom` units; must be positive. The quota is
    /// `max(min_quota, reference_value * quota_bps / 10_000)`, so a tiny first report of a
    /// window (tiny reference) cannot freeze outflows for the whole window. The serde default
    /// (0) exists only so limits stored before this field still load; `SetRateLimit` refuses 0
    /// (`InvalidMinQuota`), so in messages the field is required in effect.
    #[serde(default)]
    pub min_quota: Uint128,
}

#[cw_serde]
pub enum ExecuteMsg {
    UpdateOwnership(OwnershipAction),
    /// Guardians and registered reporters (the oracle, the vault), and the owner: tighten a
    /// scope to at least `level`. Never loosens; a trip that changes nothing succeeds with
    /// `changed=false` and does not restart the cooldown.
    Trip {
        scope: Scope,
        level: Level,
        reason: String,
    },
    /// Owner only: set a scope's level. Lowering it is only possible once the cooldown since
    /// the scope's last tightening has passed.
    SetLevel {
        scope: Scope,
        level: Level,
        reason: String,
    },
    /// Set (`Some`) or clear (`None`) a per-action override in one scope. Guardians may only
    /// tighten (set `Block`, or clear an `Allow`), and may not `Block` `Reduce` or `Liquidate`
    /// (owner only: reducing risk stays possible short of a full halt, which guardians reach
    /// with `Trip`). The owner may do anything, loosening only after the cooldown. Only a
    /// change that blocks something new restarts the cooldown.
    SetOverride {
        scope: Scope,
        action: ActionClass,
        mode: Option<OverrideMode>,
        reason: String,
    },
    /// Owner only, after the cooldown: back to Normal with no overrides.
    Reset {
        scope: Scope,
        reason: String,
    },
    /// Owner only.
    UpdateGuardians {
        add: Vec<String>,
        remove: Vec<String>,
    },
    /// Owner only: register or replace a reporter.
    SetReporter {
        reporter: String,
        permissions: ReporterPermissions,
    },
    /// Owner only.
    RemoveReporter {
        reporter: String,
    },
    /// Owner only. A cut of `cooldown_secs` or `liquidation_grace_secs` applies only to scopes
    /// tripped afterwards: each real tightening stores its own cooldown deadline and grace floor
    /// ([`ScopeRecord::loosen_not_before`], [`ScopeRecord::grace_floor_secs`]).
    UpdateConfig {
        cooldown_secs: Option<u64>,
        liquidation_grace_secs: Option<u64>,
    },
    /// Owner only: create or replace a rate limit. Usage is kept when the window and bucket
    /// count are unchanged, and restarted otherwise.
    SetRateLimit(RateLimitParams),
    /// Owner only.
    RemoveRateLimit {
        denom: String,
        channel: Option<String>,
    },
    /// Reporters with `outflows` permission (the vault), before coins leave: counts `amount`
    /// against the denom's limit and, for an IBC transfer, the (denom, channel) limit.
    /// `reference_value` is the reporter's holding of `denom` before this outflow; it is
    /// captured as the quota base when a window starts. Fails with `OutflowQuotaExceeded` when
    /// any quota would be exceeded, so the reporter's transaction reverts atomically.
    ReportOutflow {
        denom: String,
        channel: Option<String>,
        amount: Uint128,
        reference_value: Uint128,
    },
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(crate::ownership::Ownership)]
    Ownership {},
    #[returns(ConfigResponse)]
    Config {},
    /// The detailed state of one scope (Normal if never set).
    #[returns(ScopeStateResponse)]
    ScopeState { scope: Scope },
    /// Every scope with a stored record, in key order.
    #[returns(Vec<ScopeStateResponse>)]
    ScopeStates {
        start_after: Option<Scope>,
        limit: Option<u32>,
    },
    /// Same answer as the raw helper, for humans and frontends.
    #[returns(ActionStatusResponse)]
    ActionStatus {
        contract_addr: String,
        market_id: Option<String>,
        action: ActionClass,
    },
    /// Every action class for (contract, market).
    #[returns(EffectiveModeResponse)]
    EffectiveMode {
        contract_addr: String,
        market_id: Option<String>,
    },
    /// The raw key of a scope's compact record.
    #[returns(Binary)]
    ScopeKey { scope: Scope },
    #[returns(Vec<Addr>)]
    Guardians {
        start_after: Option<String>,
        limit: Option<u32>,
    },
    #[returns(Vec<ReporterResponse>)]
    Reporters {
        start_after: Option<String>,
        limit: Option<u32>,
    },
    #[returns(RateLimitResponse)]
    RateLimit {
        denom: String,
        channel: Option<String>,
    },
    /// Keyed by (denom, channel or "").
    #[returns(Vec<RateLimitResponse>)]
    RateLimits {
        start_after: Option<(String, String)>,
        limit: Option<u32>,
    },
    /// Newest first; `start_before` is a sequence number.
    #[returns(Vec<HistoryEntry>)]
    History {
        start_before: Option<u64>,
        limit: Option<u32>,
    },
}

#[cw_serde]
pub struct MigrateMsg {}

#[cw_serde]
pub struct ConfigResponse {
    pub cooldown_secs: u64,
    pub liquidation_grace_secs: u64,
    pub history_capacity: u32,
}

#[cw_serde]
pub struct ScopeStateResponse {
    pub scope: Scope,
    pub level: Level,
    pub blocked_overrides: Vec<ActionClass>,
    pub allowed_overrides: Vec<ActionClass>,
    /// Blocked in this scope alone (level and overrides), ignoring the grace period.
    pub blocked_actions: Vec<ActionClass>,
    pub last_tripped_at: Option<Timestamp>,
    /// The owner may loosen from then on (the stored `loosen_not_before`).
    pub cooldown_ends_at: Option<Timestamp>,
    pub liquidations_blocked_until: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
    pub updated_by: Option<Addr>,
    pub reason: String,
    /// Raw key of the compact record.
    pub raw_key: Binary,
}

#[cw_serde]
pub struct ActionStatusResponse {
    pub allowed: bool,
    pub status: ActionStatus,
}

#[cw_serde]
pub struct EffectiveModeResponse {
    /// Strictest level over the scopes.
    pub level: Level,
    pub blocked_actions: Vec<ActionClass>,
    /// Latest grace deadline over the scopes, if still in the future.
    pub liquidations_blocked_until: Option<Timestamp>,
}

#[cw_serde]
pub struct ReporterResponse {
    pub reporter_addr: Addr,
    pub global: bool,
    pub contracts: Vec<Addr>,
    pub outflows: bool,
}

#[cw_serde]
pub struct RateLimitResponse {
    pub params: RateLimitParams,
    /// Reference value captured at the start of the current window.
    pub reference_value: Uint128,
    pub reference_captured_at: Option<Timestamp>,
    /// `max(min_quota, reference_value * quota_bps / 10_000)` (floor).
    pub quota: Uint128,
    /// Outflow counted against the quota at query time: the `buckets` newest buckets in full
    /// plus the expiring bucket weighted as documented in the contract README.
    pub used: Uint128,
    pub remaining: Uint128,
}

/// Who made a change.
#[cw_serde]
#[derive(Copy, Eq)]
pub enum Role {
    Owner,
    Guardian,
    Reporter,
}

#[cw_serde]
#[derive(Copy, Eq)]
pub enum ChangeKind {
    Trip,
    SetLevel,
    SetOverride,
    Reset,
}

/// One entry of the bounded trip/reset history.
#[cw_serde]
pub struct HistoryEntry {
    pub seq: u64,
    pub at: Timestamp,
    pub by_addr: Addr,
    pub role: Role,
    pub kind: ChangeKind,
    pub scope: Scope,
    pub old_level: Level,
    pub new_level: Level,
    /// For `SetOverride`: the action and the override before/after.
    pub action: Option<ActionClass>,
    pub old_override: Option<OverrideMode>,
    pub new_override: Option<OverrideMode>,
    /// Blocked set of the scope before/after (published bit order).
    pub old_blocked_mask: u8,
    pub new_blocked_mask: u8,
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn sha256_reference_vectors() {
        // FIPS 180-4 / NIST example vectors (one block, empty, two blocks, many blocks).
        assert_eq!(
            hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(&sha256(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        assert_eq!(
            hex(&sha256(&[b'a'; 1000])),
            "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"
        );
        // Padding edge: 55, 56 and 64 bytes.
        assert_eq!(
            hex(&sha256(&[b'a'; 55])),
            "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"
        );
        assert_eq!(
            hex(&sha256(&[b'a'; 56])),
            "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"
        );
        assert_eq!(
            hex(&sha256(&[b'a'; 64])),
            "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"
        );
    }

    #[test]
    fn keys_have_published_shape() {
        assert_eq!(GLOBAL_MODE_KEY, [0x4d, 0x00]);
        let k = contract_mode_key("addr");
        assert_eq!(k.len(), 18);
        assert_eq!(&k[..2], &[0x4d, 0x01]);
        assert_eq!(&k[2..], &sha256(b"addr")[..16]);
        let m = market_mode_key("addr", "eth");
        assert_eq!(&m[..2], &[0x4d, 0x02]);
        assert_eq!(&m[2..], &sha256(b"addr\xffeth")[..16]);
        // The separator keeps (addr, id) pairs apart.
        assert_ne!(market_mode_key("ab", "c"), market_mode_key("a", "bc"));
    }

    #[test]
    fn compact_roundtrip_and_malformed() {
        let a = CompactMode {
            level_byte: 3,
            blocked_mask: 0xff,
            liquidations_blocked_until: 0,
        };
        assert_eq!(a.encode(), vec![3, 0xff]);
        assert_eq!(CompactMode::decode(&a.encode()).unwrap(), a);
        let b = CompactMode {
            level_byte: 1,
            blocked_mask: 1,
            liquidations_blocked_until: 1_700_000_000,
        };
        assert_eq!(b.encode().len(), 10);
        assert_eq!(CompactMode::decode(&b.encode()).unwrap(), b);
        assert!(CompactMode::decode(&[1]).is_err());
        assert!(CompactMode::decode(&[1, 2, 3]).is_err());
    }

    #[test]
    fn level_masks() {
        use ActionClass::*;
        let allowed = |l: Level, a: ActionClass| l.blocked_mask() & a.bit() == 0;
        for a in ActionClass::ALL {
            assert!(allowed(Level::Normal, a));
            assert!(!allowed(Level::Halted, a));
        }
        for l in [Level::ReduceOnly, Level::WithdrawalsPaused] {
            assert!(allowed(l, Reduce));
            assert!(allowed(l, Liquidate));
            assert!(allowed(l, Deposit));
            assert!(allowed(l, LpDeposit));
            assert!(!allowed(l, Open));
        }
        assert!(allowed(Level::ReduceOnly, Withdraw));
        assert!(!allowed(Level::WithdrawalsPaused, Withdraw));
        assert!(!allowed(Level::WithdrawalsPaused, LpWithdraw));
        assert!(!allowed(Level::WithdrawalsPaused, IbcOut));
    }

    #[test]
    fn combine_stops_at_first_block() {
        use std::collections::HashMap;
        let mut store: HashMap<Vec<u8>, Vec<u8>> = HashMap::new();
        let now = Timestamp::from_seconds(100);
        store.insert(
            contract_mode_key("c").to_vec(),
            CompactMode {
                level_byte: 1,
                blocked_mask: Level::ReduceOnly.blocked_mask(),
                liquidations_blocked_until: 150,
            }
            .encode(),
        );
        let mut reads = 0;
        let st = action_status_with(
            |k| {
                reads += 1;
                Ok(store.get(k).cloned())
            },
            "c",
            Some("m"),
            ActionClass::Open,
            now,
        )
        .unwrap();
        assert_eq!(
            st,
            ActionStatus::Blocked {
                scope_kind: ScopeKind::Contract,
                level: Level::ReduceOnly
            }
        );
        assert_eq!(reads, 2);
        let st = action_status_with(
            |k| Ok(store.get(k).cloned()),
            "c",
            Some("m"),
            ActionClass::Liquidate,
            now,
        )
        .unwrap();
        assert_eq!(
            st,
            ActionStatus::LiquidationGrace {
                scope_kind: ScopeKind::Contract,
                until: Timestamp::from_seconds(150)
            }
        );
        let later = Timestamp::from_seconds(150);
        assert!(action_status_with(
            |k| Ok(store.get(k).cloned()),
            "c",
            Some("m"),
            ActionClass::Liquidate,
            later,
        )
        .unwrap()
        .is_allowed());
    }
}
