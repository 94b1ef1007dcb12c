//! Prices and the circuit breaker: same-block, stale and missing prices; breaker levels
//! per action class; who may force-reduce; owner-only administration.

mod common;

use common::*;
use std::str::FromStr;

use cosmwasm_std::{Decimal256, Uint128};
use cw_multi_test::Executor;

use bulwark_perps::ContractError;
use bulwark_testing::mock_vault::{MockVaultExecuteMsg, MockVaultQueryMsg};
use bulwark_types::circuit_breaker::{ActionClass, Level};
use bulwark_types::market::{ForceReduceResult, MarketExecuteMsg};
use bulwark_types::oracle::{PriceError, PriceQueryError};
use bulwark_types::ownership::OwnershipError;
use bulwark_types::perps::{ExecuteMsg, QueryMsg};

/// Opens, increases, reduces and force-reduces in one block; with `update` the oracle price
/// is re-published at 12 in that block first.
fn trade_in_one_block(update: bool) -> (Decimal256, Option<Decimal256>, String, String) {
    let mut env = setup();
    let alice = env.alice.clone();
    env.order(&alice, 1, "5", "11").unwrap();
    env.next_block(5);
    if update {
        env.feed(ASSET, "12");
    }
    // acceptable 11: a fill at the fresh 12 would be refused
    env.order(&alice, 1, "1", "11").unwrap();
    let after_open = env.position(1);
    env.exec(&alice, &Env::order_msg(1, "-1", "9", true))
        .unwrap();
    let vault = env.vault.clone();
    env.exec(
        &vault,
        &ExecuteMsg::ForceReduce {
            account_id: 1,
            fraction: Decimal256::percent(50),
        },
    )
    .unwrap();
    (
        after_open.position.unwrap().entry_price,
        after_open.price,
        format!("{:?}", env.settlements()),
        env.size(1).to_string(),
    )
}

#[test]
fn a_price_stored_in_this_block_never_prices_a_trade() {
    // The same-block update changes no fill, valuation or settlement: the previous block's
    // value is used for every purpose, and re-publishing cannot block trading.
    let plain = trade_in_one_block(false);
    let updated = trade_in_one_block(true);
    assert_eq!(plain.1, Some(Decimal256::from_str("10").unwrap()));
    assert_eq!(plain, updated);

    // From the next block on, the update prices trades.
    let mut env = setup();
    env.next_block(5);
    env.feed(ASSET, "12");
    assert_eq!(
        env.position(1).price,
        Some(Decimal256::from_str("10").unwrap())
    );
    env.next_block(5);
    assert_eq!(
        env.position(1).price,
        Some(Decimal256::from_str("12").unwrap())
    );
}

#[test]
fn a_first_ever_price_in_its_own_block_is_refused() {
    let mut env = setup();
    let owner = env.owner.clone();
    env.exec(
        &owner,
        &ExecuteMsg::CreateMarket {
            market_id: "ETH-PERP".to_string(),
            asset_id: "ETH".to_string(),
            params: bulwark_testing::perps::default_market_params(),
        },
    )
    .unwrap();
    env.feed("ETH", "10");
    let height = env.app.block_info().height;
    let alice = env.alice.clone();
    let order = ExecuteMsg::SubmitOrder {
        account_id: 1,
        market_id: "ETH-PERP".to_string(),
        size_delta: cosmwasm_std::SignedDecimal256::from_str("1").unwrap(),
        acceptable_price: Decimal256::from_str("11").unwrap(),
        reduce_only: false,
    };
    assert_eq!(
        env.exec_err(&alice, &order),
        ContractError::SameBlockPrice {
            asset_id: "ETH".into(),
            block_height: height,
        }
    );
    env.next_block(5);
    env.exec(&alice, &order).unwrap();
}

