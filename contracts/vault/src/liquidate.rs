//! Liquidation: `Liquidate` → `ForceReduce` submessages to each market of the account (reply
//! on success applies each `ForceReduceResult`) → `FinishLiquidation` (a message to the vault
//! itself, executed after every reply) charges the penalty and covers bad debt.

use cosmwasm_std::{
    from_json, to_json_binary, Addr, Binary, Decimal256, DepsMut, Env, Int128, Int256, MessageInfo,
    Reply, Response, StdError, SubMsg, Uint128, WasmMsg,
};

use bulwark_math::rounding::mul_floor;
use bulwark_types::circuit_breaker::ActionClass;
use bulwark_types::market::{ForceReduceResult, MarketExecuteMsg};
use bulwark_types::oracle::PricePurpose;
use bulwark_types::vault::DenomKind;

use crate::error::ContractError;
use crate::execute::{ensure_allowed, load_account, transfer_msg};
use crate::health::{live_snapshot, StoredGrids};
use crate::margin;
use crate::settle::{apply_cash, store_market_risk};
use crate::state::{
    load_totals, Account, Config, PendingLiquidation, ACCOUNTS, BAD_DEBT, CONFIG,
    PENDING_LIQUIDATION, TOTALS,
};

pub const REPLY_FORCE_REDUCE: u64 = 1;

/// The vault's call to itself, wire-identical to `ExecuteMsg::FinishLiquidation {}`. A
/// dedicated type keeps the serializer of the whole `ExecuteMsg` out of the wasm.
#[cosmwasm_schema::cw_serde]
enum SelfMsg {
    FinishLiquidation {},
}

pub fn liquidate(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    account_id: u64,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    if PENDING_LIQUIDATION.exists(deps.storage) {
        return Err(ContractError::LiquidationInProgress);
    }
    ensure_allowed(&deps.as_ref(), &env, &config, ActionClass::Liquidate)?;
    let mut account = load_account(deps.storage, account_id)?;
    let snap = live_snapshot(
        deps.as_ref(),
        &env,
        &config,
        account_id,
        &account,
        PricePurpose::ReduceOrLiquidate,
    )?;
    if margin::meets(snap.equity, snap.portfolio.maintenance) {
        return Err(ContractError::NotLiquidatable {
            account_id,
            equity: snap.equity,
            maintenance: snap.portfolio.maintenance,
        });
    }
    if account.markets.is_empty() {
        // No exposure and negative equity: bad debt. Remote collateral is seized first
        // (`SeizeRemote` to the insurance fund), so no debt is socialized while it exists.
        if crate::remote::holds_remote_collateral(deps.storage, account_id)? {
            return Err(ContractError::RemoteCollateralFirst { account_id });
        }
        let attrs = cover_bad_debt(deps, &config, account_id, &mut account)?;
        return Ok(Response::new()
            .add_attribute("action", "liquidate")
            .add_attribute("account_id", account_id.to_string())
            .add_attributes(attrs));
    }
    // Close factor while health ≥ 1/2; below (including zero or negative equity) the account
    // is closed out entirely: a partial reduction of a deeply underwater account cannot
    // restore it, and a full close always leaves health infinite (no requirement).
    let deep = is_deep(snap.equity, snap.portfolio.maintenance);
    let fraction = if deep {
        Decimal256::one()
    } else {
        Decimal256::from(config.params.liquidation_close_factor)
    };
    PENDING_LIQUIDATION.save(
        deps.storage,
        &PendingLiquidation {
            account_id,
            keeper_addr: info.sender.clone(),
            equity_before: snap.equity,
            maintenance_before: snap.portfolio.maintenance,
            reduced_notional: Uint128::zero(),
        },
    )?;
    let mut submsgs = Vec::with_capacity(account.markets.len());
    for market in &account.markets {
        let msg = WasmMsg::Execute {
            contract_addr: market.to_string(),
            msg: to_json_binary(&MarketExecuteMsg::ForceReduce {
                account_id,
                fraction,
            })?,
            funds: vec![],
        };
        submsgs.push(
            SubMsg::reply_on_success(msg, REPLY_FORCE_REDUCE)
                .with_payload(Binary::from(market.as_bytes())),
        );
    }
    let finish = WasmMsg::Execute {
        contract_addr: env.contract.address.to_string(),
        msg: to_json_binary(&SelfMsg::FinishLiquidation {})?,
        funds: vec![],
    };
    Ok(Response::new()
        .add_submessages(submsgs)
        .add_message(finish)
        .add_attribute("action", "liquidate")
        .add_attribute("account_id", account_id.to_string())
        .add_attribute("equity", snap.equity.to_string())
        .add_attribute("maintenance", snap.portfolio.maintenance)
        .add_attribute("fraction", fraction.to_string()))
}

