//! Settlement at expiry: TWAP price fixed once, paged payouts through the vault,
//! idempotence, caps, and properties over random books.

mod common;

use common::*;
use cosmwasm_std::{Int128, Uint128};
use proptest::prelude::*;

use bulwark_options::ContractError;
use bulwark_types::market::{PoolExposure, RiskChange};
use bulwark_types::options::{BoardStatus, ExecuteMsg, QueryMsg};
use bulwark_types::oracle::ExecuteMsg as OracleMsg;

const PUT_80: u64 = 3;
const CALL_100: u64 = 4;
const PUT_100: u64 = 5;
const CALL_120: u64 = 6;
const PUT_120: u64 = 7;
const TWAP_WINDOW: u64 = 1_800;

/// Makes `price` the only history entry in the TWAP window before expiry, then moves past
/// expiry (with a different current price, which must not matter).
fn fix_price_and_expire(s: &mut Suite, price: &str) {
    s.set_time(s.expiry - TWAP_WINDOW - 60);
    s.feed_only(ATOM, price);
    s.set_time(s.expiry + 30);
    s.feed_only(ATOM, "1");
    s.advance(5);
}

fn m(x: i128) -> Int128 {
    Int128::new(x * MULT as i128)
}

#[test]
fn calls_and_puts_in_and_out_of_the_money() {
    let mut s = Suite::new();
    let (alice, bob) = (s.alice.clone(), s.bob.clone());
    s.buy(&alice, 1, CALL_100, 10).unwrap();
    s.buy(&alice, 1, PUT_80, 5).unwrap();
    s.sell(&bob, 2, CALL_100, 4).unwrap();
    s.buy(&bob, 2, PUT_100, 3).unwrap();
    s.buy(&bob, 2, PUT_120, 2).unwrap();
    let trades = s.settlements().len();

    // before expiry: refused
    let e = err(s.settle(None));
    assert!(matches!(e, ContractError::NotExpired { .. }));

    fix_price_and_expire(&mut s, "110");
    // trading after expiry is refused
    let e = err(s.buy(&alice, 1, CALL_100, 1));
    assert!(matches!(e, ContractError::TradingClosed { .. }));

    let res = s.settle(Some(1)).unwrap();
    assert_eq!(attr(&res, "settlement_price").unwrap(), "110");
    assert_eq!(attr(&res, "status").unwrap(), "settling");
    assert_eq!(s.board().status, BoardStatus::Settling);
    assert_eq!(s.board().settlement_price, Some(d("110")));
    let paid = s.settlements();
    assert_eq!(paid.len(), trades + 1);
    let st = &paid[trades].1;
    assert_eq!(st.account_id, 1);
    // payouts are market-initiated
    assert_eq!(st.trader_addr, None);
    assert_eq!(st.change, RiskChange::Reduce);
    // call 100 ITM by 10 × 10 contracts; put 80 OTM
    assert_eq!(st.cash.pnl_vs_pool, m(100));
    assert!(st.cash.fee_to_pool.is_zero() && st.cash.fee_to_protocol.is_zero());
    assert!(st.risk.underlyings.is_empty());
    // trading a settling board is refused
    let e = err(s.buy(&alice, 1, CALL_100, 1));
    assert!(matches!(e, ContractError::BoardNotOpen { .. }));

    let res = s.settle(None).unwrap();
    assert_eq!(attr(&res, "status").unwrap(), "settled");
    let paid = s.settlements();
    let st = &paid[trades + 1].1;
    assert_eq!(st.account_id, 2);
    assert_eq!(st.trader_addr, None);
    // short 4 calls ITM by 10: −40; put 100 OTM; put 120 ITM by 10 × 2: +20
    assert_eq!(st.cash.pnl_vs_pool, m(-40 + 20));
    assert_eq!(s.board().status, BoardStatus::Settled);
    for sid in [PUT_80, CALL_100, PUT_100, PUT_120] {
        let sr = s.series(sid);
        assert!(sr.long_open_interest.is_zero() && sr.short_open_interest.is_zero());
    }
    assert_eq!(s.position(1, CALL_100), 0);
    assert_eq!(s.position(2, CALL_100), 0);
    let pe: PoolExposure = s.query(&QueryMsg::PoolExposure {}).unwrap();
    assert_eq!(
        pe,
        PoolExposure {
            unrealized_trader_pnl: Int128::zero(),
            locked_liquidity: Uint128::zero(),
            trader_gains: Uint128::zero()
        }
    );

    // settling twice changes nothing
    let before = s.settlements();
    let board = s.board();
    let res = s.settle(None).unwrap();
    assert_eq!(attr(&res, "settled_accounts").unwrap(), "0");
    assert_eq!(s.settlements(), before);
    assert_eq!(s.board(), board);
}