#[test]
fn stale_and_missing_prices_are_refused() {
    let mut env = setup();
    let alice = env.alice.clone();
    env.order(&alice, 1, "5", "11").unwrap();
    // max age 120 s
    env.next_block(200);
    let err = env.exec_err(&alice, &Env::order_msg(1, "-1", "9", true));
    assert!(
        matches!(
            err,
            ContractError::Price {
                error: PriceQueryError::Price(PriceError::Stale { .. }),
                ..
            }
        ),
        "{err:?}"
    );
    // the vault cannot value the account either: it fails closed
    assert!(env
        .q_err(&QueryMsg::AccountRisk { account_id: 1 })
        .contains("stale"));
    assert!(env.q_err(&QueryMsg::PoolExposure {}).contains("stale"));
    // a market on an asset without any price record
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
    let err = env.exec_err(
        &alice,
        &ExecuteMsg::SubmitOrder {
            account_id: 1,
            market_id: "ETH-PERP".into(),
            size_delta: sd("1"),
            acceptable_price: d("100"),
            reduce_only: false,
        },
    );
    assert_eq!(
        err,
        ContractError::Price {
            asset_id: "ETH".into(),
            error: PriceQueryError::Price(PriceError::NoRecord)
        }
    );
}

#[test]
fn breaker_reduce_only_blocks_opening_but_not_closing() {
    let mut env = setup();
    let alice = env.alice.clone();
    env.order(&alice, 1, "5", "11").unwrap();
    env.set_level(Level::ReduceOnly);
    assert_eq!(
        env.exec_err(&alice, &Env::order_msg(1, "1", "11", false)),
        ContractError::BreakerBlocked {
            action: "Open".into(),
            market_id: MARKET.into()
        }
    );
    // a flip adds exposure: also Open
    assert!(matches!(
        env.exec_err(&alice, &Env::order_msg(1, "-6", "9", false)),
        ContractError::BreakerBlocked { .. }
    ));
    env.order(&alice, 1, "-2", "9").unwrap();
    assert_eq!(env.size(1), sd("3"));
}

#[test]
fn breaker_halt_blocks_reductions_and_liquidations() {
    let mut env = setup();
    let alice = env.alice.clone();
    env.order(&alice, 1, "5", "11").unwrap();
    env.set_level(Level::Halted);
    assert_eq!(
        env.exec_err(&alice, &Env::order_msg(1, "-1", "9", false)),
        ContractError::BreakerBlocked {
            action: "Reduce".into(),
            market_id: MARKET.into()
        }
    );
    let vault = env.vault.clone();
    assert_eq!(
        env.exec_err(
            &vault,
            &ExecuteMsg::ForceReduce {
                account_id: 1,
                fraction: Decimal256::percent(50)
            }
        ),
        ContractError::BreakerBlocked {
            action: "Liquidate".into(),
            market_id: MARKET.into()
        }
    );
}

#[test]
fn liquidate_override_blocks_force_reduce_only() {
    let mut env = setup();
    let alice = env.alice.clone();
    env.order(&alice, 1, "5", "11").unwrap();
    env.block_action(ActionClass::Liquidate);
    let vault = env.vault.clone();
    assert!(matches!(
        env.exec_err(
            &vault,
            &ExecuteMsg::ForceReduce {
                account_id: 1,
                fraction: Decimal256::percent(50)
            }
        ),
        ContractError::BreakerBlocked { .. }
    ));
    env.order(&alice, 1, "1", "11").unwrap();
    env.order(&alice, 1, "-1", "9").unwrap();
}

#[test]
fn only_the_vault_may_force_reduce() {
    let mut env = setup();
    let alice = env.alice.clone();
    env.order(&alice, 1, "5", "11").unwrap();
    for sender in [env.alice.clone(), env.owner.clone(), env.eve.clone()] {
        assert_eq!(
            env.exec_err(
                &sender,
                &ExecuteMsg::ForceReduce {
                    account_id: 1,
                    fraction: Decimal256::percent(50)
                }
            ),
            ContractError::NotVault
        );
    }
    let vault = env.vault.clone();
    for fraction in [Decimal256::zero(), Decimal256::percent(101)] {
        assert_eq!(
            env.exec_err(
                &vault,
                &ExecuteMsg::ForceReduce {
                    account_id: 1,
                    fraction
                }
            ),
            ContractError::InvalidFraction { fraction }
        );
    }
    assert_eq!(env.size(1), sd("5"));
}

