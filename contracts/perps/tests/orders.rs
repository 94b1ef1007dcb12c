//! Orders end to end against the real oracle and breaker and the mock vault: settlement
//! contents, increase / decrease / close / flip, caps, reduce-only, slippage, sizes.

mod common;

use common::*;
use cosmwasm_std::{Int128, Uint128};

use bulwark_perps::ContractError;
use bulwark_testing::mock_vault::MockVaultExecuteMsg;
use bulwark_types::market::RiskChange;
use bulwark_types::perps::{ExecuteMsg, QueryMsg, QuoteResponse};

#[test]
fn open_long_settles_cash_and_fresh_risk() {
    let mut env = setup();
    let alice = env.alice.clone();
    let res = env.order(&alice, 1, "10", "10.1").unwrap();
    let wasm = res.events.iter().find(|e| e.ty == "wasm").unwrap();
    assert!(wasm
        .attributes
        .iter()
        .any(|a| a.key == "action" && a.value == "submit_order"));

    let s = env.last_settlement();
    assert_eq!(s.market_addr, env.perps);
    let s = s.settlement;
    assert_eq!(s.account_id, 1);
    assert_eq!(s.trader_addr, Some(alice));
    assert_eq!(s.change, RiskChange::Increase);
    // fill = 10 × (1 + 5/1e6) = 10.00005; fee = 10 × 10.00005 × 0.001 = 0.1000005 → 100_001
    assert_eq!(s.cash.pnl_vs_pool, Int128::zero());
    assert_eq!(s.cash.fee_to_protocol, Uint128::new(20_000));
    assert_eq!(s.cash.fee_to_pool, Uint128::new(80_001));
    assert_eq!(s.risk.underlyings.len(), 1);
    let u = &s.risk.underlyings[0];
    assert_eq!(u.asset_id, ASSET);
    assert_eq!(u.grid_version, 1);
    // marked at the oracle price: 10 × (10 − 10.00005) = −0.0005
    assert_eq!(u.unrealized_pnl, Int128::new(-500));
    let m = 10_000_000i128;
    assert_eq!(
        u.scenario_pnl,
        [-m, -m, 0, 0, m, m].map(Int128::new).to_vec()
    );
    assert_eq!(u.maintenance_addon, Uint128::new(1_000_000));
    // max(2 %, 1 / 10×) of notional 100
    assert_eq!(u.initial_addon, Uint128::new(10_000_000));

    let p = env.position(1).position.unwrap();
    assert_eq!((p.size, p.entry_price), (sd("10"), d("10.00005")));
    let agg = env.aggregates();
    assert_eq!(
        (agg.oi_long, agg.oi_short, agg.positions),
        (d("10"), d("0"), 1)
    );
}

#[test]
fn increase_decrease_flip_close_realize_pnl() {
    let mut env = setup();
    let alice = env.alice.clone();
    env.order(&alice, 1, "10", "11").unwrap();
    env.advance_with_price(10, "12");
    // decrease by 4: the long skew of 10 gives the seller a premium, fill = 12 × (1 + 8/1e6)
    // = 12.000096, realized 4 × (12.000096 − 10.00005) = 8.000184; funding owed over 15 s
    // is ≈ 5e-13 and rounds up to one base unit against the account
    env.order(&alice, 1, "-4", "11").unwrap();
    let s = env.last_settlement().settlement;
    assert_eq!(s.change, RiskChange::Reduce);
    let q: QuoteResponse = env.q(&QueryMsg::Quote {
        account_id: 1,
        market_id: MARKET.into(),
        size_delta: sd("-10"),
    });
    // the quote of a flip: closes 6, opens −4, adds exposure
    assert!(q.increases_risk);
    assert_eq!(q.resulting_size, sd("-4"));
    assert_eq!(s.cash.pnl_vs_pool, Int128::new(8_000_183));
    assert_eq!(env.size(1), sd("6"));
    // flip to −4: closes 6 at the fill, opens 4 short at the same fill
    env.advance_with_price(10, "12");
    env.order(&alice, 1, "-10", "11").unwrap();
    let s = env.last_settlement().settlement;
    assert_eq!(s.change, RiskChange::Increase);
    let p = env.position(1).position.unwrap();
    assert_eq!(p.size, sd("-4"));
    // price impact: skew 6 → −4, average premium (6 − 5)/1e6
    assert_eq!(p.entry_price, d("12.000012"));
    assert_eq!(q.fill_price, d("12.000012"));
    // close the rest with ClosePosition
    env.advance_with_price(10, "11");
    env.exec(
        &alice,
        &ExecuteMsg::ClosePosition {
            account_id: 1,
            market_id: MARKET.into(),
            acceptable_price: d("11.1"),
        },
    )
    .unwrap();
    let s = env.last_settlement().settlement;
    assert_eq!(s.change, RiskChange::Reduce);
    assert!(s.risk.underlyings.is_empty(), "no exposure left");
    assert!(env.position(1).position.is_none());
    assert_eq!(env.aggregates(), Default::default());
    assert_eq!(
        env.exec_err(
            &alice,
            &ExecuteMsg::ClosePosition {
                account_id: 1,
                market_id: MARKET.into(),
                acceptable_price: d("11"),
            }
        ),
        ContractError::NoPosition {
            account_id: 1,
            market_id: MARKET.into()
        }
    );
}