#[test]
fn puts_pay_when_spot_falls() {
    let mut s = Suite::new();
    let (alice, bob) = (s.alice.clone(), s.bob.clone());
    s.buy(&alice, 1, PUT_80, 5).unwrap();
    s.sell(&bob, 2, PUT_100, 2).unwrap();
    s.buy(&bob, 2, CALL_120, 1).unwrap();
    let trades = s.settlements().len();
    fix_price_and_expire(&mut s, "70.5");
    s.settle(None).unwrap();
    let paid = s.settlements();
    assert_eq!(paid.len(), trades + 2);
    // long 5 puts 80 at 70.5: 9.5 × 5
    assert_eq!(paid[trades].1.cash.pnl_vs_pool, Int128::new(47_500_000));
    // short 2 puts 100: −29.5 × 2; call 120 OTM
    assert_eq!(
        paid[trades + 1].1.cash.pnl_vs_pool,
        Int128::new(-59_000_000)
    );
}

#[test]
fn settlement_price_is_capped_and_fixed_once() {
    let mut s = Suite::new();
    let (alice, bob) = (s.alice.clone(), s.bob.clone());
    s.buy(&alice, 1, CALL_100, 1).unwrap();
    s.buy(&bob, 2, CALL_100, 1).unwrap();
    let locked: PoolExposure = s.query(&QueryMsg::PoolExposure {}).unwrap();
    assert_eq!(locked.locked_liquidity, Uint128::new(2 * 300 * MULT));
    let trades = s.settlements().len();
    fix_price_and_expire(&mut s, "1000");
    s.settle(Some(1)).unwrap();
    // cap 400: the call pays 300, exactly the locked amount per contract
    assert_eq!(s.settlements()[trades].1.cash.pnl_vs_pool, m(300));
    assert_eq!(s.board().settlement_price, Some(d("400")));
    // a later price change does not move the fixed settlement price
    s.feed_only(ATOM, "50");
    s.advance(5);
    s.settle(None).unwrap();
    assert_eq!(s.settlements()[trades + 1].1.cash.pnl_vs_pool, m(300));
}

#[test]
fn settlement_waits_for_a_usable_twap() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    s.buy(&alice, 1, CALL_100, 1).unwrap();
    s.set_time(s.expiry + 10);
    let owner = s.owner.clone();
    let oracle = s.oracle.clone();
    s.app
        .execute_contract(
            owner,
            oracle,
            &OracleMsg::RemoveAsset {
                asset_id: ATOM.into(),
            },
            &[],
        )
        .unwrap();
    let e = err(s.settle(None));
    assert!(
        matches!(e, ContractError::SettlementPriceUnavailable { .. }),
        "{e:?}"
    );
    assert_eq!(s.board().settlement_price, None);
    assert_eq!(s.position(1, CALL_100), 1);
}

#[test]
fn settlement_is_gated_by_the_breaker_reduce_action() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    s.buy(&alice, 1, CALL_100, 1).unwrap();
    fix_price_and_expire(&mut s, "120");
    let scope = s.board_scope();
    s.trip(scope, bulwark_types::circuit_breaker::Level::Halted);
    assert!(matches!(
        err(s.settle(None)),
        ContractError::BreakerBlocked { .. }
    ));
}

#[test]
fn an_empty_board_settles_at_once_and_frees_its_slot() {
    let mut s = Suite::new();
    fix_price_and_expire(&mut s, "100");
    let res = s.settle(None).unwrap();
    assert_eq!(attr(&res, "status").unwrap(), "settled");
    // board slots are bounded (8 active); settled boards free theirs
    let owner = s.owner.clone();
    s.set_price(ATOM, "100");
    let expiry = s.now() + DAY;
    for _ in 0..8 {
        s.create_board(ATOM, expiry, &["100"]).unwrap();
    }
    let e = s.exec(
        &owner,
        &ExecuteMsg::CreateBoard {
            asset_id: ATOM.into(),
            expiry,
            base_iv: d("0.6"),
            cap_price: d("400"),
            multiplier: Uint128::new(MULT),
            strikes: vec![bulwark_types::options::StrikeInput {
                strike: d("100"),
                skew: d("1"),
            }],
        },
    );
    assert_eq!(err(e), ContractError::TooManyBoards { max: 8 });
}

