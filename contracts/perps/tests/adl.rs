//! Auto-deleveraging: `Deleverage` against the real oracle and breaker and the mock vault,
//! and the paged `AdlRanking` query.

mod common;

use common::*;
use cosmwasm_std::{Int128, Uint128};

use bulwark_perps::ContractError;
use bulwark_testing::perps::default_market_params;
use bulwark_types::circuit_breaker::{ActionClass, Level};
use bulwark_types::market::RiskChange;
use bulwark_types::perps::{AdlRankingResponse, ExecuteMsg, QueryMsg};

/// 20 USDC limit. Alice long 10 from 10, Bob long 5 from 11, Eve short 2 from 11; then the
/// price goes to 12: exposure ≈ 20 + 5 − 2 = 23 USDC > 20.
fn over_limit_env() -> Env {
    let mut params = default_market_params();
    params.max_pool_exposure = Some(Uint128::new(20_000_000));
    let mut env = setup_with(params);
    let (alice, bob, eve) = (env.alice.clone(), env.bob.clone(), env.eve.clone());
    env.order(&alice, 1, "10", "10.1").unwrap();
    env.advance_with_price(10, "11");
    env.order(&bob, 2, "5", "11.1").unwrap();
    env.exec(&eve, &Env::order_msg(3, "-2", "10.9", false))
        .unwrap();
    env
}

fn deleverage(account_id: u64, size: &str) -> ExecuteMsg {
    ExecuteMsg::Deleverage {
        market_id: MARKET.to_string(),
        account_id,
        size: d(size),
    }
}

fn ranking(env: &Env, start_after: Option<u64>, limit: u32) -> AdlRankingResponse {
    env.q(&QueryMsg::AdlRanking {
        market_id: MARKET.to_string(),
        start_after,
        limit: Some(limit),
    })
}

#[test]
fn refused_while_the_market_is_within_its_limit() {
    let mut env = over_limit_env();
    let keeper = env.eve.clone();
    // at 11: exposure ≈ 10 USDC
    let r = ranking(&env, None, 10);
    assert!(!r.over_limit);
    assert!(matches!(
        env.exec_err(&keeper, &deleverage(1, "1")),
        ContractError::ExposureWithinLimit { limit, .. } if limit == Uint128::new(20_000_000)
    ));
    assert_eq!(env.size(1), sd("10"));
}

#[test]
fn refused_without_a_limit_and_for_bad_input() {
    let mut env = setup();
    let alice = env.alice.clone();
    env.order(&alice, 1, "10", "10.1").unwrap();
    env.advance_with_price(10, "20");
    assert_eq!(
        env.exec_err(&alice, &deleverage(1, "1")),
        ContractError::AdlDisabled {
            market_id: MARKET.into()
        }
    );
    let mut env = over_limit_env();
    env.advance_with_price(10, "12");
    let keeper = env.eve.clone();
    assert_eq!(
        env.exec_err(&keeper, &deleverage(1, "0")),
        ContractError::ZeroSize
    );
    assert_eq!(
        env.exec_err(&keeper, &deleverage(9, "1")),
        ContractError::NoPosition {
            account_id: 9,
            market_id: MARKET.into()
        }
    );
}

#[test]
fn refused_for_a_losing_position() {
    let mut env = over_limit_env();
    env.advance_with_price(10, "12");
    assert!(ranking(&env, None, 10).over_limit);
    let keeper = env.alice.clone();
    assert!(matches!(
        env.exec_err(&keeper, &deleverage(3, "1")),
        ContractError::NotInProfit { account_id: 3, .. }
    ));
    assert_eq!(env.size(3), sd("-2"));
}

