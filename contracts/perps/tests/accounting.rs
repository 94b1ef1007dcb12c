//! Funding, pool exposure, multi-market risk and the market interface end to end.

mod common;

use common::*;
use cosmwasm_std::{Decimal256, Int128, SignedDecimal256, Uint128};
use cw_multi_test::Executor;

use bulwark_perps::state::{AGGREGATES, STATE_LAYOUT, STATE_LAYOUT_CURRENT};
use bulwark_perps::ContractError;
use bulwark_types::market::{AccountRisk, MarketQueryMsg, PoolExposure};
use bulwark_types::oracle::ExecuteMsg as OracleMsg;
use bulwark_types::perps::{
    ExecuteMsg, FundingRateResponse, MarketAggregates, MarketsResponse, PositionResponse,
    PositionsResponse, QueryMsg, QuoteResponse, MAX_POSITIONS_PER_ACCOUNT,
};

#[test]
fn funding_accrues_and_settles_on_close() {
    let mut env = setup();
    let (alice, bob) = (env.alice.clone(), env.bob.clone());
    env.order(&alice, 1, "100", "11").unwrap();
    // one day later at the same price: velocity 100/1e6 × 0.03 = 3e-6 per day²
    env.next_block(86_400 - 5);
    env.feed(ASSET, "10");
    env.next_block(5);
    let f: FundingRateResponse = env.q(&QueryMsg::FundingRate {
        market_id: MARKET.into(),
    });
    assert_eq!(f.skew, sd("100"));
    assert_eq!(f.velocity, sd("0.000003"));
    assert_eq!(f.rate, sd("0.000003"));
    // ∫ rate = 3e-6 / 2 per unit-day, × price 10
    assert_eq!(f.index, sd("0.000015"));
    let p = env.position(1);
    assert_eq!(p.accrued_funding, Some(Int128::new(1_500)));
    // the other side of the skew receives: a short opened now and held a day
    env.order(&bob, 3, "-40", "9").unwrap();
    env.next_block(86_400 - 5);
    env.feed(ASSET, "10");
    env.next_block(5);
    let short = env.position(3).accrued_funding.unwrap();
    assert!(short < Int128::zero(), "{short}");
    let long = env.position(1).accrued_funding.unwrap();
    assert!(long > Int128::new(1_500), "{long}");
    // closing settles the funding owed with the realized PnL
    let q: bulwark_types::perps::QuoteResponse = env.q(&QueryMsg::Quote {
        account_id: 1,
        market_id: MARKET.into(),
        size_delta: sd("-100"),
    });
    assert_eq!(q.funding_owed, long);
    env.order(&alice, 1, "-100", "9").unwrap();
    let s = env.last_settlement().settlement;
    assert_eq!(s.cash.pnl_vs_pool, q.realized_pnl - long);
    // the market's stored funding state was touched by the close
    let m: bulwark_types::perps::MarketResponse = env.q(&QueryMsg::Market {
        market_id: MARKET.into(),
    });
    assert_eq!(m.asset_id, ASSET);
    assert_eq!(
        m.funding.last_update_secs,
        env.app.block_info().time.seconds()
    );
    assert!(m.funding.index > sd("0.000015"));
    assert_eq!(m.aggregates.oi_short, d("40"));
    assert_eq!(m.aggregates.oi_long, d("0"));
    // a short opened afterwards starts with a fresh snapshot
    env.order(&bob, 2, "-10", "9").unwrap();
    assert_eq!(env.position(2).accrued_funding, Some(Int128::zero()));
}

#[test]
fn pool_exposure_equals_the_sum_of_positions() {
    let mut env = setup();
    let accounts: Vec<_> = (0..6)
        .map(|i| env.app.api().addr_make(&format!("t{i}")))
        .collect();
    let sizes = ["12.5", "-3", "7.25", "-20", "0.5", "4"];
    for (i, (who, size)) in accounts.iter().zip(sizes).enumerate() {
        let acceptable = if size.starts_with('-') { "1" } else { "100" };
        env.order(who, i as u64, size, acceptable).unwrap();
        env.advance_with_price(600, &format!("{}", 10 + i));
    }
    // modify some positions
    env.order(&accounts[0], 0, "-5", "1").unwrap();
    env.order(&accounts[3], 3, "25", "100").unwrap();
    env.advance_with_price(3_600, "13.37");
    let exposure: PoolExposure = env.q(&QueryMsg::PoolExposure {});
    let mut sum = Int128::zero();
    let mut n = 0i128;
    for i in 0..6u64 {
        let p = env.position(i);
        if p.position.is_some() {
            sum = sum + p.mark_pnl.unwrap() - p.accrued_funding.unwrap();
            n += 1;
        }
    }
    // each position rounds mark PnL down and funding up; the aggregate rounds up
    let diff = (exposure.unrealized_trader_pnl - sum).i128();
    assert!((0..=2 * n + 1).contains(&diff), "{exposure:?} vs {sum}");
    let agg = env.aggregates();
    let skew = agg.oi_long.abs_diff(agg.oi_short);
    let expected = (skew * d("13.37") * Decimal256::from_ratio(1_000_000u64, 1u64)).to_uint_ceil();
    assert_eq!(
        Uint128::try_from(expected).unwrap(),
        exposure.locked_liquidity
    );
    assert!(!exposure.locked_liquidity.is_zero());
}

