//! Owner: listing boards (one expiry of one underlying) and their strikes.

use cosmwasm_std::{Decimal256, DepsMut, Env, MessageInfo, Response, Uint128};

use bulwark_types::options::{BoardStatus, StrikeInput, MAX_ACTIVE_BOARDS, MAX_STRIKES_PER_BOARD};

use crate::error::ContractError;
use crate::execute::{check_iv, owner_only};
use crate::pricing::zero_greeks;
use crate::state::{Board, SeriesState, Strike, ACTIVE_BOARDS, BOARDS, CONFIG, POOL, STRIKES};

const MAX_ASSET_ID_LEN: usize = 64;

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
    pool.active_boards += 1; // safe: below MAX_ACTIVE_BOARDS (checked above)
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
