//! Property test over random interleavings of the IBC collateral protocol between a hub and
//! a satellite vault: deposits (authorised or not, within or over the cap), withdrawals (to
//! valid or invalid recipients), deliveries in any order, acks relayed in any order,
//! timeouts and replayed packets. After every step the hub's credits never exceed what the
//! satellite holds for hub accounts and both ledgers match their bank balances; once every
//! packet resolves, both sides agree account by account.

mod ibc_common;

use cosmwasm_std::Uint128;
use proptest::prelude::*;

use bulwark_types::gateway::{ExecuteMsg as GwExecuteMsg, QueryMsg as GwQueryMsg};
use bulwark_types::ibc::{RemotePosition, TransferRecord, TransferStatus};
use bulwark_types::vault::{ExecuteMsg, QueryMsg};
use ibc_common::*;

#[derive(Debug, Clone)]
enum Op {
    /// `who` 0 and 1 own accounts 0 and 1 (authorised on the satellite); 2 is not authorised.
    Deposit {
        who: u8,
        account: u8,
        amount: u32,
    },
    Withdraw {
        account: u8,
        permille: u16,
        bad_recipient: bool,
    },
    Deliver {
        pick: u16,
    },
    RelayAck {
        pick: u16,
    },
    Timeout {
        pick: u16,
    },
    Replay {
        pick: u16,
    },
    Claim {
        who: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0u8..3, 0u8..2, 1u32..20_000_000).prop_map(|(who, account, amount)| Op::Deposit {
            who,
            account,
            amount
        }),
        2 => (0u8..2, 1u16..=1000, proptest::bool::weighted(0.2)).prop_map(
            |(account, permille, bad_recipient)| Op::Withdraw {
                account,
                permille,
                bad_recipient
            }
        ),
        4 => any::<u16>().prop_map(|pick| Op::Deliver { pick }),
        4 => any::<u16>().prop_map(|pick| Op::RelayAck { pick }),
        1 => any::<u16>().prop_map(|pick| Op::Timeout { pick }),
        1 => any::<u16>().prop_map(|pick| Op::Replay { pick }),
        1 => (0u8..3).prop_map(|who| Op::Claim { who }),
    ]
}

const NAMES: [&str; 3] = ["alice", "bob", "mallory"];

fn position(net: &Net, account_id: u64) -> Uint128 {
    let ps: Vec<RemotePosition> = net.hub.query(QueryMsg::RemotePositions { account_id });
    ps.iter().map(|p| p.amount).sum()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    #[test]
    fn hub_credits_never_exceed_satellite_locks(ops in proptest::collection::vec(op(), 1..60)) {
        let mut net = Net::new();
        // a cap the random deposits can reach
        net.list_atom(Uint128::new(60_000_000));
        let accounts = [net.open_account("alice"), net.open_account("bob")];
        for op in ops {
            match op {
                Op::Deposit { who, account, amount } => {
                    net.sat_deposit(NAMES[who as usize], accounts[account as usize], u128::from(amount))
                        .unwrap();
                }
                Op::Withdraw { account, permille, bad_recipient } => {
                    let id = accounts[account as usize];
                    let amount = position(&net, id).multiply_ratio(permille, 1000u16);
                    if amount.is_zero() {
                        continue;
                    }
                    let owner = net.hub.addr(NAMES[account as usize]);
                    let recipient = if bad_recipient {
                        "not-an-address".to_string()
                    } else {
                        net.sat.addr(NAMES[account as usize]).to_string()
                    };
                    net.hub_exec(
                        &owner,
                        ExecuteMsg::WithdrawRemote {
                            account_id: id,
                            channel_id: HUB_CHANNEL.into(),
                            denom: ATOM.into(),
                            amount,
                            recipient,
                        },
                        &[],
                    )
                    .unwrap();
                }
                Op::Deliver { pick } => {
                    if !net.in_flight.is_empty() {
                        let i = pick as usize % net.in_flight.len();
                        net.deliver(i);
                    }
                }
                Op::RelayAck { pick } => {
                    if !net.acks.is_empty() {
                        let i = pick as usize % net.acks.len();
                        net.relay_ack(i);
                    }
                }
                Op::Timeout { pick } => {
                    if !net.in_flight.is_empty() {
                        let i = pick as usize % net.in_flight.len();
                        net.time_out(i);
                    }
                }
                Op::Replay { pick } => {
                    if !net.delivered.is_empty() {
                        let i = pick as usize % net.delivered.len();
                        let (dir, packet) = net.delivered[i].clone();
                        net.receive(dir, packet);
                    }
                }
                Op::Claim { who } => {
                    let addr = net.sat.addr(NAMES[who as usize]);
                    // nothing to claim is a typed error; either way the ledger stays whole
                    let _ = net.sat.exec_gw(&addr, GwExecuteMsg::ClaimRefund { denom: ATOM.into() }, &[]);
                }
            }
            net.assert_invariants();
            for id in accounts {
                let lock: bulwark_types::ibc::SatelliteLock = net.sat.query_gw(GwQueryMsg::SatelliteLock {
                    channel_id: SAT_CHANNEL.into(),
                    account_id: id,
                    denom: ATOM.into(),
                });
                let in_flight: Vec<TransferRecord> = net.sat.transfers();
                let pending: Uint128 = in_flight
                    .iter()
                    .filter(|r| r.account_id == id)
                    .map(|r| r.amount)
                    .sum();
                prop_assert!(position(&net, id) <= lock.locked + pending);
                prop_assert!(in_flight.iter().all(|r| r.status == TransferStatus::InFlight));
            }
        }
        prop_assert!(net.hub.transfers().iter().all(|r| r.status == TransferStatus::InFlight));
        // resolve everything still in flight, then both sides agree
        net.flush();
        net.assert_agree(&accounts);
    }
}
