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

/// The options contract's part of a trade as the account grows, up to the worst case the
/// per-account limits allow (32 positions, ≤ `MAX_RISK_EVALUATIONS_PER_ACCOUNT` Black-Scholes
/// evaluations): on the vault's default grid (7 spot × 3 vol shocks) 14 capped calls (two legs
/// each) and 18 puts = 1,012 evaluations; on the largest grid the vault accepts (64 scenarios)
/// 7 capped calls and 1 put = 975. The vault's `Settle` is measured in `vault_settle_gas`.
#[test]
fn options_trade_gas_by_account_size() {
    let default_grid = bulwark_types::market::ScenarioGrid {
        asset_id: "ATOM".into(),
        version: 1,
        spot_shocks: [-15i64, -10, -5, 0, 5, 10, 15]
            .iter()
            .map(|p| SignedDecimal256::percent(*p))
            .collect(),
        vol_shocks: [-30i64, 0, 30]
            .iter()
            .map(|p| SignedDecimal256::percent(*p))
            .collect(),
    };
    let largest_grid = bulwark_types::market::ScenarioGrid {
        spot_shocks: (0..16)
            .map(|i| SignedDecimal256::percent(i * 5 - 40))
            .collect(),
        vol_shocks: [-30i64, -10, 10, 30]
            .iter()
            .map(|p| SignedDecimal256::percent(*p))
            .collect(),
        ..default_grid.clone()
    };
    assert_eq!(largest_grid.len(), bulwark_types::market::MAX_SCENARIOS);
    // strike ids 1..=32 (two boards of 16); call series = 2 × id, put = 2 × id + 1
    let calls = |ids: std::ops::RangeInclusive<u64>| ids.map(|id| id * 2).collect::<Vec<_>>();
    let puts = |ids: std::ops::RangeInclusive<u64>| ids.map(|id| id * 2 + 1).collect::<Vec<_>>();
    let mixed: Vec<u64> = [calls(1..=14), puts(15..=32)].concat();
    let largest: Vec<u64> = [calls(1..=7), puts(8..=8)].concat();
    for (name, grid, series, evaluations) in [
        ("grid 21", default_grid, mixed, 1_012),
        ("grid 64", largest_grid, largest, 975),
    ] {
        let n = series.len();
        let gas = options_trades(grid, &series);
        for (positions, g) in gas {
            report(&format!("options_buy {name}, {positions:>2} pos"), g);
            assert!(
                g.sdk_total() <= OPTIONS_TRADE_CONTRACT_BUDGET,
                "options buy with {positions} positions on {name} costs {}",
                g.sdk_total()
            );
        }
        println!("  ({n} positions = {evaluations} evaluations at the last trade)");
    }
}

/// The options contract's share of the 600k trade budget. The rest: the vault's `Settle`
/// (≈ 109k by `vault_settle_and_deposit_gas`, instance load included), the transaction's own
/// overhead (signature, bytes, ante handler: 40–60k) and the events.
const OPTIONS_TRADE_CONTRACT_BUDGET: u64 = 430_000;

