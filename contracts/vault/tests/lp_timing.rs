//! Issue 16: LP pool and liquidation accounting under adversarial timing. Each test failed
//! before its fix: request windows, conservative LP pricing around a crash, bad debt counted
//! once, slippage minimums, and no payout of value that no coin backs.

mod common;

use common::*;
use cosmwasm_std::{coins, Addr, Int128, Uint128};
use cw_multi_test::Executor;

use bulwark_types::market::{AccountRisk, ForceReduceResult, RiskChange};
use bulwark_types::oracle::{ExecuteMsg as OracleMsg, FeedPrice};
use bulwark_types::vault::{ExecuteMsg, LpPositionResponse, QueryMsg, VaultParams};
use bulwark_vault::ContractError;

const DELAY: u64 = 86_400;
const WINDOW: u64 = 86_400;

fn position(s: &Suite, who: &Addr) -> LpPositionResponse {
    s.app
        .wrap()
        .query_wasm_smart(
            &s.vault,
            &QueryMsg::LpPosition {
                lp: who.to_string(),
            },
        )
        .unwrap()
}

fn request(s: &mut Suite, who: &Addr, shares: u128) -> anyhow::Result<cw_multi_test::AppResponse> {
    s.exec(
        who,
        &ExecuteMsg::RequestLpWithdraw {
            shares: Uint128::new(shares),
        },
        &[],
    )
}

fn lp_withdraw(s: &mut Suite, who: &Addr) -> anyhow::Result<cw_multi_test::AppResponse> {
    s.exec(who, &ExecuteMsg::LpWithdraw { min_amount: None }, &[])
}

/// Publishes an ATOM price in the current block (no block change): this block's markets
/// still value at the previous value (D9).
fn feed_now(s: &mut Suite, price: &str) {
    let now = s.app.block_info().time.seconds();
    s.app
        .execute_contract(
            s.feeder.clone(),
            s.oracle.clone(),
            &OracleMsg::Feed {
                prices: vec![FeedPrice {
                    asset_id: "ATOM".into(),
                    price: d(price),
                    publish_time: now,
                }],
            },
            &[],
        )
        .unwrap();
}

/// Backed value of the settlement denom: every claim other than the pool's and the insurance
/// fund's (positive account balances, protocol fees, IBC ledgers) is backed by coins the vault
/// holds; equivalently, the accounts' debt never exceeds pool + insurance, which absorb it.
fn assert_backed(s: &Suite, ids: &[u64]) {
    let t = s.totals().into_iter().find(|t| t.denom == USDC).unwrap();
    let mut positive = 0u128;
    let mut debt = 0u128;
    for id in ids {
        let b = s.account(*id).settlement_balance.i128();
        if b >= 0 {
            positive += b as u128;
        } else {
            debt += b.unsigned_abs();
        }
    }
    let senior = positive + t.fees.u128() + t.ibc_pending.u128();
    assert!(
        t.balance.u128() >= senior,
        "unbacked: balance {} < senior claims {senior} ({t:?})",
        t.balance
    );
    assert!(
        debt <= t.pool.u128() + t.insurance.u128(),
        "debt {debt} > pool + insurance ({t:?})"
    );
    assert_eq!(s.pool().account_debt.u128(), debt);
}

/// Moves `amount` from the pool ledger to an account's settlement balance without any check,
/// as the vault before issue 16 paid a winner out of a receivable: the signed sum is kept, the
/// backing is not. Stands in for state written by an older version.
fn legacy_pay_from_pool(s: &mut Suite, account_id: u64, amount: u128) {
    use bulwark_vault::state::{ACCOUNTS, TOTALS};
    let vault = s.vault.clone();
    let mut st = s.app.contract_storage_mut(&vault);
    let mut a = ACCOUNTS.load(&*st, account_id).unwrap();
    a.settlement_balance += Int128::new(amount as i128);
    ACCOUNTS.save(&mut *st, account_id, &a).unwrap();
    let mut t = TOTALS.load(&*st, USDC).unwrap();
    t.pool -= Uint128::new(amount);
    t.accounts += Int128::new(amount as i128);
    TOTALS.save(&mut *st, USDC, &t).unwrap();
}

