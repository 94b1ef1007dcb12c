//! Security review of the IBC collateral protocol (branch review/ibc), ported to the gateway
//! split: the channel, transfer records, replay markers and satellite locks are the
//! gateways'; accounts, positions, health and keeper refunds stay the hub vault's.
//!
//! Every test here names a finding of the review. Tests that demonstrate a bug assert the
//! CORRECT behaviour: they fail on the reviewed code and pass once the finding is fixed.

// the assertions read as "not (bad outcome)"
#![allow(clippy::nonminimal_bool)]

mod ibc_common;

use cosmwasm_std::{coin, Decimal, IbcChannelCloseMsg, Int128, Uint128};

use bulwark_gateway::ContractError as GatewayError;
use bulwark_types::gateway::{ExecuteMsg as GwExecuteMsg, QueryMsg as GwQueryMsg};
use bulwark_types::ibc::RemoteCollateralConfig;
use bulwark_types::vault::{ExecuteMsg, QueryMsg};
use bulwark_vault::ContractError;
use ibc_common::*;

/// The owner closes the channel on the satellite only. Returns false when the satellite
/// refuses to close (fix of finding 2: only the hub closes channels).
fn sat_closes_its_end(net: &mut Net) -> bool {
    if net
        .sat
        .exec_gw_owner(GwExecuteMsg::CloseChannel {
            channel_id: SAT_CHANNEL.into(),
        })
        .is_err()
    {
        return false;
    }
    let ch = net.sat.channel.clone();
    net.sat.ibc_close(IbcChannelCloseMsg::new_init(ch)).unwrap();
    true
}

/// The satellite gateway's owner pays out the lock of a hub account (`RecoverLock`).
fn sat_recover_lock(
    net: &mut Net,
    channel_id: &str,
    account_id: u64,
    recipient: Option<String>,
) -> Result<(), GatewayError> {
    net.sat
        .exec_gw_owner(GwExecuteMsg::RecoverLock {
            channel_id: channel_id.into(),
            account_id,
            denom: ATOM.into(),
            recipient,
        })
        .map(|_| ())
}

/// The satellite gateway's answer about a hub transfer (`Received`).
fn sat_received(net: &Net, transfer_id: u64) -> Option<bool> {
    net.sat.query_gw(GwQueryMsg::Received {
        channel_id: SAT_CHANNEL.into(),
        transfer_id,
    })
}

/// A keeper's settlement refund claimable at the hub vault (failed seizures).
fn keeper_refund(net: &Net, keeper: &cosmwasm_std::Addr) -> Uint128 {
    net.hub.query(QueryMsg::Claimable {
        address: keeper.to_string(),
        denom: USDC.into(),
    })
}

// -------------------------------------------------------------------------------------------
// FINDING 1 (high): RecoverTransfer accepts an InFlight transfer as soon as OUR end of the
// channel is closed (remote.rs recover_transfer: `ch.state == Closed` is enough), and the
// documented procedure treats the counterparty's `Received == None` as "never received".
// After our ChanCloseInit the counterparty's end is still OPEN and the packet (not timed out)
// can still be received there. Resolving it as failed and then letting the relayer deliver it
// pays twice: the keeper gets the seized ATOM on the satellite AND its escrowed payment back;
// the account lost 5 ATOM and received nothing.
// Correct: an in-flight transfer may only be recovered as failed once the packet can no
// longer be received (its timeout has passed, i.e. store the timeout in the record and
// require block time >= timeout), or once a TimeoutOnClose arrived.

#[test]
fn finding1_recover_transfer_on_one_sided_close_double_pays_a_keeper() {
    let (mut net, id) = funded();
    put_in_debt(&mut net, id, 100_000_000);
    // keepers may buy an insolvent account's collateral only where the chain has no
    // insurance address (review 2, finding D)
    net.hub_without_insurance();
    let keeper = net.hub.addr("keeper");
    let keeper_sat = net.sat.addr("keeper");
    net.seize(id, 5_000_000, Some(keeper_sat.to_string()), 49_500_001)
        .unwrap();
    let transfer_id = net.hub.transfers()[0].transfer_id;

    // the DAO closes the channel on the hub; the satellite's end is still open
    hub_closes_its_end(&mut net);
    // documented procedure: read the counterparty's answer; None = "never received"
    assert_eq!(sat_received(&net, transfer_id), None);
    let recovered = net.hub.exec_gw_owner(GwExecuteMsg::RecoverTransfer {
        channel_id: HUB_CHANNEL.into(),
        transfer_id,
        delivered: false,
    });

    // the release is still deliverable: the satellite's end is open and it has not timed out
    let sat_gateway = net.sat.gateway_addr.clone();
    let sat_atom_before = net.sat.balance(&sat_gateway, ATOM);
    let ack = net.deliver(0);
    let keeper_got_atom = is_ok_ack(&ack) && net.sat.balance(&sat_gateway, ATOM) < sat_atom_before;
    let refund = keeper_refund(&net, &keeper);
    // CORRECT: the keeper never ends with both the collateral and its payment back
    assert!(
        !(keeper_got_atom && !refund.is_zero()),
        "double release: recover={:?}, keeper got 5 ATOM on the satellite and a refund of {} \
         uusdc on the hub",
        recovered.map(|_| ()),
        refund
    );
}

