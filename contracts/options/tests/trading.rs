//! Trading through the vault: premiums, fees, risk reports, surface moves, bad input,
//! breaker gating, pool caps, the market interface.

mod common;

use common::*;
use cosmwasm_std::{from_json, to_json_binary, Decimal256, Int128, Uint128};

use bulwark_options::ContractError;
use bulwark_types::circuit_breaker::{Level, Scope};
use bulwark_types::market::{
    AccountRisk, ForceReduceResult, MarketExecuteMsg, MarketQueryMsg, PoolExposure, RiskChange,
};
use bulwark_types::options::{
    ConfigResponse, ExecuteMsg, GreeksResponse, PositionsResponse, QueryMsg, QuoteResponse,
    SeriesListResponse,
};

const CALL_100: u64 = 4;
const PUT_100: u64 = 5;
const CALL_120: u64 = 6;

#[test]
fn writing_a_far_otm_option_can_cost_more_in_fees_than_it_pays() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    let q = quote(&s, CALL_120, 3, false);
    assert!(q.premium < q.fee);
    assert_eq!(q.total, Uint128::zero());
    let e = err(s.sell(&alice, 1, CALL_120, 3));
    assert_eq!(
        e,
        ContractError::MinProceedsNotMet {
            premium: q.premium,
            fee: q.fee,
            min: Uint128::zero()
        }
    );
}

fn quote(s: &Suite, series_id: u64, amount: u128, is_buy: bool) -> QuoteResponse {
    s.query(&QueryMsg::Quote {
        series_id,
        amount: Uint128::new(amount),
        is_buy,
    })
    .unwrap()
}

#[test]
fn market_interface_messages_deserialize_into_ours() {
    let fr = MarketExecuteMsg::ForceReduce {
        account_id: 7,
        fraction: d("0.25"),
    };
    let ours: ExecuteMsg = from_json(to_json_binary(&fr).unwrap()).unwrap();
    assert_eq!(
        ours,
        ExecuteMsg::ForceReduce {
            account_id: 7,
            fraction: d("0.25")
        }
    );
    let q: QueryMsg =
        from_json(to_json_binary(&MarketQueryMsg::AccountRisk { account_id: 9 }).unwrap()).unwrap();
    assert_eq!(q, QueryMsg::AccountRisk { account_id: 9 });
    let q: QueryMsg = from_json(to_json_binary(&MarketQueryMsg::PoolExposure {}).unwrap()).unwrap();
    assert_eq!(q, QueryMsg::PoolExposure {});
    // and the mock vault's Settle has the vault's JSON shape
    let st = bulwark_types::market::Settlement {
        account_id: 1,
        trader_addr: Some(cosmwasm_std::Addr::unchecked("a")),
        cash: Default::default(),
        risk: Default::default(),
        change: RiskChange::Reduce,
    };
    assert_eq!(
        to_json_binary(&bulwark_types::vault::ExecuteMsg::Settle(st.clone())).unwrap(),
        to_json_binary(&MockVaultExec::Settle(st)).unwrap()
    );
}

#[test]
fn buy_charges_the_quote_and_reports_fresh_risk() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    let q = quote(&s, CALL_100, 10, true);
    assert!(q.premium > Uint128::zero() && q.fee > Uint128::zero());
    assert_eq!(q.total, q.premium + q.fee);
    let res = s.buy(&alice, 1, CALL_100, 10).unwrap();
    assert_eq!(attr(&res, "action").unwrap(), "buy");
    assert_eq!(attr(&res, "premium").unwrap(), q.premium.to_string());
    let st = s.last_settlement();
    assert_eq!(st.account_id, 1);
    assert_eq!(st.trader_addr, Some(alice));
    assert_eq!(st.change, RiskChange::Increase);
    assert_eq!(
        st.cash.pnl_vs_pool,
        Int128::new(-(q.premium.u128() as i128))
    );
    assert_eq!(st.cash.fee_to_pool + st.cash.fee_to_protocol, q.fee);
    // protocol share 20 %, rounded down
    assert_eq!(st.cash.fee_to_protocol, q.fee.multiply_ratio(1u128, 5u128));
    assert_eq!(st.risk.underlyings.len(), 1);
    let r = &st.risk.underlyings[0];
    assert_eq!(r.asset_id, ATOM);
    assert_eq!(r.grid_version, 1);
    assert_eq!(r.scenario_pnl.len(), 15);
    // long call: loses when spot falls, gains when it rises
    assert!(r.scenario_pnl[0] < Int128::zero());
    assert!(r.scenario_pnl[14] > Int128::zero());
    assert!(r.unrealized_pnl > Int128::zero());
    // bought at the ask: worth less than paid
    assert!(r.unrealized_pnl.i128() < q.premium.u128() as i128);
    assert!(r.maintenance_addon.is_zero());
    // state
    assert_eq!(s.position(1, CALL_100), 10);
    assert_eq!(s.series(CALL_100).long_open_interest, Uint128::new(10));
    // the AccountRisk query answers the same report
    let ar: AccountRisk = s.query(&QueryMsg::AccountRisk { account_id: 1 }).unwrap();
    assert_eq!(ar, st.risk);
    // the pool locks the call's maximum payoff: (400 − 100) × 10 × 1e6
    let pe: PoolExposure = s.query(&QueryMsg::PoolExposure {}).unwrap();
    assert_eq!(pe.locked_liquidity, Uint128::new(300 * 10 * MULT));
    assert!((pe.unrealized_trader_pnl.i128() - r.unrealized_pnl.i128()).abs() <= 1);
    // buying moved the surface up
    let b = s.board();
    assert!(b.base_iv > d("0.6"));
    assert!(b.strikes[1].skew > d("1"));
    let q2 = quote(&s, CALL_100, 10, true);
    assert!(q2.vol > q.vol);
}