// ---------------------------------------------------------------------------------------------
// 1. Withdrawal requests expire

#[test]
fn lp_request_is_void_after_its_window() {
    let mut s = Suite::new();
    let bob = s.bob.clone();
    s.lp_deposit(&bob, 1_000_000).unwrap();
    let all = position(&s, &bob).shares.u128();
    let t0 = s.app.block_info().time;
    request(&mut s, &bob, all / 4).unwrap();
    let pending = position(&s, &bob).pending.unwrap();
    assert_eq!(pending.ready_at, t0.plus_seconds(DELAY));
    assert_eq!(pending.expires_at, t0.plus_seconds(DELAY + WINDOW));
    // the last second of the window still redeems
    s.advance(DELAY + WINDOW - 1);
    let before = s.balance(&bob, USDC);
    lp_withdraw(&mut s, &bob).unwrap();
    assert!(s.balance(&bob, USDC) > before);

    // a request left past its window is void: no redemption months later
    request(&mut s, &bob, all / 4).unwrap();
    let p = position(&s, &bob).pending.unwrap();
    s.advance(DELAY + WINDOW);
    assert_eq!(
        err(lp_withdraw(&mut s, &bob)),
        ContractError::RequestExpired {
            expired_at: p.expires_at.seconds(),
            now: s.app.block_info().time.seconds()
        }
    );
    s.advance(90 * 86_400);
    assert!(matches!(
        err(lp_withdraw(&mut s, &bob)),
        ContractError::RequestExpired { .. }
    ));
    // the void request blocks a new one until cancelled; cancelling loses nothing
    assert_eq!(err(request(&mut s, &bob, 1)), ContractError::RequestPending);
    s.exec(&bob, &ExecuteMsg::CancelLpWithdraw {}, &[]).unwrap();
    assert_eq!(position(&s, &bob).shares.u128(), all - all / 4);
    request(&mut s, &bob, all / 4).unwrap();
    s.advance(DELAY);
    s.feed("10");
    lp_withdraw(&mut s, &bob).unwrap();
    s.assert_conserved();

    // the window is configurable and bounded
    for bad in [0u64, 604_801] {
        assert!(matches!(
            err(s.owner_exec(&ExecuteMsg::UpdateConfig {
                oracle: None,
                circuit_breaker: None,
                params: Some(VaultParams {
                    lp_withdraw_window_secs: bad,
                    ..VaultParams::default()
                }),
            })),
            ContractError::InvalidParam { .. }
        ));
    }
    s.owner_exec(&ExecuteMsg::UpdateConfig {
        oracle: None,
        circuit_breaker: None,
        params: Some(VaultParams {
            lp_withdraw_window_secs: 3_600,
            ..VaultParams::default()
        }),
    })
    .unwrap();
    request(&mut s, &bob, 1_000).unwrap();
    s.advance(DELAY + 3_600);
    assert!(matches!(
        err(lp_withdraw(&mut s, &bob)),
        ContractError::RequestExpired { .. }
    ));
}

/// With tokenfactory shares a void request still holds the LP's share coins: it can always be
/// cancelled, which returns them; nothing is burned.
#[test]
fn tokenfactory_void_request_returns_the_shares() {
    let mut s = Suite::with_lp_shares(Some("blp"));
    let denom = format!("factory/{}/blp", s.vault);
    let bob = s.bob.clone();
    s.lp_deposit(&bob, 1_000_000).unwrap();
    let all = s.balance(&bob, &denom);
    s.exec(
        &bob,
        &ExecuteMsg::RequestLpWithdraw {
            shares: Uint128::new(all),
        },
        &coins(all, &denom),
    )
    .unwrap();
    assert_eq!(s.balance(&s.vault, &denom), all);
    s.advance(DELAY + WINDOW);
    let usdc = s.balance(&bob, USDC);
    assert!(matches!(
        err(lp_withdraw(&mut s, &bob)),
        ContractError::RequestExpired { .. }
    ));
    assert_eq!(s.balance(&s.vault, &denom), all);
    assert_eq!(
        s.app.wrap().query_supply(&denom).unwrap().amount.u128(),
        all
    );
    s.exec(&bob, &ExecuteMsg::CancelLpWithdraw {}, &[]).unwrap();
    assert_eq!(s.balance(&bob, &denom), all);
    assert_eq!(s.balance(&bob, USDC), usdc);
    assert_eq!(s.balance(&s.vault, &denom), 0);
    assert_eq!(s.pool().total_shares.u128(), all);
    s.assert_conserved();
}

