//! Multi-test flows of the vault against the real oracle and circuit breaker and mock markets.

mod common;

use common::*;
use cosmwasm_std::{coin, coins, Decimal, Int128, Uint128};
use cw_multi_test::Executor;

use bulwark_types::circuit_breaker::{ActionClass, Level};
use bulwark_types::market::{AccountRisk, ForceReduceResult, RiskChange};
use bulwark_types::oracle::PriceError;
use bulwark_types::ownership::OwnershipError;
use bulwark_types::vault::{
    AccountResponse, CollateralConfig, DenomKind, ExecuteMsg, LpPositionResponse, MarketKind,
    QueryMsg, MAX_ACCOUNTS_PER_OWNER,
};
use bulwark_vault::margin::MarginError;
use bulwark_vault::ContractError;

fn withdraw(account_id: u64, denom: &str, amount: u128) -> ExecuteMsg {
    ExecuteMsg::Withdraw {
        account_id,
        denom: denom.into(),
        amount: Uint128::new(amount),
        recipient: None,
    }
}

// ---------------------------------------------------------------------------------------------
// Accounts, deposits, withdrawals

#[test]
fn deposit_and_withdraw_conserve() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    let id = s.create_account(&alice);
    assert_eq!(id, 1);
    s.deposit(&alice, id, 1_000_000, USDC);
    s.deposit(&alice, id, 5_000_000, ATOM);
    let a = s.account(id);
    assert_eq!(a.settlement_balance, Int128::new(1_000_000));
    assert_eq!(
        a.collateral,
        vec![(ATOM.to_string(), Uint128::new(5_000_000))]
    );
    s.assert_conserved();

    // health: 5 ATOM × 10 × 0.8 = 40 USDC + 1 USDC
    let h = s.health(id);
    assert_eq!(h.collateral_value, Uint128::new(40_000_000));
    assert_eq!(h.equity, Int128::new(41_000_000));
    assert_eq!(h.health, None);

    let before = s.balance(&alice, ATOM);
    s.exec(&alice, &withdraw(id, ATOM, 2_000_000), &[]).unwrap();
    assert_eq!(s.balance(&alice, ATOM), before + 2_000_000);
    s.exec(&alice, &withdraw(id, USDC, 1_000_000), &[]).unwrap();
    let a = s.account(id);
    assert_eq!(a.settlement_balance, Int128::zero());
    assert_eq!(
        a.collateral,
        vec![(ATOM.to_string(), Uint128::new(3_000_000))]
    );
    s.assert_conserved();

    // the recipient may differ
    let bob = s.bob.clone();
    let bob_before = s.balance(&bob, ATOM);
    s.exec(
        &alice,
        &ExecuteMsg::Withdraw {
            account_id: id,
            denom: ATOM.into(),
            amount: Uint128::new(3_000_000),
            recipient: Some(bob.to_string()),
        },
        &[],
    )
    .unwrap();
    assert_eq!(s.balance(&bob, ATOM), bob_before + 3_000_000);
    assert!(s.account(id).collateral.is_empty());
    s.assert_conserved();
}

#[test]
fn deposit_bad_inputs_change_nothing() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    let bob = s.bob.clone();
    let id = s.create_account(&alice);
    let dep = ExecuteMsg::Deposit { account_id: id };

    assert_eq!(
        err(s.exec(&alice, &dep, &coins(5, OSMO))),
        ContractError::UnlistedDenom { denom: OSMO.into() }
    );
    assert_eq!(err(s.exec(&alice, &dep, &[])), ContractError::NoFunds);
    assert_eq!(
        err(s.exec(&alice, &dep, &[coin(5, ATOM), coin(5, USDC)])),
        ContractError::MultipleCoins { count: 2 }
    );
    assert_eq!(
        err(s.exec(&bob, &dep, &coins(5, USDC))),
        ContractError::NotAccountOwner {
            account_id: id,
            sender: bob.to_string()
        }
    );
    assert_eq!(
        err(s.exec(
            &alice,
            &ExecuteMsg::Deposit { account_id: 99 },
            &coins(5, USDC)
        )),
        ContractError::AccountNotFound { account_id: 99 }
    );
    // cap
    s.owner_exec(&ExecuteMsg::SetCollateral(CollateralConfig {
        denom: ATOM.into(),
        kind: DenomKind::Native,
        oracle_asset_id: "ATOM".into(),
        haircut: Decimal::percent(20),
        deposit_cap: Uint128::new(100),
        decimals: 6,
    }))
    .unwrap();
    s.deposit(&alice, id, 60, ATOM);
    assert_eq!(
        err(s.exec(&alice, &dep, &coins(41, ATOM))),
        ContractError::DepositCapExceeded {
            denom: ATOM.into(),
            amount: Uint128::new(41),
            total: Uint128::new(60),
            cap: Uint128::new(100)
        }
    );
    // breaker halts deposits
    s.pause(Level::Halted);
    assert_eq!(
        err(s.exec(&alice, &dep, &coins(5, USDC))),
        ContractError::ActionBlocked {
            action: ActionClass::Deposit
        }
    );
    let a = s.account(id);
    assert_eq!(a.settlement_balance, Int128::zero());
    assert_eq!(a.collateral, vec![(ATOM.to_string(), Uint128::new(60))]);
    s.assert_conserved();
}

#[test]
fn withdraw_bad_inputs_change_nothing() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    let bob = s.bob.clone();
    let id = s.create_account(&alice);
    s.deposit(&alice, id, 1_000, USDC);
    s.deposit(&alice, id, 1_000, ATOM);

    assert_eq!(
        err(s.exec(&alice, &withdraw(id, USDC, 1_001), &[])),
        ContractError::InsufficientSettlementBalance {
            balance: Int128::new(1_000),
            amount: Uint128::new(1_001)
        }
    );
    assert_eq!(
        err(s.exec(&alice, &withdraw(id, ATOM, 1_001), &[])),
        ContractError::InsufficientBalance {
            denom: ATOM.into(),
            balance: Uint128::new(1_000),
            amount: Uint128::new(1_001)
        }
    );
    assert_eq!(
        err(s.exec(&alice, &withdraw(id, OSMO, 1), &[])),
        ContractError::UnlistedDenom { denom: OSMO.into() }
    );
    assert_eq!(
        err(s.exec(&alice, &withdraw(id, USDC, 0), &[])),
        ContractError::ZeroAmount
    );
    assert_eq!(
        err(s.exec(&bob, &withdraw(id, USDC, 1), &[])),
        ContractError::NotAccountOwner {
            account_id: id,
            sender: bob.to_string()
        }
    );
    s.pause(Level::WithdrawalsPaused);
    assert_eq!(
        err(s.exec(&alice, &withdraw(id, USDC, 1), &[])),
        ContractError::ActionBlocked {
            action: ActionClass::Withdraw
        }
    );
    let a = s.account(id);
    assert_eq!(a.settlement_balance, Int128::new(1_000));
    assert_eq!(a.collateral, vec![(ATOM.to_string(), Uint128::new(1_000))]);
    s.assert_conserved();
}