/// Alice holds calls and puts that Bob partly wrote: the net figure lets Bob's liability
/// offset what the pool owes Alice, `trader_gains` does not (a writer's liability is
/// collectable only up to the writer's equity).
#[test]
fn pool_exposure_reports_long_value_unnetted() {
    let mut s = Suite::new();
    let (alice, bob) = (s.alice.clone(), s.bob.clone());
    s.buy(&alice, 1, CALL_100, 10).unwrap();
    s.sell(&bob, 2, CALL_100, 4).unwrap();
    // a flat series (net 0) still owes its long holder
    s.buy(&alice, 1, PUT_100, 3).unwrap();
    s.sell(&bob, 2, PUT_100, 3).unwrap();
    let value = |s: &Suite, account_id| -> i128 {
        let r: AccountRisk = s.query(&QueryMsg::AccountRisk { account_id }).unwrap();
        r.underlyings.iter().map(|u| u.unrealized_pnl.i128()).sum()
    };
    let (long, short) = (value(&s, 1), value(&s, 2));
    assert!(long > 0 && short < 0);
    let pe: PoolExposure = s.query(&QueryMsg::PoolExposure {}).unwrap();
    // accounts round their longs down, the pool its liability up (once per series)
    let gains = pe.trader_gains.u128() as i128 - long;
    assert!((0..=2).contains(&gains), "{pe:?} vs long {long}");
    let net = pe.unrealized_trader_pnl.i128() - (long + short);
    assert!(net.abs() <= 4, "{pe:?} vs {long} + {short}");
    // the gap is Bob's liability, which the net figure counted as the pool's asset
    let gap = pe.trader_gains.u128() as i128 - pe.unrealized_trader_pnl.i128();
    assert!((gap + short).abs() <= 6, "{pe:?} vs short {short}");
    // the pool locks only the net long calls: 6 × (400 − 100)
    assert_eq!(pe.locked_liquidity, Uint128::new(300 * 6 * MULT));
}

#[test]
fn sell_to_close_and_write() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    s.buy(&alice, 1, PUT_100, 5).unwrap();
    let q = quote(&s, PUT_100, 5, false);
    s.sell(&alice, 1, PUT_100, 5).unwrap();
    let st = s.last_settlement();
    assert_eq!(st.change, RiskChange::Reduce);
    assert_eq!(st.cash.pnl_vs_pool, Int128::new(q.premium.u128() as i128));
    assert!(st.risk.underlyings.is_empty());
    assert_eq!(s.position(1, PUT_100), 0);
    let pos: PositionsResponse = s
        .query(&QueryMsg::Positions {
            account_id: 1,
            start_after: None,
            limit: None,
        })
        .unwrap();
    assert!(pos.positions.is_empty());
    // write a call: short, with add-ons and a loss when spot rises
    s.sell(&alice, 2, CALL_100, 3).unwrap();
    let st = s.last_settlement();
    assert_eq!(st.change, RiskChange::Increase);
    assert!(st.cash.pnl_vs_pool > Int128::zero());
    let r = &st.risk.underlyings[0];
    assert!(r.unrealized_pnl < Int128::zero());
    assert!(r.scenario_pnl[14] < Int128::zero());
    // 3 contracts × spot 100 × 1e6 × 5 % / 10 %
    assert_eq!(r.maintenance_addon, Uint128::new(15 * MULT));
    assert_eq!(r.initial_addon, Uint128::new(30 * MULT));
    assert_eq!(s.series(CALL_100).short_open_interest, Uint128::new(3));
    // traders are net short: the pool locks nothing for that series
    let pe: PoolExposure = s.query(&QueryMsg::PoolExposure {}).unwrap();
    assert_eq!(pe.locked_liquidity, Uint128::zero());
    assert!(pe.unrealized_trader_pnl < Int128::zero());
    // flip from short 3 to long 2 in one buy: adds risk
    s.buy(&alice, 2, CALL_100, 5).unwrap();
    assert_eq!(s.last_settlement().change, RiskChange::Increase);
    assert_eq!(s.position(2, CALL_100), 2);
    let sr = s.series(CALL_100);
    assert_eq!(
        (sr.long_open_interest, sr.short_open_interest),
        (Uint128::new(2), Uint128::zero())
    );
}