// ---------------------------------------------------------------------------------------------
// 2. Conservative LP pricing around a crash

/// Two LPs with 1 USDC each; a trader long 1 USDC of ATOM with 0.25 USDC margin. ATOM halves:
/// the trader's loss (0.5) exceeds its equity, so the pool will collect only 0.25. The LP who
/// leaves before the liquidation must not be paid out of the 0.25 the pool never gets.
#[test]
fn lp_leaving_after_a_crash_leaves_the_bad_debt_to_nobody() {
    let mut s = Suite::new();
    let (alice, bob, eve, keeper) = (
        s.alice.clone(),
        s.bob.clone(),
        s.eve.clone(),
        s.keeper.clone(),
    );
    let ma = s.market_a.clone();
    s.lp_deposit(&alice, 1_000_000).unwrap();
    s.lp_deposit(&bob, 1_000_000).unwrap();
    let id = s.create_account(&eve);
    s.deposit(&eve, id, 250_000, USDC);
    s.trade(
        &ma,
        &eve,
        id,
        cash(0, 0, 0),
        linear_risk(1_000_000, 0, 0),
        RiskChange::Increase,
    )
    .unwrap();
    let shares = position(&s, &alice).shares.u128();
    request(&mut s, &alice, shares).unwrap();
    s.advance(DELAY);
    // the crash, priced by the markets from the next block
    s.feed("5");
    s.set_exposure(&ma, -500_000, 0);
    s.set_risk(&ma, id, linear_risk(1_000_000, -500_000, 0));
    // true value: 2 USDC + the 0.25 the pool can collect; each LP's fair share 1.125
    let fair = 1_125_000u128;
    let before = s.balance(&alice, USDC);
    lp_withdraw(&mut s, &alice).unwrap();
    let alice_out = s.balance(&alice, USDC) - before;
    assert!(alice_out <= fair, "the leaver took {alice_out} > {fair}");
    // the keeper closes the account: the pool realizes the loss and covers the debt
    s.set_force_reduce(
        &ma,
        ForceReduceResult {
            account_id: id,
            cash: cash(-500_000, 0, 0),
            reduced_notional: Uint128::new(1_000_000),
            risk: AccountRisk::default(),
        },
    );
    s.exec(&keeper, &ExecuteMsg::Liquidate { account_id: id }, &[])
        .unwrap();
    s.set_exposure(&ma, 0, 0);
    let p = s.pool();
    assert_eq!(p.total_shares.u128(), position(&s, &bob).shares.u128());
    assert!(
        p.nav.u128() >= fair,
        "the LP who stayed holds {} < {fair}",
        p.nav
    );
    assert_eq!(p.bad_debt_covered_by_pool, Uint128::new(250_000));
    s.assert_conserved();
}