// -------------------------------------------------------------------------------------------
// FINDING 2 (high): RecoverLock (remote.rs recover_lock) pays a lock out as soon as the
// SATELLITE's end is closed, including when the satellite itself initiated the close
// (CloseInit). Until a relayer brings ChanCloseConfirm to the hub, the hub's channel is OPEN and
// the hub keeps valuing the position at full (haircut) value: the same coins are returned on
// the satellite and still back margin at the hub (open exposure, withdraw local collateral).
// Correct: RecoverLock only after the hub can no longer count the lock: e.g. only for a close
// the hub initiated (CloseConfirm received), or after a grace delay following our own close
// that the owner must confirm against the hub's channel state.

#[test]
fn finding2_recover_lock_after_own_close_is_double_counted_at_the_hub() {
    let (mut net, id) = funded();
    assert_eq!(health(&net, id).collateral_value, Uint128::new(70_000_000));
    if !sat_closes_its_end(&mut net) {
        return; // fixed: the satellite cannot close, so its closed channels are the hub's
    }
    let recovered = sat_recover_lock(&mut net, SAT_CHANNEL, id, None);
    let paid_out = recovered.is_ok() && lock(&net, id).locked.is_zero();
    let hub_value = health(&net, id).collateral_value;
    // CORRECT: coins paid back on the satellite are not margin at the hub any more
    assert!(
        !(paid_out && !hub_value.is_zero()),
        "10 ATOM returned to alice on the satellite while the hub still counts {hub_value} uusdc \
         of it as collateral"
    );
}

// -------------------------------------------------------------------------------------------
// FINDING 3 (medium): haircut + remote_haircut may reach 1 (each is only checked < 1 on its
// own, remote.rs set_remote_collateral / allow_counterparty) – the natural way for the owner
// to "delist" a remote collateral, there being no delisting message. The position then
// counts zero (valuation() → None) but still blocks the bad-debt cover
// (holds_remote_collateral ignores valuation), while SeizeRemote refuses it
// (UnlistedRemoteDenom, valuation() → None). The insolvent account's debt can then never be
// socialized, nor its collateral seized: it is stuck until the owner re-lists.
// Correct: refuse a config whose sum reaches 1, or let SeizeRemote (insurance) and
// Liquidate work on positions worth zero.

#[test]
fn finding3_haircut_sum_of_one_makes_bad_debt_unresolvable() {
    let (mut net, id) = funded();
    // 90 % own haircut, the chain adds 10 %: each below 1, the sum is 1
    let delist = net
        .hub
        .exec_owner(ExecuteMsg::SetRemoteCollateral(RemoteCollateralConfig {
            connection_id: HUB_CONNECTION.into(),
            denom: ATOM.into(),
            oracle_asset_id: ATOM_ASSET.into(),
            decimals: 6,
            haircut: Decimal::percent(90),
            deposit_cap: Uint128::new(1_000_000_000_000),
        }));
    if delist.is_err() {
        return; // fixed by refusing the configuration
    }
    put_in_debt(&mut net, id, 100_000_000);
    let keeper = net.hub.addr("keeper");
    let liquidate = net.hub_exec(&keeper, ExecuteMsg::Liquidate { account_id: id }, &[]);
    let seize = net.seize(id, 10_000_000, None, 0);
    // CORRECT: one of the two ways to resolve the insolvency must be open
    assert!(
        liquidate.is_ok() || seize.is_ok(),
        "insolvency stuck: Liquidate = {liquidate:?}, SeizeRemote = {seize:?}"
    );
}

