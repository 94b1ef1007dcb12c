//! Liquidation (vault only): close a fraction of every position of an account at model price
//! (mid at the surface vol, no spread, no fee, no surface impact). Response data: JSON of
//! `ForceReduceResult`.

use cosmwasm_std::{
    to_json_binary, Decimal256, DepsMut, Env, Int128, MessageInfo, Response, Uint128,
};

use bulwark_math::rounding::mul_ceil;
use bulwark_types::circuit_breaker::ActionClass;
use bulwark_types::market::{CashFlows, ForceReduceResult};

use crate::core::{
    account_risk, check_breaker, load_account, load_wired, move_position, replace_series, SpotCache,
};
use crate::error::ContractError;
use crate::pricing::{cash_floor, mid_price, payoff_unit, signed_cash, ModelInput};
use crate::state::{BOARDS, STRIKES};
use crate::surface::series_vol;

/// Contracts closed out of `abs` for `fraction` ∈ (0, 1]: rounded up so a liquidation always
/// makes progress, never more than held.
pub fn closed_amount(abs: u128, fraction: Decimal256) -> Result<u128, ContractError> {
    let c = mul_ceil(Uint128::new(abs), fraction)?;
    Ok(c.u128().min(abs))
}

pub fn force_reduce(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    account_id: u64,
    fraction: Decimal256,
) -> Result<Response, ContractError> {
    let (cfg, w) = load_wired(deps.storage)?;
    if info.sender != w.vault_addr {
        return Err(ContractError::NotVault);
    }
    if fraction.is_zero() || fraction > Decimal256::one() {
        return Err(ContractError::InvalidFraction);
    }
    let now = env.block.time.seconds();
    let positions = load_account(deps.storage, account_id)?;
    let mut spots = SpotCache::default();
    let mut pnl = Int128::zero();
    let mut reduced_notional = Uint128::zero();
    for p in positions {
        check_breaker(
            &deps.querier,
            &env,
            &w.breaker_addr,
            p.board.id,
            ActionClass::Liquidate,
        )?;
        let s = spots.get_or_read(
            &deps.querier,
            &env,
            &w.oracle_addr,
            &p.board.asset_id,
            cfg.params.max_price_age_secs,
        )?;
        let close = closed_amount(p.net.unsigned_abs(), fraction)?;
        if close == 0 {
            continue;
        }
        // Reload: an earlier position of the same board changed the board's aggregates.
        let mut board = BOARDS.load(deps.storage, p.board.id)?;
        let mut strike = STRIKES.load(deps.storage, p.strike.id)?;
        let unit = match board.settlement_price {
            Some(sp) => payoff_unit(p.kind, strike.strike, sp),
            None => mid_price(&ModelInput {
                kind: p.kind,
                spot: s,
                strike: strike.strike,
                secs_to_expiry: board.expiry.saturating_sub(now),
                vol: series_vol(board.base_iv, strike.skew)?,
                rate: cfg.params.rate,
                cap: board.cap_price,
            })?,
        };
        let close_i = i128::try_from(close).map_err(|_| ContractError::PositionTooLarge)?;
        let closed_signed = if p.net > 0 { close_i } else { -close_i };
        // Closing a long pays its value to the account; closing a short charges it.
        pnl = pnl.checked_add(signed_cash(unit, closed_signed, board.multiplier)?)?;
        reduced_notional =
            reduced_notional.checked_add(cash_floor(s, Uint128::new(close), board.multiplier)?)?;
        let new = p.net - closed_signed; // safe: |closed| ≤ |net| with the same sign
        let st = move_position(
            deps.storage,
            account_id,
            board.id,
            p.series_id,
            strike.series(p.kind),
            p.net,
            new,
        )?;
        replace_series(deps.storage, &mut board, &mut strike, p.kind, st)?;
        BOARDS.save(deps.storage, board.id, &board)?;
        STRIKES.save(deps.storage, strike.id, &strike)?;
    }
    let risk = account_risk(deps.as_ref(), &env, &cfg, &w, account_id, &mut spots)?;
    let result = ForceReduceResult {
        account_id,
        cash: CashFlows {
            pnl_vs_pool: pnl,
            ..CashFlows::default()
        },
        reduced_notional,
        risk,
    };
    Ok(Response::new()
        .set_data(to_json_binary(&result)?)
        .add_attribute("action", "force_reduce")
        .add_attribute("account_id", account_id.to_string())
        .add_attribute("fraction", fraction.to_string())
        .add_attribute("pnl_vs_pool", pnl.to_string())
        .add_attribute("reduced_notional", reduced_notional))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn closes_at_least_the_fraction_never_more_than_held(abs in 0u128..1_000_000_000, f in 1u64..=1_000_000) {
            let fraction = Decimal256::from_ratio(f, 1_000_000u64);
            let c = closed_amount(abs, fraction).unwrap();
            prop_assert!(c <= abs);
            if abs > 0 { prop_assert!(c >= 1); }
            if f == 1_000_000 { prop_assert_eq!(c, abs); }
        }
    }
}
