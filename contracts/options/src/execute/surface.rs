//! The vol surface: set by the owner or the vol feeder; the cached greeks refreshed by anyone.

use cosmwasm_std::{Decimal256, DepsMut, Env, MessageInfo, Response};

use bulwark_types::options::{BoardStatus, OptionType, MAX_STRIKES_PER_BOARD};
use bulwark_types::oracle::PricePurpose;
use bulwark_types::ownership::assert_owner;

use crate::core::{load_wired, replace_series, spot};
use crate::error::ContractError;
use crate::execute::check_iv;
use crate::pricing::{mid, ModelInput};
use crate::state::{BOARDS, CONFIG, STRIKES};
use crate::surface::series_vol;

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