#[test]
fn withdrawals_report_outflows_and_obey_the_quota() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    let id = s.create_account(&alice);
    s.deposit(&alice, id, 1_000_000, USDC);
    s.rate_limit(USDC, 1_000); // 10 % of the vault's USDC ledger per hour
    s.exec(&alice, &withdraw(id, USDC, 100_000), &[]).unwrap();
    // the second withdrawal would exceed 10 % of the reference (1_000_000): the breaker
    // refuses and the whole transaction reverts
    assert!(s.exec(&alice, &withdraw(id, USDC, 1), &[]).is_err());
    assert_eq!(s.account(id).settlement_balance, Int128::new(900_000));
    s.assert_conserved();
}

#[test]
fn accounts_per_owner_are_bounded_and_paged() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    for _ in 0..MAX_ACCOUNTS_PER_OWNER {
        s.create_account(&alice);
    }
    assert_eq!(
        err(s.exec(&alice, &ExecuteMsg::CreateAccount {}, &[])),
        ContractError::TooManyAccounts {
            max: MAX_ACCOUNTS_PER_OWNER
        }
    );
    let page: Vec<AccountResponse> = s
        .app
        .wrap()
        .query_wasm_smart(
            &s.vault,
            &QueryMsg::AccountsByOwner {
                owner: alice.to_string(),
                start_after: Some(3),
                limit: Some(5),
            },
        )
        .unwrap();
    assert_eq!(
        page.iter().map(|a| a.account_id).collect::<Vec<_>>(),
        vec![4, 5, 6, 7, 8]
    );
}

#[test]
fn owner_only_actions() {
    let mut s = Suite::new();
    let eve = s.eve.clone();
    let not_owner = ContractError::Ownership(OwnershipError::NotOwner);
    let msgs = vec![
        ExecuteMsg::UpdateConfig {
            oracle: None,
            circuit_breaker: None,
            params: None,
        },
        ExecuteMsg::SetCollateral(CollateralConfig {
            denom: OSMO.into(),
            kind: DenomKind::Native,
            oracle_asset_id: "OSMO".into(),
            haircut: Decimal::percent(30),
            deposit_cap: Uint128::new(1),
            decimals: 6,
        }),
        ExecuteMsg::SetScenarioGrid {
            asset_id: "OSMO".into(),
            spot_shocks: None,
            vol_shocks: None,
        },
        ExecuteMsg::RegisterMarket {
            market_addr: eve.to_string(),
            kind: MarketKind::Options,
        },
        ExecuteMsg::DeregisterMarket {
            market_addr: s.market_a.to_string(),
        },
        ExecuteMsg::WithdrawFees {
            amount: Uint128::new(1),
            recipient: eve.to_string(),
        },
        ExecuteMsg::WithdrawInsurance {
            denom: None,
            amount: Uint128::new(1),
            recipient: eve.to_string(),
        },
    ];
    for m in msgs {
        assert_eq!(err(s.exec(&eve, &m, &[])), not_owner, "{m:?}");
    }
    assert_eq!(
        err(s.exec(&eve, &ExecuteMsg::FinishLiquidation {}, &[])),
        ContractError::NotSelf
    );
}

// ---------------------------------------------------------------------------------------------
// Settlement and portfolio margin

#[test]
fn settle_checks_market_owner_and_margin() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    let bob = s.bob.clone();
    let eve = s.eve.clone();
    let (ma, mb) = (s.market_a.clone(), s.market_b.clone());
    s.lp_deposit(&bob, 100_000_000).unwrap();
    let id = s.create_account(&alice);
    s.deposit(&alice, id, 1_000_000, USDC);

    // an unregistered caller
    let settlement = bulwark_types::market::Settlement {
        account_id: id,
        trader_addr: Some(alice.clone()),
        cash: cash(0, 0, 0),
        risk: AccountRisk::default(),
        change: RiskChange::Increase,
    };
    assert_eq!(
        err(s.exec(&eve, &ExecuteMsg::Settle(settlement), &[])),
        ContractError::UnregisteredMarket {
            market_addr: eve.to_string()
        }
    );
    // someone else's account
    assert_eq!(
        err(s.trade(
            &ma,
            &bob,
            id,
            cash(0, 0, 0),
            linear_risk(1_000, 0, 0),
            RiskChange::Increase
        )),
        ContractError::NotAccountOwner {
            account_id: id,
            sender: bob.to_string()
        }
    );
    // long 10 USDC of ATOM: worst loss 1.5 USDC, initial 2.25 USDC; equity 1 USDC − fee
    assert_eq!(
        err(s.trade(
            &ma,
            &alice,
            id,
            cash(0, 1_000, 500),
            linear_risk(10_000_000, 0, 0),
            RiskChange::Increase
        )),
        ContractError::BelowInitialMargin {
            equity: Int128::new(998_500),
            required: Uint128::new(2_250_000)
        }
    );
    // grid version mismatch
    let mut stale = linear_risk(1_000, 0, 0);
    stale.underlyings[0].grid_version = 7;
    assert_eq!(
        err(s.trade(&ma, &alice, id, cash(0, 0, 0), stale, RiskChange::Increase)),
        ContractError::Margin(MarginError::GridVersionMismatch {
            asset_id: "ATOM".into(),
            expected: 1,
            got: 7
        })
    );
    let mut short = linear_risk(1_000, 0, 0);
    short.underlyings[0].scenario_pnl.pop();
    assert!(matches!(
        err(s.trade(&ma, &alice, id, cash(0, 0, 0), short, RiskChange::Increase)),
        ContractError::Margin(MarginError::ScenarioLengthMismatch { .. })
    ));
    assert_eq!(s.account(id).settlement_balance, Int128::new(1_000_000));
    assert!(s.account(id).markets.is_empty());

    // a small trade passes; fees go to pool and protocol
    let pool_before = s.pool().assets;
    s.trade(
        &ma,
        &alice,
        id,
        cash(0, 1_000, 500),
        linear_risk(4_000_000, 0, 0),
        RiskChange::Increase,
    )
    .unwrap();
    let a = s.account(id);
    assert_eq!(a.settlement_balance, Int128::new(998_500));
    assert_eq!(a.markets, vec![ma.clone()]);
    let p = s.pool();
    assert_eq!(p.assets, pool_before + Uint128::new(1_000));
    assert_eq!(p.protocol_fees, Uint128::new(500));
    let h = s.health(id);
    assert_eq!(h.maintenance_requirement, Uint128::new(600_000));
    assert_eq!(h.initial_requirement, Uint128::new(900_000));
    s.assert_conserved();

    // realized profit from the pool, then loss to the pool
    s.trade(
        &ma,
        &alice,
        id,
        cash(250_000, 0, 0),
        linear_risk(4_000_000, 0, 0),
        RiskChange::Reduce,
    )
    .unwrap();
    s.trade(
        &mb,
        &alice,
        id,
        cash(-100_000, 0, 0),
        AccountRisk::default(),
        RiskChange::Reduce,
    )
    .unwrap();
    assert_eq!(s.account(id).settlement_balance, Int128::new(1_148_500));
    s.assert_conserved();

    // closing the position drops the link
    s.trade(
        &ma,
        &alice,
        id,
        cash(0, 0, 0),
        AccountRisk::default(),
        RiskChange::Reduce,
    )
    .unwrap();
    assert!(s.account(id).markets.is_empty());
}