#[test]
fn premium_limits_are_enforced() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    let q = quote(&s, CALL_100, 4, true);
    let e = err(s.exec(
        &alice,
        &ExecuteMsg::Buy {
            account_id: 1,
            series_id: CALL_100,
            amount: Uint128::new(4),
            max_cost: q.total - Uint128::one(),
        },
    ));
    assert!(matches!(e, ContractError::MaxCostExceeded { .. }));
    s.exec(
        &alice,
        &ExecuteMsg::Buy {
            account_id: 1,
            series_id: CALL_100,
            amount: Uint128::new(4),
            max_cost: q.total,
        },
    )
    .unwrap();
    let q = quote(&s, CALL_100, 4, false);
    let e = err(s.exec(
        &alice,
        &ExecuteMsg::Sell {
            account_id: 1,
            series_id: CALL_100,
            amount: Uint128::new(4),
            min_proceeds: q.total + Uint128::one(),
        },
    ));
    assert!(matches!(e, ContractError::MinProceedsNotMet { .. }));
    assert_eq!(s.position(1, CALL_100), 4);
}

#[test]
fn bad_input_is_refused_without_state_change() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    assert_eq!(
        err(s.buy(&alice, 1, 999, 1)),
        ContractError::UnknownSeries { series_id: 999 }
    );
    assert_eq!(
        err(s.buy(&alice, 1, CALL_100, 0)),
        ContractError::ZeroAmount
    );
    // unauthorized admin
    let e = err(s.exec(
        &alice,
        &ExecuteMsg::SetSurface {
            board_id: s.board_id,
            base_iv: Some(d("0.9")),
            skews: vec![],
        },
    ));
    assert_eq!(e, ContractError::NotVolSetter);
    let e = err(s.exec(
        &alice,
        &ExecuteMsg::AddStrike {
            board_id: s.board_id,
            strike: bulwark_types::options::StrikeInput {
                strike: d("90"),
                skew: d("1"),
            },
        },
    ));
    assert_eq!(e, ContractError::NotOwner);
    // surface out of bounds
    let owner = s.owner.clone();
    let e = err(s.exec(
        &owner,
        &ExecuteMsg::SetSurface {
            board_id: s.board_id,
            base_iv: Some(d("50")),
            skews: vec![],
        },
    ));
    assert!(matches!(e, ContractError::InvalidParam { .. }));
    // strike at or above the cap
    let e = err(s.exec(
        &owner,
        &ExecuteMsg::AddStrike {
            board_id: s.board_id,
            strike: bulwark_types::options::StrikeInput {
                strike: d("400"),
                skew: d("1"),
            },
        },
    ));
    assert!(matches!(e, ContractError::InvalidParam { .. }));
    assert_eq!(s.settlements().len(), 0);
}

