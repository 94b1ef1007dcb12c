//! Second security review of the IBC collateral protocol (branch review2/ibc), after the fixes
//! of the first review (tests/ibc_review.rs), ported to the gateway split: transfer records and
//! their recovery are the hub gateway's; positions, health, seizures and keeper payments stay
//! the hub vault's.
//!
//! Tests named `finding…` demonstrate a problem and assert the CORRECT behaviour: they fail on
//! the reviewed code and pass once fixed. Tests named `check…` verify a fix (they pass).

#![allow(clippy::nonminimal_bool)]

mod ibc_common;

use std::str::FromStr;

use cosmwasm_std::{
    coin, to_json_binary, Binary, ContractResult, Decimal256, Int128, SystemResult, Timestamp,
    Uint128, WasmQuery,
};

use bulwark_types::gateway::ExecuteMsg as GwExecuteMsg;
use bulwark_types::ibc::TransferRecord;
use bulwark_types::market::{AccountRisk, ScenarioGrid, UnderlyingRisk};
use bulwark_types::oracle::{price_record_key, PriceRecord};
use bulwark_types::vault::{ExecuteMsg, QueryMsg};
use bulwark_vault::ContractError;
use ibc_common::*;

/// Gives the hub account exposure in a (mock) market: the account lists `market` and the hub's
/// querier answers its `AccountRisk` with a requirement of `maintenance` (no scenario loss,
/// no unrealized PnL); `settlement` sets the account's settlement balance (the pool lends any
/// debt, so the ledger stays conserved).
fn with_exposure(net: &mut Net, id: u64, maintenance: u128, settlement: i128) {
    use bulwark_vault::state::{load_totals, ACCOUNTS, TOTALS};
    net.hub
        .exec_owner(ExecuteMsg::SetScenarioGrid {
            asset_id: ATOM_ASSET.into(),
            spot_shocks: None,
            vol_shocks: None,
        })
        .unwrap();
    let grid: Option<ScenarioGrid> = net.hub.query(QueryMsg::ScenarioGrid {
        asset_id: ATOM_ASSET.into(),
    });
    let grid = grid.unwrap();
    let risk = AccountRisk {
        underlyings: vec![UnderlyingRisk {
            asset_id: ATOM_ASSET.into(),
            grid_version: grid.version,
            unrealized_pnl: Int128::zero(),
            scenario_pnl: vec![Int128::zero(); grid.len()],
            maintenance_addon: Uint128::new(maintenance),
            initial_addon: Uint128::new(maintenance),
        }],
    };
    let market = net.hub.addr("market");
    {
        let mut storage = net.hub.vault_store();
        let mut a = ACCOUNTS.load(&storage, id).unwrap();
        a.markets = vec![market];
        if settlement < 0 {
            // through `shift`, so the debt aggregate moves with the balance; the pool lent it
            let debt = -settlement;
            let mut t = load_totals(&storage, USDC).unwrap();
            let delta = Int128::new(settlement)
                .checked_sub(a.settlement_balance)
                .unwrap();
            t.shift(&mut a, delta).unwrap();
            t.pool += Uint128::new(debt as u128);
            TOTALS.save(&mut storage, USDC, &t).unwrap();
        } else {
            a.settlement_balance = Int128::new(settlement);
        }
        ACCOUNTS.save(&mut storage, id, &a).unwrap();
    }
    // the ibc_common querier (price of ATOM at 10, breaker records empty) plus the market (the
    // chain answers queries of its own gateway and vault before this fallback, so a smart
    // query reaching it is the market's)
    let env = net.hub.env.clone();
    let record = PriceRecord {
        price: Decimal256::from_str("10").unwrap(),
        publish_time: env.block.time.seconds() - 10,
        block_height: env.block.height - 1,
        sources_used: 3,
        flags: 0,
        prev_price: None,
        prev_publish_time: None,
        prev_block_height: None,
    };
    let key = Binary::from(price_record_key(ATOM_ASSET));
    let value = to_json_binary(&record).unwrap();
    let risk = to_json_binary(&risk).unwrap();
    net.hub.set_fallback(Box::new(move |q| match q {
        WasmQuery::Raw { key: k, .. } if *k == key => {
            SystemResult::Ok(ContractResult::Ok(value.clone()))
        }
        WasmQuery::Raw { .. } => SystemResult::Ok(ContractResult::Ok(Binary::default())),
        WasmQuery::Smart { .. } => SystemResult::Ok(ContractResult::Ok(risk.clone())),
        _ => SystemResult::Ok(ContractResult::Err("unexpected query".into())),
    }));
}