/// Buys one contract of each series in order and returns the gas of the buys that opened the
/// 1st, 8th, 16th and last position.
fn options_trades(
    grid: bulwark_types::market::ScenarioGrid,
    series: &[u64],
) -> Vec<(usize, CallGas)> {
    let api = cosmwasm_vm::testing::MockApi::default();
    let oracle_addr = api.addr_make("oracle");
    let vault_addr = api.addr_make("vault");
    let now = cosmwasm_vm::testing::mock_env().block.time.seconds();
    let record = serde_json::json!({"p": "10", "t": now, "h": 1, "n": 2, "f": 0});
    let grid_json = to_json_binary(&grid).unwrap();
    let (oracle_q, vault_q) = (oracle_addr.clone(), vault_addr.clone());
    let mut c = VmContract::with_wasm_querier("bulwark_options", move |q| match q {
        WasmQuery::Raw { contract_addr, .. } if *contract_addr == oracle_q => {
            SystemResult::Ok(ContractResult::Ok(to_json_binary(&record).unwrap()))
        }
        WasmQuery::Raw { contract_addr, key } if *contract_addr == vault_q => {
            let is_grid = key.as_slice().windows(5).any(|w| w == b"grids");
            SystemResult::Ok(ContractResult::Ok(if is_grid {
                grid_json.clone()
            } else {
                Binary::default()
            }))
        }
        // Breaker mode: nothing stored = Normal.
        WasmQuery::Raw { .. } => SystemResult::Ok(ContractResult::Ok(Binary::default())),
        _ => SystemResult::Err(cosmwasm_std::SystemError::Unknown {}),
    });
    let owner = c.addr("dao");
    let trader = c.addr("trader");
    let msg = bulwark_testing::options::instantiate_msg_with(
        &owner,
        &Addr::unchecked(vault_addr),
        &Addr::unchecked(oracle_addr),
        &c.addr("breaker"),
    );
    c.instantiate(&owner, &msg).unwrap();
    for days in [30u64, 60] {
        c.execute(
            &owner,
            &options::ExecuteMsg::CreateBoard {
                asset_id: "ATOM".into(),
                expiry: now + days * 86_400,
                base_iv: Decimal256::from_str("0.6").unwrap(),
                cap_price: Decimal256::from_str("40").unwrap(),
                multiplier: Uint128::new(1_000_000),
                strikes: (0..16u64)
                    .map(|i| options::StrikeInput {
                        strike: Decimal256::from_ratio(6 + i, 1u64),
                        skew: Decimal256::one(),
                    })
                    .collect(),
            },
        )
        .unwrap_or_else(|e| panic!("create board: {e}"));
    }
    c.next_block(6);
    let mut out = vec![];
    for (i, series_id) in series.iter().enumerate() {
        let (_, gas) = c
            .execute(
                &trader,
                &options::ExecuteMsg::Buy {
                    account_id: 1,
                    series_id: *series_id,
                    amount: Uint128::one(),
                    max_cost: Uint128::MAX,
                },
            )
            .unwrap_or_else(|e| panic!("buy series {series_id}: {e}"));
        let positions = i + 1;
        if [1, 8, 16, series.len()].contains(&positions) {
            out.push((positions, gas));
        }
    }
    out
}

