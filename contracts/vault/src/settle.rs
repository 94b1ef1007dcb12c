//! `Settle`: a registered market applies a trade's cash flows and hands over its fresh risk.

use cosmwasm_std::{Addr, DepsMut, Env, Int128, MessageInfo, Response, Storage, Uint128};

use bulwark_types::market::{AccountRisk, CashFlows, RiskChange, Settlement};
use bulwark_types::oracle::PricePurpose;
use bulwark_types::vault::MAX_MARKETS_PER_ACCOUNT;

use crate::error::ContractError;
use crate::execute::load_account;
use crate::health::{collateral_value, factors, other_risks, snapshot, StoredGrids};
use crate::margin::{self, SettleCheck};
use crate::state::{
    load_totals, Account, Config, ACCOUNTS, ACCOUNT_MARKET_RISK, CONFIG, MARKETS,
    PENDING_LIQUIDATION, TOTALS,
};

/// Applies cash flows to the account's settlement balance and the pool / fee ledgers. The sum
/// of the changes is zero, so the per-denom conservation invariant is preserved. The account
/// may go negative (debt, owed to insurance and pool); the pool may not. With `enforce_backing`
/// (a trade a trader asked for that adds risk or takes a profit) a flow that leaves more debt
/// than pool and insurance hold is refused (`PoolInsufficient`): the pool pays nothing out of
/// what accounts owe it. Flows that take risk away on the vault's or a market's initiative
/// (liquidation, expiry, ADL) and a trader's loss-taking reduce are never refused for that:
/// refusing them would keep risk open. The shortfall they may leave (D26) blocks settlement
/// coins from leaving until it is covered (`Withdraw`, `WithdrawFees`).
pub fn apply_cash(
    storage: &mut dyn Storage,
    config: &Config,
    account: &mut Account,
    cash: &CashFlows,
    enforce_backing: bool,
) -> Result<(), ContractError> {
    let mut totals = load_totals(storage, &config.settlement_denom)?;
    let shortfall = totals.shortfall();
    let backed = totals
        .pool
        .saturating_add(totals.insurance)
        .saturating_sub(totals.debt);
    let pnl = cash.pnl_vs_pool;
    let fees = cash.fee_to_pool.checked_add(cash.fee_to_protocol)?;
    // account delta = pnl − fees
    totals.shift(account, pnl.checked_sub(Int128::try_from(fees)?)?)?;
    // pool delta = −pnl + fee_to_pool
    let pay = Uint128::new(pnl.i128().unsigned_abs());
    if pnl.is_negative() {
        totals.pool = totals.pool.checked_add(pay)?;
    } else {
        if pay > totals.pool {
            return Err(ContractError::PoolInsufficient {
                pool: totals.pool,
                amount: pay,
            });
        }
        totals.pool = totals.pool.checked_sub(pay)?;
    }
    totals.pool = totals.pool.checked_add(cash.fee_to_pool)?;
    totals.fees = totals.fees.checked_add(cash.fee_to_protocol)?;
    if enforce_backing && totals.shortfall() > shortfall {
        return Err(ContractError::PoolInsufficient {
            pool: backed,
            // a payout, or fees charged into debt
            amount: if pnl > Int128::zero() { pay } else { fees },
        });
    }
    TOTALS.save(storage, &config.settlement_denom, &totals)?;
    Ok(())
}

/// Records `risk` as the market's current risk for the account and maintains the account's
/// bounded market list (empty risk: the link is dropped).
pub fn store_market_risk(
    storage: &mut dyn Storage,
    account_id: u64,
    account: &mut Account,
    market_addr: &Addr,
    risk: &AccountRisk,
) -> Result<(), ContractError> {
    if risk.underlyings.is_empty() {
        account.markets.retain(|m| m != market_addr);
        ACCOUNT_MARKET_RISK.remove(storage, (account_id, market_addr));
    } else {
        if !account.markets.contains(market_addr) {
            if account.markets.len() >= MAX_MARKETS_PER_ACCOUNT {
                return Err(ContractError::TooManyMarkets {
                    max: MAX_MARKETS_PER_ACCOUNT,
                });
            }
            account.markets.push(market_addr.clone());
        }
        ACCOUNT_MARKET_RISK.save(storage, (account_id, market_addr), risk)?;
    }
    Ok(())
}