#[test]
fn risk_of_an_account_covers_all_its_markets() {
    let mut env = setup();
    let (alice, owner) = (env.alice.clone(), env.owner.clone());
    env.exec(
        &owner,
        &ExecuteMsg::CreateMarket {
            market_id: "ETH-PERP".into(),
            asset_id: "ETH".into(),
            params: bulwark_testing::perps::default_market_params(),
        },
    )
    .unwrap();
    env.feed("ETH", "2000");
    env.next_block(5);
    env.order(&alice, 1, "10", "11").unwrap();
    env.exec(
        &alice,
        &ExecuteMsg::SubmitOrder {
            account_id: 1,
            market_id: "ETH-PERP".into(),
            size_delta: sd("-0.5"),
            acceptable_price: d("1990"),
            reduce_only: false,
        },
    )
    .unwrap();
    let s = env.last_settlement().settlement;
    let assets: Vec<_> = s
        .risk
        .underlyings
        .iter()
        .map(|u| u.asset_id.clone())
        .collect();
    assert_eq!(assets, vec!["ATOM".to_string(), "ETH".to_string()]);
    // the short ETH leg gains in the down scenarios
    let eth = &s.risk.underlyings[1];
    assert_eq!(eth.scenario_pnl[0], Int128::new(100_000_000));
    // the vault's query (interface JSON) answers the same risk
    let risk: AccountRisk = env
        .app
        .wrap()
        .query_wasm_smart(
            env.perps.clone(),
            &MarketQueryMsg::AccountRisk { account_id: 1 },
        )
        .unwrap();
    assert_eq!(risk, s.risk);
    let _: PoolExposure = env
        .app
        .wrap()
        .query_wasm_smart(env.perps.clone(), &MarketQueryMsg::PoolExposure {})
        .unwrap();
    // a new grid version is reported
    env.set_grid(grid("ETH", 7));
    let risk: AccountRisk = env.q(&QueryMsg::AccountRisk { account_id: 1 });
    assert_eq!(risk.underlyings[1].grid_version, 7);
    // paged queries
    let page: PositionsResponse = env.q(&QueryMsg::PositionsByAccount {
        account_id: 1,
        start_after: None,
        limit: Some(1),
    });
    assert_eq!(page.positions.len(), 1);
    assert_eq!(page.positions[0].market_id, "ATOM-PERP");
    let page: PositionsResponse = env.q(&QueryMsg::PositionsByAccount {
        account_id: 1,
        start_after: Some("ATOM-PERP".into()),
        limit: Some(10),
    });
    assert_eq!(page.positions.len(), 1);
    assert_eq!(page.positions[0].market_id, "ETH-PERP");
    let markets: MarketsResponse = env.q(&QueryMsg::Markets {
        start_after: Some("ATOM-PERP".into()),
        limit: None,
    });
    assert_eq!(markets.markets.len(), 1);
    assert_eq!(markets.markets[0].asset_id, "ETH");
}

#[test]
fn missing_grid_is_refused() {
    let mut env = setup();
    let alice = env.alice.clone();
    let owner = env.owner.clone();
    let oracle = env.oracle.clone();
    let feeder = env.feeder.clone();
    let mut cfg: bulwark_types::oracle::AssetConfig = env
        .app
        .wrap()
        .query_wasm_smart(
            oracle.clone(),
            &bulwark_types::oracle::QueryMsg::Asset {
                asset_id: ASSET.into(),
            },
        )
        .unwrap();
    cfg.asset_id = "OSMO".into();
    env.app
        .execute_contract(
            owner.clone(),
            oracle,
            &OracleMsg::SetAsset { asset: cfg },
            &[],
        )
        .unwrap();
    let _ = feeder;
    env.feed("OSMO", "1");
    env.next_block(5);
    env.exec(
        &owner,
        &ExecuteMsg::CreateMarket {
            market_id: "OSMO-PERP".into(),
            asset_id: "OSMO".into(),
            params: bulwark_testing::perps::default_market_params(),
        },
    )
    .unwrap();
    let err = env.exec_err(
        &alice,
        &ExecuteMsg::SubmitOrder {
            account_id: 1,
            market_id: "OSMO-PERP".into(),
            size_delta: sd("1"),
            acceptable_price: d("2"),
            reduce_only: false,
        },
    );
    assert_eq!(
        err,
        ContractError::NoScenarioGrid {
            asset_id: "OSMO".into()
        }
    );
}