fn keeper_seize(net: &mut Net, id: u64, amount: u128, pay: u128) -> Result<(), ContractError> {
    let recipient = net.sat.addr("keeper").to_string();
    net.seize(id, amount, Some(recipient), pay)
}

// -------------------------------------------------------------------------------------------
// Close factor of keeper seizures (commit 41ae23b): verification.

/// Health 0.7 (equity 70, maintenance 100): a keeper may seize at most half of the position.
#[test]
fn check_close_factor_limits_a_keeper_seizure_while_health_is_at_least_half() {
    let (mut net, id) = funded();
    with_exposure(&mut net, id, 100_000_000, 0);
    let h = health(&net, id);
    assert_eq!(h.equity, Int128::new(70_000_000));
    assert_eq!(h.maintenance_requirement, Uint128::new(100_000_000));
    assert!(h.liquidatable);
    // all 10 ATOM: above the close factor (50 %)
    let err = keeper_seize(&mut net, id, 10_000_000, 99_000_001).unwrap_err();
    assert!(
        matches!(&err, ContractError::InvalidParam { name, .. } if name == "amount"),
        "{err:?}"
    );
    // 5 ATOM + 1 unit: still above
    assert!(keeper_seize(&mut net, id, 5_000_001, 50_000_000).is_err());
    // exactly half: accepted
    keeper_seize(&mut net, id, 5_000_000, 49_500_001).unwrap();
    net.flush();
    assert_eq!(positions(&net, id)[0].amount, Uint128::new(5_000_000));
    net.assert_agree(&[id]);
}

/// Health below 1/2 (equity 30, maintenance 100): the whole position may be seized.
#[test]
fn check_close_factor_does_not_apply_below_half_health() {
    let (mut net, id) = funded();
    with_exposure(&mut net, id, 100_000_000, -40_000_000);
    assert_eq!(health(&net, id).equity, Int128::new(30_000_000));
    keeper_seize(&mut net, id, 10_000_000, 99_000_001).unwrap();
    net.flush();
    assert!(positions(&net, id).is_empty());
    net.assert_agree(&[id]);
}

// -------------------------------------------------------------------------------------------
// FINDING A (medium): the close factor of SeizeRemote is per call and is measured on
// `pos.amount`, which excludes what is already in flight. While a keeper seizure is in flight
// health counts it at min(escrow, counted value) = its counted value (fix of F4), so health
// does not move and the account stays "not deep and liquidatable": the same keeper seizes
// 50 %, then 50 % of the rest, … in one block (one tx with N messages) and buys the whole
// position at the liquidation penalty although the close factor should cap it at half.
// Correct: count the seizures in flight, i.e. refuse `pos.seized + amount >
// close_factor × (pos.amount + pos.seized)` while not deep.

#[test]
fn finding_a_close_factor_is_bypassed_by_repeated_seizures_in_flight() {
    let (mut net, id) = funded();
    with_exposure(&mut net, id, 100_000_000, 0);
    keeper_seize(&mut net, id, 5_000_000, 49_500_001).unwrap();
    let h = health(&net, id);
    assert_eq!(
        h.equity,
        Int128::new(70_000_000),
        "health unchanged in flight"
    );
    // the same block: 50 % of what is left, then again …
    let mut seized = 5_000_000u128;
    for _ in 0..10 {
        let left = 10_000_000 - seized;
        let amount = left / 2;
        if amount == 0 || keeper_seize(&mut net, id, amount, amount * 99 / 10 + 1).is_err() {
            break;
        }
        seized += amount;
    }
    // CORRECT: no more than the close factor (half of the position) in flight at once
    assert!(
        seized <= 5_000_000,
        "a keeper seized {seized} of 10_000_000 uatom while the close factor allows 5_000_000"
    );
}

// -------------------------------------------------------------------------------------------
// FINDING B (not applicable): transfer records written before `TransferRecord.timeout`
// existed. The field was added before the IBC protocol first landed on main, so no deployed
// state can hold such a record; a test that forges one was dropped. A future change to the
// record must come with a versioned migration (`migrate` runs explicit state steps).

