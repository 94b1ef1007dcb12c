//! The optimized artifacts in the real VM (cosmwasm-vm 2.2, Osmosis' line): every contract
//! loads under the Osmosis capabilities and instantiates, and the hot paths stay within the
//! DESIGN.md §9 budgets by the SDK gas estimate of `harness.rs`. Needs `artifacts/*.wasm`
//! (`scripts/build-artifacts`; `scripts/test` builds them first).

mod harness;

use std::str::FromStr;

use bulwark_types::circuit_breaker::{self as breaker, Level, Scope};
use bulwark_types::options;
use bulwark_types::oracle::{self as oracle, FeedPrice, PriceResponse};
use cosmwasm_std::{
    to_json_binary, Addr, Binary, ContractResult, Decimal256, SignedDecimal256, SystemResult,
    Uint128, WasmQuery,
};
use harness::{CallGas, VmContract};

const FEED_BUDGET: u64 = 150_000;
const BREAKER_TRIP_BUDGET: u64 = 150_000;

fn report(name: &str, gas: CallGas) {
    println!(
        "{name:<28} vm {:>7}  storage {:>7}  sdk estimate {:>8}",
        gas.vm,
        gas.storage,
        gas.sdk_total()
    );
}

#[test]
fn every_artifact_loads_and_instantiates_in_the_osmosis_vm() {
    for name in [
        "bulwark_oracle",
        "bulwark_circuit_breaker",
        "bulwark_vault",
        "bulwark_perps",
        "bulwark_options",
    ] {
        let mut c = VmContract::new(name);
        let owner = c.addr("dao");
        let (oracle_addr, breaker_addr, vault_addr) =
            (c.addr("oracle"), c.addr("breaker"), c.addr("vault"));
        let msg = match name {
            "bulwark_oracle" => {
                serde_json::to_value(bulwark_testing::oracle::instantiate_msg(&owner))
            }
            "bulwark_circuit_breaker" => {
                serde_json::to_value(bulwark_testing::circuit_breaker::instantiate_msg(&owner))
            }
            "bulwark_vault" => serde_json::to_value(bulwark_testing::vault::instantiate_msg_with(
                &owner,
                &oracle_addr,
                &breaker_addr,
            )),
            "bulwark_perps" => serde_json::to_value(bulwark_testing::perps::instantiate_msg_with(
                &owner,
                &vault_addr,
                &oracle_addr,
                &breaker_addr,
            )),
            _ => serde_json::to_value(bulwark_testing::options::instantiate_msg_with(
                &owner,
                &vault_addr,
                &oracle_addr,
                &breaker_addr,
            )),
        }
        .unwrap();
        let gas = c
            .instantiate(&owner, &msg)
            .unwrap_or_else(|e| panic!("{name} instantiate: {e}"));
        report(&format!("{name} instantiate"), gas);
        // A bad message is a contract error, not a VM trap.
        let err = c
            .execute(&owner, &serde_json::json!({"no_such_message": {}}))
            .unwrap_err();
        assert!(err.contains("unknown variant"), "{name}: {err}");
    }
}

fn feed(c: &mut VmContract, feeder: &Addr, price: &str) -> CallGas {
    let publish_time = c.env.block.time.seconds();
    let (_, gas) = c
        .execute(
            feeder,
            &oracle::ExecuteMsg::Feed {
                prices: vec![FeedPrice {
                    asset_id: "ATOM".into(),
                    price: SignedDecimal256::from_str(price).unwrap(),
                    publish_time,
                }],
            },
        )
        .unwrap();
    gas
}

#[test]
fn oracle_feed_of_one_asset_within_budget() {
    let mut c = VmContract::new("bulwark_oracle");
    let owner = c.addr("dao");
    let feeders: Vec<Addr> = (0..3).map(|i| c.addr(&format!("feeder{i}"))).collect();
    c.instantiate(&owner, &bulwark_testing::oracle::instantiate_msg(&owner))
        .unwrap();
    c.execute(
        &owner,
        &oracle::ExecuteMsg::UpdateFeeders {
            add: feeders.iter().map(|f| f.to_string()).collect(),
            remove: vec![],
        },
    )
    .unwrap();
    c.execute(
        &owner,
        &oracle::ExecuteMsg::SetAsset {
            asset: bulwark_testing::oracle::feeder_asset("ATOM", &feeders, 2, 60),
        },
    )
    .unwrap();
    feed(&mut c, &feeders[0], "10");
    let first_publish = feed(&mut c, &feeders[1], "10.01");
    report("oracle_feed_1 (first price)", first_publish);
    c.next_block(6);
    feed(&mut c, &feeders[0], "10.02");
    c.next_block(6);
    // A steady-state push: quorum met, aggregation, record and history written.
    let steady = feed(&mut c, &feeders[2], "10.03");
    report("oracle_feed_1", steady);
    let (record, _) = c
        .query(&oracle::QueryMsg::Price {
            asset_id: "ATOM".into(),
        })
        .unwrap();
    let record: PriceResponse = serde_json::from_slice(&record).unwrap();
    assert_eq!(record.record.block_height, c.env.block.height);
    assert!(
        steady.sdk_total() <= FEED_BUDGET,
        "oracle feed of one asset costs {} > {FEED_BUDGET}",
        steady.sdk_total()
    );
}