// -------------------------------------------------------------------------------------------
// FINDING 4 (medium): a keeper's SeizeRemote costs nothing when it fails, yet while in flight
// the account's health drops by the whole counted value (pending_out counts zero and the
// escrowed payment is not counted either; remote.rs start_release / health.rs). A keeper sends
// a seizure with a recipient the satellite will refuse (it passes validate_remote_string but not
// the satellite's addr_validate), which is refunded in full on the error ack. During the round
// trip the account's equity looks far worse: with exposure, `Liquidate` then closes the
// account out entirely (liquidate.rs `deep`) instead of by the close factor – the keeper earns
// the penalty on the full notional; and any bad-debt decision is taken on the wrong equity.
// Correct: the account's health must not fall because of a seizure in flight, e.g. count the
// escrowed payment (≥ the counted value, as required by seize_remote) while in flight, or
// refuse Liquidate while a keeper seizure of that account is in flight.

#[test]
fn finding4_a_refundable_seizure_depresses_health_at_no_cost() {
    let (mut net, id) = funded();
    put_in_debt(&mut net, id, 75_000_000);
    let before = health(&net, id).equity;
    assert_eq!(before, Int128::new(-5_000_000));
    // keepers may buy an insolvent account's collateral only where the chain has no
    // insurance address (review 2, finding D)
    net.hub_without_insurance();
    let keeper = net.hub.addr("keeper");
    // valid for the hub's string check, refused by the satellite's addr_validate
    net.seize(
        id,
        10_000_000,
        Some("not-a-satellite-address".into()),
        99_000_001,
    )
    .unwrap();
    let in_flight = health(&net, id).equity;
    // the satellite refuses, the keeper is refunded in full: the probe cost nothing
    let ack = net.deliver(0);
    assert!(ack_error(&ack).is_some());
    net.relay_ack(0);
    assert_eq!(keeper_refund(&net, &keeper), Uint128::new(99_000_001));
    assert_eq!(health(&net, id).equity, before);
    // CORRECT: a seizure in flight (with the keeper's payment in escrow) does not lower the
    // equity health sees
    assert!(
        in_flight >= before,
        "equity fell from {before} to {in_flight} while the (refundable) seizure was in flight"
    );
}

// -------------------------------------------------------------------------------------------
// FINDING 5 (low): hub positions of a closed channel are never removed, even after the
// satellite paid the lock back (RecoverLock) – nothing at the hub clears them
// (remote.rs: no hub-side recovery for positions; REMOTE_TOTALS.credited stays too). They keep
// using the account's MAX_REMOTE_POSITIONS_PER_ACCOUNT slots (position_count counts them), so
// after a few channel replacements the account can never again receive a remote deposit
// (TooManyRemotePositions), and RemotePositions / RemoteTotals report collateral that no longer
// exists anywhere.
// Correct: a hub-side owner recovery that drops a closed channel's positions (and totals) once
// the satellite released the locks, and/or position_count ignoring closed channels.

#[test]
fn finding5_frozen_positions_are_never_cleared_and_exhaust_the_slots() {
    let (mut net, id) = funded();
    // the channel is replaced four times (e.g. light client expiry); each time alice's lock is
    // returned to her on the satellite by the owner's recovery
    for k in 1..=4u32 {
        net.close_confirm_both();
        let sat_ch = net.sat.channel.endpoint.channel_id.clone();
        sat_recover_lock(&mut net, &sat_ch, id, None).unwrap();
        // the hub's owner drops the frozen position once the lock was recovered
        let old_hub_ch = net.hub.channel.endpoint.channel_id.clone();
        net.hub
            .exec_owner(ExecuteMsg::DropRemotePosition {
                channel_id: old_hub_ch,
                account_id: id,
                denom: ATOM.into(),
            })
            .unwrap();
        // a new channel between the same two gateways
        let hub_ch = format!("channel-{k}");
        let sat_ch = format!("channel-{}", 9 + k);
        net.hub.channel.endpoint.channel_id = hub_ch.clone();
        net.hub.channel.counterparty_endpoint.channel_id = sat_ch.clone();
        net.sat.channel.endpoint.channel_id = sat_ch.clone();
        net.sat.channel.counterparty_endpoint.channel_id = hub_ch.clone();
        net.handshake().unwrap();
        let alice = net.hub.addr("alice");
        net.hub
            .exec(
                &alice,
                ExecuteMsg::SetRemoteOwner {
                    account_id: id,
                    channel_id: hub_ch.clone(),
                    remote_addr: Some(net.sat.addr("alice").to_string()),
                },
                &[],
            )
            .unwrap();
        // deposit directly over the new channel and relay by hand
        let who = net.sat.addr("alice");
        let msgs = net
            .sat
            .exec_gw(
                &who,
                GwExecuteMsg::RemoteDeposit {
                    channel_id: sat_ch.clone(),
                    account_id: id,
                },
                &[coin(1_000_000, ATOM)],
            )
            .unwrap();
        let cosmwasm_std::IbcMsg::SendPacket { data, timeout, .. } = msgs[0].clone() else {
            panic!("no packet");
        };
        let packet = cosmwasm_std::IbcPacket::new(
            data,
            net.sat.channel.endpoint.clone(),
            net.hub.channel.endpoint.clone(),
            100 + u64::from(k),
            timeout,
        );
        let ack = net.receive(Dir::ToHub, packet);
        if k == 4 {
            // CORRECT: collateral that no longer exists anywhere does not use up the slots
            assert!(
                is_ok_ack(&ack),
                "deposit over the new channel refused: {:?}; positions = {:?}",
                ack_error(&ack),
                positions(&net, id)
            );
        }
        net.relay_ack(0);
    }
}