#[test]
fn prices_must_be_fresh_present_and_not_from_this_block() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    // A price stored in this block never prices a trade: the oracle serves the previous
    // block's value until the next block, so the quote does not move.
    let quote = |s: &Suite| -> bulwark_types::options::QuoteResponse {
        s.query(&QueryMsg::Quote {
            series_id: CALL_100,
            amount: Uint128::one(),
            is_buy: true,
        })
        .unwrap()
    };
    let before = quote(&s);
    s.feed_only(ATOM, "101");
    assert_eq!(quote(&s), before);
    s.advance(5);
    assert_ne!(
        quote(&s),
        before,
        "the new price applies from the next block"
    );
    s.buy(&alice, 1, CALL_100, 1).unwrap();
    // stale (max age 120 s)
    s.advance(200);
    let e = err(s.buy(&alice, 1, CALL_100, 1));
    assert!(matches!(e, ContractError::PriceUnusable { .. }));
    let e = err(s.sell(&alice, 1, CALL_100, 1));
    assert!(matches!(e, ContractError::PriceUnusable { .. }));
    // missing: a board on an asset without a record
    s.set_price(ATOM, "100");
    let expiry = s.now() + 3 * DAY;
    let b2 = s.create_board("OSMO", expiry, &["1"]).unwrap();
    let board: bulwark_types::options::BoardResponse =
        s.query(&QueryMsg::Board { board_id: b2 }).unwrap();
    let e = err(s.buy(&alice, 1, board.strikes[0].call_series_id, 1));
    match e {
        ContractError::PriceUnusable { asset_id, .. } => assert_eq!(asset_id, "OSMO"),
        other => panic!("{other:?}"),
    }
    assert_eq!(s.position(1, CALL_100), 1);
}

#[test]
fn missing_grid_is_refused() {
    let mut s = Suite::new();
    s.add_asset("OSMO");
    s.set_price("OSMO", "1");
    let expiry = s.now() + 3 * DAY;
    let b2 = s.create_board("OSMO", expiry, &["1"]).unwrap();
    let board: bulwark_types::options::BoardResponse =
        s.query(&QueryMsg::Board { board_id: b2 }).unwrap();
    let alice = s.alice.clone();
    let e = err(s.buy(&alice, 1, board.strikes[0].call_series_id, 1));
    assert_eq!(
        e,
        ContractError::NoScenarioGrid {
            asset_id: "OSMO".into()
        }
    );
}

#[test]
fn vault_refusal_reverts_the_trade() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    let iv = s.board().base_iv;
    s.set_vault_refuse(true);
    assert!(s.buy(&alice, 1, CALL_100, 3).is_err());
    assert_eq!(s.position(1, CALL_100), 0);
    assert_eq!(s.series(CALL_100).long_open_interest, Uint128::zero());
    assert_eq!(s.board().base_iv, iv);
    let pe: PoolExposure = s.query(&QueryMsg::PoolExposure {}).unwrap();
    assert_eq!(pe.locked_liquidity, Uint128::zero());
}

#[test]
fn trading_closes_at_the_cutoff() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    let cutoff = 3_600;
    s.set_time(s.expiry - cutoff - 10);
    s.set_price(ATOM, "100"); // now = expiry − cutoff − 5
    s.buy(&alice, 1, CALL_100, 1).unwrap();
    s.set_time(s.expiry - cutoff - 6);
    s.feed_only(ATOM, "100");
    s.set_time(s.expiry - cutoff);
    let e = err(s.buy(&alice, 1, CALL_100, 1));
    assert_eq!(
        e,
        ContractError::TradingClosed {
            board_id: s.board_id,
            closed_at: s.expiry - cutoff,
            now: s.expiry - cutoff
        }
    );
    // closing is refused too, and so is the quote
    assert!(matches!(
        err(s.sell(&alice, 1, CALL_100, 1)),
        ContractError::TradingClosed { .. }
    ));
    assert!(s
        .query::<QuoteResponse>(&QueryMsg::Quote {
            series_id: CALL_100,
            amount: Uint128::one(),
            is_buy: true
        })
        .is_err());
}

#[test]
fn breaker_gates_open_reduce_and_liquidate() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    s.buy(&alice, 1, CALL_100, 4).unwrap();
    let scope = s.board_scope();
    s.trip(scope.clone(), Level::ReduceOnly);
    let e = err(s.buy(&alice, 1, CALL_100, 1));
    assert!(matches!(e, ContractError::BreakerBlocked { .. }), "{e:?}");
    let e = err(s.sell(&alice, 2, CALL_100, 1)); // opening a short
    assert!(matches!(e, ContractError::BreakerBlocked { .. }));
    s.sell(&alice, 1, CALL_100, 1).unwrap(); // closing allowed
                                             // liquidation allowed in reduce-only
    let vault = s.vault.clone();
    s.exec(
        &vault,
        &ExecuteMsg::ForceReduce {
            account_id: 1,
            fraction: d("0.5"),
        },
    )
    .unwrap();
    s.trip(scope, Level::Halted);
    assert!(matches!(
        err(s.sell(&alice, 1, CALL_100, 1)),
        ContractError::BreakerBlocked { .. }
    ));
    let e = err(s.exec(
        &vault,
        &ExecuteMsg::ForceReduce {
            account_id: 1,
            fraction: d("0.5"),
        },
    ));
    assert!(matches!(e, ContractError::BreakerBlocked { .. }));
    // a global halt blocks every board
    let mut s = Suite::new();
    s.trip(Scope::Global, Level::Halted);
    assert!(matches!(
        err(s.buy(&alice, 1, CALL_100, 1)),
        ContractError::BreakerBlocked { .. }
    ));
}