/// The vault's part of a trade: a market's `Settle` (cash flows, the market's fresh risk on a
/// 21-scenario grid, the account's health against initial margin), for an account that holds
/// risk in that one market. Also the vault deposit, budgeted at 200k.
#[test]
fn vault_settle_and_deposit_gas() {
    use bulwark_types::market::{AccountRisk, CashFlows, RiskChange, Settlement, UnderlyingRisk};
    use bulwark_types::vault::{self as vault, MarketKind};
    use cosmwasm_std::{coins, Int128};

    let api = cosmwasm_vm::testing::MockApi::default();
    let oracle_addr = api.addr_make("oracle");
    let now = cosmwasm_vm::testing::mock_env().block.time.seconds();
    let record = serde_json::json!({"p": "10", "t": now, "h": 1, "n": 2, "f": 0});
    let oracle_q = oracle_addr.clone();
    let mut c = VmContract::with_wasm_querier("bulwark_vault", move |q| match q {
        WasmQuery::Raw { contract_addr, .. } if *contract_addr == oracle_q => {
            SystemResult::Ok(ContractResult::Ok(to_json_binary(&record).unwrap()))
        }
        WasmQuery::Raw { .. } => SystemResult::Ok(ContractResult::Ok(Binary::default())),
        // The market's pool exposure, for the LP pool's NAV.
        WasmQuery::Smart { .. } => SystemResult::Ok(ContractResult::Ok(
            to_json_binary(&bulwark_types::market::PoolExposure {
                unrealized_trader_pnl: cosmwasm_std::Int128::zero(),
                locked_liquidity: Uint128::zero(),
                trader_gains: Uint128::zero(),
            })
            .unwrap(),
        )),
        _ => SystemResult::Err(cosmwasm_std::SystemError::Unknown {}),
    });
    let (owner, trader, lp, market) = (
        c.addr("dao"),
        c.addr("trader"),
        c.addr("lp"),
        c.addr("options"),
    );
    let msg = bulwark_testing::vault::instantiate_msg_with(
        &owner,
        &Addr::unchecked(oracle_addr),
        &c.addr("breaker"),
    );
    c.instantiate(&owner, &msg).unwrap();
    c.execute(
        &owner,
        &vault::ExecuteMsg::SetScenarioGrid {
            asset_id: "ATOM".into(),
            spot_shocks: None,
            vol_shocks: None,
        },
    )
    .unwrap();
    c.execute(
        &owner,
        &vault::ExecuteMsg::RegisterMarket {
            market_addr: market.to_string(),
            kind: MarketKind::Options,
        },
    )
    .unwrap();
    c.execute(&trader, &vault::ExecuteMsg::CreateAccount {})
        .unwrap();
    c.execute_with_funds(
        &lp,
        &vault::ExecuteMsg::LpDeposit { min_shares: None },
        coins(100_000_000_000, "uusdc"),
    )
    .unwrap();
    let deposit = |c: &mut VmContract| {
        c.execute_with_funds(
            &trader,
            &vault::ExecuteMsg::Deposit { account_id: 1 },
            coins(1_000_000_000, "uusdc"),
        )
        .unwrap_or_else(|e| panic!("deposit: {e}"))
        .1
    };
    report("vault_deposit (first)", deposit(&mut c));
    c.next_block(6);
    let steady_deposit = deposit(&mut c);
    report("vault_deposit", steady_deposit);
    assert!(steady_deposit.sdk_total() <= 200_000);

    let settle = |c: &mut VmContract, premium: i128| {
        let settlement = Settlement {
            account_id: 1,
            trader_addr: Some(trader.clone()),
            cash: CashFlows {
                pnl_vs_pool: Int128::new(-premium),
                fee_to_pool: Uint128::new(10_000),
                fee_to_protocol: Uint128::new(2_000),
            },
            risk: AccountRisk {
                underlyings: vec![UnderlyingRisk {
                    asset_id: "ATOM".into(),
                    grid_version: 1,
                    unrealized_pnl: Int128::new(premium),
                    scenario_pnl: (0..21).map(|i| Int128::new((i - 10) * 50_000)).collect(),
                    maintenance_addon: Uint128::zero(),
                    initial_addon: Uint128::zero(),
                }],
            },
            change: RiskChange::Increase,
        };
        c.execute(&market, &vault::ExecuteMsg::Settle(settlement))
            .unwrap_or_else(|e| panic!("settle: {e}"))
            .1
    };
    report("vault_settle (first trade)", settle(&mut c, 1_000_000));
    c.next_block(6);
    report("vault_settle", settle(&mut c, 2_000_000));
}