#[test]
fn an_account_holds_at_most_max_positions() {
    let mut env = setup();
    let (alice, owner, oracle) = (env.alice.clone(), env.owner.clone(), env.oracle.clone());
    let base: bulwark_types::oracle::AssetConfig = env
        .app
        .wrap()
        .query_wasm_smart(
            oracle.clone(),
            &bulwark_types::oracle::QueryMsg::Asset {
                asset_id: ASSET.into(),
            },
        )
        .unwrap();
    for i in 0..MAX_POSITIONS_PER_ACCOUNT {
        let asset = format!("A{i}");
        let mut cfg = base.clone();
        cfg.asset_id = asset.clone();
        env.app
            .execute_contract(
                owner.clone(),
                oracle.clone(),
                &OracleMsg::SetAsset { asset: cfg },
                &[],
            )
            .unwrap();
        env.set_grid(grid(&asset, 1));
        env.feed(&asset, "10");
        env.exec(
            &owner,
            &ExecuteMsg::CreateMarket {
                market_id: format!("{asset}-PERP"),
                asset_id: asset,
                params: bulwark_testing::perps::default_market_params(),
            },
        )
        .unwrap();
    }
    env.feed(ASSET, "10");
    env.next_block(5);
    for i in 0..MAX_POSITIONS_PER_ACCOUNT {
        env.exec(
            &alice,
            &ExecuteMsg::SubmitOrder {
                account_id: 1,
                market_id: format!("A{i}-PERP"),
                size_delta: sd("1"),
                acceptable_price: d("11"),
                reduce_only: false,
            },
        )
        .unwrap();
    }
    assert_eq!(
        env.exec_err(&alice, &Env::order_msg(1, "1", "11", false)),
        ContractError::TooManyPositions {
            max: MAX_POSITIONS_PER_ACCOUNT
        }
    );
    assert_eq!(
        env.last_settlement().settlement.risk.underlyings.len(),
        MAX_POSITIONS_PER_ACCOUNT as usize
    );
    // closing one makes room
    env.exec(
        &alice,
        &ExecuteMsg::ClosePosition {
            account_id: 1,
            market_id: "A0-PERP".into(),
            acceptable_price: d("9"),
        },
    )
    .unwrap();
    env.order(&alice, 1, "1", "11").unwrap();
}

#[test]
fn quote_matches_the_fill() {
    let mut env = setup();
    let (alice, bob) = (env.alice.clone(), env.bob.clone());
    env.order(&bob, 2, "-30", "9").unwrap();
    env.advance_with_price(60, "10.5");
    let q: QuoteResponse = env.q(&QueryMsg::Quote {
        account_id: 1,
        market_id: MARKET.into(),
        size_delta: sd("20"),
    });
    env.order(&alice, 1, "20", "11").unwrap();
    let s = env.last_settlement().settlement;
    let p = env.position(1).position.unwrap();
    assert_eq!(q.oracle_price, d("10.5"));
    assert_eq!(Some(p.entry_price), q.resulting_entry_price);
    assert_eq!(p.entry_price, q.fill_price);
    assert_eq!(q.fee, s.cash.fee_to_pool + s.cash.fee_to_protocol);
    assert_eq!(q.resulting_size, sd("20"));
    assert!(q.increases_risk);
    // the buy reduces the short skew: it fills below the oracle price
    assert!(q.fill_price < d("10.5"));
    let _ = Decimal256::zero();
}

#[test]
fn migrate_keeps_state() {
    let mut env = setup();
    let alice = env.alice.clone();
    env.order(&alice, 1, "1", "11").unwrap();
    let before = env.aggregates();
    let res = migrate(&mut env).unwrap();
    assert_eq!(env.size(1), sd("1"));
    // a contract instantiated with this code is already at the current layout: nothing to do
    assert_eq!(attr(&res, "state_layout_from").as_deref(), Some("2"));
    assert_eq!(env.aggregates(), before);
    assert_eq!(state_layout(&env), Some(STATE_LAYOUT_CURRENT));
}