fn intrinsic(series_id: u64, price: u64) -> i128 {
    let (strike, is_call) = match series_id {
        2 => (80, true),
        3 => (80, false),
        4 => (100, true),
        5 => (100, false),
        6 => (120, true),
        7 => (120, false),
        _ => unreachable!(),
    };
    let v = if is_call {
        price.saturating_sub(strike)
    } else {
        strike.saturating_sub(price)
    };
    v as i128
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    /// Over a random book: every account is paid exactly Σ net × intrinsic (longs receive
    /// their intrinsic value, shorts pay theirs), the pool's net payout never exceeds the
    /// liquidity it had locked, and a second settlement changes nothing.
    #[test]
    fn payoffs_equal_intrinsic_and_locked_covers_them(
        trades in prop::collection::vec((1u64..=3, 2u64..=7, 1u128..20, any::<bool>()), 1..12),
        price in 1u64..=500,
    ) {
        let mut s = Suite::new();
        let who = [s.alice.clone(), s.bob.clone(), s.owner.clone()];
        for (account, series, amount, is_buy) in &trades {
            let sender = who[(*account - 1) as usize].clone();
            // some trades fail (e.g. fees above a far-OTM bid): they revert entirely
            let _ = if *is_buy {
                s.buy(&sender, *account, *series, *amount)
            } else {
                s.sell(&sender, *account, *series, *amount)
            };
        }
        let pe: PoolExposure = s.query(&QueryMsg::PoolExposure {}).unwrap();
        let mut expected = [0i128; 4];
        let mut holders = vec![];
        let (mut long_intrinsic, mut short_intrinsic) = (0i128, 0i128);
        for account in 1..=3u64 {
            for series in 2..=7u64 {
                let n = s.position(account, series);
                let v = n * intrinsic(series, price.min(400)) * MULT as i128;
                expected[account as usize] += v;
                if n > 0 {
                    long_intrinsic += v;
                } else {
                    short_intrinsic -= v;
                }
                if n != 0 && !holders.contains(&account) {
                    holders.push(account);
                }
            }
        }
        // open interest equals the sum of positions, series by series
        for series in 2..=7u64 {
            let (mut longs, mut shorts) = (0i128, 0i128);
            for account in 1..=3u64 {
                let n = s.position(account, series);
                if n > 0 { longs += n } else { shorts -= n }
            }
            let sr = s.series(series);
            prop_assert_eq!(sr.long_open_interest.u128() as i128, longs);
            prop_assert_eq!(sr.short_open_interest.u128() as i128, shorts);
        }
        // the pool's view of traders' value matches the accounts' reports (rounding aside)
        let mut accounts_value = 0i128;
        for account in 1..=3u64 {
            let r: bulwark_types::market::AccountRisk =
                s.query(&QueryMsg::AccountRisk { account_id: account }).unwrap();
            accounts_value += r.underlyings.iter().map(|u| u.unrealized_pnl.i128()).sum::<i128>();
        }
        let gap = pe.unrealized_trader_pnl.i128() - accounts_value;
        prop_assert!((0..=24).contains(&gap), "pool view {} accounts {}", pe.unrealized_trader_pnl, accounts_value);
        let trades_recorded = s.settlements().len();
        fix_price_and_expire(&mut s, &price.to_string());
        s.settle(Some(2)).unwrap();
        s.settle(Some(2)).unwrap();
        let paid = s.settlements();
        let payouts = &paid[trades_recorded..];
        // one payout per account that held positions, each exactly Σ net × intrinsic
        let mut paid_accounts: Vec<u64> = payouts.iter().map(|(_, st)| st.account_id).collect();
        paid_accounts.sort_unstable();
        prop_assert_eq!(&paid_accounts, &holders);
        let mut total = 0i128;
        for (_, st) in payouts {
            prop_assert_eq!(st.cash.pnl_vs_pool.i128(), expected[st.account_id as usize]);
            prop_assert_eq!(st.change, RiskChange::Reduce);
            total += st.cash.pnl_vs_pool.i128();
        }
        // the longs receive exactly their intrinsic value, the writers pay theirs
        prop_assert_eq!(total, long_intrinsic - short_intrinsic);
        // the pool's net payout is covered by what it had locked
        prop_assert!(total <= pe.locked_liquidity.u128() as i128, "paid {} locked {}", total, pe.locked_liquidity);
        prop_assert_eq!(s.board().status, BoardStatus::Settled);
        // settling again changes nothing
        let again = s.settle(None).unwrap();
        prop_assert_eq!(attr(&again, "settled_accounts").unwrap(), "0");
        prop_assert_eq!(s.settlements().len(), paid.len());
        let after: PoolExposure = s.query(&QueryMsg::PoolExposure {}).unwrap();
        prop_assert_eq!(after.locked_liquidity, Uint128::zero());
    }
}