#[test]
fn force_reduce_is_vault_only_and_closes_at_model_price() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    s.buy(&alice, 1, CALL_100, 10).unwrap();
    s.sell(&alice, 1, PUT_100, 3).unwrap();
    let e = err(s.exec(
        &alice,
        &ExecuteMsg::ForceReduce {
            account_id: 1,
            fraction: d("0.5"),
        },
    ));
    assert_eq!(e, ContractError::NotVault);
    let vault = s.vault.clone();
    for bad in ["0", "1.5"] {
        let e = err(s.exec(
            &vault,
            &ExecuteMsg::ForceReduce {
                account_id: 1,
                fraction: d(bad),
            },
        ));
        assert_eq!(e, ContractError::InvalidFraction);
    }
    let before: AccountRisk = s.query(&QueryMsg::AccountRisk { account_id: 1 }).unwrap();
    let res = s
        .exec(
            &vault,
            &ExecuteMsg::ForceReduce {
                account_id: 1,
                fraction: d("0.5"),
            },
        )
        .unwrap();
    let r: ForceReduceResult = from_json(res.data.unwrap()).unwrap();
    assert_eq!(r.account_id, 1);
    // 5 calls closed (+value), ceil(1.5) = 2 puts bought back (−value)
    assert_eq!(s.position(1, CALL_100), 5);
    assert_eq!(s.position(1, PUT_100), -1);
    assert!(r.cash.fee_to_pool.is_zero() && r.cash.fee_to_protocol.is_zero());
    // 7 contracts × spot 100 × 1e6
    assert_eq!(r.reduced_notional, Uint128::new(700 * MULT));
    // model price: the cash equals the change of mark value (within rounding)
    let after = &r.risk.underlyings[0].unrealized_pnl;
    let diff =
        before.underlyings[0].unrealized_pnl.i128() - after.i128() - r.cash.pnl_vs_pool.i128();
    assert!(diff.abs() <= 2, "{diff}");
    // the same through the mock vault's submessage, fraction 1 closes everything
    s.app
        .execute_contract(
            s.owner.clone(),
            s.vault.clone(),
            &MockVaultExec::CallForceReduce {
                market: s.options.to_string(),
                account_id: 1,
                fraction: Decimal256::one(),
            },
            &[],
        )
        .unwrap();
    let last: Option<ForceReduceResult> = s
        .app
        .wrap()
        .query_wasm_smart(&s.vault, &MockVaultQuery::LastForceReduce {})
        .unwrap();
    let last = last.unwrap();
    assert!(last.risk.underlyings.is_empty());
    assert_eq!(s.position(1, CALL_100), 0);
    assert_eq!(s.position(1, PUT_100), 0);
    let pe: PoolExposure = s.query(&QueryMsg::PoolExposure {}).unwrap();
    assert_eq!(
        pe,
        PoolExposure {
            unrealized_trader_pnl: Int128::zero(),
            locked_liquidity: Uint128::zero(),
            trader_gains: Uint128::zero()
        }
    );
}