// -------------------------------------------------------------------------------------------
// FINDING 6 (low): after the insurance seizure, the insolvent account's owner (who controls the
// authorised remote sender) re-deposits 1 uatom; the hub accepts deposits into an insolvent
// account and any non-zero open position blocks the cover (liquidate.rs RemoteCollateralFirst),
// so the owner can postpone the recognition of the bad debt indefinitely for 1 uatom per
// round trip (the LP share price stays inflated meanwhile; early leavers pass the loss on).
// Correct: refuse remote deposits into an account that is liquidatable / has negative equity,
// or do not let positions below a dust value block the cover (seize them in the same step).

#[test]
fn finding6_dust_redeposit_postpones_bad_debt_cover() {
    let (mut net, id) = funded();
    put_in_debt(&mut net, id, 100_000_000);
    let keeper = net.hub.addr("keeper");
    net.seize(id, 10_000_000, None, 0).unwrap();
    net.flush();
    assert!(positions(&net, id).is_empty());
    // the owner lands 1 uatom before the keeper's Liquidate
    net.sat_deposit("alice", id, 1).unwrap();
    net.flush();
    let r = net.hub_exec(&keeper, ExecuteMsg::Liquidate { account_id: id }, &[]);
    assert!(
        r.is_ok(),
        "bad-debt cover blocked by a 1 uatom re-deposit: {r:?}"
    );
}

// -------------------------------------------------------------------------------------------
// Checked and sound (regression guards): ack/timeout of a resolved transfer are ignored, a
// garbage ack becomes Stuck (never an Err), and a replayed deposit is not credited twice.

#[test]
fn sound_late_ack_and_timeout_after_resolution_are_ignored() {
    let (mut net, id) = funded();
    net.hub_withdraw("alice", id, 1_000_000, "alice").unwrap();
    let (_, packet) = net.in_flight[0].clone();
    let ack = net.deliver(0);
    net.relay_ack(0);
    // a second ack and a timeout of the same packet change nothing (gateway and vault)
    let before = net.hub.dump();
    net.ack_to_sender(Dir::ToSat, packet.clone(), ack);
    net.in_flight.push((Dir::ToSat, packet.clone()));
    net.time_out(0);
    // an unreadable ack on a resolved transfer: ignored as well
    net.ack_to_sender(
        Dir::ToSat,
        packet,
        cosmwasm_std::Binary::from(b"\xff\x00".to_vec()),
    );
    assert_eq!(net.hub.dump(), before);
    net.assert_agree(&[id]);
}

// -------------------------------------------------------------------------------------------
// FINDING 7 (high): a keeper's escrowed payment is ignored by the bad-debt cover once the
// channel is closed. holds_remote_collateral (remote.rs) only looks at OPEN channels, so an
// insolvent account whose keeper seizure was received on the satellite (keeper paid there) but
// whose ack can no longer be relayed (channel closed) is liquidated: the pool/insurance cover
// its WHOLE debt. The owner's RecoverTransfer(delivered = true) then credits the escrowed
// keeper payment to the account (resolve_transfer Hub/Delivered), which the account owner
// withdraws: the protocol pays the debt and the debtor keeps the proceeds of the collateral.
// (Same root cause, by design per D15 but still a loss: a release rolled back on a closed
// channel returns the collateral to the debtor through RecoverLock after the debt was covered.)
// Correct: a transfer in flight of the account (any channel state) blocks the cover, or its
// escrowed payment is applied to the debt before the cover / routed to the insurance fund
// when the account's debt was socialized meanwhile.