/// The trader is short, so the crash is the pool's loss. In the block the crash price is
/// published the markets still value at the old price; an LP leaving (or joining) in that
/// block would trade at a superseded NAV. LP pricing waits for the next block.
#[test]
fn lp_leaving_in_the_crash_block_pays_its_share_of_the_loss() {
    let mut s = Suite::new();
    let (alice, bob, eve, keeper) = (
        s.alice.clone(),
        s.bob.clone(),
        s.eve.clone(),
        s.keeper.clone(),
    );
    let ma = s.market_a.clone();
    s.lp_deposit(&alice, 1_000_000).unwrap();
    s.lp_deposit(&bob, 1_000_000).unwrap();
    let id = s.create_account(&eve);
    s.deposit(&eve, id, 250_000, USDC);
    s.trade(
        &ma,
        &eve,
        id,
        cash(0, 0, 0),
        linear_risk(-1_000_000, 0, 0),
        RiskChange::Increase,
    )
    .unwrap();
    let shares = position(&s, &alice).shares.u128();
    request(&mut s, &alice, shares).unwrap();
    s.advance(DELAY);
    s.feed("10");
    // block N: the crash is published; the market's exposure is still the old price's (0)
    feed_now(&mut s, "5");
    let before = s.balance(&alice, USDC);
    assert_eq!(
        err(lp_withdraw(&mut s, &alice)),
        ContractError::LpPriceUnsettled {
            asset_id: "ATOM".into()
        }
    );
    // nor can anyone join at the stale NAV
    assert_eq!(
        err(s.lp_deposit(&keeper, 1_000_000)),
        ContractError::LpPriceUnsettled {
            asset_id: "ATOM".into()
        }
    );
    // block N+1: the markets value at 5; the trader is 0.5 up, the pool's NAV 1.5
    s.next_block();
    s.set_exposure(&ma, 500_000, 0);
    let _ = lp_withdraw(&mut s, &alice);
    let alice_out = s.balance(&alice, USDC) - before;
    let fair = 750_000u128;
    assert!(alice_out <= fair, "the leaver took {alice_out} > {fair}");
    let p = s.pool();
    assert!(p.nav.u128() + alice_out >= 2 * fair - 1);
    assert!(
        p.nav.u128() >= fair,
        "the LP who stayed holds {} < {fair}",
        p.nav
    );
    s.assert_conserved();
}

// ---------------------------------------------------------------------------------------------
// 3. Bad debt recorded once, and lowered when covered

#[test]
fn repeated_liquidation_counts_bad_debt_once() {
    let mut s = Suite::new();
    let (alice, bob, eve, keeper, owner) = (
        s.alice.clone(),
        s.bob.clone(),
        s.eve.clone(),
        s.keeper.clone(),
        s.owner.clone(),
    );
    let ma = s.market_a.clone();
    s.lp_deposit(&bob, 1_000_000).unwrap();
    let id = s.create_account(&alice);
    let winner = s.create_account(&eve);
    s.deposit(&alice, id, 200_000, USDC);
    s.trade(
        &ma,
        &alice,
        id,
        cash(0, 0, 0),
        linear_risk(500_000, 0, 0),
        RiskChange::Increase,
    )
    .unwrap();
    // closed at a 0.5 loss: 0.3 of debt, owed to the pool, which booked the 0.5
    s.trade(
        &ma,
        &alice,
        id,
        cash(-500_000, 0, 0),
        AccountRisk::default(),
        RiskChange::Reduce,
    )
    .unwrap();
    assert_eq!(s.account(id).settlement_balance, Int128::new(-300_000));
    // an older version paid 1.4 of the pool's 1.5 to a winner: 0.1 left for 0.3 of debt
    legacy_pay_from_pool(&mut s, winner, 1_400_000);
    s.exec(&keeper, &ExecuteMsg::Liquidate { account_id: id }, &[])
        .unwrap();
    let p = s.pool();
    assert_eq!(p.bad_debt_covered_by_pool, Uint128::new(100_000));
    assert_eq!(p.bad_debt_uncovered, Uint128::new(200_000));
    assert_eq!(s.account(id).settlement_balance, Int128::new(-200_000));
    // anyone may call it again: the same debt is not counted again
    for _ in 0..3 {
        let _ = s.exec(&keeper, &ExecuteMsg::Liquidate { account_id: id }, &[]);
        assert_eq!(s.pool().bad_debt_uncovered, Uint128::new(200_000));
    }
    // insurance refilled: the next cover lowers it
    s.exec(
        &owner,
        &ExecuteMsg::DepositInsurance {},
        &coins(50_000, USDC),
    )
    .unwrap();
    s.exec(&keeper, &ExecuteMsg::Liquidate { account_id: id }, &[])
        .unwrap();
    assert_eq!(s.pool().bad_debt_uncovered, Uint128::new(150_000));
    assert_eq!(s.account(id).settlement_balance, Int128::new(-150_000));
    // the owner repays part, then the rest: the figure follows the debt down to zero
    s.deposit(&alice, id, 100_000, USDC);
    assert_eq!(s.pool().bad_debt_uncovered, Uint128::new(50_000));
    s.deposit(&alice, id, 80_000, USDC);
    assert_eq!(s.pool().bad_debt_uncovered, Uint128::zero());
    assert_eq!(s.account(id).settlement_balance, Int128::new(30_000));
    s.assert_conserved();
}

