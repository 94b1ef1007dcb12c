//! Owner and vol-feeder actions: configuration, listing boards and strikes, the surface,
//! and the permissionless greek refresh.

use cosmwasm_std::{Decimal256, DepsMut, Env, MessageInfo, Response, Uint128};

use bulwark_types::options::{
    BoardStatus, ConfigParams, OptionType, StrikeInput, MAX_ACTIVE_BOARDS, MAX_STRIKES_PER_BOARD,
};
use bulwark_types::ownership::assert_owner;

use crate::core::{load_wired, replace_series, spot};
use crate::error::ContractError;
use crate::params::validate;
use crate::pricing::{mid, zero_greeks, ModelInput};
use crate::state::{Board, SeriesState, Strike, ACTIVE_BOARDS, BOARDS, CONFIG, POOL, STRIKES};
use crate::surface::series_vol;
use bulwark_types::oracle::PricePurpose;

const MAX_ASSET_ID_LEN: usize = 64;

fn owner_only(deps: &DepsMut, info: &MessageInfo) -> Result<(), ContractError> {
    assert_owner(deps.storage, &info.sender).map_err(|_| ContractError::NotOwner)
}

pub fn update_config(
    deps: DepsMut,
    info: MessageInfo,
    vault: Option<String>,
    oracle: Option<String>,
    circuit_breaker: Option<String>,
    vol_feeder: Option<String>,
    params: Option<Box<ConfigParams>>,
) -> Result<Response, ContractError> {
    owner_only(&deps, &info)?;
    let mut cfg = CONFIG.load(deps.storage)?;
    if let Some(a) = vault {
        cfg.vault_addr = Some(deps.api.addr_validate(&a)?);
    }
    if let Some(a) = oracle {
        cfg.oracle_addr = Some(deps.api.addr_validate(&a)?);
    }
    if let Some(a) = circuit_breaker {
        cfg.circuit_breaker_addr = Some(deps.api.addr_validate(&a)?);
    }
    if let Some(a) = vol_feeder {
        cfg.vol_feeder_addr = Some(deps.api.addr_validate(&a)?);
    }
    if let Some(p) = params {
        validate(&p)?;
        cfg.params = *p;
    }
    CONFIG.save(deps.storage, &cfg)?;
    Ok(Response::new().add_attribute("action", "update_config"))
}

fn check_iv(
    v: Decimal256,
    lo: Decimal256,
    hi: Decimal256,
    name: &str,
) -> Result<(), ContractError> {
    if v < lo || v > hi {
        return Err(ContractError::InvalidParam {
            name: name.to_string(),
            reason: format!("{v} outside [{lo}, {hi}]"),
        });
    }
    Ok(())
}

fn empty_series() -> SeriesState {
    SeriesState {
        long_oi: Uint128::zero(),
        short_oi: Uint128::zero(),
        cached_greeks: zero_greeks(),
    }
}

fn new_strike(
    deps: &mut DepsMut,
    board: &mut Board,
    input: &StrikeInput,
) -> Result<u64, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    if board.strike_ids.len() >= MAX_STRIKES_PER_BOARD as usize {
        return Err(ContractError::TooManyStrikes {
            board_id: board.id,
            max: MAX_STRIKES_PER_BOARD,
        });
    }
    if input.strike.is_zero() || input.strike >= board.cap_price {
        return Err(ContractError::InvalidParam {
            name: "strike".into(),
            reason: format!("must be in (0, cap_price {})", board.cap_price),
        });
    }
    check_iv(input.skew, cfg.params.min_skew, cfg.params.max_skew, "skew")?;
    for id in &board.strike_ids {
        if STRIKES.load(deps.storage, *id)?.strike == input.strike {
            return Err(ContractError::DuplicateStrike {
                board_id: board.id,
                strike: input.strike,
            });
        }
    }
    let mut pool = POOL.load(deps.storage)?;
    pool.next_strike_id = pool
        .next_strike_id
        .checked_add(1)
        .ok_or(ContractError::PositionTooLarge)?;
    let id = pool.next_strike_id;
    POOL.save(deps.storage, &pool)?;
    STRIKES.save(
        deps.storage,
        id,
        &Strike {
            id,
            board_id: board.id,
            strike: input.strike,
            skew: input.skew,
            call: empty_series(),
            put: empty_series(),
        },
    )?;
    board.strike_ids.push(id);
    Ok(id)
}