#[test]
fn breaker_trip_within_budget() {
    let mut c = VmContract::new("bulwark_circuit_breaker");
    let owner = c.addr("dao");
    let guardian = c.addr("guardian");
    let mut msg = bulwark_testing::circuit_breaker::instantiate_msg(&owner);
    msg.guardians = vec![guardian.to_string()];
    c.instantiate(&owner, &msg).unwrap();
    let perps = c.addr("perps");
    let (_, gas) = c
        .execute(
            &guardian,
            &breaker::ExecuteMsg::Trip {
                scope: Scope::Market {
                    contract_addr: perps,
                    market_id: "ATOM-PERP".into(),
                },
                level: Level::ReduceOnly,
                reason: "price jump".into(),
            },
        )
        .unwrap();
    report("breaker_trip", gas);
    assert!(
        gas.sdk_total() <= BREAKER_TRIP_BUDGET,
        "trip costs {}",
        gas.sdk_total()
    );
}

/// One Black-Scholes price with its greeks, inside the options contract's `Quote` query (a
/// quote prices the mid, both spread legs and the trade's vol impact: several evaluations).
/// The oracle's record and the breaker's mode are answered by raw reads.
#[test]
fn options_quote_gas() {
    let oracle_addr = cosmwasm_vm::testing::MockApi::default().addr_make("oracle");
    let now = cosmwasm_vm::testing::mock_env().block.time.seconds();
    let record = serde_json::json!({"p": "10", "t": now, "h": 1, "n": 2, "f": 0});
    let oracle_for_handler = oracle_addr.clone();
    let mut c = VmContract::with_wasm_querier("bulwark_options", move |q| match q {
        WasmQuery::Raw { contract_addr, .. } if *contract_addr == oracle_for_handler => {
            SystemResult::Ok(ContractResult::Ok(to_json_binary(&record).unwrap()))
        }
        // Any other raw read (breaker mode, vault grid) finds nothing: Normal / no grid.
        WasmQuery::Raw { .. } => SystemResult::Ok(ContractResult::Ok(Binary::default())),
        _ => SystemResult::Err(cosmwasm_std::SystemError::Unknown {}),
    });
    let owner = c.addr("dao");
    let msg = bulwark_testing::options::instantiate_msg_with(
        &owner,
        &c.addr("vault"),
        &Addr::unchecked(oracle_addr),
        &c.addr("breaker"),
    );
    c.instantiate(&owner, &msg).unwrap();
    let expiry = now + 30 * 86_400;
    let (res, _) = c
        .execute(
            &owner,
            &options::ExecuteMsg::CreateBoard {
                asset_id: "ATOM".into(),
                expiry,
                base_iv: Decimal256::from_str("0.6").unwrap(),
                cap_price: Decimal256::from_str("40").unwrap(),
                multiplier: Uint128::new(1_000_000),
                strikes: vec![options::StrikeInput {
                    strike: Decimal256::from_str("11").unwrap(),
                    skew: Decimal256::one(),
                }],
            },
        )
        .unwrap();
    assert!(res.attributes.iter().any(|a| a.key == "board_id"));
    c.next_block(6);
    let quote = |c: &mut VmContract, amount: u128| {
        c.query(&options::QueryMsg::Quote {
            series_id: 2, // strike id 1, call
            amount: Uint128::new(amount),
            is_buy: true,
        })
    };
    let (body, gas) = quote(&mut c, 1).unwrap_or_else(|e| panic!("quote: {e}"));
    let parsed: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert!(parsed.to_string().contains("premium"), "{parsed}");
    report("options_quote (query)", gas);
    println!(
        "options_quote vm gas in CosmWasm units: {}",
        gas.vm * harness::GAS_MULTIPLIER
    );
}