// ---------------------------------------------------------------------------------------------
// 4. Slippage minimums

#[test]
fn lp_deposit_and_withdraw_respect_their_minimums() {
    let mut s = Suite::new();
    let bob = s.bob.clone();
    let ma = s.market_a.clone();
    s.lp_deposit(&bob, 1_000_000).unwrap();
    // traders lose 1 USDC unrealized before the next deposit executes: NAV 2, half the shares
    s.set_exposure(&ma, -1_000_000, 0);
    let expected = 1_000_000_000_000u128;
    assert_eq!(
        err(s.exec(
            &bob,
            &ExecuteMsg::LpDeposit {
                min_shares: Some(Uint128::new(expected))
            },
            &coins(1_000_000, USDC),
        )),
        ContractError::Slippage {
            got: Uint128::new(500_000_249_999),
            min: Uint128::new(expected)
        }
    );
    assert_eq!(s.pool().total_shares.u128(), expected);
    s.exec(
        &bob,
        &ExecuteMsg::LpDeposit {
            min_shares: Some(Uint128::new(500_000_249_999)),
        },
        &coins(1_000_000, USDC),
    )
    .unwrap();
    s.set_exposure(&ma, 0, 0);
    request(&mut s, &bob, 500_000_000_000).unwrap();
    s.advance(DELAY);
    // the redemption would pay ≈ 0.333 USDC: a minimum above it refuses, at it pays
    let pays = (s.pool().redeem_nav.u128() + 1) * 500_000_000_000 / (1_500_000_249_999 + 1_000_000);
    assert_eq!(
        err(s.exec(
            &bob,
            &ExecuteMsg::LpWithdraw {
                min_amount: Some(Uint128::new(pays + 1))
            },
            &[]
        )),
        ContractError::Slippage {
            got: Uint128::new(pays),
            min: Uint128::new(pays + 1)
        }
    );
    let before = s.balance(&bob, USDC);
    s.exec(
        &bob,
        &ExecuteMsg::LpWithdraw {
            min_amount: Some(Uint128::new(pays)),
        },
        &[],
    )
    .unwrap();
    assert_eq!(s.balance(&bob, USDC) - before, pays);
    s.assert_conserved();
}

// ---------------------------------------------------------------------------------------------
// Realized loss beyond equity: the debt is owed to insurance and pool, which never pay it out