#[test]
fn a_stuck_account_can_be_skipped_with_start_after() {
    let mut s = Suite::new();
    s.add_asset("OSMO");
    s.set_grid(grid("OSMO", 1));
    s.set_price("OSMO", "2");
    let osmo_board = s.create_board("OSMO", s.expiry + 7 * DAY, &["2"]).unwrap();
    let osmo_call = {
        let b: bulwark_types::options::BoardResponse = s
            .query(&QueryMsg::Board {
                board_id: osmo_board,
            })
            .unwrap();
        b.strikes[0].call_series_id
    };
    let (alice, bob) = (s.alice.clone(), s.bob.clone());
    s.buy(&alice, 1, CALL_100, 1).unwrap();
    s.buy(&alice, 1, osmo_call, 1).unwrap();
    s.buy(&bob, 2, CALL_100, 2).unwrap();
    let trades = s.settlements().len();
    fix_price_and_expire(&mut s, "105");
    // account 1's report needs a fresh OSMO price, which is stale by now
    let e = err(s.settle(None));
    assert!(
        matches!(e, ContractError::PriceUnusable { ref asset_id, .. } if asset_id == "OSMO"),
        "{e:?}"
    );
    let keeper = s.bob.clone();
    let board_id = s.board_id;
    s.exec(
        &keeper,
        &ExecuteMsg::Settle {
            board_id,
            start_after: Some(1),
            limit: None,
        },
    )
    .unwrap();
    let paid = s.settlements();
    assert_eq!(paid.len(), trades + 1);
    assert_eq!(paid[trades].1.account_id, 2);
    assert_eq!(paid[trades].1.cash.pnl_vs_pool, m(10));
    assert_eq!(s.board().status, BoardStatus::Settling);
    // once OSMO is priced again, account 1 settles, with its OSMO risk still reported
    s.set_price("OSMO", "2");
    s.settle(None).unwrap();
    let st = s.last_settlement();
    assert_eq!(st.account_id, 1);
    assert_eq!(st.cash.pnl_vs_pool, m(5));
    assert_eq!(st.risk.underlyings.len(), 1);
    assert_eq!(st.risk.underlyings[0].asset_id, "OSMO");
    assert_eq!(s.board().status, BoardStatus::Settled);
    assert_eq!(s.position(1, osmo_call), 1);
}

#[test]
fn liquidating_a_settling_position_pays_the_payoff_once() {
    let mut s = Suite::new();
    let (alice, bob) = (s.alice.clone(), s.bob.clone());
    s.buy(&alice, 1, CALL_100, 10).unwrap();
    s.sell(&bob, 2, CALL_100, 4).unwrap();
    let trades = s.settlements().len();
    fix_price_and_expire(&mut s, "112");
    s.settle(Some(1)).unwrap(); // account 1 only
    assert_eq!(s.settlements()[trades].1.cash.pnl_vs_pool, m(120));
    // the vault liquidates account 2 before its payout: it pays the fixed payoff
    s.set_price(ATOM, "90");
    let vault = s.vault.clone();
    let res = s
        .exec(
            &vault,
            &ExecuteMsg::ForceReduce {
                account_id: 2,
                fraction: cosmwasm_std::Decimal256::one(),
            },
        )
        .unwrap();
    let r: bulwark_types::market::ForceReduceResult =
        cosmwasm_std::from_json(res.data.unwrap()).unwrap();
    assert_eq!(r.cash.pnl_vs_pool, m(-48));
    assert_eq!(s.position(2, CALL_100), 0);
    // nothing is left to settle: no second payment
    let res = s.settle(None).unwrap();
    assert_eq!(attr(&res, "settled_accounts").unwrap(), "0");
    assert_eq!(attr(&res, "status").unwrap(), "settled");
    assert_eq!(s.settlements().len(), trades + 1);
}