#[allow(clippy::too_many_arguments)]
pub fn create_board(
    mut deps: DepsMut,
    env: Env,
    info: MessageInfo,
    asset_id: String,
    expiry: u64,
    base_iv: Decimal256,
    cap_price: Decimal256,
    multiplier: Uint128,
    strikes: Vec<StrikeInput>,
) -> Result<Response, ContractError> {
    owner_only(&deps, &info)?;
    let cfg = CONFIG.load(deps.storage)?;
    if asset_id.is_empty() || asset_id.len() > MAX_ASSET_ID_LEN {
        return Err(ContractError::InvalidParam {
            name: "asset_id".into(),
            reason: format!("1..={MAX_ASSET_ID_LEN} bytes"),
        });
    }
    let now = env.block.time.seconds();
    if expiry <= now.saturating_add(cfg.params.trading_cutoff_secs) {
        return Err(ContractError::InvalidParam {
            name: "expiry".into(),
            reason: "must be after now + trading cutoff".into(),
        });
    }
    check_iv(
        base_iv,
        cfg.params.min_base_iv,
        cfg.params.max_base_iv,
        "base_iv",
    )?;
    if cap_price.is_zero() {
        return Err(ContractError::InvalidParam {
            name: "cap_price".into(),
            reason: "must be positive".into(),
        });
    }
    if multiplier.is_zero() {
        return Err(ContractError::InvalidParam {
            name: "multiplier".into(),
            reason: "must be positive".into(),
        });
    }
    if strikes.is_empty() {
        return Err(ContractError::InvalidParam {
            name: "strikes".into(),
            reason: "at least one".into(),
        });
    }
    let mut pool = POOL.load(deps.storage)?;
    if pool.active_boards >= MAX_ACTIVE_BOARDS {
        return Err(ContractError::TooManyBoards {
            max: MAX_ACTIVE_BOARDS,
        });
    }
    pool.active_boards += 1;
    pool.next_board_id = pool
        .next_board_id
        .checked_add(1)
        .ok_or(ContractError::PositionTooLarge)?;
    let id = pool.next_board_id;
    POOL.save(deps.storage, &pool)?;
    let mut board = Board {
        id,
        asset_id,
        expiry,
        base_iv,
        cap_price,
        multiplier,
        status: BoardStatus::Open,
        settlement_price: None,
        strike_ids: vec![],
        pool_greeks: zero_greeks(),
    };
    for s in &strikes {
        new_strike(&mut deps, &mut board, s)?;
    }
    BOARDS.save(deps.storage, id, &board)?;
    ACTIVE_BOARDS.save(deps.storage, id, &())?;
    Ok(Response::new()
        .add_attribute("action", "create_board")
        .add_attribute("board_id", id.to_string())
        .add_attribute("asset_id", board.asset_id)
        .add_attribute("expiry", expiry.to_string()))
}

pub fn add_strike(
    mut deps: DepsMut,
    env: Env,
    info: MessageInfo,
    board_id: u64,
    strike: StrikeInput,
) -> Result<Response, ContractError> {
    owner_only(&deps, &info)?;
    let mut board = BOARDS
        .may_load(deps.storage, board_id)?
        .ok_or(ContractError::UnknownBoard { board_id })?;
    if board.status != BoardStatus::Open || env.block.time.seconds() >= board.expiry {
        return Err(ContractError::BoardNotOpen { board_id });
    }
    let id = new_strike(&mut deps, &mut board, &strike)?;
    BOARDS.save(deps.storage, board_id, &board)?;
    Ok(Response::new()
        .add_attribute("action", "add_strike")
        .add_attribute("board_id", board_id.to_string())
        .add_attribute("strike_id", id.to_string()))
}