#[test]
fn market_initiated_settlement_only_reduces() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    let bob = s.bob.clone();
    let eve = s.eve.clone();
    let ma = s.market_a.clone();
    s.lp_deposit(&bob, 100_000_000).unwrap();
    let id = s.create_account(&alice);
    s.deposit(&alice, id, 1_000_000, USDC);
    s.trade(
        &ma,
        &alice,
        id,
        cash(0, 0, 0),
        linear_risk(4_000_000, 0, 0),
        RiskChange::Increase,
    )
    .unwrap();
    let before = s.account(id).settlement_balance;

    // no trader + Increase: refused, nothing changes
    assert_eq!(
        err(s.settle_via(
            &ma,
            None,
            id,
            cash(0, 0, 0),
            linear_risk(5_000_000, 0, 0),
            RiskChange::Increase
        )),
        ContractError::MarketInitiatedIncrease { account_id: id }
    );
    assert_eq!(s.account(id).settlement_balance, before);

    // from an unregistered address: refused
    let settlement = bulwark_types::market::Settlement {
        account_id: id,
        trader_addr: None,
        cash: cash(100, 0, 0),
        risk: AccountRisk::default(),
        change: RiskChange::Reduce,
    };
    assert_eq!(
        err(s.exec(&eve, &ExecuteMsg::Settle(settlement), &[])),
        ContractError::UnregisteredMarket {
            market_addr: eve.to_string()
        }
    );

    // a registered market's reduce with no trader applies (e.g. ADL realizing a profit)
    s.settle_via(
        &ma,
        None,
        id,
        cash(250_000, 0, 0),
        linear_risk(2_000_000, 0, 0),
        RiskChange::Reduce,
    )
    .unwrap();
    assert_eq!(
        s.account(id).settlement_balance,
        before + Int128::new(250_000)
    );
    assert_eq!(s.account(id).markets, vec![ma.clone()]);
    s.assert_conserved();
    // and a full close drops the link
    s.settle_via(
        &ma,
        None,
        id,
        cash(0, 0, 0),
        AccountRisk::default(),
        RiskChange::Reduce,
    )
    .unwrap();
    assert!(s.account(id).markets.is_empty());
}

#[test]
fn hedged_account_needs_less_margin_than_its_legs() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    let bob = s.bob.clone();
    let (ma, mb) = (s.market_a.clone(), s.market_b.clone());
    s.lp_deposit(&bob, 100_000_000).unwrap();
    let id = s.create_account(&alice);
    s.deposit(&alice, id, 2_000_000, USDC);
    // long 10 USDC of ATOM in market A
    let long = linear_risk(10_000_000, 0, 10_000);
    // a put-like hedge in market B: gains when ATOM falls, small loss otherwise
    let mut hedge = linear_risk(-8_000_000, 0, 10_000);
    for (i, v) in hedge.underlyings[0].scenario_pnl.iter_mut().enumerate() {
        if i >= 9 {
            *v = Int128::new(-50_000);
        }
    }
    // alone, the long needs 1.5 USDC × 1.5 + addon: too much for 2 USDC
    assert!(matches!(
        err(s.trade(
            &ma,
            &alice,
            id,
            cash(0, 0, 0),
            long.clone(),
            RiskChange::Increase
        )),
        ContractError::BelowInitialMargin { .. }
    ));
    // hedge first, then the long: together they fit
    s.trade(
        &mb,
        &alice,
        id,
        cash(0, 0, 0),
        hedge.clone(),
        RiskChange::Increase,
    )
    .unwrap();
    s.trade(
        &ma,
        &alice,
        id,
        cash(0, 0, 0),
        long.clone(),
        RiskChange::Increase,
    )
    .unwrap();
    let h = s.health(id);
    // summed per scenario: −15 % → −1.5 + 1.2 = −0.3 USDC worst
    assert_eq!(h.underlyings[0].worst_loss, Uint128::new(300_000));
    assert_eq!(h.maintenance_requirement, Uint128::new(320_000));
    let legs = 1_500_000 + 10_000 + 50_000 + 10_000;
    assert!(h.maintenance_requirement.u128() < legs);
}

#[test]
fn reduce_never_blocked_by_being_underwater() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    let bob = s.bob.clone();
    let ma = s.market_a.clone();
    s.lp_deposit(&bob, 100_000_000).unwrap();
    let id = s.create_account(&alice);
    s.deposit(&alice, id, 1_000_000, USDC);
    s.trade(
        &ma,
        &alice,
        id,
        cash(0, 0, 0),
        linear_risk(4_000_000, 0, 0),
        RiskChange::Increase,
    )
    .unwrap();
    // the market reports a big unrealized loss: equity 1 − 0.9 = 0.1 < maintenance 0.6
    s.set_risk(&ma, id, linear_risk(4_000_000, -900_000, 0));
    assert!(s.health(id).liquidatable);
    // reducing half, realizing part of the loss: health improves → accepted
    s.trade(
        &ma,
        &alice,
        id,
        cash(-450_000, 0, 0),
        linear_risk(2_000_000, -450_000, 0),
        RiskChange::Reduce,
    )
    .unwrap();
    // a "reduce" that makes it worse (fee without reducing) is refused
    assert!(matches!(
        err(s.trade(
            &ma,
            &alice,
            id,
            cash(0, 0, 50_000),
            linear_risk(2_000_000, -450_000, 0),
            RiskChange::Reduce
        )),
        ContractError::ReduceWorsensHealth { .. }
    ));
    s.assert_conserved();
}

