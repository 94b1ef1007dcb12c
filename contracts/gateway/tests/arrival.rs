//! ICS-20 deposit on arrival through the hub gateway's IBC destination callback: the
//! gateway checks the receiver, the transfer channel and the memo, the vault the account's
//! authorised sender, the listing, the cap and the breaker. Any failure reverts the whole
//! receive (the middleware's error ack refunds the sender), so nothing stays on the hub.
mod ibc_common;

use bulwark_types::circuit_breaker::ActionClass;
use bulwark_types::gateway::ExecuteMsg as GwExecuteMsg;
use bulwark_types::vault::{AccountResponse, CollateralConfig, DenomKind, ExecuteMsg, QueryMsg};
use cosmwasm_std::{
    to_json_binary, Coin, Decimal, IbcEndpoint, IbcPacket, IbcTimeout, Timestamp, Uint128,
};
use ibc_common::*;

const XFER: &str = "channel-4";
const SENDER: &str = "cosmos1remotesender";

fn packet(receiver: &str, memo: &str, amount: &str) -> IbcPacket {
    let data = serde_json::json!({
        "denom": "uatom",
        "amount": amount,
        "sender": SENDER,
        "receiver": receiver,
        "memo": memo,
    });
    IbcPacket::new(
        to_json_binary(&data).unwrap(),
        IbcEndpoint {
            port_id: "transfer".into(),
            channel_id: "channel-1".into(),
        },
        IbcEndpoint {
            port_id: "transfer".into(),
            channel_id: XFER.into(),
        },
        1,
        IbcTimeout::with_timestamp(Timestamp::from_seconds(u64::MAX / 2_000_000_000)),
    )
}

fn memo(gateway: &str, account_id: u64) -> String {
    serde_json::json!({"dest_callback": {"address": gateway}, "bulwark": {"account_id": account_id}})
        .to_string()
}

/// The voucher of uatom over `XFER`, listed as hub collateral; alice's account authorises
/// `SENDER` over `XFER`; the gateway allows `XFER`.
fn setup() -> (Net, u64, String) {
    let mut net = Net::new();
    let id = net.open_account("alice");
    let voucher = bulwark_gateway::callback::received_denom(&packet("x", "", "1"), "uatom");
    net.hub
        .exec_owner(ExecuteMsg::SetCollateral(CollateralConfig {
            denom: voucher.clone(),
            kind: DenomKind::Native,
            oracle_asset_id: ATOM_ASSET.into(),
            haircut: Decimal::percent(20),
            deposit_cap: Uint128::new(1_000_000_000),
            decimals: 6,
        }))
        .unwrap();
    let alice = net.hub.addr("alice");
    net.hub
        .exec(
            &alice,
            ExecuteMsg::SetHookSender {
                account_id: id,
                channel_id: XFER.into(),
                original_sender: Some(SENDER.into()),
            },
            &[],
        )
        .unwrap();
    net.hub
        .exec_gw_owner(GwExecuteMsg::SetTransferChannel {
            channel_id: XFER.into(),
            allowed: true,
        })
        .unwrap();
    (net, id, voucher)
}

fn collateral(net: &Net, id: u64, denom: &str) -> Uint128 {
    let a: AccountResponse = net.hub.query(QueryMsg::Account { account_id: id });
    a.collateral
        .iter()
        .find(|(d, _)| d == denom)
        .map(|(_, x)| *x)
        .unwrap_or_default()
}

#[test]
fn a_transfer_with_a_deposit_memo_credits_the_account() {
    let (mut net, id, voucher) = setup();
    let gw = net.hub.gateway_addr.to_string();
    let sent = net
        .hub
        .arrival(
            packet(&gw, &memo(&gw, id), "5000000"),
            Coin::new(5_000_000u128, &voucher),
        )
        .unwrap();
    assert_eq!(sent.len(), 1, "one deposit into the vault");
    assert_eq!(collateral(&net, id, &voucher).u128(), 5_000_000);
    // the gateway forwarded everything; the vault's ledger holds it
    assert!(net.hub.balance(&net.hub.gateway_addr, &voucher).is_zero());
    assert_eq!(
        net.hub.balance(&net.hub.vault_addr(), &voucher).u128(),
        5_000_000
    );
    net.hub.assert_conserved();
    let h = health(&net, id);
    assert!(!h.collateral_value.is_zero(), "{h:?}");
}