/// A loser's debt is a receivable of the pool, not coins: the pool may not pay a winner (or a
/// leaving LP) out of it, so every balance stays backed by coins.
#[test]
fn a_winner_is_never_paid_out_of_a_debt() {
    let mut s = Suite::new();
    let (alice, bob, eve, keeper) = (
        s.alice.clone(),
        s.bob.clone(),
        s.eve.clone(),
        s.keeper.clone(),
    );
    let ma = s.market_a.clone();
    s.lp_deposit(&bob, 1_000_000).unwrap();
    let loser = s.create_account(&alice);
    let winner = s.create_account(&eve);
    let ids = [loser, winner];
    s.deposit(&alice, loser, 200_000, USDC);
    s.deposit(&eve, winner, 200_000, USDC);
    s.trade(
        &ma,
        &alice,
        loser,
        cash(0, 0, 0),
        linear_risk(500_000, 0, 0),
        RiskChange::Increase,
    )
    .unwrap();
    s.trade(
        &ma,
        &eve,
        winner,
        cash(0, 0, 0),
        linear_risk(-500_000, 0, 0),
        RiskChange::Increase,
    )
    .unwrap();
    assert_backed(&s, &ids);
    // the loser closes 0.5 down with 0.2 of margin: 0.3 of debt; the pool books 0.5
    s.trade(
        &ma,
        &alice,
        loser,
        cash(-500_000, 0, 0),
        AccountRisk::default(),
        RiskChange::Reduce,
    )
    .unwrap();
    assert_eq!(s.account(loser).settlement_balance, Int128::new(-300_000));
    assert_eq!(s.pool().assets, Uint128::new(1_500_000));
    assert_backed(&s, &ids);
    // the pool holds 1.2 in coins: a 1.4 profit cannot be paid from the 0.3 it is owed
    assert!(matches!(
        err(s.trade(
            &ma,
            &eve,
            winner,
            cash(1_400_000, 0, 0),
            AccountRisk::default(),
            RiskChange::Reduce
        )),
        ContractError::PoolInsufficient { .. }
    ));
    assert_backed(&s, &ids);
    // the LP's redemption NAV leaves the debt out too
    assert_eq!(s.pool().redeem_nav, Uint128::new(1_200_000));
    // 1.2 is backed: paid
    s.trade(
        &ma,
        &eve,
        winner,
        cash(1_200_000, 0, 0),
        AccountRisk::default(),
        RiskChange::Reduce,
    )
    .unwrap();
    assert_backed(&s, &ids);
    let bal = s.account(winner).settlement_balance.i128() as u128;
    s.exec(
        &eve,
        &ExecuteMsg::Withdraw {
            account_id: winner,
            denom: USDC.into(),
            amount: Uint128::new(bal),
            recipient: None,
        },
        &[],
    )
    .unwrap();
    assert_backed(&s, &ids);
    // the debt is then written off against the pool, which kept exactly that much
    s.exec(&keeper, &ExecuteMsg::Liquidate { account_id: loser }, &[])
        .unwrap();
    let p = s.pool();
    assert_eq!(p.bad_debt_covered_by_pool, Uint128::new(300_000));
    assert!(p.bad_debt_uncovered.is_zero());
    assert!(p.assets.is_zero());
    assert_backed(&s, &ids);
    s.assert_conserved();
}

// ---------------------------------------------------------------------------------------------
// Review of the fixes: what must never be refused, and what guards the coins instead (D26)

/// The state of `a_winner_is_never_paid_out_of_a_debt` after the loser's close: pool 1.5 of
/// which 0.3 is the loser's debt, so 1.2 in coins; the winner is short 0.5 ATOM on market A.
fn pool_owed_a_debt() -> (Suite, u64, u64) {
    let mut s = Suite::new();
    let (alice, bob, eve) = (s.alice.clone(), s.bob.clone(), s.eve.clone());
    let ma = s.market_a.clone();
    s.lp_deposit(&bob, 1_000_000).unwrap();
    let loser = s.create_account(&alice);
    let winner = s.create_account(&eve);
    s.deposit(&alice, loser, 200_000, USDC);
    s.deposit(&eve, winner, 200_000, USDC);
    for (who, id, delta) in [(&alice, loser, 500_000), (&eve, winner, -500_000)] {
        s.trade(
            &ma,
            who,
            id,
            cash(0, 0, 0),
            linear_risk(delta, 0, 0),
            RiskChange::Increase,
        )
        .unwrap();
    }
    s.trade(
        &ma,
        &alice,
        loser,
        cash(-500_000, 0, 0),
        AccountRisk::default(),
        RiskChange::Reduce,
    )
    .unwrap();
    assert_eq!(s.pool().account_debt, Uint128::new(300_000));
    (s, loser, winner)
}

fn withdraw_usdc(
    s: &mut Suite,
    who: &Addr,
    id: u64,
    amount: u128,
) -> anyhow::Result<cw_multi_test::AppResponse> {
    s.exec(
        who,
        &ExecuteMsg::Withdraw {
            account_id: id,
            denom: USDC.into(),
            amount: Uint128::new(amount),
            recipient: None,
        },
        &[],
    )
}

