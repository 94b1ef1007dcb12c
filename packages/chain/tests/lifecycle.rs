//! The whole lifecycle on a running localnet (`scripts/chain start`, then export
//! `scripts/chain env`): every step a real transaction, conservation checked after each.
//!
//! cargo test -p bulwark-chain --features localnet --test lifecycle -- --nocapture --test-threads=1

use bulwark_chain::bed::Bed;
use bulwark_chain::lifecycle::{self, PERPS_MAX_AGE_SECS};
use bulwark_types::circuit_breaker::Level;
use bulwark_types::options::BoardStatus;
use cosmwasm_std::Decimal256;

#[test]
fn the_whole_lifecycle_on_chain() {
    let bed =
        Bed::connect().expect("connect to the localnet (scripts/chain start; export its env)");
    let report = lifecycle::run(&bed, true).expect("lifecycle");
    report.print();
    let o = &report.outcomes;

    // every step ran, each followed by a passing conservation check, and paid gas
    let names: Vec<&str> = report.steps.iter().map(|s| s.name.as_str()).collect();
    for expected in [
        "deploy",
        "configure",
        "hand ownership to the multisig",
        "collateral deposits (native + cw20)",
        "LP deposits (share ledger)",
        "feeder prices",
        "options bought and written",
        "perps open",
        "perps increase",
        "perps reduce",
        "perps close",
        "options settled at the TWAP",
        "crash → breaker reduce-only",
        "reducing in reduce-only",
        "keeper liquidation restores health",
        "bad debt: insurance, then pool",
        "withdrawals under the outflow limit",
    ] {
        assert!(
            names.contains(&expected),
            "missing step {expected}: {names:?}"
        );
    }
    for s in &report.steps {
        assert!(s.conserved, "{} not checked", s.name);
        assert!(!s.txs.is_empty(), "{} sent no transaction", s.name);
        assert!(s.gas() > 0, "{} used no gas", s.name);
        let failed = s.txs.iter().filter(|t| t.code != 0).count();
        if s.expected_failure {
            assert_eq!(failed, 1, "{}", s.name);
        } else if s.name != "withdrawals under the outflow limit" {
            assert_eq!(failed, 0, "{}", s.name);
        }
    }

    // bad inputs failed in a block with the contract's error
    let bad: Vec<(&str, &str)> = report
        .bad_inputs
        .iter()
        .map(|b| (b.name.as_str(), b.expected.as_str()))
        .collect();
    assert_eq!(report.bad_inputs.len(), 8, "{bad:#?}");
    for b in &report.bad_inputs {
        assert!(b.code != 0 && b.height > 0 && b.gas_used > 0, "{b:?}");
        assert!(b.log.contains(&b.expected), "{b:?}");
    }
    let expect = |needle: &str| {
        assert!(
            bad.iter().any(|(_, e)| e.contains(needle)),
            "no bad input with {needle:?}: {bad:#?}"
        )
    };
    expect("uosmo is not a listed collateral");
    expect("unauthorized: only the owner may do this");
    expect(&format!("does not own account {}", o.accounts[0]));
    expect("the price is stale");
    let stale = report
        .bad_inputs
        .iter()
        .find(|b| b.expected.contains("the price is stale"))
        .expect("stale-price case");
    assert!(
        stale.log.contains(&format!("max {PERPS_MAX_AGE_SECS}s")),
        "{stale:?}"
    );
    expect("the circuit breaker blocks Open on market ATOM-PERP");
    expect("outflow quota exceeded for denom uusdc");

    // prices, options and perps
    assert_eq!(o.first_price, Decimal256::from_ratio(10u128, 1u128));
    assert_eq!(
        o.settlement_price,
        Decimal256::from_ratio(23u128, 2u128),
        "TWAP of a flat 11.50"
    );
    assert_eq!(o.buyer_payout, 150_000_000, "100 calls × (11.5 − 10)");
    assert_eq!(
        o.writer_payout, -100_000_000,
        "40 written calls × (11.5 − 9)"
    );
    assert!(o.settle_pages >= 2, "paged settlement");
    assert_eq!(o.board_status, Some(BoardStatus::Settled));
    assert!(
        o.perps_pnl > 850_000_000,
        "600 ATOM long from ~10 to 11.5, fees paid: {}",
        o.perps_pnl
    );
    assert!(o.lp_shares[0] > o.lp_shares[1] && o.lp_shares[1] > 0);

    // crash, reduce-only, liquidation, bad debt
    assert_eq!(o.crash_level, Some(Level::ReduceOnly));
    assert!(o.reduce_only_open_refused && o.reduce_only_reduce_ok);
    assert!(
        (0.5..1.0).contains(&o.liq_health_before),
        "{}",
        o.liq_health_before
    );
    assert!(
        o.liq_health_after.is_none_or(|h| h > 1.0),
        "{:?}",
        o.liq_health_after
    );
    assert!(o.keeper_bonus > 0);
    assert!(
        o.bad_debt > o.insurance_before,
        "debt exceeds the insurance fund"
    );
    assert_eq!(
        o.bad_debt_from_insurance, o.insurance_before,
        "insurance first, all of it"
    );
    assert_eq!(
        o.bad_debt_from_pool,
        o.bad_debt - o.insurance_before,
        "then the pool"
    );
    assert_eq!(o.insurance_after, 0);
    assert_eq!(
        o.seized_collateral, 10_000_000,
        "10 ATOM to the insurance fund's ledger"
    );

    // rate-limited withdrawals
    assert!(o.quota > 0 && o.withdrawal_refused > o.quota && o.withdrawal_passed < o.quota);

    assert!(
        report.runtime_secs < 600.0,
        "took {} s",
        report.runtime_secs
    );
}
