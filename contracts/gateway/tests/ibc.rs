//! The IBC collateral protocol end to end: a hub (gateway and vault) and a satellite (its
//! gateway) on mock chains, packets, acks and timeouts carried by a hand relayer
//! (`ibc_common`).

mod ibc_common;

use cosmwasm_std::{
    coin, from_json, Binary, Decimal, IbcChannel, IbcChannelCloseMsg, IbcChannelOpenMsg,
    IbcEndpoint, IbcOrder, IbcPacket, IbcTimeout, Int128, Timestamp, Uint128,
};

use bulwark_gateway::ContractError as GwError;
use bulwark_types::gateway::{ExecuteMsg as GwExecuteMsg, QueryMsg as GwQueryMsg};
use bulwark_types::ibc::{
    AckOk, ChannelInfo, ChannelState, CounterpartyConfig, IbcRole, TransferRecord, TransferStatus,
    VaultAck, VaultPacket, IBC_VERSION,
};
use bulwark_types::vault::{ExecuteMsg, QueryMsg};
use bulwark_vault::ContractError;
use ibc_common::*;

fn claimable(net: &Net, who: &str) -> Uint128 {
    net.sat.query_gw(GwQueryMsg::Claimable {
        address: net.sat.addr(who).to_string(),
        denom: ATOM.into(),
    })
}