/// An expiry (market-initiated) paying more than the pool's coins is applied, not refused:
/// refusing it would keep the position open past its expiry. The winner's balance is then
/// partly backed by no coin, and no settlement coin leaves until the shortfall is covered.
#[test]
fn expiry_beyond_backing_is_applied_and_coins_wait_for_cover() {
    let (mut s, _loser, winner) = pool_owed_a_debt();
    let (eve, owner) = (s.eve.clone(), s.owner.clone());
    let ma = s.market_a.clone();
    s.settle_via(
        &ma,
        None,
        winner,
        cash(1_400_000, 0, 0),
        AccountRisk::default(),
        RiskChange::Reduce,
    )
    .unwrap();
    assert_eq!(s.account(winner).settlement_balance, Int128::new(1_600_000));
    // debt 0.3 against pool 0.1 and no insurance: 0.2 of the winner's balance is unbacked
    let before = (s.balance(&eve, USDC), s.totals());
    assert_eq!(
        err(withdraw_usdc(&mut s, &eve, winner, 1)),
        ContractError::SettlementUnbacked {
            shortfall: Uint128::new(200_000),
            fees: Uint128::zero()
        }
    );
    assert_eq!((s.balance(&eve, USDC), s.totals()), before);
    // the DAO covers it through the insurance fund: every balance is backed again
    s.exec(
        &owner,
        &ExecuteMsg::DepositInsurance {},
        &coins(200_000, USDC),
    )
    .unwrap();
    withdraw_usdc(&mut s, &eve, winner, 1_600_000).unwrap();
    s.assert_conserved();
}

/// A liquidation whose forced reduction realizes a profit the pool's coins cannot pay is
/// applied (the account's risk goes away); before the fix `PoolInsufficient` made the
/// account unliquidatable.
#[test]
fn liquidation_realizing_a_profit_beyond_backing_is_not_refused() {
    let (mut s, _loser, winner) = pool_owed_a_debt();
    let (eve, keeper) = (s.eve.clone(), s.keeper.clone());
    let ma = s.market_a.clone();
    // 1.4 up, but an add-on of 5 puts the account below maintenance
    s.set_risk(&ma, winner, linear_risk(-500_000, 1_400_000, 5_000_000));
    assert!(s.health(winner).liquidatable);
    s.set_force_reduce(
        &ma,
        ForceReduceResult {
            account_id: winner,
            cash: cash(1_400_000, 0, 0),
            reduced_notional: Uint128::new(500_000),
            risk: AccountRisk::default(),
        },
    );
    s.exec(&keeper, &ExecuteMsg::Liquidate { account_id: winner }, &[])
        .unwrap();
    assert!(s.account(winner).markets.is_empty());
    assert!(matches!(
        err(withdraw_usdc(&mut s, &eve, winner, 1)),
        ContractError::SettlementUnbacked { .. }
    ));
    s.assert_conserved();
}

/// A trader's loss-taking close is never refused for backing, even with its protocol fee
/// charged into a debt that pool and insurance cannot absorb: the fee grows the shortfall by
/// exactly what it adds to the fees, which bear a shortfall first.
#[test]
fn loss_taking_close_with_fees_into_debt_is_not_refused() {
    let (mut s, loser, winner) = pool_owed_a_debt();
    let alice = s.alice.clone();
    let ma = s.market_a.clone();
    // an expiry leaves the pool 0.1 against the loser's 0.3 of debt: shortfall 0.2
    s.settle_via(
        &ma,
        None,
        winner,
        cash(1_400_000, 0, 0),
        AccountRisk::default(),
        RiskChange::Reduce,
    )
    .unwrap();
    // the loser trades again on ATOM collateral and closes at a loss with a protocol fee
    s.deposit(&alice, loser, 1_000_000, ATOM);
    s.trade(
        &ma,
        &alice,
        loser,
        cash(0, 0, 0),
        linear_risk(100_000, 0, 0),
        RiskChange::Increase,
    )
    .unwrap();
    s.trade(
        &ma,
        &alice,
        loser,
        cash(-50_000, 0, 10_000),
        AccountRisk::default(),
        RiskChange::Reduce,
    )
    .unwrap();
    assert_eq!(s.account(loser).settlement_balance, Int128::new(-360_000));
    let t = s.totals().into_iter().find(|t| t.denom == USDC).unwrap();
    assert_eq!(
        (t.pool, t.fees),
        (Uint128::new(150_000), Uint128::new(10_000))
    );
    s.assert_conserved();
}