#[test]
fn withdraw_keeps_initial_margin_and_needs_a_fresh_price() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    let bob = s.bob.clone();
    let ma = s.market_a.clone();
    s.lp_deposit(&bob, 100_000_000).unwrap();
    let id = s.create_account(&alice);
    s.deposit(&alice, id, 1_000_000, ATOM); // 8 USDC counted
    s.trade(
        &ma,
        &alice,
        id,
        cash(0, 0, 0),
        linear_risk(20_000_000, 0, 0),
        RiskChange::Increase,
    )
    .unwrap(); // initial 4.5 USDC
               // leaving 0.5 ATOM = 4 USDC < 4.5 → refused
    assert_eq!(
        err(s.exec(&alice, &withdraw(id, ATOM, 500_000), &[])),
        ContractError::WithdrawBelowInitial {
            equity: Int128::new(4_000_000),
            required: Uint128::new(4_500_000)
        }
    );
    s.exec(&alice, &withdraw(id, ATOM, 400_000), &[]).unwrap();
    // stale price: refused with the oracle's reason
    s.advance(3_601);
    assert!(matches!(
        err(s.exec(&alice, &withdraw(id, ATOM, 1), &[])),
        ContractError::Price {
            error: PriceError::Stale { .. },
            ..
        }
    ));
    assert_eq!(
        s.account(id).collateral,
        vec![(ATOM.to_string(), Uint128::new(600_000))]
    );
    s.assert_conserved();
}

// ---------------------------------------------------------------------------------------------
// LP pool

#[test]
fn lp_flow_with_delay_nav_and_locked_liquidity() {
    let mut s = Suite::new();
    let bob = s.bob.clone();
    let eve = s.eve.clone();
    let ma = s.market_a.clone();
    s.lp_deposit(&bob, 1_000_000).unwrap();
    let pos: LpPositionResponse = s
        .app
        .wrap()
        .query_wasm_smart(
            &s.vault,
            &QueryMsg::LpPosition {
                lp: bob.to_string(),
            },
        )
        .unwrap();
    assert_eq!(pos.shares, Uint128::new(1_000_000_000_000));

    // donation: a bank send to the vault does not move the share price
    let price_before = s.pool().share_price;
    s.app
        .execute(
            eve.clone(),
            cosmwasm_std::BankMsg::Send {
                to_address: s.vault.to_string(),
                amount: coins(50_000_000, USDC),
            }
            .into(),
        )
        .unwrap();
    assert_eq!(s.pool().share_price, price_before);
    let t = s.totals().into_iter().find(|t| t.denom == USDC).unwrap();
    assert_eq!(t.surplus, Int128::new(50_000_000));
    assert!(t.conserved);

    // traders up 200k: NAV 800k; eve deposits 800k and gets the same number of shares as bob
    s.set_exposure(&ma, 200_000, 0);
    assert_eq!(s.pool().nav, Uint128::new(800_000));
    s.lp_deposit(&eve, 800_000).unwrap();
    let eve_pos: LpPositionResponse = s
        .app
        .wrap()
        .query_wasm_smart(
            &s.vault,
            &QueryMsg::LpPosition {
                lp: eve.to_string(),
            },
        )
        .unwrap();
    assert!(eve_pos.shares <= pos.shares);
    assert!(eve_pos.shares + Uint128::new(2_000_000) >= pos.shares);

    // two-step withdraw
    assert_eq!(
        err(s.exec(&bob, &ExecuteMsg::LpWithdraw { min_amount: None }, &[])),
        ContractError::NoRequest
    );
    assert_eq!(
        err(s.exec(
            &bob,
            &ExecuteMsg::RequestLpWithdraw {
                shares: pos.shares + Uint128::one()
            },
            &[]
        )),
        ContractError::InsufficientShares {
            balance: pos.shares,
            shares: pos.shares + Uint128::one()
        }
    );
    s.exec(
        &bob,
        &ExecuteMsg::RequestLpWithdraw { shares: pos.shares },
        &[],
    )
    .unwrap();
    assert_eq!(
        err(s.exec(
            &bob,
            &ExecuteMsg::RequestLpWithdraw {
                shares: Uint128::one()
            },
            &[]
        )),
        ContractError::RequestPending
    );
    assert!(matches!(
        err(s.exec(&bob, &ExecuteMsg::LpWithdraw { min_amount: None }, &[])),
        ContractError::RequestNotReady { .. }
    ));
    s.advance(86_400);
    // locked liquidity limits the payout
    s.set_exposure(&ma, 200_000, 1_500_000);
    assert!(matches!(
        err(s.exec(&bob, &ExecuteMsg::LpWithdraw { min_amount: None }, &[])),
        ContractError::InsufficientFreeLiquidity { .. }
    ));
    s.set_exposure(&ma, 200_000, 0);
    let before = s.balance(&bob, USDC);
    s.exec(&bob, &ExecuteMsg::LpWithdraw { min_amount: None }, &[])
        .unwrap();
    let got = s.balance(&bob, USDC) - before;
    // bob's half of NAV 1.6M at the then-current NAV, rounded down
    assert!((799_000..=800_000).contains(&got), "{got}");
    assert_eq!(s.pool().assets.u128(), 1_800_000 - got);
    s.assert_conserved_except_donation(50_000_000);
}

trait DonationCheck {
    fn assert_conserved_except_donation(&self, donation: i128);
}

impl DonationCheck for Suite {
    fn assert_conserved_except_donation(&self, donation: i128) {
        for t in self.totals() {
            let expected = if t.denom == USDC { donation } else { 0 };
            assert_eq!(t.surplus, Int128::new(expected), "{t:?}");
        }
    }
}

#[test]
fn lp_bad_inputs() {
    let mut s = Suite::new();
    let bob = s.bob.clone();
    assert_eq!(
        err(s.exec(
            &bob,
            &ExecuteMsg::LpDeposit { min_shares: None },
            &coins(5, ATOM)
        )),
        ContractError::WrongDenom {
            denom: ATOM.into(),
            expected: USDC.into()
        }
    );
    s.pause(Level::Halted);
    assert_eq!(
        err(s.lp_deposit(&bob, 5)),
        ContractError::ActionBlocked {
            action: ActionClass::LpDeposit
        }
    );
    assert_eq!(s.pool().total_shares, Uint128::zero());
}

// ---------------------------------------------------------------------------------------------
// Liquidation