/// Health below 1/2 (or equity ≤ 0): the account is closed out entirely, not by the close
/// factor (local liquidation and keeper seizures of remote collateral alike).
pub fn is_deep(equity: Int128, maintenance: Uint128) -> bool {
    // safe: an i128 times 2 fits an Int256
    equity <= Int128::zero() || Int256::from(equity) * Int256::from(2u8) < Int256::from(maintenance)
}

fn parse_result(reply: &Reply) -> Result<ForceReduceResult, ContractError> {
    let resp = reply
        .result
        .clone()
        .into_result()
        .map_err(StdError::generic_err)?;
    let data: Option<Binary> = match resp.msg_responses.first() {
        Some(r) => {
            cw_utils::parse_execute_response_data(r.value.as_slice())
                .map_err(|e| StdError::generic_err(e.to_string()))?
                .data
        }
        None => {
            #[allow(deprecated)]
            let d = resp.data.clone();
            match d {
                Some(d) => {
                    cw_utils::parse_execute_response_data(d.as_slice())
                        .map_err(|e| StdError::generic_err(e.to_string()))?
                        .data
                }
                None => None,
            }
        }
    };
    let data = data.ok_or(ContractError::ForceReduceNoData)?;
    Ok(from_json(&data)?)
}

pub fn reply_force_reduce(deps: DepsMut, reply: Reply) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut pending = PENDING_LIQUIDATION
        .may_load(deps.storage)?
        .ok_or(ContractError::NoLiquidationInProgress)?;
    let market_addr = Addr::unchecked(
        String::from_utf8(reply.payload.to_vec())
            .map_err(|_| StdError::generic_err("reply payload is not an address"))?,
    );
    let result = parse_result(&reply)?;
    if result.account_id != pending.account_id {
        return Err(ContractError::ForceReduceWrongAccount {
            expected: pending.account_id,
            got: result.account_id,
        });
    }
    margin::validate_risk(&result.risk, &StoredGrids(deps.storage))?;
    let mut account = load_account(deps.storage, pending.account_id)?;
    // a liquidation is never refused for backing (D26)
    apply_cash(deps.storage, &config, &mut account, &result.cash, false)?;
    store_market_risk(
        deps.storage,
        pending.account_id,
        &mut account,
        &market_addr,
        &result.risk,
    )?;
    ACCOUNTS.save(deps.storage, pending.account_id, &account)?;
    pending.reduced_notional = pending
        .reduced_notional
        .checked_add(result.reduced_notional)?;
    PENDING_LIQUIDATION.save(deps.storage, &pending)?;
    Ok(Response::new()
        .add_attribute("action", "force_reduce_applied")
        .add_attribute("market_addr", market_addr)
        .add_attribute("reduced_notional", result.reduced_notional))
}

/// Largest penalty that keeps equity ≥ 0 and health ≥ health before:
/// `p ≤ e_a` and, with a requirement after, `(e_a − p)·m_b ≥ e_b·m_a`.
pub fn penalty_cap(
    equity_before: Int128,
    maintenance_before: Uint128,
    equity_after: Int128,
    maintenance_after: Uint128,
) -> Uint128 {
    if equity_after <= Int128::zero() {
        return Uint128::zero();
    }
    let mut cap = Int256::from(equity_after);
    if !maintenance_after.is_zero() && !maintenance_before.is_zero() {
        let mb = Int256::from(maintenance_before);
        // bound = e_a·m_b − e_b·m_a; on overflow (unreachable for real amounts) no penalty
        let bound = Int256::from(equity_after)
            .checked_mul(mb)
            .and_then(|l| {
                Int256::from(equity_before)
                    .checked_mul(Int256::from(maintenance_after))
                    .and_then(|r| l.checked_sub(r))
            })
            .unwrap_or(Int256::MIN);
        // floor(bound / mb) for bound ≥ 0 (mb > 0); a negative bound leaves no room
        let room = if bound < Int256::zero() {
            Int256::zero()
        } else {
            bound.checked_div(mb).unwrap_or(Int256::zero())
        };
        cap = cap.min(room);
    }
    // 0 ≤ cap ≤ equity_after, so it fits an Int128 and its absolute value a Uint128
    Int128::try_from(cap.max(Int256::zero()))
        .map(|c| Uint128::new(c.i128().unsigned_abs()))
        .unwrap_or_default()
}