pub fn set_surface(
    deps: DepsMut,
    info: MessageInfo,
    board_id: u64,
    base_iv: Option<Decimal256>,
    skews: Vec<(u64, Decimal256)>,
) -> Result<Response, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    let is_feeder = cfg.vol_feeder_addr.as_ref() == Some(&info.sender);
    if !is_feeder && assert_owner(deps.storage, &info.sender).is_err() {
        return Err(ContractError::NotVolSetter);
    }
    let mut board = BOARDS
        .may_load(deps.storage, board_id)?
        .ok_or(ContractError::UnknownBoard { board_id })?;
    if board.status != BoardStatus::Open {
        return Err(ContractError::BoardNotOpen { board_id });
    }
    if skews.len() > MAX_STRIKES_PER_BOARD as usize {
        return Err(ContractError::TooManyStrikes {
            board_id,
            max: MAX_STRIKES_PER_BOARD,
        });
    }
    if let Some(iv) = base_iv {
        check_iv(
            iv,
            cfg.params.min_base_iv,
            cfg.params.max_base_iv,
            "base_iv",
        )?;
        board.base_iv = iv;
    }
    for (strike_id, skew) in &skews {
        if !board.strike_ids.contains(strike_id) {
            return Err(ContractError::UnknownStrike {
                board_id,
                strike_id: *strike_id,
            });
        }
        check_iv(*skew, cfg.params.min_skew, cfg.params.max_skew, "skew")?;
        let mut s = STRIKES.load(deps.storage, *strike_id)?;
        s.skew = *skew;
        STRIKES.save(deps.storage, *strike_id, &s)?;
    }
    BOARDS.save(deps.storage, board_id, &board)?;
    Ok(Response::new()
        .add_attribute("action", "set_surface")
        .add_attribute("board_id", board_id.to_string())
        .add_attribute("base_iv", board.base_iv.to_string()))
}

/// Recomputes the cached greeks of every strike of an open board at the current price.
pub fn refresh_greeks(deps: DepsMut, env: Env, board_id: u64) -> Result<Response, ContractError> {
    let (cfg, w) = load_wired(deps.storage)?;
    let mut board = BOARDS
        .may_load(deps.storage, board_id)?
        .ok_or(ContractError::UnknownBoard { board_id })?;
    if board.status != BoardStatus::Open {
        return Err(ContractError::BoardNotOpen { board_id });
    }
    let s = spot(
        &deps.querier,
        &env,
        &w.oracle_addr,
        &board.asset_id,
        cfg.params.max_price_age_secs,
        PricePurpose::ReduceOrLiquidate,
    )?;
    let secs = board.expiry.saturating_sub(env.block.time.seconds());
    for id in board.strike_ids.clone() {
        let mut strike = STRIKES.load(deps.storage, id)?;
        for kind in [OptionType::Call, OptionType::Put] {
            let (_, greeks) = mid(&ModelInput {
                kind,
                spot: s,
                strike: strike.strike,
                secs_to_expiry: secs,
                vol: series_vol(board.base_iv, strike.skew)?,
                rate: cfg.params.rate,
                cap: board.cap_price,
            })?;
            let mut st = strike.series(kind).clone();
            st.cached_greeks = greeks;
            replace_series(deps.storage, &mut board, &mut strike, kind, st)?;
        }
        STRIKES.save(deps.storage, id, &strike)?;
    }
    BOARDS.save(deps.storage, board_id, &board)?;
    Ok(Response::new()
        .add_attribute("action", "refresh_greeks")
        .add_attribute("board_id", board_id.to_string()))
}