#[test]
fn liquidation_reduces_pays_and_never_worsens_health() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    let bob = s.bob.clone();
    let keeper = s.keeper.clone();
    let ma = s.market_a.clone();
    s.lp_deposit(&bob, 100_000_000).unwrap();
    let id = s.create_account(&alice);
    s.deposit(&alice, id, 1_000_000, USDC);
    s.trade(
        &ma,
        &alice,
        id,
        cash(0, 0, 0),
        linear_risk(4_000_000, 0, 0),
        RiskChange::Increase,
    )
    .unwrap();
    // healthy: refused
    assert!(matches!(
        err(s.exec(&keeper, &ExecuteMsg::Liquidate { account_id: id }, &[])),
        ContractError::NotLiquidatable { .. }
    ));
    // loss: equity 1 − 0.7 = 0.3 < maintenance 0.6
    s.set_risk(&ma, id, linear_risk(4_000_000, -700_000, 0));
    let before = s.health(id);
    assert!(before.liquidatable);
    // the market halves the position at oracle price, realizing half the loss
    s.set_force_reduce(
        &ma,
        ForceReduceResult {
            account_id: id,
            cash: cash(-350_000, 0, 0),
            reduced_notional: Uint128::new(2_000_000),
            risk: linear_risk(2_000_000, -350_000, 0),
        },
    );
    // the breaker blocks liquidations while halted
    s.pause(Level::Halted);
    assert_eq!(
        err(s.exec(&keeper, &ExecuteMsg::Liquidate { account_id: id }, &[])),
        ContractError::ActionBlocked {
            action: ActionClass::Liquidate
        }
    );
    s.advance(3_601);
    s.feed("10");
    s.pause(Level::Normal);
    // the grace period after lifting the halt still blocks
    assert!(matches!(
        err(s.exec(&keeper, &ExecuteMsg::Liquidate { account_id: id }, &[])),
        ContractError::ActionBlocked { .. }
    ));
    s.advance(1_801);
    s.feed("10");
    let keeper_before = s.balance(&keeper, USDC);
    s.exec(&keeper, &ExecuteMsg::Liquidate { account_id: id }, &[])
        .unwrap();
    let after = s.health(id);
    // penalty 1 % of 2 USDC = 20_000, half to the keeper
    assert_eq!(s.balance(&keeper, USDC) - keeper_before, 10_000);
    assert_eq!(s.pool().insurance, Uint128::new(10_000));
    assert_eq!(
        s.account(id).settlement_balance,
        Int128::new(1_000_000 - 350_000 - 20_000)
    );
    let hb = before.health.unwrap();
    let ha = after.health.unwrap();
    assert!(ha >= hb, "{ha} < {hb}");
    s.assert_conserved();
}

#[test]
fn bad_debt_is_covered_by_insurance_then_pool() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    let bob = s.bob.clone();
    let keeper = s.keeper.clone();
    let owner = s.owner.clone();
    let ma = s.market_a.clone();
    s.lp_deposit(&bob, 100_000_000).unwrap();
    s.exec(
        &owner,
        &ExecuteMsg::DepositInsurance {},
        &coins(100_000, USDC),
    )
    .unwrap();
    let id = s.create_account(&alice);
    s.deposit(&alice, id, 1_000_000, USDC);
    s.deposit(&alice, id, 10_000, ATOM); // 0.08 USDC counted
    s.trade(
        &ma,
        &alice,
        id,
        cash(0, 0, 0),
        linear_risk(4_000_000, 0, 0),
        RiskChange::Increase,
    )
    .unwrap();
    // a crash: unrealized −1.3 USDC, equity < 0 → closed out entirely
    s.set_risk(&ma, id, linear_risk(4_000_000, -1_300_000, 0));
    s.set_force_reduce(
        &ma,
        ForceReduceResult {
            account_id: id,
            cash: cash(-1_300_000, 0, 0),
            reduced_notional: Uint128::new(4_000_000),
            risk: AccountRisk::default(),
        },
    );
    let pool_before = s.pool().assets;
    s.exec(&keeper, &ExecuteMsg::Liquidate { account_id: id }, &[])
        .unwrap();
    let a = s.account(id);
    assert!(a.markets.is_empty());
    assert!(a.collateral.is_empty());
    assert_eq!(a.settlement_balance, Int128::zero());
    let p = s.pool();
    // debt 300_000: 100_000 from insurance, 200_000 from the pool (which received 1.3M)
    assert_eq!(p.bad_debt_covered_by_insurance, Uint128::new(100_000));
    assert_eq!(p.bad_debt_covered_by_pool, Uint128::new(200_000));
    assert_eq!(p.insurance, Uint128::zero());
    assert_eq!(p.assets, pool_before + Uint128::new(1_300_000 - 200_000));
    // the seized ATOM sits in the insurance fund's ATOM ledger
    let atom = s.totals().into_iter().find(|t| t.denom == ATOM).unwrap();
    assert_eq!(atom.insurance, Uint128::new(10_000));
    s.assert_conserved();
    // the owner can pay the seized collateral out
    s.owner_exec(&ExecuteMsg::WithdrawInsurance {
        denom: Some(ATOM.into()),
        amount: Uint128::new(10_000),
        recipient: owner.to_string(),
    })
    .unwrap();
    s.assert_conserved();
}

#[test]
fn fees_and_insurance_ledgers() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    let bob = s.bob.clone();
    let owner = s.owner.clone();
    let ma = s.market_a.clone();
    s.lp_deposit(&bob, 10_000_000).unwrap();
    let id = s.create_account(&alice);
    s.deposit(&alice, id, 1_000_000, USDC);
    s.trade(
        &ma,
        &alice,
        id,
        cash(0, 100, 700),
        AccountRisk::default(),
        RiskChange::Reduce,
    )
    .unwrap();
    assert_eq!(
        err(s.owner_exec(&ExecuteMsg::WithdrawFees {
            amount: Uint128::new(701),
            recipient: owner.to_string()
        })),
        ContractError::InsufficientLedger {
            ledger: "fees".into(),
            balance: Uint128::new(700),
            amount: Uint128::new(701)
        }
    );
    s.owner_exec(&ExecuteMsg::WithdrawFees {
        amount: Uint128::new(700),
        recipient: owner.to_string(),
    })
    .unwrap();
    assert_eq!(s.pool().protocol_fees, Uint128::zero());
    s.assert_conserved();
}

#[test]
fn deregister_only_without_exposure() {
    let mut s = Suite::new();
    let ma = s.market_a.clone();
    s.set_exposure(&ma, 0, 5);
    assert!(matches!(
        err(s.owner_exec(&ExecuteMsg::DeregisterMarket {
            market_addr: ma.to_string()
        })),
        ContractError::MarketHasExposure { .. }
    ));
    s.set_exposure(&ma, 0, 0);
    s.owner_exec(&ExecuteMsg::DeregisterMarket {
        market_addr: ma.to_string(),
    })
    .unwrap();
    assert_eq!(
        err(s.owner_exec(&ExecuteMsg::DeregisterMarket {
            market_addr: ma.to_string()
        })),
        ContractError::UnregisteredMarket {
            market_addr: ma.to_string()
        }
    );
}

// ---------------------------------------------------------------------------------------------
// cw20 collateral, against a minimal cw20 (balances, Send with the Receive hook, Transfer,
// Balance query).