pub fn finish_liquidation(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
) -> Result<Response, ContractError> {
    if info.sender != env.contract.address {
        return Err(ContractError::NotSelf);
    }
    let config = CONFIG.load(deps.storage)?;
    let pending = PENDING_LIQUIDATION
        .may_load(deps.storage)?
        .ok_or(ContractError::NoLiquidationInProgress)?;
    PENDING_LIQUIDATION.remove(deps.storage);
    let account_id = pending.account_id;
    let mut account = load_account(deps.storage, account_id)?;
    let snap = live_snapshot(
        deps.as_ref(),
        &env,
        &config,
        account_id,
        &account,
        PricePurpose::ReduceOrLiquidate,
    )?;
    let nominal = mul_floor(
        pending.reduced_notional,
        Decimal256::from(config.params.liquidation_penalty),
    )?;
    let cap = penalty_cap(
        pending.equity_before,
        pending.maintenance_before,
        snap.equity,
        snap.portfolio.maintenance,
    );
    let penalty = nominal.min(cap);
    let mut keeper_bonus = mul_floor(penalty, Decimal256::from(config.params.keeper_share))?;
    let mut totals = load_totals(deps.storage, &config.settlement_denom)?;
    let shortfall = totals.shortfall();
    let p = Int128::try_from(penalty)?;
    totals.shift(&mut account, Int128::zero().checked_sub(p)?)?;
    totals.insurance = totals
        .insurance
        .checked_add(penalty.checked_sub(keeper_bonus)?)?;
    // The bonus leaves in coins. Where the penalty is charged into debt (an account whose
    // equity is collateral), the part pool and insurance cannot back stays with the insurance
    // fund, so no balance is left unbacked.
    let unbacked = totals
        .shortfall()
        .saturating_sub(shortfall)
        .min(keeper_bonus);
    keeper_bonus = keeper_bonus.checked_sub(unbacked)?;
    totals.insurance = totals.insurance.checked_add(unbacked)?;
    TOTALS.save(deps.storage, &config.settlement_denom, &totals)?;
    ACCOUNTS.save(deps.storage, account_id, &account)?;

    let equity_after = snap.equity.checked_sub(p)?;
    if !margin::health_not_worse(
        pending.equity_before,
        pending.maintenance_before,
        equity_after,
        snap.portfolio.maintenance,
    ) {
        return Err(ContractError::LiquidationWorsenedHealth);
    }

    let mut resp = Response::new()
        .add_attribute("action", "finish_liquidation")
        .add_attribute("account_id", account_id.to_string())
        .add_attribute("reduced_notional", pending.reduced_notional)
        .add_attribute("penalty", penalty)
        .add_attribute("keeper_bonus", keeper_bonus)
        .add_attribute("equity_after", equity_after.to_string())
        .add_attribute("maintenance_after", snap.portfolio.maintenance);
    if !keeper_bonus.is_zero() {
        // Not reported to the breaker: a quota breach must not block liquidations.
        resp = resp.add_message(transfer_msg(
            DenomKind::Native,
            &config.settlement_denom,
            keeper_bonus,
            &pending.keeper_addr,
        )?);
    }
    if account.markets.is_empty() && equity_after < Int128::zero() {
        if crate::remote::holds_remote_collateral(deps.storage, account_id)? {
            // the debt is covered by a later `Liquidate` once `SeizeRemote` took the rest
            resp = resp.add_attribute("bad_debt_deferred", "remote collateral");
        } else {
            let attrs = cover_bad_debt(deps, &config, account_id, &mut account)?;
            resp = resp.add_attributes(attrs);
        }
    }
    Ok(resp)
}