pub fn settle(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    s: Settlement,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let market_addr = info.sender;
    if !MARKETS.has(deps.storage, &market_addr) {
        return Err(ContractError::UnregisteredMarket {
            market_addr: market_addr.to_string(),
        });
    }
    // A market answering ForceReduce must not settle the account in the middle of its
    // liquidation (markets are trusted, but the vault does not rely on it).
    if PENDING_LIQUIDATION
        .may_load(deps.storage)?
        .is_some_and(|p| p.account_id == s.account_id)
    {
        return Err(ContractError::LiquidationInProgress);
    }
    let mut account = load_account(deps.storage, s.account_id)?;
    match &s.trader_addr {
        Some(trader) if account.owner_addr != *trader => {
            return Err(ContractError::NotAccountOwner {
                account_id: s.account_id,
                sender: trader.to_string(),
            });
        }
        Some(_) => {}
        // No trader asked for it (expiry, ADL): the market may only take risk away, so it
        // goes through the reduce rule below and never the initial-margin check.
        None if s.change != RiskChange::Reduce => {
            return Err(ContractError::MarketInitiatedIncrease {
                account_id: s.account_id,
            });
        }
        None => {}
    }
    margin::validate_risk(&s.risk, &StoredGrids(deps.storage))?;

    // Before: the market's previous report (stored) with the others' live risk; only its
    // maintenance requirement is used (see margin::settle_check).
    let old_risk = ACCOUNT_MARKET_RISK
        .may_load(deps.storage, (s.account_id, &market_addr))?
        .map(|r| margin::current_only(&r, &StoredGrids(deps.storage)))
        .unwrap_or_default();
    let others = other_risks(deps.as_ref(), s.account_id, &account, Some(&market_addr))?;
    let purpose = match s.change {
        RiskChange::Increase => PricePurpose::Open,
        RiskChange::Reduce => PricePurpose::ReduceOrLiquidate,
    };
    let cv = collateral_value(
        deps.as_ref(),
        &env,
        &config,
        s.account_id,
        &account,
        purpose,
    )?;
    let f = factors(&config);
    let mut refs: Vec<&AccountRisk> = others.iter().collect();
    refs.push(&old_risk);
    let before = snapshot(cv, account.settlement_balance, &refs, f)?;

    // a trader's trade that adds risk or takes a profit must be backed; a loss-taking reduce
    // and a market-initiated one (expiry, ADL) are never refused for it
    let enforce = s.trader_addr.is_some()
        && (s.change == RiskChange::Increase || s.cash.pnl_vs_pool > Int128::zero());
    apply_cash(deps.storage, &config, &mut account, &s.cash, enforce)?;

    refs.pop();
    refs.push(&s.risk);
    let after = snapshot(cv, account.settlement_balance, &refs, f)?;

    let fees = s.cash.fee_to_pool.checked_add(s.cash.fee_to_protocol)?;
    match margin::settle_check(
        s.change == RiskChange::Increase,
        before.portfolio.maintenance,
        fees,
        after.equity,
        &after.portfolio,
    ) {
        SettleCheck::Ok => {}
        SettleCheck::BelowInitial => {
            return Err(ContractError::BelowInitialMargin {
                equity: after.equity,
                required: after.portfolio.initial,
            })
        }
        SettleCheck::ReduceWorsened => {
            return Err(ContractError::ReduceWorsensHealth {
                equity: after.equity,
                required: after.portfolio.maintenance,
            })
        }
    }

    store_market_risk(
        deps.storage,
        s.account_id,
        &mut account,
        &market_addr,
        &s.risk,
    )?;
    ACCOUNTS.save(deps.storage, s.account_id, &account)?;

    Ok(Response::new()
        .add_attribute("action", "settle")
        .add_attribute("market_addr", market_addr)
        .add_attribute("account_id", s.account_id.to_string())
        .add_attribute(
            "trader",
            s.trader_addr
                .as_ref()
                .map_or_else(|| "market".to_string(), |a| a.to_string()),
        )
        .add_attribute("pnl_vs_pool", s.cash.pnl_vs_pool.to_string())
        .add_attribute("settlement_balance", account.settlement_balance.to_string())
        .add_attribute("equity", after.equity.to_string())
        .add_attribute("maintenance", after.portfolio.maintenance)
        .add_attribute("initial", after.portfolio.initial))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulwark_types::market::UnderlyingRisk;
    use bulwark_types::vault::MAX_COLLATERALS_PER_ACCOUNT;
    use cosmwasm_std::testing::MockStorage;

    fn account() -> Account {
        Account {
            owner_addr: Addr::unchecked("owner"),
            settlement_balance: Int128::zero(),
            collateral: vec![],
            markets: vec![],
            written_off: Uint128::zero(),
        }
    }

    fn some_risk() -> AccountRisk {
        AccountRisk {
            underlyings: vec![UnderlyingRisk {
                asset_id: "ATOM".into(),
                grid_version: 1,
                unrealized_pnl: Int128::zero(),
                scenario_pnl: vec![Int128::zero()],
                maintenance_addon: Uint128::zero(),
                initial_addon: Uint128::zero(),
            }],
        }
    }

    #[test]
    fn markets_per_account_are_bounded() {
        let mut storage = MockStorage::new();
        let mut a = account();
        for i in 0..MAX_MARKETS_PER_ACCOUNT {
            let m = Addr::unchecked(format!("market{i}"));
            store_market_risk(&mut storage, 1, &mut a, &m, &some_risk()).unwrap();
        }
        // an existing market may update; a new one is refused
        let m0 = Addr::unchecked("market0");
        store_market_risk(&mut storage, 1, &mut a, &m0, &some_risk()).unwrap();
        let extra = Addr::unchecked("extra");
        assert_eq!(
            store_market_risk(&mut storage, 1, &mut a, &extra, &some_risk()),
            Err(ContractError::TooManyMarkets {
                max: MAX_MARKETS_PER_ACCOUNT
            })
        );
        // an empty report drops the link and the stored risk
        store_market_risk(&mut storage, 1, &mut a, &m0, &AccountRisk::default()).unwrap();
        assert_eq!(a.markets.len(), MAX_MARKETS_PER_ACCOUNT - 1);
        assert!(!ACCOUNT_MARKET_RISK.has(&storage, (1, &m0)));
        store_market_risk(&mut storage, 1, &mut a, &extra, &some_risk()).unwrap();
    }

    #[test]
    fn collateral_denoms_per_account_are_bounded() {
        let mut a = account();
        for i in 0..MAX_COLLATERALS_PER_ACCOUNT {
            a.credit(&format!("d{i}"), Uint128::new(1)).unwrap();
        }
        a.credit("d0", Uint128::new(5)).unwrap();
        assert_eq!(a.balance_of("d0"), Uint128::new(6));
        assert_eq!(
            a.credit("other", Uint128::new(1)),
            Err(ContractError::TooManyCollaterals {
                max: MAX_COLLATERALS_PER_ACCOUNT
            })
        );
        // emptying a denom frees its slot
        a.debit("d1", Uint128::new(1)).unwrap();
        a.credit("other", Uint128::new(1)).unwrap();
        assert_eq!(
            a.debit("d0", Uint128::new(7)),
            Err(ContractError::InsufficientBalance {
                denom: "d0".into(),
                balance: Uint128::new(6),
                amount: Uint128::new(7)
            })
        );
    }

    #[test]
    fn cash_flows_sum_to_zero_and_pool_cannot_go_negative() {
        let mut storage = MockStorage::new();
        let config = Config {
            settlement_denom: "uusdc".into(),
            settlement_decimals: 6,
            oracle_addr: None,
            circuit_breaker_addr: None,
            params: Default::default(),
        };
        let mut a = account();
        let flows = CashFlows {
            pnl_vs_pool: Int128::new(-100),
            fee_to_pool: Uint128::new(7),
            fee_to_protocol: Uint128::new(3),
        };
        // charged into debt, the protocol fee would be backed by no coin
        assert_eq!(
            apply_cash(&mut storage, &config, &mut a.clone(), &flows, true),
            Err(ContractError::PoolInsufficient {
                pool: Uint128::zero(),
                amount: Uint128::new(10)
            })
        );
        let mut t = load_totals(&storage, "uusdc").unwrap();
        t.insurance = Uint128::new(3);
        TOTALS.save(&mut storage, "uusdc", &t).unwrap();
        apply_cash(&mut storage, &config, &mut a, &flows, true).unwrap();
        let t = load_totals(&storage, "uusdc").unwrap();
        assert_eq!(a.settlement_balance, Int128::new(-110));
        assert_eq!(t.accounts, Int128::new(-110));
        assert_eq!(t.debt, Uint128::new(110));
        assert_eq!(t.pool, Uint128::new(107));
        assert_eq!(t.fees, Uint128::new(3));
        assert_eq!(t.ledger_total().unwrap(), Int128::new(3));
        let win = CashFlows {
            pnl_vs_pool: Int128::new(108),
            ..Default::default()
        };
        assert_eq!(
            apply_cash(&mut storage, &config, &mut a.clone(), &win, true),
            Err(ContractError::PoolInsufficient {
                pool: Uint128::new(107),
                amount: Uint128::new(108)
            })
        );
        // the pool pays out only what the debt leaves backed: 107 + 3 − 110 = 0 for another
        // account, while this account's own profit first repays its debt
        let mut b = account();
        let small = CashFlows {
            pnl_vs_pool: Int128::new(1),
            ..Default::default()
        };
        assert_eq!(
            apply_cash(&mut storage, &config, &mut b, &small, true),
            Err(ContractError::PoolInsufficient {
                pool: Uint128::zero(),
                amount: Uint128::new(1)
            })
        );
        apply_cash(
            &mut storage,
            &config,
            &mut a,
            &CashFlows {
                pnl_vs_pool: Int128::new(100),
                ..Default::default()
            },
            true,
        )
        .unwrap();
        let t = load_totals(&storage, "uusdc").unwrap();
        assert_eq!((t.debt, t.pool), (Uint128::new(10), Uint128::new(7)));
        assert!(t.shortfall().is_zero());
        // a flow the vault must not refuse (liquidation, expiry) is applied and leaves a
        // shortfall that `Withdraw` then guards
        // (a refused call leaves its account half-changed, as the transaction reverts)
        let mut c = account();
        apply_cash(&mut storage, &config, &mut c, &small, false).unwrap();
        let t = load_totals(&storage, "uusdc").unwrap();
        assert_eq!(c.settlement_balance, Int128::new(1));
        assert_eq!(
            (t.debt, t.pool, t.shortfall()),
            (Uint128::new(10), Uint128::new(6), Uint128::new(1))
        );
    }
}