#[test]
fn reduces_a_winner_through_the_vault_until_under_the_limit() {
    let mut env = over_limit_env();
    env.advance_with_price(10, "12");
    let before = ranking(&env, None, 10);
    assert!(before.over_limit);
    let settled = env.settlements().len();
    let agg_before = env.aggregates();

    // a keeper (anyone) asks for all of Alice's 10; only what is needed is closed
    let keeper = env.eve.clone();
    let res = env.exec(&keeper, &deleverage(1, "10")).unwrap();
    let wasm = res.events.iter().find(|e| e.ty == "wasm").unwrap();
    let attr = |k: &str| {
        wasm.attributes
            .iter()
            .find(|a| a.key == k)
            .map(|a| a.value.clone())
            .unwrap()
    };
    assert_eq!(attr("action"), "deleverage");
    let after_size = env.size(1);
    assert!(
        after_size > sd("0") && after_size < sd("10"),
        "{after_size}"
    );
    // closed at the oracle price: Alice's entry ≈ 10, so ≈ 2 USDC per unit realized
    assert_eq!(sd("10") - after_size, sd(&attr("closed_size")));
    // ≈ 3 USDC over the limit at ≈ 2 USDC per unit: ≈ 1.5 units, not the 10 asked
    assert!(after_size > sd("8") && after_size < sd("9"), "{after_size}");

    // settled with the vault as market-initiated, reduce, without fee
    let all = env.settlements();
    assert_eq!(all.len(), settled + 1);
    let s = all.last().unwrap();
    assert_eq!(s.market_addr, env.perps);
    let s = &s.settlement;
    assert_eq!(s.account_id, 1);
    assert_eq!(s.trader_addr, None);
    assert_eq!(s.change, RiskChange::Reduce);
    assert!(s.cash.fee_to_pool.is_zero() && s.cash.fee_to_protocol.is_zero());
    assert!(s.cash.pnl_vs_pool > Int128::zero());
    assert_eq!(s.risk.underlyings.len(), 1);
    assert_eq!(env.vault_balance(1), {
        // the open paid a fee; the ADL credited the realized profit
        let mut b = Int128::zero();
        for r in all.iter().filter(|r| r.settlement.account_id == 1) {
            let c = &r.settlement.cash;
            b = b + c.pnl_vs_pool - Int128::try_from(c.fee_to_pool + c.fee_to_protocol).unwrap();
        }
        b
    });

    // exposure went down, to the limit or just under it; OI shrank
    let after = ranking(&env, None, 10);
    assert!(after.exposure < before.exposure);
    assert!(
        after.exposure <= Int128::new(20_000_000),
        "{}",
        after.exposure
    );
    assert!(!after.over_limit);
    assert!(env.aggregates().oi_long < agg_before.oi_long);
    // and ADL stops there
    assert!(matches!(
        env.exec_err(&keeper, &deleverage(2, "1")),
        ContractError::ExposureWithinLimit { .. }
    ));
}

#[test]
fn breaker_reduce_gating_is_honoured() {
    let mut env = over_limit_env();
    env.advance_with_price(10, "12");
    let keeper = env.eve.clone();
    env.set_level(Level::Halted);
    assert_eq!(
        env.exec_err(&keeper, &deleverage(1, "1")),
        ContractError::BreakerBlocked {
            action: "Reduce".into(),
            market_id: MARKET.into()
        }
    );
    assert_eq!(env.size(1), sd("10"));

    // reduce-only still allows reductions, hence ADL
    let mut env = over_limit_env();
    env.advance_with_price(10, "12");
    env.set_level(Level::ReduceOnly);
    env.exec(&keeper, &deleverage(1, "1")).unwrap();
    assert_eq!(env.size(1), sd("9"));

    // an override blocking Reduce alone blocks ADL
    let mut env = over_limit_env();
    env.advance_with_price(10, "12");
    env.block_action(ActionClass::Reduce);
    assert!(matches!(
        env.exec_err(&keeper, &deleverage(1, "1")),
        ContractError::BreakerBlocked { .. }
    ));
}

#[test]
fn ranking_pages_and_ranks_within_the_page() {
    let mut env = over_limit_env();
    env.advance_with_price(10, "12");
    let p1 = ranking(&env, None, 2);
    assert_eq!(p1.market_id, MARKET);
    assert_eq!(p1.price, d("12"));
    assert!(p1.over_limit);
    assert_eq!(p1.max_pool_exposure, Some(Uint128::new(20_000_000)));
    assert_eq!(p1.next_start_after, Some(2));
    // Alice (entry 10) ranks above Bob (entry 11) in the page
    let ids: Vec<u64> = p1.candidates.iter().map(|c| c.account_id).collect();
    assert_eq!(ids, vec![1, 2]);
    assert!(p1.candidates[0].adl_score > p1.candidates[1].adl_score);
    assert!(p1.candidates[0].unrealized_pnl > Int128::new(19_000_000));
    assert_eq!(p1.candidates[0].notional, Uint128::new(120_000_000));

    let p2 = ranking(&env, p1.next_start_after, 2);
    assert_eq!(p2.next_start_after, None);
    assert_eq!(p2.candidates.len(), 1);
    assert_eq!(p2.candidates[0].account_id, 3);
    assert!(p2.candidates[0].adl_score.is_negative());
    assert_eq!(p2.exposure, p1.exposure);

    // a closed position leaves the index
    let eve = env.eve.clone();
    env.exec(
        &eve,
        &ExecuteMsg::ClosePosition {
            account_id: 3,
            market_id: MARKET.into(),
            acceptable_price: d("13"),
        },
    )
    .unwrap();
    let all = ranking(&env, None, 30);
    assert_eq!(all.candidates.len(), 2);
    assert_eq!(all.next_start_after, None);
}