/// An account with no exposure and negative equity: its non-settlement collateral goes to the
/// insurance fund (per-denom ledger), and its settlement debt is covered by the insurance
/// fund, then the LP pool; what neither can cover stays on the account and is recorded as
/// uncovered bad debt, once per account (`Account::written_off`), lowered as it is covered or
/// repaid. Safe to repeat.
pub fn cover_bad_debt(
    deps: DepsMut,
    config: &Config,
    account_id: u64,
    account: &mut Account,
) -> Result<Vec<(String, String)>, ContractError> {
    // bounded: at most MAX_COLLATERALS_PER_ACCOUNT entries
    for (denom, amount) in std::mem::take(&mut account.collateral) {
        let mut t = load_totals(deps.storage, &denom)?;
        t.accounts = t.accounts.checked_sub(Int128::try_from(amount)?)?;
        t.insurance = t.insurance.checked_add(amount)?;
        TOTALS.save(deps.storage, &denom, &t)?;
    }
    let mut bad = BAD_DEBT.may_load(deps.storage)?.unwrap_or_default();
    let mut totals = load_totals(deps.storage, &config.settlement_denom)?;
    let debt = account.owed();
    let from_insurance = debt.min(totals.insurance);
    let from_pool = debt.checked_sub(from_insurance)?.min(totals.pool);
    totals.insurance = totals.insurance.checked_sub(from_insurance)?;
    totals.pool = totals.pool.checked_sub(from_pool)?;
    totals.shift(
        account,
        Int128::try_from(from_insurance.checked_add(from_pool)?)?,
    )?;
    // What is left is written off on the account, once: a later call replaces the figure
    // (`shift` already lowered it by what was covered or repaid since).
    let uncovered = account.owed();
    totals.uncovered = totals
        .uncovered
        .checked_add(uncovered.checked_sub(account.written_off)?)?;
    account.written_off = uncovered;
    bad.covered_by_insurance = bad.covered_by_insurance.checked_add(from_insurance)?;
    bad.covered_by_pool = bad.covered_by_pool.checked_add(from_pool)?;
    BAD_DEBT.save(deps.storage, &bad)?;
    TOTALS.save(deps.storage, &config.settlement_denom, &totals)?;
    ACCOUNTS.save(deps.storage, account_id, account)?;
    Ok(vec![
        ("bad_debt".into(), debt.to_string()),
        ("bad_debt_from_insurance".into(), from_insurance.to_string()),
        ("bad_debt_from_pool".into(), from_pool.to_string()),
        ("bad_debt_uncovered".into(), uncovered.to_string()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_msg_is_finish_liquidation() {
        assert_eq!(
            to_json_binary(&SelfMsg::FinishLiquidation {}).unwrap(),
            to_json_binary(&bulwark_types::vault::ExecuteMsg::FinishLiquidation {}).unwrap()
        );
    }

    #[test]
    fn penalty_cap_keeps_health() {
        // before 80/100, after 80/50 (half reduced): health 0.8 → 1.6; cap = 80 − 80·50/100 = 40
        let cap = penalty_cap(
            Int128::new(80),
            Uint128::new(100),
            Int128::new(80),
            Uint128::new(50),
        );
        assert_eq!(cap, Uint128::new(40));
        assert!(margin::health_not_worse(
            Int128::new(80),
            Uint128::new(100),
            Int128::new(40),
            Uint128::new(50)
        ));
        // no requirement after: only equity ≥ 0
        assert_eq!(
            penalty_cap(
                Int128::new(80),
                Uint128::new(100),
                Int128::new(30),
                Uint128::zero()
            ),
            Uint128::new(30)
        );
        // negative equity: nothing
        assert_eq!(
            penalty_cap(
                Int128::new(-5),
                Uint128::new(100),
                Int128::new(-5),
                Uint128::zero()
            ),
            Uint128::zero()
        );
        // health already worse: nothing
        assert_eq!(
            penalty_cap(
                Int128::new(90),
                Uint128::new(100),
                Int128::new(40),
                Uint128::new(50)
            ),
            Uint128::zero()
        );
    }

    #[test]
    fn penalty_cap_property_like() {
        for eb in [-50i128, 0, 10, 60, 99] {
            for mb in [1u128, 50, 100] {
                for ea in [-10i128, 0, 5, 70, 100] {
                    for ma in [0u128, 1, 25, 100] {
                        let cap = penalty_cap(
                            Int128::new(eb),
                            Uint128::new(mb),
                            Int128::new(ea),
                            Uint128::new(ma),
                        );
                        if cap.is_zero() {
                            continue;
                        }
                        let e = Int128::new(ea - cap.u128() as i128);
                        assert!(e >= Int128::zero());
                        assert!(margin::health_not_worse(
                            Int128::new(eb),
                            Uint128::new(mb),
                            e,
                            Uint128::new(ma)
                        ));
                    }
                }
            }
        }
    }
}