mod mock_cw20 {
    use cosmwasm_std::{
        to_json_binary, Binary, Deps, DepsMut, Empty, Env, MessageInfo, Response, StdError,
        StdResult, Uint128, WasmMsg,
    };
    use cw20::{BalanceResponse, Cw20ExecuteMsg, Cw20QueryMsg, Cw20ReceiveMsg};
    use cw_multi_test::{Contract, ContractWrapper};
    use cw_storage_plus::Map;

    const BALANCES: Map<&str, Uint128> = Map::new("b");

    #[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq)]
    pub struct Init {
        pub holders: Vec<(String, Uint128)>,
    }

    fn instantiate(deps: DepsMut, _: Env, _: MessageInfo, msg: Init) -> StdResult<Response> {
        for (h, a) in msg.holders {
            BALANCES.save(deps.storage, &h, &a)?;
        }
        Ok(Response::new())
    }

    fn mv(deps: &mut DepsMut, from: &str, to: &str, amount: Uint128) -> StdResult<()> {
        let f = BALANCES.may_load(deps.storage, from)?.unwrap_or_default();
        let f = f
            .checked_sub(amount)
            .map_err(|_| StdError::generic_err("insufficient cw20 balance"))?;
        BALANCES.save(deps.storage, from, &f)?;
        let t = BALANCES.may_load(deps.storage, to)?.unwrap_or_default();
        BALANCES.save(deps.storage, to, &(t + amount))
    }

    fn execute(
        mut deps: DepsMut,
        _: Env,
        info: MessageInfo,
        msg: Cw20ExecuteMsg,
    ) -> StdResult<Response> {
        match msg {
            Cw20ExecuteMsg::Transfer { recipient, amount } => {
                mv(&mut deps, info.sender.as_str(), &recipient, amount)?;
                Ok(Response::new())
            }
            Cw20ExecuteMsg::Send {
                contract,
                amount,
                msg,
            } => {
                mv(&mut deps, info.sender.as_str(), &contract, amount)?;
                let receive = Cw20ReceiveMsg {
                    sender: info.sender.to_string(),
                    amount,
                    msg,
                };
                Ok(Response::new().add_message(WasmMsg::Execute {
                    contract_addr: contract,
                    msg: to_json_binary(&bulwark_types::vault::ExecuteMsg::Receive(
                        bulwark_types::vault::Cw20ReceiveMsg {
                            sender: receive.sender,
                            amount: receive.amount,
                            msg: receive.msg,
                        },
                    ))?,
                    funds: vec![],
                }))
            }
            _ => Err(StdError::generic_err("unsupported")),
        }
    }

    fn query(deps: Deps, _: Env, msg: Cw20QueryMsg) -> StdResult<Binary> {
        match msg {
            Cw20QueryMsg::Balance { address } => to_json_binary(&BalanceResponse {
                balance: BALANCES
                    .may_load(deps.storage, &address)?
                    .unwrap_or_default(),
            }),
            _ => Err(StdError::generic_err("unsupported")),
        }
    }

    pub fn contract() -> Box<dyn Contract<Empty>> {
        Box::new(ContractWrapper::new(execute, instantiate, query))
    }
}

#[test]
fn cw20_collateral_deposit_withdraw_and_bad_sender() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    let eve = s.eve.clone();
    let owner = s.owner.clone();
    let code = s.app.store_code(mock_cw20::contract());
    let token = s
        .app
        .instantiate_contract(
            code,
            owner.clone(),
            &mock_cw20::Init {
                holders: vec![
                    (alice.to_string(), Uint128::new(1_000_000)),
                    (eve.to_string(), Uint128::new(1_000_000)),
                ],
            },
            &[],
            "tok",
            None,
        )
        .unwrap();
    s.owner_exec(&ExecuteMsg::SetCollateral(CollateralConfig {
        denom: token.to_string(),
        kind: DenomKind::Cw20,
        oracle_asset_id: "ATOM".into(),
        haircut: Decimal::percent(50),
        deposit_cap: Uint128::new(500_000),
        decimals: 6,
    }))
    .unwrap();
    let id = s.create_account(&alice);
    let hook = cosmwasm_std::to_json_binary(&bulwark_types::vault::Cw20HookMsg::Deposit {
        account_id: id,
    })
    .unwrap();
    s.app
        .execute_contract(
            alice.clone(),
            token.clone(),
            &cw20::Cw20ExecuteMsg::Send {
                contract: s.vault.to_string(),
                amount: Uint128::new(400_000),
                msg: hook.clone(),
            },
            &[],
        )
        .unwrap();
    assert_eq!(
        s.account(id).collateral,
        vec![(token.to_string(), Uint128::new(400_000))]
    );
    // 0.4 token × 10 × 0.5
    assert_eq!(s.health(id).collateral_value, Uint128::new(2_000_000));
    s.assert_conserved();
    // over the cap: the cw20 send reverts as a whole
    assert!(s
        .app
        .execute_contract(
            alice.clone(),
            token.clone(),
            &cw20::Cw20ExecuteMsg::Send {
                contract: s.vault.to_string(),
                amount: Uint128::new(100_001),
                msg: hook.clone(),
            },
            &[],
        )
        .is_err());
    // eve cannot deposit into alice's account
    assert!(s
        .app
        .execute_contract(
            eve.clone(),
            token.clone(),
            &cw20::Cw20ExecuteMsg::Send {
                contract: s.vault.to_string(),
                amount: Uint128::new(1),
                msg: hook.clone(),
            },
            &[],
        )
        .is_err());
    // a forged Receive from an address that is not a listed cw20
    assert_eq!(
        err(s.exec(
            &eve,
            &ExecuteMsg::Receive(bulwark_types::vault::Cw20ReceiveMsg {
                sender: alice.to_string(),
                amount: Uint128::new(1_000),
                msg: hook,
            }),
            &[]
        )),
        ContractError::UnlistedDenom {
            denom: eve.to_string()
        }
    );
    // withdraw sends a cw20 transfer
    s.exec(&alice, &withdraw(id, token.as_str(), 150_000), &[])
        .unwrap();
    let bal: cw20::BalanceResponse = s
        .app
        .wrap()
        .query_wasm_smart(
            &token,
            &cw20::Cw20QueryMsg::Balance {
                address: alice.to_string(),
            },
        )
        .unwrap();
    assert_eq!(bal.balance, Uint128::new(750_000));
    s.assert_conserved();
}