#[test]
fn finding7_escrowed_keeper_payment_reaches_the_debtor_after_the_debt_was_socialized() {
    let (mut net, id) = funded();
    put_in_debt(&mut net, id, 100_000_000);
    // keepers may buy an insolvent account's collateral only where the chain has no
    // insurance address (review 2, finding D)
    net.hub_without_insurance();
    let keeper = net.hub.addr("keeper");
    net.seize(
        id,
        10_000_000,
        Some(net.sat.addr("keeper").to_string()),
        99_000_001,
    )
    .unwrap();
    let transfer_id = net.hub.transfers()[0].transfer_id;
    // the satellite pays the keeper; the ack is lost to a channel close
    assert!(is_ok_ack(&net.deliver(0)));
    net.acks.clear();
    net.close_confirm_both();
    // the debt (100 USDC) is socialized in full: nothing on an open channel any more
    let liquidated = net.hub_exec(&keeper, ExecuteMsg::Liquidate { account_id: id }, &[]);
    // the DAO resolves the transfer with the satellite's answer (received and applied)
    assert_eq!(sat_received(&net, transfer_id), Some(true));
    net.hub
        .exec_gw_owner(GwExecuteMsg::RecoverTransfer {
            channel_id: HUB_CHANNEL.into(),
            transfer_id,
            delivered: true,
        })
        .unwrap();
    let h = health(&net, id);
    // CORRECT: the debtor does not end with a positive, withdrawable balance after its debt
    // was covered by the pool/insurance (100 USDC debt, 99 USDC of proceeds)
    assert!(
        h.settlement_balance <= Int128::zero(),
        "liquidate = {:?}; debt socialized and the debtor now holds {} uusdc of the keeper's \
         payment",
        liquidated.map(|_| ()),
        h.settlement_balance
    );
}

// -------------------------------------------------------------------------------------------
// FINDING 8 (low): the deposit cap is documented per chain (per (connection, remote denom):
// RemoteCollateralConfig::deposit_cap, docs/ibc.md "Caps") but enforced per (channel, denom)
// (remote.rs plan_receive reads REMOTE_TOTALS by channel). With two allowed counterparty
// ports on one connection (e.g. a satellite gateway migrated to a new address while the old
// one is still allowed), both channels are open at once and the hub credits up to 2 × cap of
// the same chain's denom, all counted in health.
// Correct: sum credited + pending_out over every OPEN channel of the connection (≤ 16), or
// key REMOTE_TOTALS for the cap by connection.

#[test]
fn finding8_deposit_cap_is_per_channel_not_per_chain() {
    use bulwark_types::ibc::{CounterpartyConfig, VaultPacket, IBC_VERSION};
    use cosmwasm_std::{
        to_json_binary, IbcChannel, IbcChannelConnectMsg, IbcChannelOpenMsg, IbcEndpoint, IbcOrder,
        IbcPacket, IbcTimeout,
    };
    let (mut net, id) = funded();
    // cap 10 ATOM for connection-0: reached by alice's deposit over channel-0
    net.hub
        .exec_owner(ExecuteMsg::SetRemoteCollateral(RemoteCollateralConfig {
            connection_id: HUB_CONNECTION.into(),
            denom: ATOM.into(),
            oracle_asset_id: ATOM_ASSET.into(),
            decimals: 6,
            haircut: Decimal::percent(20),
            deposit_cap: Uint128::new(10_000_000),
        }))
        .unwrap();
    // a second satellite port on the same connection (same chain)
    net.hub
        .exec_gw_owner(GwExecuteMsg::AllowCounterparty(CounterpartyConfig {
            connection_id: HUB_CONNECTION.into(),
            port_id: "wasm.sat2".into(),
            remote_haircut: Decimal::percent(10),
            remote_insurance_addr: None,
        }))
        .unwrap();
    let ch = IbcChannel::new(
        IbcEndpoint {
            port_id: hub_port(),
            channel_id: "channel-1".into(),
        },
        IbcEndpoint {
            port_id: "wasm.sat2".into(),
            channel_id: "channel-20".into(),
        },
        IbcOrder::Unordered,
        IBC_VERSION,
        HUB_CONNECTION,
    );
    net.hub
        .ibc_open(IbcChannelOpenMsg::new_try(ch.clone(), IBC_VERSION))
        .unwrap();
    net.hub
        .ibc_connect(IbcChannelConnectMsg::new_confirm(ch.clone()))
        .unwrap();
    let alice = net.hub.addr("alice");
    let alice_remote = net.sat.addr("alice").to_string();
    net.hub
        .exec(
            &alice,
            ExecuteMsg::SetRemoteOwner {
                account_id: id,
                channel_id: "channel-1".into(),
                remote_addr: Some(alice_remote.clone()),
            },
            &[],
        )
        .unwrap();
    let data = to_json_binary(&VaultPacket::Deposit {
        transfer_id: 1,
        account_id: id,
        denom: ATOM.into(),
        amount: Uint128::new(10_000_000),
        depositor: alice_remote,
    })
    .unwrap();
    let packet = IbcPacket::new(
        data,
        ch.counterparty_endpoint.clone(),
        ch.endpoint.clone(),
        1,
        IbcTimeout::with_timestamp(net.hub.env.block.time.plus_seconds(600)),
    );
    let (ack, _) = net.hub.receive(packet);
    // CORRECT: the chain's cap (10 ATOM, already reached) refuses the second 10 ATOM
    assert!(
        !is_ok_ack(&ack),
        "20 ATOM of connection-0 credited against a 10 ATOM cap; collateral value = {}",
        health(&net, id).collateral_value
    );
}