/// Storage of a vault without the replay markers (`ibc_rx`), which a refusal does write.
fn dump_without_markers(v: &Chain) -> Vec<(Vec<u8>, Vec<u8>)> {
    v.dump()
        .into_iter()
        .filter(|(k, _)| !k.starts_with(b"\x00\x02rx"))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Handshake

#[test]
fn handshake_checks_version_order_counterparty_and_uniqueness() {
    let mut net = Net::unconnected();
    let good = hub_channel();
    let open = |net: &mut Net, msg: IbcChannelOpenMsg| net.hub.ibc_open(msg);

    // wrong version, on our side or the counterparty's
    let mut ch = good.clone();
    ch.version = "bulwark-vault-2".into();
    assert!(matches!(
        open(&mut net, IbcChannelOpenMsg::new_init(ch)),
        Err(GwError::InvalidIbcVersion { .. })
    ));
    assert!(matches!(
        open(
            &mut net,
            IbcChannelOpenMsg::new_try(good.clone(), "ics20-1")
        ),
        Err(GwError::InvalidIbcVersion { .. })
    ));
    // ordered channels are refused
    let mut ch = good.clone();
    ch.order = IbcOrder::Ordered;
    assert_eq!(
        open(&mut net, IbcChannelOpenMsg::new_init(ch)),
        Err(GwError::InvalidChannelOrder)
    );
    // a connection or port the owner did not allow
    let mut ch = good.clone();
    ch.connection_id = "connection-3".into();
    assert!(matches!(
        open(&mut net, IbcChannelOpenMsg::new_init(ch)),
        Err(GwError::CounterpartyNotAllowed { .. })
    ));
    let mut ch = good.clone();
    ch.counterparty_endpoint.port_id = "wasm.other".into();
    assert!(matches!(
        open(&mut net, IbcChannelOpenMsg::new_init(ch)),
        Err(GwError::CounterpartyNotAllowed { .. })
    ));
    // only the satellite initiates (review finding 9): a valid OpenInit is refused here
    assert_eq!(
        open(&mut net, IbcChannelOpenMsg::new_init(good.clone())),
        Err(GwError::WrongIbcRole {
            expected: IbcRole::Satellite
        })
    );
    // OpenInit (satellite) proposes our version, also when the relayer left it empty
    let res = net
        .sat
        .ibc_open(IbcChannelOpenMsg::new_init(sat_channel()))
        .unwrap();
    assert_eq!(res.unwrap().version, IBC_VERSION);
    let mut sat_ch = sat_channel();
    sat_ch.version = String::new();
    let res = net
        .sat
        .ibc_open(IbcChannelOpenMsg::new_init(sat_ch))
        .unwrap();
    assert_eq!(res.unwrap().version, IBC_VERSION);
    // and the satellite does not answer one (OpenTry)
    assert_eq!(
        net.sat
            .ibc_open(IbcChannelOpenMsg::new_try(sat_channel(), IBC_VERSION)),
        Err(GwError::WrongIbcRole {
            expected: IbcRole::Hub
        })
    );
    let mut ch = good.clone();
    ch.version = String::new();
    // but not on OpenTry or connect
    assert!(matches!(
        open(
            &mut net,
            IbcChannelOpenMsg::new_try(ch.clone(), IBC_VERSION)
        ),
        Err(GwError::InvalidIbcVersion { .. })
    ));
    assert!(matches!(
        net.hub
            .ibc_connect(cosmwasm_std::IbcChannelConnectMsg::new_ack(
                good.clone(),
                "bulwark-vault-0"
            )),
        Err(GwError::InvalidIbcVersion { .. })
    ));

    net.handshake().unwrap();
    let channels: Vec<ChannelInfo> = net.hub.query_gw(GwQueryMsg::Channels {
        start_after: None,
        limit: None,
    });
    assert_eq!(channels.len(), 1);
    assert_eq!(channels[0].state, ChannelState::Open);
    assert_eq!(channels[0].counterparty_channel_id, SAT_CHANNEL);

    // one channel per counterparty: a second channel with the same (connection, port) fails
    let second = IbcChannel::new(
        IbcEndpoint {
            port_id: hub_port(),
            channel_id: "channel-1".into(),
        },
        IbcEndpoint {
            port_id: sat_port(),
            channel_id: "channel-10".into(),
        },
        IbcOrder::Unordered,
        IBC_VERSION,
        HUB_CONNECTION,
    );
    assert_eq!(
        open(&mut net, IbcChannelOpenMsg::new_init(second)),
        Err(GwError::ChannelExists {
            channel_id: HUB_CHANNEL.into()
        })
    );
    // the counterparty cannot be removed while its channel is open
    assert!(matches!(
        net.hub.exec_gw_owner(GwExecuteMsg::RemoveCounterparty {
            connection_id: HUB_CONNECTION.into(),
            port_id: sat_port(),
        }),
        Err(GwError::ChannelExists { .. })
    ));
    // the role is fixed at instantiation: a hub gateway takes no satellite deposit
    let someone = net.hub.addr("someone");
    assert!(matches!(
        net.hub.exec_gw(
            &someone,
            GwExecuteMsg::RemoteDeposit {
                channel_id: HUB_CHANNEL.into(),
                account_id: 1,
            },
            &[coin(1, ATOM)],
        ),
        Err(GwError::WrongIbcRole { .. })
    ));
    // only the owner configures
    let mallory = net.hub.addr("mallory");
    assert!(net
        .hub
        .exec_gw(
            &mallory,
            GwExecuteMsg::AllowCounterparty(CounterpartyConfig {
                connection_id: "connection-9".into(),
                port_id: "wasm.evil".into(),
                remote_haircut: Decimal::zero(),
                remote_insurance_addr: None,
            }),
            &[],
        )
        .is_err());
}

#[test]
fn a_relayer_cannot_close_our_side_but_the_owner_can() {
    let mut net = Net::new();
    assert!(matches!(
        net.hub
            .ibc_close(IbcChannelCloseMsg::new_init(hub_channel())),
        Err(GwError::CloseNotAllowed { .. })
    ));
    let msgs = net
        .hub
        .exec_gw_owner(GwExecuteMsg::CloseChannel {
            channel_id: HUB_CHANNEL.into(),
        })
        .unwrap();
    assert_eq!(
        msgs,
        vec![cosmwasm_std::IbcMsg::CloseChannel {
            channel_id: HUB_CHANNEL.into()
        }]
    );
    net.hub
        .ibc_close(IbcChannelCloseMsg::new_init(hub_channel()))
        .unwrap();
    let channels: Vec<ChannelInfo> = net.hub.query_gw(GwQueryMsg::Channels {
        start_after: None,
        limit: None,
    });
    assert_eq!(channels[0].state, ChannelState::Closed);
    // a new channel with the same counterparty may open after the close (the satellite
    // initiates, the hub answers with OpenTry)
    let mut ch = hub_channel();
    ch.endpoint.channel_id = "channel-1".into();
    net.hub
        .ibc_open(IbcChannelOpenMsg::new_try(ch, IBC_VERSION))
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// Deposits

#[test]
fn deposit_is_credited_on_receive_and_locked_on_ack() {
    let mut net = Net::new();
    let id = net.open_account("alice");
    net.sat_deposit("alice", id, 10_000_000).unwrap();
    // in flight: the hub has credited nothing, the satellite holds it as pending
    assert!(positions(&net, id).is_empty());
    assert_eq!(lock(&net, id).locked, Uint128::zero());
    assert_eq!(net.sat_in_flight_deposits(), Uint128::new(10_000_000));
    net.assert_invariants();

    let ack = net.deliver(0);
    let ok: AckOk = match from_json::<VaultAck>(&ack).unwrap() {
        VaultAck::Result(b) => from_json(b).unwrap(),
        VaultAck::Error(e) => panic!("refused: {e}"),
    };
    assert!(!ok.duplicate);
    assert_eq!(positions(&net, id)[0].amount, Uint128::new(10_000_000));
    net.assert_invariants();

    net.relay_ack(0);
    let l = lock(&net, id);
    assert_eq!(l.locked, Uint128::new(10_000_000));
    assert_eq!(l.owner, Some(net.sat.addr("alice")));
    net.assert_agree(&[id]);

    // health: 10 ATOM × 10 USD × (1 − 20 % − 10 % remote haircut) = 70 USDC
    let h = health(&net, id);
    assert_eq!(h.collateral_value, Uint128::new(70_000_000));
    assert_eq!(h.equity, Int128::new(70_000_000));
}

#[test]
fn refused_deposit_writes_nothing_and_is_refunded_through_the_error_ack() {
    let mut net = Net::new();
    let id = net.open_account("alice");
    // mallory is not alice's authorised remote owner
    net.sat_deposit("mallory", id, 5_000_000).unwrap();
    let before = dump_without_markers(&net.hub);
    let ack = net.deliver(0);
    assert!(ack_error(&ack)
        .unwrap()
        .contains("not the authorised remote owner"));
    assert_eq!(dump_without_markers(&net.hub), before);
    net.relay_ack(0);
    assert_eq!(claimable(&net, "mallory"), Uint128::new(5_000_000));
    net.assert_agree(&[id]);

    let mallory = net.sat.addr("mallory");
    net.sat
        .exec_gw(
            &mallory,
            GwExecuteMsg::ClaimRefund { denom: ATOM.into() },
            &[],
        )
        .unwrap();
    assert_eq!(claimable(&net, "mallory"), Uint128::zero());
    assert!(net.sat.balance(&net.sat.gateway_addr, ATOM).is_zero());
    net.sat.assert_conserved();
    assert_eq!(
        net.sat.exec_gw(
            &mallory,
            GwExecuteMsg::ClaimRefund { denom: ATOM.into() },
            &[]
        ),
        Err(GwError::NothingToClaim)
    );
}

#[test]
fn deposit_over_the_cap_is_refused() {
    let mut net = Net::new();
    net.list_atom(Uint128::new(15_000_000));
    let id = net.open_account("alice");
    net.sat_deposit("alice", id, 10_000_000).unwrap();
    net.sat_deposit("alice", id, 10_000_000).unwrap();
    assert!(is_ok_ack(&net.deliver(0)));
    assert!(ack_error(&net.deliver(0)).unwrap().contains("cap"));
    net.flush();
    assert_eq!(lock(&net, id).locked, Uint128::new(10_000_000));
    assert_eq!(claimable(&net, "alice"), Uint128::new(10_000_000));
    net.assert_agree(&[id]);
}

#[test]
fn deposit_timeout_refunds_and_never_credits() {
    let mut net = Net::new();
    let id = net.open_account("alice");
    net.sat_deposit("alice", id, 3_000_000).unwrap();
    net.time_out(0);
    assert_eq!(claimable(&net, "alice"), Uint128::new(3_000_000));
    assert!(positions(&net, id).is_empty());
    net.assert_agree(&[id]);
}

// ---------------------------------------------------------------------------------------------
// Withdrawals

#[test]
fn withdrawal_is_debited_first_and_finalized_on_ack() {
    let (mut net, id) = funded();
    net.hub_withdraw("alice", id, 4_000_000, "alice").unwrap();
    // debited at send: pending out counts zero in health
    let p = &positions(&net, id)[0];
    assert_eq!(p.amount, Uint128::new(6_000_000));
    assert_eq!(p.pending_out, Uint128::new(4_000_000));
    assert_eq!(health(&net, id).collateral_value, Uint128::new(42_000_000));
    net.assert_invariants();

    assert!(is_ok_ack(&net.deliver(0)));
    // released on the satellite, after reporting the outflow to the satellite's breaker
    match &net.last_receive_msgs[0] {
        cosmwasm_std::CosmosMsg::Wasm(cosmwasm_std::WasmMsg::Execute { msg, .. }) => assert_eq!(
            from_json::<bulwark_types::circuit_breaker::ExecuteMsg>(msg).unwrap(),
            bulwark_types::circuit_breaker::ExecuteMsg::ReportOutflow {
                denom: ATOM.into(),
                channel: Some(SAT_CHANNEL.into()),
                amount: Uint128::new(4_000_000),
                reference_value: Uint128::new(10_000_000),
            }
        ),
        other => panic!("expected the outflow report first, got {other:?}"),
    }
    assert_eq!(lock(&net, id).locked, Uint128::new(6_000_000));
    assert_eq!(
        net.sat.balance(&net.sat.gateway_addr, ATOM),
        Uint128::new(6_000_000)
    );
    net.assert_invariants();
    net.relay_ack(0);
    assert_eq!(positions(&net, id)[0].pending_out, Uint128::zero());
    net.assert_agree(&[id]);

    // only the account owner, and never more than the position
    let bob = net.hub.addr("bob");
    assert!(matches!(
        net.hub_exec(
            &bob,
            ExecuteMsg::WithdrawRemote {
                account_id: id,
                channel_id: HUB_CHANNEL.into(),
                denom: ATOM.into(),
                amount: Uint128::one(),
                recipient: "x".into(),
            },
            &[],
        ),
        Err(ContractError::NotAccountOwner { .. })
    ));
    assert!(matches!(
        net.hub_withdraw("alice", id, 6_000_001, "alice"),
        Err(ContractError::InsufficientBalance { .. })
    ));
}

#[test]
fn withdrawal_error_ack_rolls_back() {
    let (mut net, id) = funded();
    let who = net.hub.addr("alice");
    // the satellite cannot send to an invalid address: it refuses with an error ack
    net.hub_exec(
        &who,
        ExecuteMsg::WithdrawRemote {
            account_id: id,
            channel_id: HUB_CHANNEL.into(),
            denom: ATOM.into(),
            amount: Uint128::new(4_000_000),
            recipient: "not-an-address".into(),
        },
        &[],
    )
    .unwrap();
    let before = dump_without_markers(&net.sat);
    let ack = net.deliver(0);
    assert!(ack_error(&ack).is_some());
    assert_eq!(dump_without_markers(&net.sat), before);
    net.relay_ack(0);
    let p = &positions(&net, id)[0];
    assert_eq!(p.amount, Uint128::new(10_000_000));
    assert_eq!(p.pending_out, Uint128::zero());
    net.assert_agree(&[id]);
}

#[test]
fn withdrawal_timeout_rolls_back() {
    let (mut net, id) = funded();
    net.hub_withdraw("alice", id, 10_000_000, "bob").unwrap();
    assert_eq!(positions(&net, id)[0].amount, Uint128::zero());
    net.time_out(0);
    assert_eq!(positions(&net, id)[0].amount, Uint128::new(10_000_000));
    net.assert_agree(&[id]);
}

// ---------------------------------------------------------------------------------------------
// Replays, unknown channels, unreadable acks

#[test]
fn a_replayed_packet_is_not_applied_twice() {
    let mut net = Net::new();
    let id = net.open_account("alice");
    net.sat_deposit("alice", id, 2_000_000).unwrap();
    let (dir, packet) = net.in_flight[0].clone();
    net.deliver(0);
    // the same packet again: acknowledged as a duplicate, nothing credited again
    let before = net.hub.dump();
    let ack = net.receive(dir, packet.clone());
    match from_json::<VaultAck>(&ack).unwrap() {
        VaultAck::Result(b) => assert!(from_json::<AckOk>(b).unwrap().duplicate),
        VaultAck::Error(e) => panic!("{e}"),
    }
    assert_eq!(net.hub.dump(), before);
    // both acks reach the satellite: the second finds the transfer resolved
    net.relay_ack(0);
    net.relay_ack(0);
    assert_eq!(lock(&net, id).locked, Uint128::new(2_000_000));
    net.assert_agree(&[id]);

    // a refused packet replayed is refused again, even once it would now pass
    net.sat_deposit("carol", id, 1_000_000).unwrap();
    let (dir, packet) = net.in_flight[0].clone();
    assert!(ack_error(&net.deliver(0)).is_some());
    let carol = net.sat.addr("carol").to_string();
    let alice = net.hub.addr("alice");
    net.hub
        .exec(
            &alice,
            ExecuteMsg::SetRemoteOwner {
                account_id: id,
                channel_id: HUB_CHANNEL.into(),
                remote_addr: Some(carol),
            },
            &[],
        )
        .unwrap();
    assert!(ack_error(&net.receive(dir, packet)).is_some());
    net.flush();
    assert_eq!(claimable(&net, "carol"), Uint128::new(1_000_000));
    net.assert_agree(&[id]);
}

#[test]
fn a_packet_from_an_unknown_channel_is_refused_without_writes() {
    let mut net = Net::new();
    let id = net.open_account("alice");
    let packet = IbcPacket::new(
        cosmwasm_std::to_json_binary(&VaultPacket::Deposit {
            transfer_id: 1,
            account_id: id,
            denom: ATOM.into(),
            amount: Uint128::new(1_000_000),
            depositor: net.sat.addr("alice").to_string(),
        })
        .unwrap(),
        IbcEndpoint {
            port_id: "wasm.evil".into(),
            channel_id: "channel-66".into(),
        },
        IbcEndpoint {
            port_id: hub_port(),
            channel_id: "channel-77".into(),
        },
        1,
        IbcTimeout::with_timestamp(Timestamp::from_seconds(4_000_000_000)),
    );
    let before = net.hub.dump();
    let (ack_bytes, _) = net.hub.receive(packet);
    assert!(ack_error(&ack_bytes).unwrap().contains("unknown channel"));
    assert_eq!(net.hub.dump(), before);

    // garbage on our own channel: an error ack, nothing written
    let garbage = IbcPacket::new(
        Binary::from(b"{\"steal\":{}}".to_vec()),
        hub_channel().counterparty_endpoint,
        hub_channel().endpoint,
        9,
        IbcTimeout::with_timestamp(Timestamp::from_seconds(4_000_000_000)),
    );
    let (ack_bytes, _) = net.hub.receive(garbage);
    assert!(ack_error(&ack_bytes).is_some());
    assert_eq!(net.hub.dump(), before);

    // a packet of the wrong direction (a release sent to the hub) is refused
    let wrong = IbcPacket::new(
        cosmwasm_std::to_json_binary(&VaultPacket::Release {
            transfer_id: 5,
            account_id: id,
            denom: ATOM.into(),
            amount: Uint128::one(),
            recipient: "x".into(),
            kind: bulwark_types::ibc::ReleaseKind::Withdraw,
        })
        .unwrap(),
        hub_channel().counterparty_endpoint,
        hub_channel().endpoint,
        10,
        IbcTimeout::with_timestamp(Timestamp::from_seconds(4_000_000_000)),
    );
    let ack = net.receive(Dir::ToHub, wrong);
    assert!(ack_error(&ack).is_some());
    net.acks.clear();
}

#[test]
fn an_unreadable_ack_becomes_stuck_state_and_the_owner_recovers_it() {
    let mut net = Net::new();
    let id = net.open_account("alice");
    net.sat_deposit("alice", id, 2_000_000).unwrap();
    net.deliver(0);
    let (dir, packet, _) = net.acks.remove(0);
    // the ack handler does not fail on garbage; it records the transfer as stuck
    net.ack_to_sender(dir, packet, Binary::from(b"not json".to_vec()));
    let rec: Option<TransferRecord> = net.sat.query_gw(GwQueryMsg::Transfer {
        channel_id: SAT_CHANNEL.into(),
        transfer_id: 1,
    });
    let rec = rec.unwrap();
    assert_eq!(rec.status, TransferStatus::Stuck);
    assert!(rec.error.is_some());
    net.assert_invariants();
    // an in-flight transfer on an open channel cannot be recovered; a stuck one can. The
    // owner reads the hub's `Received` to learn the outcome.
    let received: Option<bool> = net.hub.query_gw(GwQueryMsg::Received {
        channel_id: HUB_CHANNEL.into(),
        transfer_id: 1,
    });
    assert_eq!(received, Some(true));
    net.sat
        .exec_gw_owner(GwExecuteMsg::RecoverTransfer {
            channel_id: SAT_CHANNEL.into(),
            transfer_id: 1,
            delivered: true,
        })
        .unwrap();
    net.assert_agree(&[id]);

    net.sat_deposit("alice", id, 1_000_000).unwrap();
    assert!(matches!(
        net.sat.exec_gw_owner(GwExecuteMsg::RecoverTransfer {
            channel_id: SAT_CHANNEL.into(),
            transfer_id: 2,
            delivered: false,
        }),
        Err(GwError::TransferNotRecoverable { .. })
    ));
    net.flush();
    net.assert_agree(&[id]);
}

// ---------------------------------------------------------------------------------------------
// Channel closed mid-flight

#[test]
fn a_channel_closed_mid_flight_freezes_and_the_owner_recovers() {
    let (mut net, id) = funded();
    // in flight when the channel closes: a deposit (received at the hub, ack never relayed),
    // another deposit (never received) and a withdrawal (never received)
    net.sat_deposit("alice", id, 1_000_000).unwrap();
    net.deliver(0);
    net.sat_deposit("alice", id, 2_000_000).unwrap();
    net.hub_withdraw("alice", id, 3_000_000, "alice").unwrap();
    net.close_confirm_both();

    // frozen: worth nothing in health at the hub, no new traffic either way
    assert_eq!(health(&net, id).collateral_value, Uint128::zero());
    assert!(positions(&net, id).iter().all(|p| p.frozen));
    assert!(matches!(
        net.hub_withdraw("alice", id, 1, "alice"),
        Err(ContractError::ChannelClosed { .. })
    ));
    assert!(matches!(
        net.sat_deposit("alice", id, 1),
        Err(GwError::ChannelClosed { .. })
    ));

    // the relayer times the unreceived packets out on close
    net.time_out(0);
    net.time_out(0);
    assert_eq!(claimable(&net, "alice"), Uint128::new(2_000_000));
    // the received deposit's ack can no longer be relayed: the owner resolves it with the
    // hub's answer, then releases the locks to their owner on the satellite
    net.acks.clear();
    let received: Option<bool> = net.hub.query_gw(GwQueryMsg::Received {
        channel_id: HUB_CHANNEL.into(),
        transfer_id: 2,
    });
    assert_eq!(received, Some(true));
    net.sat
        .exec_gw_owner(GwExecuteMsg::RecoverTransfer {
            channel_id: SAT_CHANNEL.into(),
            transfer_id: 2,
            delivered: true,
        })
        .unwrap();
    assert_eq!(lock(&net, id).locked, Uint128::new(11_000_000));
    assert_eq!(
        net.hub.remote_totals(ATOM).credited,
        Uint128::new(11_000_000)
    );
    assert_eq!(health(&net, id).collateral_value, Uint128::zero());

    let alice_sat = net.sat.addr("alice");
    let mallory = net.sat.addr("mallory");
    assert!(net
        .sat
        .exec_gw(
            &mallory,
            GwExecuteMsg::RecoverLock {
                channel_id: SAT_CHANNEL.into(),
                account_id: id,
                denom: ATOM.into(),
                recipient: None,
            },
            &[],
        )
        .is_err());
    let alice_before = net.sat.balance(&alice_sat, ATOM);
    net.sat
        .exec_gw_owner(GwExecuteMsg::RecoverLock {
            channel_id: SAT_CHANNEL.into(),
            account_id: id,
            denom: ATOM.into(),
            recipient: None,
        })
        .unwrap();
    // the lock's 11 ATOM went to its recorded owner; the 2 ATOM refunds stay claimable
    assert_eq!(
        net.sat.balance(&alice_sat, ATOM),
        alice_before + Uint128::new(11_000_000)
    );
    assert_eq!(
        net.sat.balance(&net.sat.gateway_addr, ATOM),
        Uint128::new(2_000_000)
    );
    net.sat.assert_conserved();
    net.sat
        .exec_gw(
            &alice_sat,
            GwExecuteMsg::ClaimRefund { denom: ATOM.into() },
            &[],
        )
        .unwrap();
    assert!(net.sat.balance(&net.sat.gateway_addr, ATOM).is_zero());
    net.sat.assert_conserved();
}

// ---------------------------------------------------------------------------------------------
// Liquidation: seizure by packet

#[test]
fn a_keeper_buys_remote_collateral_of_a_liquidatable_account() {
    let (mut net, id) = funded();
    let keeper = net.hub.addr("keeper");
    let seize = |amount: u128| ExecuteMsg::SeizeRemote {
        account_id: id,
        channel_id: HUB_CHANNEL.into(),
        denom: ATOM.into(),
        amount: Uint128::new(amount),
        recipient: Some("keeper-on-satellite".into()),
    };
    // healthy: refused
    assert!(matches!(
        net.hub_exec(&keeper, seize(5_000_000), &[coin(50_000_000, USDC)]),
        Err(ContractError::NotLiquidatable { .. })
    ));
    put_in_debt(&mut net, id, 100_000_000);
    assert_eq!(health(&net, id).equity, Int128::new(-30_000_000));
    // with an insurance address on the satellite chain, an insolvent account's remote
    // collateral goes to insurance only (review 2, finding D); a chain without one lets
    // keepers buy it
    assert!(matches!(
        net.hub_exec(&keeper, seize(5_000_000), &[coin(49_500_001, USDC)]),
        Err(ContractError::InvalidParam { .. })
    ));
    net.hub_without_insurance();
    // 5 ATOM at 10 USD less the 1 % penalty: 49.5 USDC (+1 rounding)
    assert_eq!(
        net.hub_exec(&keeper, seize(5_000_000), &[coin(49_000_000, USDC)]),
        Err(ContractError::InsufficientPayment {
            required: Uint128::new(49_500_001),
            sent: Uint128::new(49_000_000)
        })
    );
    let keeper_sat = net.sat.addr("keeper").to_string();
    net.seize(id, 5_000_000, Some(keeper_sat.clone()), 49_500_001)
        .unwrap();
    // in flight: the collateral is debited, the payment not yet credited (escrow); health
    // counts min(escrow, counted value of the seized 5 ATOM) = 35 USDC meanwhile, so the
    // equity does not move (review finding 4)
    assert_eq!(health(&net, id).equity, Int128::new(-30_000_000));
    net.hub.assert_conserved();
    net.flush();
    // after the ack: −100 + 49.5 + 5 ATOM × 7 = −15.5
    assert_eq!(health(&net, id).equity, Int128::new(-15_499_999));
    assert_eq!(lock(&net, id).locked, Uint128::new(5_000_000));
    net.assert_agree(&[id]);

    // a failed seizure refunds the keeper's payment and restores the collateral
    net.seize(id, 1_000_000, Some(keeper_sat.to_string()), 9_900_001)
        .unwrap();
    net.time_out(0);
    let refund: Uint128 = net.hub.query(QueryMsg::Claimable {
        address: keeper.to_string(),
        denom: USDC.into(),
    });
    assert_eq!(refund, Uint128::new(9_900_001));
    net.hub
        .exec(&keeper, ExecuteMsg::ClaimRefund { denom: USDC.into() }, &[])
        .unwrap();
    assert_eq!(health(&net, id).equity, Int128::new(-15_499_999));
    net.assert_agree(&[id]);
}

#[test]
fn an_insolvent_account_s_remote_collateral_goes_to_the_remote_insurance_fund() {
    let (mut net, id) = funded();
    let keeper = net.hub.addr("keeper");
    let seize = ExecuteMsg::SeizeRemote {
        account_id: id,
        channel_id: HUB_CHANNEL.into(),
        denom: ATOM.into(),
        amount: Uint128::new(10_000_000),
        recipient: None,
    };
    assert_eq!(
        net.hub_exec(&keeper, seize.clone(), &[]),
        Err(ContractError::NotInsolvent { account_id: id })
    );
    put_in_debt(&mut net, id, 100_000_000);
    // no debt is socialized while the account still holds remote collateral
    assert_eq!(
        net.hub_exec(&keeper, ExecuteMsg::Liquidate { account_id: id }, &[]),
        Err(ContractError::RemoteCollateralFirst { account_id: id })
    );
    net.hub_exec(&keeper, seize, &[]).unwrap();
    // still in flight: the release could roll back
    assert_eq!(
        net.hub_exec(&keeper, ExecuteMsg::Liquidate { account_id: id }, &[]),
        Err(ContractError::RemoteCollateralFirst { account_id: id })
    );
    assert!(is_ok_ack(&net.deliver(0)));
    assert_eq!(
        net.sat.balance(&net.sat.gateway_addr, ATOM),
        Uint128::zero()
    );
    net.relay_ack(0);
    assert!(positions(&net, id).is_empty());
    net.assert_agree(&[id]);
    // now the debt is covered (here by the pool that lent it)
    net.hub_exec(&keeper, ExecuteMsg::Liquidate { account_id: id }, &[])
        .unwrap();
    assert_eq!(health(&net, id).equity, Int128::zero());
    net.hub.assert_conserved();
}

// ---------------------------------------------------------------------------------------------
// Breaker: withdrawals to remote chains

#[test]
fn remote_withdrawal_reports_its_outflow_per_channel() {
    let (mut net, id) = funded();
    let alice = net.hub.addr("alice");
    let sent = net
        .hub
        .exec(
            &alice,
            ExecuteMsg::WithdrawRemote {
                account_id: id,
                channel_id: HUB_CHANNEL.into(),
                denom: ATOM.into(),
                amount: Uint128::new(1_000_000),
                recipient: net.sat.addr("alice").to_string(),
            },
            &[],
        )
        .unwrap();
    // the vault's outflow report went to the breaker, the release packet out of the gateway
    let (breaker, msg) = net
        .hub
        .foreign_calls
        .last()
        .expect("an outflow report")
        .clone();
    assert_eq!(breaker, net.hub.addr("breaker").to_string());
    let report = from_json::<bulwark_types::circuit_breaker::ExecuteMsg>(&msg).unwrap();
    assert_eq!(
        report,
        bulwark_types::circuit_breaker::ExecuteMsg::ReportOutflow {
            denom: ATOM.into(),
            channel: Some(HUB_CHANNEL.into()),
            amount: Uint128::new(1_000_000),
            reference_value: Uint128::new(10_000_000),
        }
    );
    assert!(matches!(
        sent.as_slice(),
        [cosmwasm_std::IbcMsg::SendPacket { .. }]
    ));
}

// ---------------------------------------------------------------------------------------------
// ICS-20 deposit on arrival (ibc-hooks)

#[test]
fn ics20_hook_deposit_checks_the_derived_sender_and_the_authorisation() {
    use bulwark_types::vault::{CollateralConfig, DenomKind};
    const IBC_ATOM: &str = "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2";
    let mut net = Net::new();
    net.hub
        .exec_owner(ExecuteMsg::SetCollateral(CollateralConfig {
            denom: IBC_ATOM.into(),
            kind: DenomKind::Native,
            oracle_asset_id: ATOM_ASSET.into(),
            haircut: Decimal::percent(20),
            deposit_cap: Uint128::new(1_000_000_000),
            decimals: 6,
        }))
        .unwrap();
    let id = net.open_account("alice");
    let alice = net.hub.addr("alice");
    let transfer_channel = "channel-141";
    let remote_sender = "cosmos1tfejvgp5yzd8ypvn9t0e2uv2kcjf2laa8upya8";
    let intermediary: cosmwasm_std::Addr = net.hub.query(QueryMsg::HookIntermediateSender {
        channel_id: transfer_channel.into(),
        original_sender: remote_sender.into(),
    });
    let deposit = ExecuteMsg::HookDeposit {
        account_id: id,
        channel_id: transfer_channel.into(),
        original_sender: remote_sender.into(),
    };
    // not authorised yet: the hook fails, so the transfer is refunded by its error ack
    let before = net.hub.dump();
    assert!(matches!(
        net.hub
            .exec(&intermediary, deposit.clone(), &[coin(5_000_000, IBC_ATOM)]),
        Err(ContractError::NotRemoteOwner { .. })
    ));
    assert_eq!(net.hub.dump(), before);
    net.hub
        .exec(
            &alice,
            ExecuteMsg::SetHookSender {
                account_id: id,
                channel_id: transfer_channel.into(),
                original_sender: Some(remote_sender.into()),
            },
            &[],
        )
        .unwrap();
    // only the intermediate sender derived from (channel, original sender) may call it
    let mallory = net.hub.addr("mallory");
    assert!(matches!(
        net.hub
            .exec(&mallory, deposit.clone(), &[coin(5_000_000, IBC_ATOM)]),
        Err(ContractError::NotHookSender { .. })
    ));
    let other_channel: cosmwasm_std::Addr = net.hub.query(QueryMsg::HookIntermediateSender {
        channel_id: "channel-3".into(),
        original_sender: remote_sender.into(),
    });
    assert!(matches!(
        net.hub.exec(
            &other_channel,
            deposit.clone(),
            &[coin(5_000_000, IBC_ATOM)]
        ),
        Err(ContractError::NotHookSender { .. })
    ));
    net.hub
        .exec(&intermediary, deposit, &[coin(5_000_000, IBC_ATOM)])
        .unwrap();
    let account: bulwark_types::vault::AccountResponse =
        net.hub.query(QueryMsg::Account { account_id: id });
    assert_eq!(
        account.collateral,
        vec![(IBC_ATOM.to_string(), Uint128::new(5_000_000))]
    );
    net.hub.assert_conserved();
}

#[test]
fn breakers_on_both_sides_guard_remote_withdrawals_but_not_seizures() {
    use bulwark_types::circuit_breaker::ActionClass;
    let (mut net, id) = funded();
    // the hub's breaker blocks IbcOut: the withdrawal is refused, nothing sent
    net.hub.block(&[ActionClass::IbcOut]);
    assert_eq!(
        net.hub_withdraw("alice", id, 1_000_000, "alice"),
        Err(ContractError::ActionBlocked {
            action: ActionClass::IbcOut
        })
    );
    net.hub.block(&[]);
    // the satellite's breaker blocks IbcOut: its release is refused, the hub rolls back
    net.sat.block(&[ActionClass::IbcOut]);
    net.hub_withdraw("alice", id, 1_000_000, "alice").unwrap();
    let ack = net.deliver(0);
    assert!(ack_error(&ack).unwrap().contains("IbcOut"));
    net.relay_ack(0);
    assert_eq!(positions(&net, id)[0].amount, Uint128::new(10_000_000));
    net.assert_agree(&[id]);
    // deposits on the satellite follow its Deposit action
    net.sat.block(&[ActionClass::Deposit]);
    assert_eq!(
        net.sat_deposit("alice", id, 1),
        Err(GwError::ActionBlocked {
            action: ActionClass::Deposit
        })
    );
    // a seizure is not an outflow the satellite's breaker may stop
    net.sat.block(&[ActionClass::IbcOut, ActionClass::Withdraw]);
    put_in_debt(&mut net, id, 100_000_000);
    net.seize(id, 10_000_000, None, 0).unwrap();
    assert!(is_ok_ack(&net.deliver(0)));
    net.flush();
    net.assert_agree(&[id]);
}