#[test]
fn grid_is_published_for_raw_reads_and_versioned() {
    let mut s = Suite::new();
    let grid = bulwark_types::market::query_grid_raw(&s.app.wrap(), &s.vault, "ATOM")
        .unwrap()
        .unwrap();
    assert_eq!(grid.version, 1);
    assert_eq!(grid.len(), N);
    assert_eq!(grid.scenario(0), Some((d("-0.15"), d("-0.3"))));
    assert!(
        bulwark_types::market::query_grid_raw(&s.app.wrap(), &s.vault, "BTC")
            .unwrap()
            .is_none()
    );
    s.owner_exec(&ExecuteMsg::SetScenarioGrid {
        asset_id: "ATOM".into(),
        spot_shocks: Some(vec![d("-0.2"), d("0"), d("0.2")]),
        vol_shocks: Some(vec![d("0")]),
    })
    .unwrap();
    let grid = bulwark_types::market::query_grid_raw(&s.app.wrap(), &s.vault, "ATOM")
        .unwrap()
        .unwrap();
    assert_eq!(grid.version, 2);
    assert_eq!(grid.len(), 3);
    for bad in [
        (vec![d("-1"), d("0")], vec![d("0")]),
        (vec![d("0.1")], vec![d("0")]),
        (vec![], vec![d("0")]),
    ] {
        assert!(matches!(
            err(s.owner_exec(&ExecuteMsg::SetScenarioGrid {
                asset_id: "ATOM".into(),
                spot_shocks: Some(bad.0),
                vol_shocks: Some(bad.1),
            })),
            ContractError::InvalidGrid { .. }
        ));
    }
}

#[test]
fn settle_needs_a_price_for_the_collateral() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    let bob = s.bob.clone();
    let ma = s.market_a.clone();
    s.lp_deposit(&bob, 10_000_000).unwrap();
    // OSMO listed against an oracle asset with no record
    s.owner_exec(&ExecuteMsg::SetCollateral(CollateralConfig {
        denom: OSMO.into(),
        kind: DenomKind::Native,
        oracle_asset_id: "OSMO".into(),
        haircut: Decimal::percent(30),
        deposit_cap: Uint128::new(1_000_000_000),
        decimals: 6,
    }))
    .unwrap();
    let id = s.create_account(&alice);
    s.deposit(&alice, id, 1_000_000, OSMO);
    assert_eq!(
        err(s.trade(
            &ma,
            &alice,
            id,
            cash(0, 0, 0),
            linear_risk(1_000, 0, 0),
            RiskChange::Increase
        )),
        ContractError::Price {
            asset_id: "OSMO".into(),
            error: PriceError::NoRecord
        }
    );
    // without exposure the OSMO can still leave (no price needed)
    s.exec(&alice, &withdraw(id, OSMO, 1_000_000), &[]).unwrap();
    s.assert_conserved();
}

#[test]
fn liquidation_across_two_markets() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    let bob = s.bob.clone();
    let keeper = s.keeper.clone();
    let (ma, mb) = (s.market_a.clone(), s.market_b.clone());
    s.lp_deposit(&bob, 100_000_000).unwrap();
    let id = s.create_account(&alice);
    s.deposit(&alice, id, 2_000_000, USDC);
    s.trade(
        &ma,
        &alice,
        id,
        cash(0, 0, 0),
        linear_risk(4_000_000, 0, 0),
        RiskChange::Increase,
    )
    .unwrap();
    s.trade(
        &mb,
        &alice,
        id,
        cash(0, 0, 0),
        linear_risk(4_000_000, 0, 0),
        RiskChange::Increase,
    )
    .unwrap();
    // maintenance 1.2 USDC; losses of 0.7 + 0.3 → equity 1.0 < 1.2, health ≈ 0.83 ≥ 1/2
    s.set_risk(&ma, id, linear_risk(4_000_000, -700_000, 0));
    s.set_risk(&mb, id, linear_risk(4_000_000, -300_000, 0));
    let before = s.health(id);
    assert!(before.liquidatable);
    s.set_force_reduce(
        &ma,
        ForceReduceResult {
            account_id: id,
            cash: cash(-350_000, 0, 0),
            reduced_notional: Uint128::new(2_000_000),
            risk: linear_risk(2_000_000, -350_000, 0),
        },
    );
    s.set_force_reduce(
        &mb,
        ForceReduceResult {
            account_id: id,
            cash: cash(-150_000, 0, 0),
            reduced_notional: Uint128::new(2_000_000),
            risk: linear_risk(2_000_000, -150_000, 0),
        },
    );
    s.exec(&keeper, &ExecuteMsg::Liquidate { account_id: id }, &[])
        .unwrap();
    let after = s.health(id);
    assert_eq!(after.maintenance_requirement, Uint128::new(600_000));
    // penalty 1 % of 4 USDC reduced = 40_000
    assert_eq!(after.equity, Int128::new(1_000_000 - 40_000));
    assert!(after.health.unwrap() > before.health.unwrap());
    assert_eq!(
        s.account(id).settlement_balance,
        Int128::new(2_000_000 - 500_000 - 40_000)
    );
    s.assert_conserved();
}

#[test]
fn liquidation_refuses_a_reply_for_another_account() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    let bob = s.bob.clone();
    let keeper = s.keeper.clone();
    let ma = s.market_a.clone();
    s.lp_deposit(&bob, 100_000_000).unwrap();
    let id = s.create_account(&alice);
    s.deposit(&alice, id, 1_000_000, USDC);
    s.trade(
        &ma,
        &alice,
        id,
        cash(0, 0, 0),
        linear_risk(4_000_000, 0, 0),
        RiskChange::Increase,
    )
    .unwrap();
    s.set_risk(&ma, id, linear_risk(4_000_000, -700_000, 0));
    // the mock stores results per account id: answer for `id` with a result naming id + 1
    s.market_exec(
        &ma,
        &bulwark_testing::mock_market::MockMarketExecuteMsg::SetForceReduceResult {
            account_id: id,
            result: ForceReduceResult {
                account_id: id + 1,
                cash: cash(0, 0, 0),
                reduced_notional: Uint128::zero(),
                risk: AccountRisk::default(),
            },
        },
    )
    .unwrap();
    assert_eq!(
        err(s.exec(&keeper, &ExecuteMsg::Liquidate { account_id: id }, &[])),
        ContractError::ForceReduceWrongAccount {
            expected: id,
            got: id + 1
        }
    );
    assert_eq!(s.account(id).markets, vec![ma.clone()]);
    // a failing market makes the liquidation fail as a whole
    s.market_exec(
        &ma,
        &bulwark_testing::mock_market::MockMarketExecuteMsg::SetFailForceReduce { fail: true },
    )
    .unwrap();
    assert!(s
        .exec(&keeper, &ExecuteMsg::Liquidate { account_id: id }, &[])
        .is_err());
    assert_eq!(s.account(id).settlement_balance, Int128::new(1_000_000));
    s.assert_conserved();
}