/// A permissionless oracle refresh in every block cannot hold LPs off: a move within
/// `lp_price_tolerance` lets LP pricing proceed in the block it is published.
#[test]
fn small_moves_in_the_block_do_not_hold_lps_off() {
    let mut s = Suite::new();
    let (alice, bob) = (s.alice.clone(), s.bob.clone());
    s.lp_deposit(&alice, 1_000_000).unwrap();
    s.next_block();
    s.feed("10");
    feed_now(&mut s, "10.04");
    s.lp_deposit(&bob, 1_000_000).unwrap();
    s.next_block();
    feed_now(&mut s, "10.2");
    assert_eq!(
        err(s.lp_deposit(&bob, 1_000_000)),
        ContractError::LpPriceUnsettled {
            asset_id: "ATOM".into()
        }
    );
    // the tolerance is the owner's, bounded
    assert!(matches!(
        err(s.owner_exec(&ExecuteMsg::UpdateConfig {
            oracle: None,
            circuit_breaker: None,
            params: Some(VaultParams {
                lp_price_tolerance: cosmwasm_std::Decimal::percent(6),
                ..VaultParams::default()
            }),
        })),
        ContractError::InvalidParam { .. }
    ));
}

/// A two-sided book after a 50 % crash: the long loses 0.5 with 0.25 of equity, the short
/// wins 0.5. The market's net PnL is 0, yet only 0.25 of the loss is collectable and the
/// whole gain is owed: true value 2 + 0.25 − 0.5 = 1.75, each LP's fair share 0.875. Priced
/// at the net, the leaver took 1.0; priced at the winners' gains, it cannot take more than
/// its share.
#[test]
fn two_sided_book_does_not_hide_the_winners_gains() {
    let mut s = Suite::new();
    let (alice, bob, eve, keeper, owner) = (
        s.alice.clone(),
        s.bob.clone(),
        s.eve.clone(),
        s.keeper.clone(),
        s.owner.clone(),
    );
    let ma = s.market_a.clone();
    s.lp_deposit(&alice, 1_000_000).unwrap();
    s.lp_deposit(&bob, 1_000_000).unwrap();
    let long = s.create_account(&eve);
    let short = s.create_account(&owner);
    s.deposit(&eve, long, 250_000, USDC);
    s.deposit(&owner, short, 250_000, USDC);
    for (who, id, delta) in [(&eve, long, 1_000_000), (&owner, short, -1_000_000)] {
        s.trade(
            &ma,
            who,
            id,
            cash(0, 0, 0),
            linear_risk(delta, 0, 0),
            RiskChange::Increase,
        )
        .unwrap();
    }
    let shares = position(&s, &alice).shares.u128();
    request(&mut s, &alice, shares).unwrap();
    s.advance(DELAY);
    s.feed("5");
    s.set_exposure_gross(&ma, 0, 500_000, 0);
    s.set_risk(&ma, long, linear_risk(1_000_000, -500_000, 0));
    s.set_risk(&ma, short, linear_risk(-1_000_000, 500_000, 0));
    let fair = 875_000u128;
    let before = s.balance(&alice, USDC);
    lp_withdraw(&mut s, &alice).unwrap();
    let alice_out = s.balance(&alice, USDC) - before;
    assert!(alice_out <= fair, "the leaver took {alice_out} > {fair}");
    // the long is liquidated (0.25 collected, 0.25 written off against the pool), the
    // short closes and is paid: what is left is the LP who stayed
    s.set_force_reduce(
        &ma,
        ForceReduceResult {
            account_id: long,
            cash: cash(-500_000, 0, 0),
            reduced_notional: Uint128::new(1_000_000),
            risk: AccountRisk::default(),
        },
    );
    s.exec(&keeper, &ExecuteMsg::Liquidate { account_id: long }, &[])
        .unwrap();
    s.set_exposure_gross(&ma, 500_000, 500_000, 0);
    s.trade(
        &ma,
        &owner,
        short,
        cash(500_000, 0, 0),
        AccountRisk::default(),
        RiskChange::Reduce,
    )
    .unwrap();
    s.set_exposure(&ma, 0, 0);
    let p = s.pool();
    assert!(
        p.nav.u128() >= fair,
        "the LP who stayed holds {} < {fair}",
        p.nav
    );
    s.assert_conserved();
}
