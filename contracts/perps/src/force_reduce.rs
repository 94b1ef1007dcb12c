//! `ForceReduce` from the vault (liquidation): every position of the account in this
//! contract shrinks by `fraction` at the oracle price, with no price impact and no trading
//! fee (the liquidation penalty is the vault's). Obeys the breaker's `Liquidate` action on
//! each market and never uses a price stored in the current block. A remainder below the
//! market's minimum position size is closed too. The result goes back to the vault as the
//! response data (JSON of `ForceReduceResult`); nothing is sent to the vault.
//!
//! Work is bounded by the account's positions here (≤ `MAX_POSITIONS_PER_ACCOUNT`).

use cosmwasm_std::{
    to_json_binary, Decimal256, DepsMut, Env, Int128, MessageInfo, Order, Response, StdResult,
    Uint128,
};

use bulwark_types::circuit_breaker::ActionClass;
use bulwark_types::market::{CashFlows, ForceReduceResult};
use bulwark_types::perps::Position;

use crate::aggregates;
use crate::error::{ContractError, OrOverflow};
use crate::funding::accrue;
use crate::order::commit_fill;
use crate::position::apply_fill;
use crate::price::{ensure_allowed, market_funding_params, usable_price, PriceUse};
use crate::risk::account_risk;
use crate::state::{AGGREGATES, CONFIG, FUNDING, MARKETS, POSITIONS};
use crate::units::{abs, neg, signed, to_uamount_ceil};

pub fn force_reduce(
    mut deps: DepsMut,
    env: Env,
    info: MessageInfo,
    account_id: u64,
    fraction: Decimal256,
) -> Result<Response, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    if info.sender != cfg.vault_addr {
        return Err(ContractError::NotVault);
    }
    if fraction.is_zero() || fraction > Decimal256::one() {
        return Err(ContractError::InvalidFraction { fraction });
    }
    let positions: Vec<Position> = POSITIONS
        .prefix(account_id)
        .range(deps.storage, None, None, Order::Ascending)
        .map(|r| r.map(|(_, p)| p))
        .collect::<StdResult<_>>()?;
    let now = env.block.time.seconds();
    let mut pnl_vs_pool = Int128::zero();
    let mut reduced_notional = Uint128::zero();
    for position in positions {
        let market = MARKETS.load(deps.storage, &position.market_id)?;
        ensure_allowed(
            deps.as_ref(),
            &env,
            &cfg,
            &market.market_id,
            ActionClass::Liquidate,
        )?;
        let price = usable_price(
            deps.as_ref(),
            &env,
            &cfg,
            &market.asset_id,
            PriceUse::Reduce,
        )?;
        let mut agg = AGGREGATES.load(deps.storage, &market.market_id)?;
        let funding = accrue(
            &FUNDING.load(deps.storage, &market.market_id)?,
            aggregates::skew(&agg)?,
            price,
            &market_funding_params(&market.params),
            now,
        )?;
        let mut reduce = position.size.checked_mul(signed(fraction)?).or_overflow()?;
        let remainder = abs(position.size.checked_sub(reduce).or_overflow()?);
        if fraction == Decimal256::one() || remainder < market.params.min_position_size {
            reduce = position.size;
        }
        if reduce.is_zero() {
            continue;
        }
        let fill = apply_fill(
            Some(&position),
            account_id,
            &market.market_id,
            neg(reduce)?,
            price,
            funding.index,
            now,
            cfg.settlement_decimals,
        )?;
        aggregates::remove(&mut agg, &position)?;
        if let Some(p) = &fill.position {
            aggregates::add(&mut agg, p)?;
        }
        commit_fill(
            &mut deps,
            account_id,
            &market.market_id,
            &funding,
            &agg,
            fill.position.as_ref(),
            if fill.position.is_none() { -1 } else { 0 },
        )?;
        pnl_vs_pool = pnl_vs_pool
            .checked_add(fill.realized_pnl)
            .or_overflow()?
            .checked_sub(fill.funding_owed)
            .or_overflow()?;
        let notional = to_uamount_ceil(
            abs(fill.closed_size).checked_mul(price).or_overflow()?,
            cfg.settlement_decimals,
        )?;
        reduced_notional = reduced_notional.checked_add(notional).or_overflow()?;
    }
    let risk = account_risk(deps.as_ref(), &env, &cfg, account_id)?;
    let result = ForceReduceResult {
        account_id,
        cash: CashFlows {
            pnl_vs_pool,
            fee_to_pool: Uint128::zero(),
            fee_to_protocol: Uint128::zero(),
        },
        reduced_notional,
        risk,
    };
    Ok(Response::new()
        .set_data(to_json_binary(&result)?)
        .add_attribute("action", "force_reduce")
        .add_attribute("account_id", account_id.to_string())
        .add_attribute("fraction", fraction.to_string())
        .add_attribute("pnl_vs_pool", pnl_vs_pool.to_string())
        .add_attribute("reduced_notional", reduced_notional.to_string()))
}