/// Each refusal leaves both contracts' storage and every balance as they were.
#[test]
fn every_refusal_changes_nothing() {
    let (mut net, id, voucher) = setup();
    let gw = net.hub.gateway_addr.to_string();
    let coin = Coin::new(5_000_000u128, &voucher);
    let cases: Vec<(&str, IbcPacket, Coin)> = vec![
        (
            "receiver is not the gateway",
            packet(net.hub.addr("someone").as_ref(), &memo(&gw, id), "5000000"),
            coin.clone(),
        ),
        (
            "memo names another callback address",
            packet(&gw, &memo("cosmos1other", id), "5000000"),
            coin.clone(),
        ),
        (
            "memo without a deposit",
            packet(
                &gw,
                &serde_json::json!({"dest_callback": {"address": gw}}).to_string(),
                "5000000",
            ),
            coin.clone(),
        ),
        (
            "memo not JSON",
            packet(&gw, "deposit 3", "5000000"),
            coin.clone(),
        ),
        (
            "unknown account",
            packet(&gw, &memo(&gw, id + 100), "5000000"),
            coin.clone(),
        ),
        (
            "zero amount",
            packet(&gw, &memo(&gw, id), "0"),
            Coin::new(0u128, &voucher),
        ),
    ];
    for (what, p, c) in cases {
        let before = net.hub.dump();
        let bank = net.hub.bank.borrow().clone();
        assert!(net.hub.arrival(p, c).is_err(), "{what}: accepted");
        assert_eq!(net.hub.dump(), before, "{what}: storage changed");
        assert_eq!(*net.hub.bank.borrow(), bank, "{what}: balances changed");
    }
    assert!(collateral(&net, id, &voucher).is_zero());
}

#[test]
fn the_vault_refuses_an_unauthorised_sender_and_the_gateway_an_unknown_channel() {
    let (mut net, id, voucher) = setup();
    let gw = net.hub.gateway_addr.to_string();
    let coin = Coin::new(1_000u128, &voucher);
    // the owner revokes the sender: the vault refuses, the whole receive reverts
    let alice = net.hub.addr("alice");
    net.hub
        .exec(
            &alice,
            ExecuteMsg::SetHookSender {
                account_id: id,
                channel_id: XFER.into(),
                original_sender: None,
            },
            &[],
        )
        .unwrap();
    let before = net.hub.dump();
    let err = net
        .hub
        .arrival(packet(&gw, &memo(&gw, id), "1000"), coin.clone())
        .unwrap_err();
    assert!(err.contains("not the authorised remote owner"), "{err}");
    assert_eq!(net.hub.dump(), before);
    assert!(net.hub.balance(&net.hub.gateway_addr, &voucher).is_zero());
    // a channel the owner did not allow
    net.hub
        .exec(
            &alice,
            ExecuteMsg::SetHookSender {
                account_id: id,
                channel_id: XFER.into(),
                original_sender: Some(SENDER.into()),
            },
            &[],
        )
        .unwrap();
    net.hub
        .exec_gw_owner(GwExecuteMsg::SetTransferChannel {
            channel_id: XFER.into(),
            allowed: false,
        })
        .unwrap();
    let err = net
        .hub
        .arrival(packet(&gw, &memo(&gw, id), "1000"), coin.clone())
        .unwrap_err();
    assert!(err.contains("not allowed for deposit on arrival"), "{err}");
    // only the owner allows channels
    let mallory = net.hub.addr("mallory");
    assert!(net
        .hub
        .exec_gw(
            &mallory,
            GwExecuteMsg::SetTransferChannel {
                channel_id: XFER.into(),
                allowed: true,
            },
            &[],
        )
        .is_err());
    // nobody but the gateway may call the vault's Arrival
    assert!(matches!(
        net.hub.exec(
            &mallory,
            ExecuteMsg::Gateway(bulwark_types::vault::GatewayMsg::Arrival {
                account_id: id,
                channel_id: XFER.into(),
                sender: SENDER.into(),
            }),
            &[coin],
        ),
        Err(bulwark_vault::ContractError::NotGateway)
    ));
}

#[test]
fn a_paused_breaker_or_an_unlisted_denom_refuses_the_deposit() {
    let (mut net, id, voucher) = setup();
    let gw = net.hub.gateway_addr.to_string();
    net.hub.block(&[ActionClass::Deposit]);
    let err = net
        .hub
        .arrival(
            packet(&gw, &memo(&gw, id), "1000"),
            Coin::new(1_000u128, &voucher),
        )
        .unwrap_err();
    assert!(err.contains("blocks"), "{err}");
    net.hub.block(&[]);
    // a coin the vault does not list (the voucher of another channel's path)
    let err = net
        .hub
        .arrival(
            packet(&gw, &memo(&gw, id), "1000"),
            Coin::new(1_000u128, "ibc/0000"),
        )
        .unwrap_err();
    assert!(!err.is_empty());
    assert!(collateral(&net, id, &voucher).is_zero());
    net.hub.assert_conserved();
}

#[test]
fn a_satellite_gateway_takes_no_deposit_on_arrival() {
    let mut net = Net::new();
    let gw = net.sat.gateway_addr.to_string();
    let err = net
        .sat
        .arrival(
            packet(&gw, &memo(&gw, 1), "1000"),
            Coin::new(1_000u128, "ibc/X"),
        )
        .unwrap_err();
    assert!(err.contains("Hub"), "{err}");
    assert!(net
        .sat
        .exec_gw_owner(GwExecuteMsg::SetTransferChannel {
            channel_id: XFER.into(),
            allowed: true,
        })
        .is_err());
}