#[test]
fn force_reduce_through_the_vault_at_oracle_price_without_fee() {
    let mut env = setup();
    let (alice, bob) = (env.alice.clone(), env.bob.clone());
    env.order(&alice, 1, "10", "11").unwrap();
    env.order(&bob, 2, "-2", "9").unwrap();
    env.advance_with_price(10, "8");
    let market = env.perps.to_string();
    env.vault_exec(&MockVaultExecuteMsg::ForceReduce {
        market,
        account_id: 1,
        fraction: Decimal256::percent(25),
    })
    .unwrap();
    let result: Option<ForceReduceResult> = env
        .app
        .wrap()
        .query_wasm_smart(env.vault.clone(), &MockVaultQueryMsg::LastForceReduce {})
        .unwrap();
    let result = result.unwrap();
    assert_eq!(result.account_id, 1);
    assert_eq!(result.cash.fee_to_pool, Uint128::zero());
    assert_eq!(result.cash.fee_to_protocol, Uint128::zero());
    // 2.5 closed at the oracle price 8 (no impact): notional 20
    assert_eq!(result.reduced_notional, Uint128::new(20_000_000));
    // realized 2.5 × (8 − 10.00005) = −5.000125, minus a little funding owed
    assert!(result.cash.pnl_vs_pool <= cosmwasm_std::Int128::new(-5_000_125));
    assert!(result.cash.pnl_vs_pool > cosmwasm_std::Int128::new(-5_000_200));
    assert_eq!(env.size(1), sd("7.5"));
    assert_eq!(result.risk.underlyings.len(), 1);
    assert_eq!(result.risk, env.q(&QueryMsg::AccountRisk { account_id: 1 }));
    let agg = env.aggregates();
    assert_eq!((agg.oi_long, agg.oi_short), (d("7.5"), d("2")));

    // the market message shape of the interface is accepted as is, and the data is returned
    let vault = env.vault.clone();
    let res = env
        .app
        .execute_contract(
            vault,
            env.perps.clone(),
            &MarketExecuteMsg::ForceReduce {
                account_id: 1,
                fraction: Decimal256::one(),
            },
            &[],
        )
        .unwrap();
    let data: ForceReduceResult = cosmwasm_std::from_json(res.data.unwrap()).unwrap();
    assert_eq!(data.reduced_notional, Uint128::new(60_000_000));
    assert!(data.risk.underlyings.is_empty());
    assert!(env.position(1).position.is_none());
}

#[test]
fn force_reduce_closes_dust_below_minimum() {
    let mut env = setup();
    let alice = env.alice.clone();
    env.order(&alice, 1, "0.15", "11").unwrap();
    env.next_block(5);
    let vault = env.vault.clone();
    // 0.15 × 50 % leaves 0.075 < 0.1: closed fully
    env.exec(
        &vault,
        &ExecuteMsg::ForceReduce {
            account_id: 1,
            fraction: Decimal256::percent(50),
        },
    )
    .unwrap();
    assert!(env.position(1).position.is_none());
    // an account without positions: nothing to do, empty risk
    let res = env
        .exec(
            &vault,
            &ExecuteMsg::ForceReduce {
                account_id: 9,
                fraction: Decimal256::percent(50),
            },
        )
        .unwrap();
    let data: ForceReduceResult = cosmwasm_std::from_json(res.data.unwrap()).unwrap();
    assert_eq!(data.reduced_notional, Uint128::zero());
    assert!(data.risk.underlyings.is_empty());
}