// -------------------------------------------------------------------------------------------
// FINDING 9 (low, availability): crossing handshakes leave each side with an "open" channel
// whose other end never opens. The one-channel-per-counterparty check (ibc.rs check_channel)
// runs again at connect, so when the hub initiated one handshake and the satellite another
// (anyone may submit ChanOpenInit; the callbacks only check the allow-list), each side's
// OpenAck succeeds first and each side's OpenConfirm then fails with ChannelExists. Both
// gateways now point OPEN_CHANNEL_OF at a channel the counterparty holds in TRYOPEN: every
// deposit and withdrawal times out, and no new channel can open until the DAO closes both.
// A griefer can repeat it after every repair.
// Correct: only one role initiates (e.g. the hub refuses OpenInit, the satellite refuses
// OpenTry), so handshakes cannot cross.

#[test]
fn finding9_crossing_handshakes_leave_no_usable_channel() {
    use bulwark_types::ibc::{ChannelInfo, ChannelState, IBC_VERSION};
    use cosmwasm_std::{IbcChannelConnectMsg, IbcChannelOpenMsg};
    let mut net = Net::unconnected();
    let with_ids = |mut ch: cosmwasm_std::IbcChannel, ours: &str, theirs: &str| {
        ch.endpoint.channel_id = ours.into();
        ch.counterparty_endpoint.channel_id = theirs.into();
        ch
    };
    // H1 initiated by the satellite: sat channel-9 ↔ hub channel-0
    let h1_sat = with_ids(sat_channel(), "channel-9", "channel-0");
    let h1_hub = with_ids(hub_channel(), "channel-0", "channel-9");
    // H2 initiated by the hub: hub channel-1 ↔ sat channel-10
    let h2_hub = with_ids(hub_channel(), "channel-1", "channel-10");
    let h2_sat = with_ids(sat_channel(), "channel-10", "channel-1");
    net.sat
        .ibc_open(IbcChannelOpenMsg::new_init(h1_sat.clone()))
        .unwrap();
    if net
        .hub
        .ibc_open(IbcChannelOpenMsg::new_init(h2_hub.clone()))
        .is_err()
    {
        return; // fixed: the hub does not initiate
    }
    net.hub
        .ibc_open(IbcChannelOpenMsg::new_try(h1_hub.clone(), IBC_VERSION))
        .unwrap();
    let _ = net
        .sat
        .ibc_open(IbcChannelOpenMsg::new_try(h2_sat.clone(), IBC_VERSION));
    // acks first (each initiator's end opens), then the confirms
    let _ = net
        .hub
        .ibc_connect(IbcChannelConnectMsg::new_ack(h2_hub, IBC_VERSION));
    let _ = net
        .sat
        .ibc_connect(IbcChannelConnectMsg::new_ack(h1_sat, IBC_VERSION));
    let _ = net
        .hub
        .ibc_connect(IbcChannelConnectMsg::new_confirm(h1_hub));
    let _ = net
        .sat
        .ibc_connect(IbcChannelConnectMsg::new_confirm(h2_sat));
    let hub_open: Vec<ChannelInfo> = net.hub.query_gw(GwQueryMsg::Channels {
        start_after: None,
        limit: None,
    });
    let sat_open: Vec<ChannelInfo> = net.sat.query_gw(GwQueryMsg::Channels {
        start_after: None,
        limit: None,
    });
    let usable = hub_open.iter().any(|h| {
        h.state == ChannelState::Open
            && sat_open.iter().any(|s| {
                s.state == ChannelState::Open
                    && s.channel_id == h.counterparty_channel_id
                    && s.counterparty_channel_id == h.channel_id
            })
    });
    // CORRECT: the two gateways end with one channel open at both ends
    assert!(
        usable,
        "no usable channel: hub {hub_open:?}, satellite {sat_open:?}"
    );
}