// -------------------------------------------------------------------------------------------
// FINDING C (low): RecoverTransfer resolves an in-flight transfer as failed at
// `block time >= record.timeout`, our (the sender's) clock. The receiving chain checks the
// timeout against ITS block time. If the counterparty's block time lags ours (a slower block
// interval, BFT-time drift), the packet is still receivable there after our recovery: the
// keeper gets its payment back (claimable) and then the ATOM on the satellite – the F1 double
// payment in a narrower window. docs/ibc.md states the assumption but nothing enforces it.
// Correct: a safety margin, e.g. `block time >= timeout + packet_timeout_secs` (or a fixed
// bound such as one hour) before an in-flight transfer may be recovered as failed.

#[test]
fn finding_c_recover_as_failed_at_the_timeout_races_a_lagging_counterparty_clock() {
    let (mut net, id) = funded();
    // a withdrawal of 4 ATOM to alice on the satellite is in flight
    net.hub_withdraw("alice", id, 4_000_000, "alice").unwrap();
    let record: TransferRecord = net.hub.transfers().last().unwrap().clone();
    hub_closes_its_end(&mut net);
    // the hub's block time reaches the timeout; the satellite's last block is 2 s behind
    net.hub.env.block.time = record.timeout;
    net.sat.env.block.time = Timestamp::from_nanos(record.timeout.nanos() - 2_000_000_000);
    let recovered = net.hub.exec_gw_owner(GwExecuteMsg::RecoverTransfer {
        channel_id: HUB_CHANNEL.into(),
        transfer_id: record.transfer_id,
        delivered: false,
    });
    // CORRECT: refused until a margin past the timeout, since the satellite (its end still
    // open, its clock behind) could still receive the release and pay alice while the hub
    // re-credits her position
    assert!(
        recovered.is_err(),
        "recovered as failed while the counterparty can still receive the packet"
    );
    // past the margin it is recoverable
    net.hub.env.block.time = record
        .timeout
        .plus_seconds(bulwark_gateway::state::RECOVERY_CLOCK_MARGIN_SECS);
    net.hub
        .exec_gw_owner(GwExecuteMsg::RecoverTransfer {
            channel_id: HUB_CHANNEL.into(),
            transfer_id: record.transfer_id,
            delivered: false,
        })
        .unwrap();
}

// -------------------------------------------------------------------------------------------
// FINDING D (low–medium, liveness): F4 was fixed for health only. A keeper seizure that the
// satellite will refuse (a recipient the hub's string check accepts but the satellite's
// addr_validate refuses, or a bank-blocked address) still costs nothing (the payment is
// refunded in full) and, while in flight, takes the whole position out of `amount`: the
// insurance seizure has nothing to seize (InsufficientBalance) and `Liquidate` refuses the
// cover (RemoteCollateralFirst, pending_out > 0). Resubmitted right after each ack, it keeps
// an insolvent account's bad debt uncovered and its collateral unseized indefinitely.
// Correct (one option): while the account is bad debt (no exposure, equity < 0) and the
// chain has a remote insurance address, only the insurance seizure is allowed (or a refused
// keeper seizure forfeits a fee).

#[test]
fn finding_d_a_refundable_keeper_seizure_blocks_the_insurance_seizure_for_free() {
    let (mut net, id) = funded();
    put_in_debt(&mut net, id, 75_000_000);
    let griefer = net.hub.addr("griefer");
    let grief = net.hub_exec(
        &griefer,
        ExecuteMsg::SeizeRemote {
            account_id: id,
            channel_id: HUB_CHANNEL.into(),
            denom: ATOM.into(),
            amount: Uint128::new(10_000_000),
            recipient: Some("not-a-satellite-address".into()),
        },
        &[coin(99_000_001, USDC)],
    );
    let keeper = net.hub.addr("keeper");
    let insurance = net.hub_exec(
        &keeper,
        ExecuteMsg::SeizeRemote {
            account_id: id,
            channel_id: HUB_CHANNEL.into(),
            denom: ATOM.into(),
            amount: Uint128::new(10_000_000),
            recipient: None,
        },
        &[],
    );
    // CORRECT: the insurance fund's seizure of a bad-debt account cannot be pre-empted by a
    // free, refundable keeper seizure
    assert!(
        grief.is_err() || insurance.is_ok(),
        "griefer's refundable seizure blocks the insurance seizure: {insurance:?}"
    );
}