fn migrate(env: &mut Env) -> anyhow::Result<cw_multi_test::AppResponse> {
    let code = env.app.store_code(bulwark_testing::perps::contract());
    let owner = env.owner.clone();
    env.app.migrate_contract(
        owner,
        env.perps.clone(),
        &bulwark_types::perps::MigrateMsg {},
        code,
    )
}

fn attr(res: &cw_multi_test::AppResponse, key: &str) -> Option<String> {
    res.events
        .iter()
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == key)
        .map(|a| a.value.clone())
}

fn state_layout(env: &Env) -> Option<u16> {
    STATE_LAYOUT
        .may_load(&*env.app.contract_storage(&env.perps))
        .unwrap()
}

/// `MarketAggregates` as stored before state layout 2 (no long-side sums).
#[cosmwasm_schema::cw_serde]
struct LayoutOneAggregates {
    oi_long: Decimal256,
    oi_short: Decimal256,
    sum_size_entry: SignedDecimal256,
    sum_size_funding: SignedDecimal256,
    positions: u64,
}

/// Σ size × entry and Σ size × snapshot over the market's long positions, from the positions.
fn long_sums_of_positions(
    env: &Env,
    market_id: &str,
    accounts: std::ops::Range<u64>,
) -> (SignedDecimal256, SignedDecimal256) {
    let (mut se, mut sf) = (SignedDecimal256::zero(), SignedDecimal256::zero());
    for a in accounts {
        let p: PositionResponse = env.q(&QueryMsg::Position {
            account_id: a,
            market_id: market_id.to_string(),
        });
        if let Some(p) = p.position.filter(|p| !p.size.is_negative()) {
            let entry = SignedDecimal256::try_from(p.entry_price).unwrap();
            se += p.size.checked_mul(entry).unwrap();
            sf += p.size.checked_mul(p.funding_snapshot).unwrap();
        }
    }
    (se, sf)
}

#[test]
fn migrate_from_layout_1_recomputes_the_long_sums() {
    let mut env = setup();
    let owner = env.owner.clone();
    env.exec(
        &owner,
        &ExecuteMsg::CreateMarket {
            market_id: "ETH-PERP".into(),
            asset_id: "ETH".into(),
            params: bulwark_testing::perps::default_market_params(),
        },
    )
    .unwrap();
    env.feed("ETH", "2000");
    env.next_block(5);
    let t: Vec<_> = (0..4)
        .map(|i| env.app.api().addr_make(&format!("t{i}")))
        .collect();
    // longs with different entries and funding snapshots, a short, a flipped position
    env.order(&t[0], 0, "10", "100").unwrap();
    env.advance_with_price(3_600, "11");
    env.order(&t[1], 1, "-4", "1").unwrap();
    env.order(&t[2], 2, "2.5", "100").unwrap();
    env.advance_with_price(3_600, "9.5");
    env.order(&t[0], 0, "-3", "1").unwrap();
    env.order(&t[2], 2, "1.5", "100").unwrap();
    env.order(&t[3], 3, "1", "100").unwrap();
    env.order(&t[3], 3, "-2", "1").unwrap();
    // a fresh ETH price (account 1's risk and the pool exposure value both markets)
    env.feed("ETH", "2100");
    env.next_block(5);
    // ETH-PERP holds only a short: its long sums are zero
    env.exec(
        &t[1],
        &ExecuteMsg::SubmitOrder {
            account_id: 1,
            market_id: "ETH-PERP".into(),
            size_delta: sd("-0.5"),
            acceptable_price: d("1"),
            reduce_only: false,
        },
    )
    .unwrap();
    let market_aggs = |env: &Env| -> Vec<(String, MarketAggregates)> {
        let r: MarketsResponse = env.q(&QueryMsg::Markets {
            start_after: None,
            limit: None,
        });
        r.markets
            .into_iter()
            .map(|m| (m.market_id, m.aggregates))
            .collect()
    };
    let before = market_aggs(&env);
    let exposure_before: PoolExposure = env.q(&QueryMsg::PoolExposure {});
    let atom = long_sums_of_positions(&env, MARKET, 0..4);
    assert_eq!(
        (atom.0, atom.1),
        (
            env.aggregates().long_size_entry,
            env.aggregates().long_size_funding
        )
    );
    assert!(!atom.0.is_zero() && !atom.1.is_zero());

    // Rewrite the state as layout 1 left it: aggregates without the long sums, no marker.
    {
        let mut storage = env.app.contract_storage_mut(&env.perps);
        for (id, a) in &before {
            let old = LayoutOneAggregates {
                oi_long: a.oi_long,
                oi_short: a.oi_short,
                sum_size_entry: a.sum_size_entry,
                sum_size_funding: a.sum_size_funding,
                positions: a.positions,
            };
            storage.set(
                &AGGREGATES.key(id.as_str()),
                &cosmwasm_std::to_json_vec(&old).unwrap(),
            );
        }
        STATE_LAYOUT.remove(&mut *storage);
    }
    assert_eq!(state_layout(&env), None);
    assert!(env.aggregates().long_size_entry.is_zero());

    let res = migrate(&mut env).unwrap();
    assert_eq!(attr(&res, "state_layout_from").as_deref(), Some("1"));
    assert_eq!(attr(&res, "state_layout").as_deref(), Some("2"));
    assert_eq!(state_layout(&env), Some(STATE_LAYOUT_CURRENT));
    // the recomputed sums are those the fills maintained, and those of the positions
    assert_eq!(market_aggs(&env), before);
    let agg = env.aggregates();
    assert_eq!((agg.long_size_entry, agg.long_size_funding), atom);
    let aggs = market_aggs(&env);
    let eth = aggs.iter().find(|(id, _)| id == "ETH-PERP").unwrap();
    assert_eq!(
        (eth.1.long_size_entry, eth.1.long_size_funding),
        long_sums_of_positions(&env, "ETH-PERP", 0..4)
    );
    assert!(eth.1.long_size_entry.is_zero());
    let exposure: PoolExposure = env.q(&QueryMsg::PoolExposure {});
    assert_eq!(exposure, exposure_before);

    // closing every position after the migration takes the sums back to exactly zero
    for a in 0..4u64 {
        let size = env.size(a);
        if size.is_zero() {
            continue;
        }
        let acceptable = if size.is_negative() { "1000" } else { "0" };
        env.exec(
            &t[a as usize],
            &ExecuteMsg::ClosePosition {
                account_id: a,
                market_id: MARKET.into(),
                acceptable_price: d(acceptable),
            },
        )
        .unwrap();
    }
    let agg = env.aggregates();
    assert_eq!(agg.positions, 0);
    assert!(agg.long_size_entry.is_zero() && agg.long_size_funding.is_zero());
}