#[test]
fn pool_greek_caps_refuse_only_risk_adding_trades() {
    let mut s = Suite::new();
    let owner = s.owner.clone();
    let cfg: ConfigResponse = s.query(&QueryMsg::Config {}).unwrap();
    let mut p = cfg.params.clone();
    p.max_pool_delta = d("5");
    s.exec(
        &owner,
        &ExecuteMsg::UpdateConfig {
            vault: None,
            oracle: None,
            circuit_breaker: None,
            vol_feeder: None,
            params: Some(Box::new(p)),
        },
    )
    .unwrap();
    let alice = s.alice.clone();
    s.buy(&alice, 1, CALL_100, 8).unwrap(); // pool delta ≈ −8 × 0.5 = −4
    let g: GreeksResponse = s
        .query(&QueryMsg::PoolGreeks {
            board_id: s.board_id,
        })
        .unwrap();
    assert!(g.greeks.delta < sd("-3.5") && g.greeks.delta > sd("-5"));
    assert!(g.greeks.vega < sd("0"));
    let e = err(s.buy(&alice, 1, CALL_100, 4));
    assert!(
        matches!(e, ContractError::PoolGreekCap { ref greek, .. } if greek == "delta"),
        "{e:?}"
    );
    // a put buy lowers the pool's short delta: allowed
    s.buy(&alice, 2, PUT_100, 4).unwrap();
    s.sell(&alice, 1, CALL_100, 8).unwrap();
    let g: GreeksResponse = s
        .query(&QueryMsg::PoolGreeks {
            board_id: s.board_id,
        })
        .unwrap();
    assert!(
        g.greeks.delta < sd("3") && g.greeks.delta > sd("1"),
        "{:?}",
        g.greeks.delta
    );
    let ag: GreeksResponse = s.query(&QueryMsg::AccountGreeks { account_id: 2 }).unwrap();
    assert_eq!(
        ag.greeks.delta,
        sd("0").checked_sub(g.greeks.delta).unwrap()
    );
    // refresh recomputes at the current price
    s.set_price(ATOM, "90");
    let anyone = s.bob.clone();
    s.exec(
        &anyone,
        &ExecuteMsg::RefreshGreeks {
            board_id: s.board_id,
        },
    )
    .unwrap();
    let g2: GreeksResponse = s
        .query(&QueryMsg::PoolGreeks {
            board_id: s.board_id,
        })
        .unwrap();
    assert!(g2.greeks.delta > g.greeks.delta); // put deltas more negative → pool (short puts) more positive
}

/// A second ATOM board, expiring in 5 days, with the most strikes a board may list (60…135).
fn full_board(s: &mut Suite) -> (u64, bulwark_types::options::BoardResponse) {
    let expiry = s.now() + 5 * DAY;
    let strikes: Vec<String> = (0..16).map(|i| format!("{}", 60 + 5 * i)).collect();
    let refs: Vec<&str> = strikes.iter().map(|x| x.as_str()).collect();
    let board_id = s.create_board(ATOM, expiry, &refs).unwrap();
    let board = s.query(&QueryMsg::Board { board_id }).unwrap();
    (board_id, board)
}

#[test]
fn per_account_positions_are_bounded() {
    let mut s = Suite::new();
    let owner = s.owner.clone();
    let (b2, board) = full_board(&mut s);
    let alice = s.alice.clone();
    for st in &board.strikes {
        s.buy(&alice, 1, st.call_series_id, 1).unwrap();
        s.buy(&alice, 1, st.put_series_id, 1).unwrap();
    }
    let e = err(s.buy(&alice, 1, CALL_100, 1));
    assert_eq!(
        e,
        ContractError::TooManyPositions {
            account_id: 1,
            max: 32
        }
    );
    // strikes per board are bounded too
    let e = err(s.exec(
        &owner,
        &ExecuteMsg::AddStrike {
            board_id: b2,
            strike: bulwark_types::options::StrikeInput {
                strike: d("300"),
                skew: d("1"),
            },
        },
    ));
    assert!(matches!(e, ContractError::TooManyStrikes { .. }));
    let list: SeriesListResponse = s
        .query(&QueryMsg::SeriesList {
            board_id: b2,
            start_after: None,
            limit: Some(50),
        })
        .unwrap();
    assert_eq!(list.series.len(), 32);
    let page2: SeriesListResponse = s
        .query(&QueryMsg::SeriesList {
            board_id: b2,
            start_after: Some(list.series[9].series_id),
            limit: Some(5),
        })
        .unwrap();
    assert_eq!(page2.series[0].series_id, list.series[10].series_id);
}

#[test]
fn vol_feeder_may_set_the_surface() {
    let mut s = Suite::new();
    let owner = s.owner.clone();
    let bob = s.bob.clone();
    s.exec(
        &owner,
        &ExecuteMsg::UpdateConfig {
            vault: None,
            oracle: None,
            circuit_breaker: None,
            vol_feeder: Some(bob.to_string()),
            params: None,
        },
    )
    .unwrap();
    let strike_id = s.board().strikes[0].strike_id;
    s.exec(
        &bob,
        &ExecuteMsg::SetSurface {
            board_id: s.board_id,
            base_iv: Some(d("0.8")),
            skews: vec![(strike_id, d("1.2"))],
        },
    )
    .unwrap();
    let b = s.board();
    assert_eq!(b.base_iv, d("0.8"));
    assert_eq!(b.strikes[0].skew, d("1.2"));
    let q = quote(&s, 2, 1, true);
    assert_eq!(q.vol, d("0.96"));
}