#[test]
fn reduce_only_never_increases() {
    let mut env = setup();
    let alice = env.alice.clone();
    // nothing to reduce
    assert_eq!(
        env.exec_err(&alice, &Env::order_msg(1, "1", "11", true)),
        ContractError::ReduceOnlyWouldIncrease
    );
    env.order(&alice, 1, "5", "11").unwrap();
    for (size, acceptable) in [("1", "11"), ("-6", "9"), ("-100", "9")] {
        assert_eq!(
            env.exec_err(&alice, &Env::order_msg(1, size, acceptable, true)),
            ContractError::ReduceOnlyWouldIncrease,
            "{size}"
        );
    }
    assert_eq!(env.size(1), sd("5"));
    env.exec(&alice, &Env::order_msg(1, "-2", "9", true))
        .unwrap();
    assert_eq!(env.size(1), sd("3"));
    env.exec(&alice, &Env::order_msg(1, "-3", "9", true))
        .unwrap();
    assert_eq!(env.size(1), sd("0"));
}

#[test]
fn slippage_is_refused() {
    let mut env = setup();
    let alice = env.alice.clone();
    let err = env.exec_err(&alice, &Env::order_msg(1, "10", "10.00004", false));
    assert_eq!(
        err,
        ContractError::Slippage {
            fill_price: d("10.00005"),
            acceptable_price: d("10.00004")
        }
    );
    // a sell below its acceptable price
    let err = env.exec_err(&alice, &Env::order_msg(1, "-10", "10", false));
    assert!(matches!(err, ContractError::Slippage { .. }));
    assert!(env.settlements().is_empty());
    env.exec(&alice, &Env::order_msg(1, "10", "10.00005", false))
        .unwrap();
}

#[test]
fn caps_on_open_interest_position_size_and_minimum() {
    let mut params = bulwark_testing::perps::default_market_params();
    params.max_oi_long = d("15");
    params.max_oi_short = d("5");
    params.max_position_size = d("12");
    let mut env = setup_with(params);
    let (alice, bob) = (env.alice.clone(), env.bob.clone());
    assert_eq!(
        env.exec_err(&alice, &Env::order_msg(1, "13", "11", false)),
        ContractError::PositionTooLarge {
            size: d("13"),
            max: d("12")
        }
    );
    env.order(&alice, 1, "12", "11").unwrap();
    assert_eq!(
        env.exec_err(&bob, &Env::order_msg(2, "4", "11", false)),
        ContractError::OiCapExceeded {
            side: "long".into(),
            oi: d("16"),
            cap: d("15")
        }
    );
    env.order(&bob, 2, "3", "11").unwrap();
    // short side: 5
    assert!(matches!(
        env.exec_err(&bob, &Env::order_msg(2, "-9", "9", false)),
        ContractError::OiCapExceeded { .. }
    ));
    env.order(&bob, 2, "-8", "9").unwrap();
    assert_eq!(env.size(2), sd("-5"));
    // reductions are never refused by caps even when the cap was lowered below the OI
    let mut lowered = bulwark_testing::perps::default_market_params();
    lowered.max_oi_long = d("1");
    lowered.max_position_size = d("1");
    let owner = env.owner.clone();
    env.exec(
        &owner,
        &ExecuteMsg::UpdateMarket {
            market_id: MARKET.into(),
            params: lowered,
        },
    )
    .unwrap();
    env.order(&alice, 1, "-2", "9").unwrap();
    // a remainder below the minimum size is refused; closing fully is fine
    assert_eq!(
        env.exec_err(&alice, &Env::order_msg(1, "-9.95", "9", false)),
        ContractError::PositionTooSmall {
            size: sd("0.05"),
            min: d("0.1")
        }
    );
    env.order(&alice, 1, "-10", "9").unwrap();
    assert_eq!(env.size(1), sd("0"));
}