#[test]
fn system_risk_reports_every_market() {
    let mut s = Suite::new();
    let bob = s.bob.clone();
    let (ma, mb) = (s.market_a.clone(), s.market_b.clone());
    s.lp_deposit(&bob, 1_000_000).unwrap();
    s.set_exposure(&ma, 100_000, 250_000);
    s.set_exposure(&mb, -40_000, 250_000);
    let r: bulwark_types::vault::SystemRiskResponse = s
        .app
        .wrap()
        .query_wasm_smart(&s.vault, &QueryMsg::SystemRisk {})
        .unwrap();
    assert_eq!(r.markets.len(), 2);
    assert_eq!(r.total_unrealized_trader_pnl, Int128::new(60_000));
    assert_eq!(r.nav, Uint128::new(940_000));
    assert_eq!(r.total_locked_liquidity, Uint128::new(500_000));
    assert_eq!(r.free_liquidity, Uint128::new(500_000));
    assert_eq!(r.utilization, Some(cosmwasm_std::Decimal256::percent(50)));
}

#[test]
fn a_price_from_the_current_block_cannot_open_risk() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    let bob = s.bob.clone();
    let ma = s.market_a.clone();
    let feeder = s.feeder.clone();
    let oracle = s.oracle.clone();
    s.lp_deposit(&bob, 10_000_000).unwrap();
    let id = s.create_account(&alice);
    s.deposit(&alice, id, 1_000_000, ATOM);
    // A crash price fed in this block does not price this block's trades: the oracle serves
    // the previous block's value (10), at which the collateral covers the trade.
    let now = s.app.block_info().time.seconds();
    s.app
        .execute_contract(
            feeder,
            oracle,
            &bulwark_types::oracle::ExecuteMsg::Feed {
                prices: vec![bulwark_types::oracle::FeedPrice {
                    asset_id: "ATOM".into(),
                    price: d("1"),
                    publish_time: now,
                }],
            },
            &[],
        )
        .unwrap();
    s.trade(
        &ma,
        &alice,
        id,
        cash(0, 0, 0),
        linear_risk(10_000_000, 0, 0),
        RiskChange::Increase,
    )
    .unwrap();
    // From the next block the crash price applies and the same trade no longer fits.
    s.next_block();
    assert!(matches!(
        err(s.trade(
            &ma,
            &alice,
            id,
            cash(0, 0, 0),
            linear_risk(10_000_000, 0, 0),
            RiskChange::Increase
        )),
        ContractError::BelowInitialMargin { .. }
    ));
}

#[test]
fn lp_deposit_refused_while_the_pool_is_insolvent() {
    let mut s = Suite::new();
    let bob = s.bob.clone();
    let eve = s.eve.clone();
    let ma = s.market_a.clone();
    s.lp_deposit(&bob, 1_000_000).unwrap();
    s.set_exposure(&ma, 1_500_000, 0);
    assert_eq!(
        err(s.lp_deposit(&eve, 1_000_000)),
        ContractError::PoolInsolvent {
            assets: Uint128::new(1_000_000),
            unrealized_trader_pnl: Int128::new(1_500_000)
        }
    );
    s.set_exposure(&ma, 900_000, 0);
    s.lp_deposit(&eve, 1_000_000).unwrap();
    s.assert_conserved();
}

#[test]
fn debt_without_exposure_blocks_withdrawing_its_backing() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    let bob = s.bob.clone();
    let ma = s.market_a.clone();
    s.lp_deposit(&bob, 10_000_000).unwrap();
    let id = s.create_account(&alice);
    s.deposit(&alice, id, 1_000_000, ATOM); // 8 USDC counted
    s.trade(
        &ma,
        &alice,
        id,
        cash(0, 0, 0),
        linear_risk(10_000_000, 0, 0),
        RiskChange::Increase,
    )
    .unwrap();
    // closed at a 3 USDC loss: settlement −3 USDC, no exposure
    s.trade(
        &ma,
        &alice,
        id,
        cash(-3_000_000, 0, 0),
        AccountRisk::default(),
        RiskChange::Reduce,
    )
    .unwrap();
    assert!(s.account(id).markets.is_empty());
    assert_eq!(s.account(id).settlement_balance, Int128::new(-3_000_000));
    // 0.7 ATOM out would leave 2.4 USDC counted against 3 USDC of debt
    assert_eq!(
        err(s.exec(&alice, &withdraw(id, ATOM, 700_000), &[])),
        ContractError::WithdrawBelowInitial {
            equity: Int128::new(-600_000),
            required: Uint128::zero()
        }
    );
    s.exec(&alice, &withdraw(id, ATOM, 600_000), &[]).unwrap();
    // repaying the debt frees the rest
    s.deposit(&alice, id, 3_000_000, USDC);
    s.exec(&alice, &withdraw(id, ATOM, 400_000), &[]).unwrap();
    assert!(s.account(id).collateral.is_empty());
    s.assert_conserved();
}

#[test]
fn a_grid_change_does_not_block_settling_old_positions() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    let bob = s.bob.clone();
    let (ma, mb) = (s.market_a.clone(), s.market_b.clone());
    s.lp_deposit(&bob, 10_000_000).unwrap();
    let id = s.create_account(&alice);
    s.deposit(&alice, id, 2_000_000, USDC);
    for (m, size) in [(&ma, 4_000_000), (&mb, 2_000_000)] {
        s.trade(
            m,
            &alice,
            id,
            cash(0, 0, 0),
            linear_risk(size, 0, 0),
            RiskChange::Increase,
        )
        .unwrap();
    }
    // the owner switches ATOM to a 3-scenario grid (version 2)
    s.owner_exec(&ExecuteMsg::SetScenarioGrid {
        asset_id: "ATOM".into(),
        spot_shocks: Some(vec![d("-0.2"), d("0"), d("0.2")]),
        vol_shocks: Some(vec![d("0")]),
    })
    .unwrap();
    let v2 = AccountRisk {
        underlyings: vec![bulwark_types::market::UnderlyingRisk {
            asset_id: "ATOM".into(),
            grid_version: 2,
            unrealized_pnl: Int128::zero(),
            scenario_pnl: vec![Int128::new(-400_000), Int128::zero(), Int128::new(400_000)],
            maintenance_addon: Uint128::zero(),
            initial_addon: Uint128::zero(),
        }],
    };
    // market B recomputes against the new grid; the vault's stored report of market A is for
    // the old one (it must not try to sum vectors of 21 and 3 scenarios)
    s.set_risk(&mb, id, v2.clone());
    // a report against the old grid is refused, one against the new grid settles
    assert!(matches!(
        err(s.trade(
            &ma,
            &alice,
            id,
            cash(0, 0, 0),
            linear_risk(2_000_000, 0, 0),
            RiskChange::Reduce
        )),
        ContractError::Margin(MarginError::GridVersionMismatch { .. })
    ));
    s.trade(&ma, &alice, id, cash(0, 0, 0), v2, RiskChange::Reduce)
        .unwrap();
    assert_eq!(s.health(id).maintenance_requirement, Uint128::new(800_000));
}
