//! The oracle and the real circuit breaker together: a price jump beyond the asset's max
//! move is refused by the oracle, which trips the markets of that asset into reduce-only
//! through the breaker; consumers see it through the published raw-read helpers.

use std::str::FromStr;

use bulwark_testing::Suite;
use bulwark_types::circuit_breaker::{
    self as breaker, is_action_allowed, ActionClass, Level, ReporterPermissions, Scope,
};
use bulwark_types::oracle::{
    self as oracle, query_price_raw, usable_price, MaxMove, PriceError, PricePurpose, TripTarget,
    FLAG_MOVE_BLOCKED,
};
use cosmwasm_std::Decimal256;

const MARKET: &str = "ATOM-PERP";

struct World {
    suite: Suite,
}

impl World {
    fn new() -> Self {
        let mut suite = Suite::new().unwrap();
        let owner = suite.owner_addr.clone();
        let oracle_addr = suite.oracle.addr.clone();
        let breaker_addr = suite.circuit_breaker.addr.clone();
        let perps_addr = suite.perps.addr.clone();
        let max_move = MaxMove {
            bps_per_minute: 100,
            min_bps: 50,
            max_bps: 1_000,
        };
        let trip = TripTarget {
            scope: Scope::Market {
                contract_addr: perps_addr.clone(),
                market_id: MARKET.into(),
            },
            level: Level::ReduceOnly,
        };
        suite
            .set_feeder_asset("ATOM", Some(max_move), vec![trip])
            .unwrap();
        suite
            .execute(
                &owner,
                &oracle_addr,
                &oracle::ExecuteMsg::SetCircuitBreaker {
                    circuit_breaker: Some(breaker_addr.to_string()),
                },
            )
            .unwrap();
        // The oracle may trip the perps contract's scopes, nothing else.
        suite
            .execute(
                &owner,
                &breaker_addr,
                &breaker::ExecuteMsg::SetReporter {
                    reporter: oracle_addr.to_string(),
                    permissions: ReporterPermissions {
                        global: false,
                        contracts: vec![perps_addr.to_string()],
                        outflows: false,
                    },
                },
            )
            .unwrap();
        World { suite }
    }

    fn feed(&mut self, price: &str) {
        self.suite.feed_price("ATOM", price).unwrap();
    }

    fn advance(&mut self, secs: u64) {
        self.suite.next_block(secs);
    }

    fn allowed(&self, action: ActionClass) -> bool {
        is_action_allowed(
            &self.suite.app.wrap(),
            &self.suite.circuit_breaker.addr,
            &self.suite.perps.addr,
            Some(MARKET),
            action,
            self.suite.app.block_info().time,
        )
        .unwrap()
    }
}

#[test]
fn price_jump_trips_the_asset_markets_into_reduce_only() {
    let mut w = World::new();
    w.feed("10");
    w.advance(6);
    for action in [
        ActionClass::Open,
        ActionClass::Reduce,
        ActionClass::Liquidate,
    ] {
        assert!(w.allowed(action), "{action:?} before the jump");
    }

    // A 30% jump one minute later is more than the 50 + 100 bps allowed.
    w.advance(60);
    w.feed("13");
    let record = query_price_raw(&w.suite.app.wrap(), &w.suite.oracle.addr, "ATOM")
        .unwrap()
        .unwrap();
    assert_eq!(record.flags & FLAG_MOVE_BLOCKED, FLAG_MOVE_BLOCKED);
    assert_eq!(record.price, Decimal256::from_str("10").unwrap());

    // The breaker now has the market in reduce-only: no new exposure, exits stay open.
    assert!(!w.allowed(ActionClass::Open));
    assert!(w.allowed(ActionClass::Reduce));
    assert!(w.allowed(ActionClass::Liquidate));
    // Other markets of the same contract are untouched.
    let other_market_open = is_action_allowed(
        &w.suite.app.wrap(),
        &w.suite.circuit_breaker.addr,
        &w.suite.perps.addr,
        Some("OSMO-PERP"),
        ActionClass::Open,
        w.suite.app.block_info().time,
    )
    .unwrap();
    assert!(other_market_open);

    // Consumers refuse the blocked record for opening but may still reduce at the last price.
    w.advance(6);
    let env_block = w.suite.app.block_info();
    let env = cosmwasm_std::Env {
        block: env_block,
        transaction: None,
        contract: cosmwasm_std::ContractInfo {
            address: w.suite.perps.addr.clone(),
        },
    };
    assert_eq!(
        usable_price(&record, &env, 120, PricePurpose::Open),
        Err(PriceError::MoveBlocked)
    );
    assert_eq!(
        usable_price(&record, &env, 120, PricePurpose::ReduceOrLiquidate),
        Ok(Decimal256::from_str("10").unwrap())
    );
}

#[test]
fn an_unregistered_oracle_cannot_trip_but_still_refuses_the_price() {
    let mut w = World::new();
    let owner = w.suite.owner_addr.clone();
    let breaker_addr = w.suite.circuit_breaker.addr.clone();
    let oracle_addr = w.suite.oracle.addr.clone();
    w.suite
        .execute(
            &owner,
            &breaker_addr,
            &breaker::ExecuteMsg::RemoveReporter {
                reporter: oracle_addr.to_string(),
            },
        )
        .unwrap();
    w.feed("10");
    w.advance(60);
    w.feed("13");
    let record = query_price_raw(&w.suite.app.wrap(), &oracle_addr, "ATOM")
        .unwrap()
        .unwrap();
    // The refusal stands even though the breaker rejected the trip.
    assert_eq!(record.flags & FLAG_MOVE_BLOCKED, FLAG_MOVE_BLOCKED);
    assert_eq!(record.price, Decimal256::from_str("10").unwrap());
    assert!(w.allowed(ActionClass::Open));
}