#[test]
fn max_leverage_is_enforced_through_the_initial_addon() {
    let mut env = setup();
    let alice = env.alice.clone();
    // 100 USDC of collateral: notional ≤ 100 / (1/10 + worst shock 10 %) ≈ 500
    env.vault_exec(&MockVaultExecuteMsg::SetCollateral {
        account_id: 1,
        amount: Uint128::new(100_000_000),
    })
    .unwrap();
    let err = env.order(&alice, 1, "60", "11").unwrap_err();
    assert!(
        err.root_cause().to_string().contains("initial margin"),
        "{err}"
    );
    assert!(
        env.position(1).position.is_none(),
        "the whole trade reverted"
    );
    env.order(&alice, 1, "45", "11").unwrap();
    let u = &env.last_settlement().settlement.risk.underlyings[0];
    assert_eq!(u.initial_addon, Uint128::new(45_000_000));
    // more exposure is refused, reducing is accepted
    assert!(env.order(&alice, 1, "10", "11").is_err());
    env.order(&alice, 1, "-40", "9").unwrap();
}

#[test]
fn vault_refusal_reverts_the_trade() {
    let mut env = setup();
    let alice = env.alice.clone();
    env.vault_exec(&MockVaultExecuteMsg::SetRefuse { refuse: true })
        .unwrap();
    let err = env.order(&alice, 1, "1", "11").unwrap_err();
    assert!(err.root_cause().to_string().contains("health"));
    assert!(env.position(1).position.is_none());
    assert_eq!(env.aggregates(), Default::default());
    // the vault checks ownership: a registered owner other than the sender is refused
    env.vault_exec(&MockVaultExecuteMsg::SetRefuse { refuse: false })
        .unwrap();
    env.vault_exec(&MockVaultExecuteMsg::RegisterAccount {
        account_id: 1,
        owner: alice.to_string(),
    })
    .unwrap();
    let eve = env.eve.clone();
    assert!(env.order(&eve, 1, "1", "11").is_err());
    env.order(&alice, 1, "1", "11").unwrap();
}

#[test]
fn zero_and_overflowing_sizes() {
    let mut env = setup();
    let alice = env.alice.clone();
    assert_eq!(
        env.exec_err(&alice, &Env::order_msg(1, "0", "11", false)),
        ContractError::ZeroSize
    );
    let huge = "57896044618658097711785492504343953926634992332820282019728.792003956564819967";
    let err = env.exec_err(
        &alice,
        &ExecuteMsg::SubmitOrder {
            account_id: 1,
            market_id: MARKET.into(),
            size_delta: sd(huge),
            acceptable_price: d("1000000000"),
            reduce_only: false,
        },
    );
    assert_eq!(err, ContractError::Overflow);
    // a sell so large the fill price would be ≤ 0
    assert_eq!(
        env.exec_err(&alice, &Env::order_msg(1, "-3000000", "0", false)),
        ContractError::PriceImpactTooLarge
    );
    assert!(env.settlements().is_empty());
}

#[test]
fn disabled_market_accepts_only_reductions() {
    let mut env = setup();
    let (alice, owner) = (env.alice.clone(), env.owner.clone());
    env.order(&alice, 1, "5", "11").unwrap();
    let mut params = bulwark_testing::perps::default_market_params();
    params.enabled = false;
    env.exec(
        &owner,
        &ExecuteMsg::UpdateMarket {
            market_id: MARKET.into(),
            params,
        },
    )
    .unwrap();
    assert_eq!(
        env.exec_err(&alice, &Env::order_msg(1, "1", "11", false)),
        ContractError::MarketDisabled {
            market_id: MARKET.into()
        }
    );
    env.order(&alice, 1, "-5", "9").unwrap();
}

#[test]
fn unknown_market() {
    let mut env = setup();
    let alice = env.alice.clone();
    let err = env.exec_err(
        &alice,
        &ExecuteMsg::SubmitOrder {
            account_id: 1,
            market_id: "NOPE".into(),
            size_delta: sd("1"),
            acceptable_price: d("11"),
            reduce_only: false,
        },
    );
    assert_eq!(
        err,
        ContractError::UnknownMarket {
            market_id: "NOPE".into()
        }
    );
}