#[test]
fn migrate_refuses_a_newer_state_layout() {
    let mut env = setup();
    STATE_LAYOUT
        .save(
            &mut *env.app.contract_storage_mut(&env.perps),
            &(STATE_LAYOUT_CURRENT + 1),
        )
        .unwrap();
    let err = migrate(&mut env).unwrap_err();
    assert_eq!(
        err.downcast::<ContractError>().unwrap(),
        ContractError::Migration(
            bulwark_types::migration::MigrationError::StateLayoutTooNew {
                stored: STATE_LAYOUT_CURRENT + 1,
                current: STATE_LAYOUT_CURRENT
            }
        )
    );
}

/// Longs lose X and shorts gain X: the net is about zero, but the pool owes the shorts X in
/// full (the longs' loss is collectable only up to their equity).
#[test]
fn pool_exposure_reports_winners_gains_unnetted() {
    let mut env = setup();
    let (alice, bob) = (env.alice.clone(), env.bob.clone());
    env.order(&alice, 1, "10", "11").unwrap();
    env.order(&bob, 2, "-10", "9").unwrap();
    env.advance_with_price(60, "8");
    let value = |p: PositionResponse| p.mark_pnl.unwrap() - p.accrued_funding.unwrap();
    let (long, short) = (value(env.position(1)), value(env.position(2)));
    // X ≈ 10 × (10 − 8) = 20 USDC
    assert!(long < Int128::new(-19_000_000) && short > Int128::new(19_000_000));
    let e: PoolExposure = env.q(&QueryMsg::PoolExposure {});
    let net = (e.unrealized_trader_pnl - long - short).i128();
    assert!((0..=5).contains(&net), "{e:?} vs {long} + {short}");
    assert!(e.unrealized_trader_pnl.i128().abs() < 10_000, "{e:?}");
    let gains = e.trader_gains.u128() as i128 - short.i128();
    assert!((0..=3).contains(&gains), "{e:?} vs {short}");
    // the vault reads it through the interface JSON too
    let via_interface: PoolExposure = env
        .app
        .wrap()
        .query_wasm_smart(env.perps.clone(), &MarketQueryMsg::PoolExposure {})
        .unwrap();
    assert_eq!(via_interface, e);
}