#[test]
fn administration_is_owner_only_and_validated() {
    let mut env = setup();
    let eve = env.eve.clone();
    let owner = env.owner.clone();
    let create = |id: &str, asset: &str| ExecuteMsg::CreateMarket {
        market_id: id.into(),
        asset_id: asset.into(),
        params: bulwark_testing::perps::default_market_params(),
    };
    assert_eq!(
        env.exec_err(&eve, &create("ETH-PERP", "ETH")),
        ContractError::Ownership(OwnershipError::NotOwner)
    );
    assert_eq!(
        env.exec_err(&owner, &create(MARKET, "ETH")),
        ContractError::MarketExists {
            market_id: MARKET.into()
        }
    );
    assert_eq!(
        env.exec_err(&owner, &create("ATOM-2", ASSET)),
        ContractError::AssetHasMarket {
            asset_id: ASSET.into(),
            market_id: MARKET.into()
        }
    );
    assert!(matches!(
        env.exec_err(&owner, &create("bad id", "ETH")),
        ContractError::InvalidMarketId { .. }
    ));
    let mut bad = bulwark_testing::perps::default_market_params();
    bad.max_leverage = d("0.5");
    assert!(matches!(
        env.exec_err(
            &owner,
            &ExecuteMsg::CreateMarket {
                market_id: "ETH-PERP".into(),
                asset_id: "ETH".into(),
                params: bad.clone()
            }
        ),
        ContractError::InvalidParams { .. }
    ));
    assert!(matches!(
        env.exec_err(
            &owner,
            &ExecuteMsg::UpdateMarket {
                market_id: MARKET.into(),
                params: bad
            }
        ),
        ContractError::InvalidParams { .. }
    ));
    assert_eq!(
        env.exec_err(
            &eve,
            &ExecuteMsg::UpdateMarket {
                market_id: MARKET.into(),
                params: bulwark_testing::perps::default_market_params()
            }
        ),
        ContractError::Ownership(OwnershipError::NotOwner)
    );
    // the vault address cannot change under open positions
    let alice = env.alice.clone();
    env.order(&alice, 1, "1", "11").unwrap();
    let update_vault = ExecuteMsg::UpdateConfig {
        vault: Some(eve.to_string()),
        oracle: None,
        circuit_breaker: None,
        oracle_max_age_secs: None,
    };
    assert_eq!(
        env.exec_err(&eve, &update_vault),
        ContractError::Ownership(OwnershipError::NotOwner)
    );
    assert_eq!(
        env.exec_err(&owner, &update_vault),
        ContractError::PositionsOpen { open_positions: 1 }
    );
    env.order(&alice, 1, "-1", "9").unwrap();
    env.exec(&owner, &update_vault).unwrap();
}

#[test]
fn a_move_blocked_price_refuses_opening_but_allows_reducing() {
    let mut env = setup();
    let (alice, owner, oracle) = (env.alice.clone(), env.owner.clone(), env.oracle.clone());
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
    cfg.max_move = Some(bulwark_types::oracle::MaxMove {
        bps_per_minute: 100,
        min_bps: 100,
        max_bps: 100,
    });
    env.app
        .execute_contract(
            owner,
            oracle,
            &bulwark_types::oracle::ExecuteMsg::SetAsset { asset: cfg },
            &[],
        )
        .unwrap();
    env.advance_with_price(5, "10");
    env.order(&alice, 1, "5", "11").unwrap();
    // a 30 % jump is refused by the oracle and flagged
    env.next_block(30);
    env.feed(ASSET, "13");
    env.next_block(5);
    assert_eq!(
        env.exec_err(&alice, &Env::order_msg(1, "1", "11", false)),
        ContractError::Price {
            asset_id: ASSET.into(),
            error: PriceQueryError::Price(PriceError::MoveBlocked)
        }
    );
    // reducing uses the last accepted price
    env.order(&alice, 1, "-2", "9").unwrap();
    assert_eq!(env.size(1), sd("3"));
    let s = env.last_settlement().settlement;
    assert_eq!(s.risk.underlyings.len(), 1);
}