// -------------------------------------------------------------------------------------------
// FINDING 10 (medium): the hub credits remote deposits while its own circuit breaker blocks
// deposits. plan_receive (remote.rs, Deposit branch) never consults the hub's breaker; only the
// satellite checks ITS breaker in RemoteDeposit. The breaker that guards the accounts (the
// hub's: e.g. Deposit blocked during an oracle incident on ATOM, to stop cheap collateral
// from being posted to borrow against) is bypassed by depositing on the satellite.
// Correct: plan_receive refuses (error ack → refund on the satellite) when the hub's breaker
// blocks ActionClass::Deposit (a raw query; a refusal, never an Err).

#[test]
fn finding10_hub_breaker_deposit_block_is_bypassed_by_remote_deposits() {
    use bulwark_types::circuit_breaker::{ActionClass, CompactMode, GLOBAL_MODE_KEY};
    use bulwark_types::oracle::{price_record_key, PriceRecord};
    use cosmwasm_std::{
        to_json_binary, Binary, ContractResult, Decimal256, SystemResult, WasmQuery,
    };
    let mut net = Net::new();
    let id = net.open_account("alice");
    net.sat_deposit("alice", id, 10_000_000).unwrap();
    // the hub's breaker now blocks deposits (global scope)
    let env = net.hub.env.clone();
    let record = PriceRecord {
        price: Decimal256::from_ratio(10u8, 1u8),
        publish_time: env.block.time.seconds() - 10,
        block_height: env.block.height - 1,
        sources_used: 3,
        flags: 0,
        prev_price: None,
        prev_publish_time: None,
        prev_block_height: None,
    };
    let price_key = Binary::from(price_record_key(ATOM_ASSET));
    let price_val = to_json_binary(&record).unwrap();
    let mode_key = Binary::from(GLOBAL_MODE_KEY.to_vec());
    let mode_val = Binary::from(
        CompactMode {
            level_byte: 0,
            blocked_mask: 1 << ActionClass::Deposit.bit_index(),
            liquidations_blocked_until: 0,
        }
        .encode(),
    );
    net.hub.set_fallback(Box::new(move |q| match q {
        WasmQuery::Raw { key, .. } if *key == price_key => {
            SystemResult::Ok(ContractResult::Ok(price_val.clone()))
        }
        WasmQuery::Raw { key, .. } if *key == mode_key => {
            SystemResult::Ok(ContractResult::Ok(mode_val.clone()))
        }
        WasmQuery::Raw { .. } => SystemResult::Ok(ContractResult::Ok(Binary::default())),
        _ => SystemResult::Ok(ContractResult::Err("unexpected query".into())),
    }));
    // sanity: a local deposit at the hub is blocked
    let alice = net.hub.addr("alice");
    assert!(matches!(
        net.hub.exec(
            &alice,
            ExecuteMsg::Deposit { account_id: id },
            &[coin(1_000_000, USDC)]
        ),
        Err(ContractError::ActionBlocked { .. })
    ));
    let ack = net.deliver(0);
    // CORRECT: the remote deposit is refused too (and refunded on the satellite)
    assert!(
        !is_ok_ack(&ack),
        "remote deposit credited at the hub while deposits are blocked; collateral value = {}",
        health(&net, id).collateral_value
    );
}

// -------------------------------------------------------------------------------------------
// FINDING 11 (high, design – D15): a channel close turns an indebted account's remote
// collateral into a free exit. On close the hub values the position at zero
// (remote.rs valuation) and holds_remote_collateral ignores closed channels, so Liquidate
// socializes the account's whole debt (pool / insurance); then RecoverLock (remote.rs
// recover_lock) – the only recovery path, which can only pay the lock's owner – hands the
// collateral back to the debtor. Here alice owes 60 USDC against 10 ATOM (100 USD): after a
// DAO close, the pool pays her 60 USDC debt and she gets her 100 USD of ATOM back.
// Correct: while the satellite still holds a lock for the account, the hub must not
// socialize its debt (treat frozen positions like open ones in holds_remote_collateral), and
// the recovery must be able to pay the remote insurance address (RecoverLock with a
// DAO-chosen recipient, decided from the hub account's state), not only the depositor.

#[test]
fn finding11_channel_close_lets_a_debtor_keep_collateral_and_socialize_the_debt() {
    let (mut net, id) = funded();
    put_in_debt(&mut net, id, 60_000_000);
    assert_eq!(health(&net, id).equity, Int128::new(10_000_000));
    net.close_confirm_both();
    let keeper = net.hub.addr("keeper");
    let covered = net
        .hub_exec(&keeper, ExecuteMsg::Liquidate { account_id: id }, &[])
        .is_ok();
    let paid_back = sat_recover_lock(&mut net, SAT_CHANNEL, id, None).is_ok();
    // CORRECT: the debt is not socialized while the debtor's collateral is returned to her
    assert!(
        !(covered && paid_back),
        "60 USDC of debt socialized and alice's 10 ATOM returned to her on the satellite"
    );
}