#[test]
fn quoted_put_call_parity_within_the_spread() {
    let s = Suite::new();
    // rate 0: parity value C − P = S − K
    for (call, put, strike) in [(2u64, 3u64, 80i128), (4, 5, 100), (6, 7, 120)] {
        for amount in [1u128, 50] {
            let per_unit =
                |q: QuoteResponse| cosmwasm_std::SignedDecimal256::try_from(q.unit_price).unwrap();
            let c_ask = per_unit(quote(&s, call, amount, true));
            let c_bid = per_unit(quote(&s, call, amount, false));
            let p_ask = per_unit(quote(&s, put, amount, true));
            let p_bid = per_unit(quote(&s, put, amount, false));
            let parity = cosmwasm_std::SignedDecimal256::from_ratio(100 - strike, 1);
            assert!(
                c_ask.checked_sub(p_bid).unwrap() >= parity,
                "strike {strike}"
            );
            assert!(
                c_bid.checked_sub(p_ask).unwrap() <= parity,
                "strike {strike}"
            );
            // and the spread is real: asks above bids
            assert!(c_ask > c_bid && p_ask > p_bid);
        }
    }
}

#[test]
fn listing_and_paged_queries() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    let owner = s.owner.clone();
    let expiry = s.now() + 2 * DAY;
    let b2 = s.create_board(ATOM, expiry, &["90"]).unwrap();
    let b3 = s.create_board(ATOM, expiry + DAY, &["110"]).unwrap();
    let page: bulwark_types::options::BoardsResponse = s
        .query(&QueryMsg::Boards {
            start_after: None,
            limit: Some(2),
        })
        .unwrap();
    assert_eq!(
        page.boards.iter().map(|b| b.board_id).collect::<Vec<_>>(),
        vec![s.board_id, b2]
    );
    let page: bulwark_types::options::BoardsResponse = s
        .query(&QueryMsg::Boards {
            start_after: Some(b2),
            limit: None,
        })
        .unwrap();
    assert_eq!(page.boards.len(), 1);
    assert_eq!(page.boards[0].board_id, b3);
    assert_eq!(page.boards[0].market_id, format!("board-{b3}"));
    // duplicate strike, bad expiry
    let e = err(s.exec(
        &owner,
        &ExecuteMsg::AddStrike {
            board_id: b2,
            strike: bulwark_types::options::StrikeInput {
                strike: d("90"),
                skew: d("1"),
            },
        },
    ));
    assert!(matches!(e, ContractError::DuplicateStrike { .. }));
    let now = s.now();
    let e = err(s.exec(
        &owner,
        &ExecuteMsg::CreateBoard {
            asset_id: ATOM.into(),
            expiry: now + 3_600,
            base_iv: d("0.6"),
            cap_price: d("400"),
            multiplier: Uint128::new(MULT),
            strikes: vec![bulwark_types::options::StrikeInput {
                strike: d("100"),
                skew: d("1"),
            }],
        },
    ));
    assert!(matches!(e, ContractError::InvalidParam { .. }));
    // positions are paged by series id
    for sid in [2u64, 3, 4, 5, 6] {
        s.buy(&alice, 1, sid, 1).unwrap();
    }
    let p: PositionsResponse = s
        .query(&QueryMsg::Positions {
            account_id: 1,
            start_after: Some(3),
            limit: Some(2),
        })
        .unwrap();
    assert_eq!(
        p.positions.iter().map(|x| x.series_id).collect::<Vec<_>>(),
        vec![4, 5]
    );
    let cfg: ConfigResponse = s.query(&QueryMsg::Config {}).unwrap();
    assert_eq!(cfg.vault_addr, Some(s.vault.clone()));
    assert_eq!(cfg.params.trading_cutoff_secs, 3_600);
}

#[test]
fn unconfigured_contract_refuses_to_trade() {
    let mut app = App::default();
    let owner = app.api().addr_make("dao");
    let code = app.store_code(bulwark_testing::options::contract());
    let addr = app
        .instantiate_contract(
            code,
            owner.clone(),
            &bulwark_testing::options::instantiate_msg(&owner),
            &[],
            "options",
            None,
        )
        .unwrap();
    let e: ContractError = app
        .execute_contract(
            owner.clone(),
            addr.clone(),
            &ExecuteMsg::Buy {
                account_id: 1,
                series_id: 2,
                amount: Uint128::one(),
                max_cost: Uint128::MAX,
            },
            &[],
        )
        .unwrap_err()
        .downcast()
        .unwrap();
    assert_eq!(
        e,
        ContractError::NotConfigured {
            missing: "vault".into()
        }
    );
    // bad parameters are refused at instantiation
    let mut params = bulwark_options::params::default_params();
    params.vol_spread = d("1");
    let mut msg = bulwark_testing::options::instantiate_msg(&owner);
    msg.params = Some(params);
    assert!(app
        .instantiate_contract(code, owner, &msg, &[], "options2", None)
        .is_err());
}

