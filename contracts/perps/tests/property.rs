//! Random open / modify / close / flip sequences through the contract (multi-test) with
//! moving prices and time: the O(1) pool exposure equals the sum of the positions' own PnL,
//! open interest equals the sum of sizes per side, and the counters match the positions.

mod common;

use common::*;
use cosmwasm_std::{Decimal256, Int128};
use proptest::prelude::*;

use bulwark_types::market::PoolExposure;
use bulwark_types::perps::{ConfigResponse, QueryMsg};

fn check_invariants(env: &Env, accounts: u64) -> Result<(), TestCaseError> {
    let exposure: PoolExposure = env.q(&QueryMsg::PoolExposure {});
    let mut sum = Int128::zero();
    let (mut long_pnl, mut short_pnl) = (Int128::zero(), Int128::zero());
    let (mut long, mut short, mut n) = (Decimal256::zero(), Decimal256::zero(), 0u64);
    for a in 0..accounts {
        let p = env.position(a);
        if let Some(pos) = &p.position {
            let pnl = p.mark_pnl.unwrap() - p.accrued_funding.unwrap();
            sum += pnl;
            n += 1;
            if pos.size.is_negative() {
                short += pos.size.abs_diff(Default::default());
                short_pnl += pnl;
            } else {
                long += pos.size.abs_diff(Default::default());
                long_pnl += pnl;
            }
        }
    }
    // each side is owed in full when it wins, whatever the other side loses
    let owed = long_pnl.max(Int128::zero()) + short_pnl.max(Int128::zero());
    let gains_diff = exposure.trader_gains.u128() as i128 - owed.i128();
    prop_assert!(
        (0..=2 * n as i128 + 2).contains(&gains_diff),
        "trader gains {} vs Σ max(0, side) {} (long {}, short {})",
        exposure.trader_gains,
        owed,
        long_pnl,
        short_pnl
    );
    let diff = (exposure.unrealized_trader_pnl - sum).i128();
    prop_assert!(
        (0..=2 * n as i128 + 1).contains(&diff),
        "aggregate {} vs Σ positions {}",
        exposure.unrealized_trader_pnl,
        sum
    );
    let agg = env.aggregates();
    prop_assert_eq!(agg.oi_long, long);
    prop_assert_eq!(agg.oi_short, short);
    prop_assert_eq!(agg.positions, n);
    let cfg: ConfigResponse = env.q(&QueryMsg::Config {});
    prop_assert_eq!(cfg.open_positions, n);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn pool_exposure_tracks_positions(
        ops in proptest::collection::vec(
            (0u64..4, -60i64..60, 800u64..1_300, 1u64..20_000, any::<bool>()),
            1..25,
        )
    ) {
        let mut env = setup();
        let accounts: Vec<_> = (0..4).map(|i| env.app.api().addr_make(&format!("t{i}"))).collect();
        for (account, half_units, price_cents, dt, close) in ops {
            let price = format!("{}.{:02}", price_cents / 100, price_cents % 100);
            env.advance_with_price(dt, &price);
            let who = accounts[account as usize].clone();
            let existing = env.position(account).position;
            let res = if let (true, Some(p)) = (close, existing) {
                // closing a long sells, closing a short buys
                let acceptable = if p.size.is_negative() { d("1000") } else { d("0") };
                env.exec(&who, &bulwark_types::perps::ExecuteMsg::ClosePosition {
                    account_id: account,
                    market_id: MARKET.into(),
                    acceptable_price: acceptable,
                })
            } else if half_units == 0 {
                continue;
            } else {
                let size = format!("{}{}.{}", if half_units < 0 { "-" } else { "" },
                    half_units.unsigned_abs() / 2, if half_units % 2 == 0 { 0 } else { 5 });
                let acceptable = if half_units < 0 { "0" } else { "1000" };
                env.order(&who, account, &size, acceptable)
            };
            // sizes are multiples of 0.5 ≥ the minimum and far below every cap
            prop_assert!(res.is_ok(), "{:?}", res.err());
            check_invariants(&env, 4)?;
        }
    }
}
