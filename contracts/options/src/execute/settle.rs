//! Settlement at expiry: the settlement price is fixed once (oracle TWAP over the window
//! ending at expiry, capped at the board's cap price), then accounts are paid out page by
//! page through the vault. A settled position is removed, so nothing is ever paid twice.

use cosmwasm_std::{DepsMut, Env, Int128, Order, Response, StdResult};
use cw_storage_plus::Bound;

use bulwark_types::circuit_breaker::ActionClass;
use bulwark_types::market::{CashFlows, RiskChange, Settlement};
use bulwark_types::options::{BoardStatus, OptionType, DEFAULT_SETTLE_LIMIT, MAX_SETTLE_LIMIT};
use bulwark_types::oracle::{QueryMsg as OracleQueryMsg, TwapResponse};

use crate::core::{
    account_risk, check_breaker, load_position, load_wired, move_position, replace_series,
    settle_msg, SpotCache,
};
use crate::error::ContractError;
use crate::pricing::{payoff_unit, signed_cash};
use crate::state::{series_id, ACTIVE_BOARDS, BOARDS, BOARD_ACCOUNTS, POOL, STRIKES};

pub fn settle(
    deps: DepsMut,
    env: Env,
    board_id: u64,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> Result<Response, ContractError> {
    let (cfg, w) = load_wired(deps.storage)?;
    let mut board = BOARDS
        .may_load(deps.storage, board_id)?
        .ok_or(ContractError::UnknownBoard { board_id })?;
    let now = env.block.time.seconds();
    if now < board.expiry {
        return Err(ContractError::NotExpired {
            board_id,
            expiry: board.expiry,
            now,
        });
    }
    if board.status == BoardStatus::Settled {
        return Ok(Response::new()
            .add_attribute("action", "settle")
            .add_attribute("board_id", board_id.to_string())
            .add_attribute("settled_accounts", "0")
            .add_attribute("status", "settled"));
    }
    check_breaker(
        &deps.querier,
        &env,
        &w.breaker_addr,
        board_id,
        ActionClass::Reduce,
    )?;
    let price = match board.settlement_price {
        Some(p) => p,
        None => {
            let twap: TwapResponse = deps
                .querier
                .query_wasm_smart(
                    &w.oracle_addr,
                    &OracleQueryMsg::Twap {
                        asset_id: board.asset_id.clone(),
                        window_secs: cfg.params.twap_window_secs,
                        end_time: Some(board.expiry),
                    },
                )
                .map_err(|e| ContractError::SettlementPriceUnavailable {
                    asset_id: board.asset_id.clone(),
                    reason: e.to_string(),
                })?;
            if twap.price.is_zero() {
                return Err(ContractError::SettlementPriceUnavailable {
                    asset_id: board.asset_id.clone(),
                    reason: "zero TWAP".into(),
                });
            }
            let p = twap.price.min(board.cap_price);
            board.settlement_price = Some(p);
            board.status = BoardStatus::Settling;
            p
        }
    };
    let limit = limit
        .unwrap_or(DEFAULT_SETTLE_LIMIT)
        .clamp(1, MAX_SETTLE_LIMIT) as usize;
    let accounts: Vec<u64> = BOARD_ACCOUNTS
        .prefix(board_id)
        .keys(
            deps.storage,
            start_after.map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(limit)
        .collect::<StdResult<_>>()?;

    let mut strikes = board
        .strike_ids
        .iter()
        .map(|id| STRIKES.load(deps.storage, *id))
        .collect::<StdResult<Vec<_>>>()?;
    let mut payouts = vec![];
    for account_id in &accounts {
        let mut pnl = Int128::zero();
        for strike in strikes.iter_mut() {
            for kind in [OptionType::Call, OptionType::Put] {
                let sid = series_id(strike.id, kind);
                let net = load_position(deps.storage, *account_id, sid)?;
                if net == 0 {
                    continue;
                }
                pnl = pnl.checked_add(signed_cash(
                    payoff_unit(kind, strike.strike, price),
                    net,
                    board.multiplier,
                )?)?;
                let st = move_position(
                    deps.storage,
                    *account_id,
                    board_id,
                    sid,
                    strike.series(kind),
                    net,
                    0,
                )?;
                replace_series(deps.storage, &mut board, strike, kind, st)?;
            }
        }
        // An index entry without positions cannot exist (removed with the last position);
        // drop it defensively so paging always advances.
        BOARD_ACCOUNTS.remove(deps.storage, (board_id, *account_id));
        payouts.push((*account_id, pnl));
    }
    for strike in &strikes {
        STRIKES.save(deps.storage, strike.id, strike)?;
    }
    let done = BOARD_ACCOUNTS
        .prefix(board_id)
        .keys(deps.storage, None, None, Order::Ascending)
        .next()
        .is_none();
    if done {
        board.status = BoardStatus::Settled;
        ACTIVE_BOARDS.remove(deps.storage, board_id);
        let mut pool = POOL.load(deps.storage)?;
        pool.active_boards = pool.active_boards.saturating_sub(1);
        POOL.save(deps.storage, &pool)?;
    }
    BOARDS.save(deps.storage, board_id, &board)?;

    let mut res = Response::new()
        .add_attribute("action", "settle")
        .add_attribute("board_id", board_id.to_string())
        .add_attribute("settlement_price", price.to_string())
        .add_attribute("settled_accounts", accounts.len().to_string())
        .add_attribute("status", if done { "settled" } else { "settling" });
    let mut spots = SpotCache::default();
    for (account_id, pnl) in payouts {
        let risk = account_risk(deps.as_ref(), &env, &cfg, &w, account_id, &mut spots)?;
        res = res
            .add_attribute("payout", format!("{account_id}:{pnl}"))
            .add_message(settle_msg(
                &w.vault_addr,
                Settlement {
                    account_id,
                    // no trader asks for an expiry payout: market-initiated
                    trader_addr: None,
                    cash: CashFlows {
                        pnl_vs_pool: pnl,
                        ..CashFlows::default()
                    },
                    risk,
                    change: RiskChange::Reduce,
                },
            )?);
    }
    Ok(res)
}