#[test]
fn migrate_keeps_positions() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    s.buy(&alice, 1, CALL_100, 3).unwrap();
    let code_id = s
        .app
        .wrap()
        .query_wasm_contract_info(&s.options)
        .unwrap()
        .code_id;
    let res = s
        .app
        .migrate_contract(
            s.owner.clone(),
            s.options.clone(),
            &bulwark_types::options::MigrateMsg {},
            code_id,
        )
        .unwrap();
    assert_eq!(attr(&res, "action").unwrap(), "migrate");
    assert_eq!(s.position(1, CALL_100), 3);
}

mod cutoff_property {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 16, .. ProptestConfig::default() })]

        /// Any trade at or after `expiry − cutoff` is refused (buy or sell, opening or
        /// closing); any trade before it is accepted.
        #[test]
        fn trades_at_or_after_the_cutoff_are_refused(offset in -600i64..4_000, is_buy: bool) {
            let mut s = Suite::new();
            let alice = s.alice.clone();
            s.buy(&alice, 1, CALL_100, 5).unwrap();
            let closed_at = s.expiry - 3_600;
            let t = (closed_at as i64 + offset) as u64;
            s.set_time(t - 10);
            s.feed_only(ATOM, "100");
            s.set_time(t);
            let res = if is_buy { s.buy(&alice, 1, CALL_100, 1) } else { s.sell(&alice, 1, CALL_100, 1) };
            if t < closed_at {
                prop_assert!(res.is_ok(), "{:?}", res.err());
            } else {
                prop_assert_eq!(err(res), ContractError::TradingClosed { board_id: s.board_id, closed_at, now: t });
                prop_assert_eq!(s.position(1, CALL_100), 5);
            }
        }
    }
}

/// A trade opening a new series is refused once the account's risk report would need more
/// Black-Scholes evaluations than the gas budget allows; growing or shrinking existing
/// positions never is, even after a larger grid pushed the account over the limit.
#[test]
fn risk_evaluations_per_account_are_bounded() {
    use bulwark_types::options::MAX_RISK_EVALUATIONS_PER_ACCOUNT;
    let mut s = Suite::new();
    let (_, board) = full_board(&mut s);
    let alice = s.alice.clone();
    // eight capped calls on the suite's 15-scenario grid: 8 × 2 legs × 16 = 256 evaluations
    for st in &board.strikes[..8] {
        s.buy(&alice, 1, st.call_series_id, 1).unwrap();
    }
    // the vault moves to the largest grid it accepts: 16 spot × 4 vol shocks = 64 scenarios,
    // and the same positions now need 8 × 2 × 65 = 1,040 evaluations
    let mut g = grid(ATOM, 2);
    g.spot_shocks = (0..16)
        .map(|i| sd(&format!("{}", f64::from(i * 5 - 40) / 100.0)))
        .collect();
    g.vol_shocks = vec![sd("-0.3"), sd("-0.1"), sd("0.1"), sd("0.3")];
    s.set_grid(g);
    let positions = |s: &Suite| -> PositionsResponse {
        s.query(&QueryMsg::Positions {
            account_id: 1,
            start_after: None,
            limit: None,
        })
        .unwrap()
    };
    let before = positions(&s);
    let e = err(s.buy(&alice, 1, board.strikes[8].put_series_id, 1));
    assert_eq!(
        e,
        ContractError::TooManyRiskEvaluations {
            account_id: 1,
            evaluations: 8 * 130 + 65,
            max: MAX_RISK_EVALUATIONS_PER_ACCOUNT,
        }
    );
    assert_eq!(before, positions(&s), "a refused trade changes nothing");
    // existing positions may still grow and shrink
    s.buy(&alice, 1, board.strikes[0].call_series_id, 2)
        .unwrap();
    s.sell(&alice, 1, board.strikes[0].call_series_id, 1)
        .unwrap();
    // closing one capped call frees 130: 7 × 130 + 65 = 975 fits
    s.sell(&alice, 1, board.strikes[1].call_series_id, 1)
        .unwrap();
    s.buy(&alice, 1, board.strikes[8].put_series_id, 1).unwrap();
    // but another capped call would not (975 + 130)
    let e = err(s.buy(&alice, 1, board.strikes[9].call_series_id, 1));
    assert!(matches!(
        e,
        ContractError::TooManyRiskEvaluations {
            evaluations: 1105,
            ..
        }
    ));
}