/// A satellite gateway in the VM: a remote deposit (the depositor's transaction), the hub's
/// ack of it (relayer's) and a withdrawal's release received from the hub (relayer's: the
/// lock shrinks, the breaker's outflow report and the bank send go out). The hub's side
/// crosses two contracts (gateway and vault), which this single-instance VM does not run:
/// its gas is the localnet's (`tests/ibc.rs`).
#[test]
fn ibc_satellite_deposit_ack_and_release_gas() {
    use bulwark_types::gateway::{ExecuteMsg, InstantiateMsg};
    use bulwark_types::ibc::{
        CounterpartyConfig, IbcRole, ReleaseKind, VaultAck, VaultPacket, IBC_VERSION,
    };
    use cosmwasm_std::{
        coin, CosmosMsg, Decimal, IbcAcknowledgement, IbcChannel, IbcChannelConnectMsg,
        IbcChannelOpenMsg, IbcEndpoint, IbcMsg, IbcOrder, IbcPacket, IbcPacketAckMsg,
        IbcPacketReceiveMsg,
    };

    let mut c = VmContract::with_wasm_querier("bulwark_gateway", move |q| match q {
        // the breaker's mode records: empty (Normal)
        WasmQuery::Raw { .. } => SystemResult::Ok(ContractResult::Ok(Binary::default())),
        _ => SystemResult::Err(cosmwasm_std::SystemError::Unknown {}),
    });
    let (owner, alice, relayer) = (c.addr("dao"), c.addr("alice"), c.addr("relayer"));
    c.instantiate(
        &owner,
        &InstantiateMsg {
            owner: owner.to_string(),
            role: IbcRole::Satellite,
            packet_timeout_secs: 600,
            vault: None,
            circuit_breaker: Some(c.addr("breaker").to_string()),
        },
    )
    .unwrap_or_else(|e| panic!("instantiate: {e}"));
    let (connection, sat_port, hub_port) = ("connection-3", "wasm.sat", "wasm.hub");
    c.execute(
        &owner,
        &ExecuteMsg::AllowCounterparty(CounterpartyConfig {
            connection_id: connection.into(),
            port_id: hub_port.into(),
            remote_haircut: Decimal::zero(),
            remote_insurance_addr: None,
        }),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // the satellite initiates: OpenInit, then OpenAck
    let channel = IbcChannel::new(
        IbcEndpoint {
            port_id: sat_port.into(),
            channel_id: "channel-7".into(),
        },
        IbcEndpoint {
            port_id: hub_port.into(),
            channel_id: "channel-0".into(),
        },
        IbcOrder::Unordered,
        IBC_VERSION,
        connection,
    );
    c.ibc_channel_open(&IbcChannelOpenMsg::new_init(channel.clone()))
        .unwrap_or_else(|e| panic!("open init: {e}"));
    c.ibc_channel_connect(&IbcChannelConnectMsg::new_ack(channel.clone(), IBC_VERSION))
        .unwrap_or_else(|e| panic!("connect: {e}"));

    c.next_block(6);
    let (res, gas) = c
        .execute_with_funds(
            &alice,
            &ExecuteMsg::RemoteDeposit {
                channel_id: "channel-7".into(),
                account_id: 1,
            },
            vec![coin(10_000_000, "uatom")],
        )
        .unwrap_or_else(|e| panic!("deposit: {e}"));
    report("ibc_remote_deposit (satellite)", gas);
    let (data, timeout) = res
        .messages
        .iter()
        .find_map(|m| match &m.msg {
            CosmosMsg::Ibc(IbcMsg::SendPacket { data, timeout, .. }) => {
                Some((data.clone(), timeout.clone()))
            }
            _ => None,
        })
        .expect("a deposit packet");
    let sent = IbcPacket::new(
        data,
        channel.endpoint.clone(),
        channel.counterparty_endpoint.clone(),
        1,
        timeout.clone(),
    );
    c.next_block(6);
    let ack = IbcAcknowledgement::new(VaultAck::ok(1, false).unwrap());
    let gas = c
        .ibc_packet_ack(&IbcPacketAckMsg::new(ack, sent, relayer.clone()))
        .unwrap_or_else(|e| panic!("ack: {e}"));
    report("ibc_ack_deposit (satellite)", gas);

    c.next_block(6);
    let release = VaultPacket::Release {
        transfer_id: 1,
        account_id: 1,
        denom: "uatom".into(),
        amount: Uint128::new(4_000_000),
        recipient: alice.to_string(),
        kind: ReleaseKind::Withdraw,
    };
    let packet = IbcPacket::new(
        to_json_binary(&release).unwrap(),
        channel.counterparty_endpoint.clone(),
        channel.endpoint.clone(),
        1,
        timeout,
    );
    let (ack, gas) = c
        .ibc_packet_receive(&IbcPacketReceiveMsg::new(packet, relayer))
        .unwrap_or_else(|e| panic!("receive: {e}"));
    assert_eq!(ack, VaultAck::ok(1, false).unwrap(), "release refused");
    report("ibc_receive_release (satellite)", gas);
}