// -------------------------------------------------------------------------------------------
// Resolution of finding 11: after a close the frozen position blocks the cover; the DAO pays
// the satellite's lock to the insurance fund's address (the hub account is in debt), drops the
// hub position, and only then is the remaining debt covered.

#[test]
fn fixed11_closed_channel_collateral_goes_to_insurance_before_the_cover() {
    let (mut net, id) = funded();
    put_in_debt(&mut net, id, 100_000_000);
    net.close_confirm_both();
    let keeper = net.hub.addr("keeper");
    assert!(matches!(
        net.hub_exec(&keeper, ExecuteMsg::Liquidate { account_id: id }, &[]),
        Err(ContractError::RemoteCollateralFirst { .. })
    ));
    // the satellite pays the lock to the insurance fund's address (the owner's choice)
    let insurance = net.sat.addr("insurance");
    let sat_gateway = net.sat.gateway_addr.clone();
    let held_before = net.sat.balance(&sat_gateway, ATOM);
    sat_recover_lock(&mut net, SAT_CHANNEL, id, Some(insurance.to_string())).unwrap();
    // one bank send of the whole lock, from the gateway to the insurance address
    assert_eq!(net.sat.balance(&insurance, ATOM), Uint128::new(10_000_000));
    assert_eq!(
        net.sat.balance(&sat_gateway, ATOM),
        held_before - Uint128::new(10_000_000)
    );
    assert!(net.sat.sat_totals(ATOM).locked.is_zero());
    net.sat.assert_conserved();
    // only the owner clears the hub position
    assert!(net
        .hub
        .exec(
            &keeper,
            ExecuteMsg::DropRemotePosition {
                channel_id: HUB_CHANNEL.into(),
                account_id: id,
                denom: ATOM.into(),
            },
            &[]
        )
        .is_err());
    net.hub
        .exec_owner(ExecuteMsg::DropRemotePosition {
            channel_id: HUB_CHANNEL.into(),
            account_id: id,
            denom: ATOM.into(),
        })
        .unwrap();
    assert!(positions(&net, id).is_empty());
    assert!(net.hub.remote_totals(ATOM).credited.is_zero());
    net.hub_exec(&keeper, ExecuteMsg::Liquidate { account_id: id }, &[])
        .unwrap();
}

// Fixes of findings 2 and 3 in the directions the tests above do not take.

#[test]
fn fixed2_the_satellite_cannot_close_a_channel() {
    let mut net = Net::new();
    assert!(matches!(
        net.sat.exec_gw_owner(GwExecuteMsg::CloseChannel {
            channel_id: SAT_CHANNEL.into(),
        }),
        Err(GatewayError::WrongIbcRole { .. })
    ));
    // nor recover a lock while its channel is open
    assert!(matches!(
        sat_recover_lock(&mut net, SAT_CHANNEL, 1, None),
        Err(GatewayError::ChannelOpen { .. })
    ));
}

#[test]
fn fixed3_a_delisted_remote_collateral_counts_zero_and_can_still_be_sold_to_a_keeper() {
    let (mut net, id) = funded();
    // haircut 90 % + the chain's 10 %: delisted, the position counts zero
    net.hub
        .exec_owner(ExecuteMsg::SetRemoteCollateral(RemoteCollateralConfig {
            connection_id: HUB_CONNECTION.into(),
            denom: ATOM.into(),
            oracle_asset_id: ATOM_ASSET.into(),
            decimals: 6,
            haircut: Decimal::percent(90),
            deposit_cap: Uint128::new(1_000_000_000_000),
        }))
        .unwrap();
    assert!(health(&net, id).collateral_value.is_zero());
    put_in_debt(&mut net, id, 100_000_000);
    // a keeper buys 5 ATOM at the oracle value less the penalty (it counted zero)
    // keepers may buy an insolvent account's collateral only where the chain has no
    // insurance address (review 2, finding D)
    net.hub_without_insurance();
    net.seize(
        id,
        5_000_000,
        Some(net.sat.addr("keeper").to_string()),
        49_500_001,
    )
    .unwrap();
    net.flush();
    assert_eq!(health(&net, id).equity, Int128::new(-50_499_999));
    net.assert_agree(&[id]);
}
