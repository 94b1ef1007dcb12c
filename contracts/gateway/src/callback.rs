//! ICS-20 deposit on arrival through IBC callbacks (ADR-8 destination callbacks, wired by
//! wasmd's callbacks middleware on the transfer stack).
//!
//! A transfer to the gateway with the memo
//! `{"dest_callback":{"address":"<gateway>"},"bulwark":{"account_id":3}}` is received by the
//! transfer module (the coins reach the gateway), then the middleware calls
//! `ibc_destination_callback` here. The gateway checks that the receiver is itself and the
//! packet's destination channel is an allowed transfer channel, derives the coin's denom on
//! this chain, and passes it to the vault's `GatewayMsg::Arrival`, which checks the account's
//! authorised sender (`SetHookSender`), the collateral listing, the cap and the breaker. Any
//! failure fails the callback, and the middleware answers the transfer with an error ack:
//! the source chain refunds the sender and nothing stays here.

use cosmwasm_std::{
    from_json, Coin, DepsMut, Env, IbcBasicResponse, IbcDestinationCallbackMsg, IbcPacket, Uint128,
};

use bulwark_types::circuit_breaker::sha256;
use bulwark_types::gateway::ArrivalDeposit;
use bulwark_types::ibc::IbcRole;
use bulwark_types::vault::GatewayMsg;

use crate::error::ContractError;
use crate::execute::vault_msg;
use crate::state::{ensure_role, TRANSFER_CHANNELS};

/// ICS-20 packet data (v1), as the transfer module encodes it.
#[derive(cosmwasm_schema::serde::Deserialize)]
#[serde(crate = "cosmwasm_schema::serde")]
struct FungibleTokenPacketData {
    denom: String,
    amount: String,
    sender: String,
    receiver: String,
    #[serde(default)]
    memo: String,
}

/// The parts of the memo the gateway reads; other keys (e.g. `dest_callback.gas_limit`) are
/// the middleware's.
#[derive(cosmwasm_schema::serde::Deserialize)]
#[serde(crate = "cosmwasm_schema::serde")]
struct Memo {
    dest_callback: Option<DestCallback>,
    bulwark: Option<ArrivalDeposit>,
}

#[derive(cosmwasm_schema::serde::Deserialize)]
#[serde(crate = "cosmwasm_schema::serde")]
struct DestCallback {
    address: String,
}

fn bad(reason: impl Into<String>) -> ContractError {
    ContractError::InvalidArrival {
        reason: reason.into(),
    }
}

fn hex_upper(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 0x0f) as usize] as char);
    }
    s
}

/// Whether `path` starts with a `port/channel-N/` hop.
fn starts_with_hop(path: &str) -> bool {
    let mut parts = path.splitn(3, '/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(port), Some(channel), Some(_)) => {
            !port.is_empty()
                && channel
                    .strip_prefix("channel-")
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        }
        _ => false,
    }
}

/// The denom the transfer module credited on this chain for a packet's `denom` (ICS-20: a
/// coin coming back through the channel it left by loses that hop, any other gains ours; a
/// path with hops is `ibc/{SHA256(path)}`).
pub fn received_denom(packet: &IbcPacket, denom: &str) -> String {
    let source_prefix = format!("{}/{}/", packet.src.port_id, packet.src.channel_id);
    let path = match denom.strip_prefix(&source_prefix) {
        Some(rest) => rest.to_string(),
        None => format!(
            "{}/{}/{}",
            packet.dest.port_id, packet.dest.channel_id, denom
        ),
    };
    if starts_with_hop(&path) {
        format!("ibc/{}", hex_upper(&sha256(path.as_bytes())))
    } else {
        path
    }
}

pub fn destination_callback(
    deps: DepsMut,
    env: Env,
    msg: IbcDestinationCallbackMsg,
) -> Result<IbcBasicResponse, ContractError> {
    let cfg = ensure_role(deps.storage, IbcRole::Hub)?;
    let packet = &msg.packet;
    // the transfer module answered with an error: nothing arrived, nothing to do
    if from_json::<AckShape>(&msg.ack.data).is_ok_and(|a| a.error.is_some()) {
        return Ok(IbcBasicResponse::new()
            .add_attribute("action", "arrival")
            .add_attribute("result", "transfer_failed"));
    }
    let data: FungibleTokenPacketData =
        from_json(&packet.data).map_err(|e| bad(format!("not an ICS-20 packet: {e}")))?;
    if data.receiver != env.contract.address.as_str() {
        return Err(bad("the transfer's receiver is not the gateway"));
    }
    let channel_id = packet.dest.channel_id.clone();
    if !TRANSFER_CHANNELS.has(deps.storage, &channel_id) {
        return Err(ContractError::TransferChannelNotAllowed { channel_id });
    }
    let memo: Memo = from_json(data.memo.as_bytes()).map_err(|e| bad(format!("memo: {e}")))?;
    if memo
        .dest_callback
        .as_ref()
        .is_none_or(|c| c.address != env.contract.address.as_str())
    {
        return Err(bad("the memo's dest_callback does not name the gateway"));
    }
    let deposit = memo
        .bulwark
        .ok_or_else(|| bad("the memo has no bulwark deposit"))?;
    let amount: Uint128 = data
        .amount
        .parse()
        .map_err(|_| bad("the amount is not a number"))?;
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount);
    }
    let denom = received_denom(packet, &data.denom);
    let coin = Coin::new(amount, denom.clone());
    let forward = vault_msg(
        &cfg,
        GatewayMsg::Arrival {
            account_id: deposit.account_id,
            channel_id: channel_id.clone(),
            sender: data.sender.clone(),
        },
        vec![coin],
    )?;
    Ok(IbcBasicResponse::new()
        .add_message(forward)
        .add_attribute("action", "arrival")
        .add_attribute("channel_id", channel_id)
        .add_attribute("account_id", deposit.account_id.to_string())
        .add_attribute("sender", data.sender)
        .add_attribute("denom", denom)
        .add_attribute("amount", amount))
}

/// The ICS-20 acknowledgement: `{"result":"AQ=="}` or `{"error":"..."}`.
#[derive(cosmwasm_schema::serde::Deserialize)]
#[serde(crate = "cosmwasm_schema::serde")]
struct AckShape {
    error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::{Binary, IbcEndpoint, IbcTimeout, Timestamp};

    fn packet(src: (&str, &str), dest: (&str, &str)) -> IbcPacket {
        IbcPacket::new(
            Binary::default(),
            IbcEndpoint {
                port_id: src.0.into(),
                channel_id: src.1.into(),
            },
            IbcEndpoint {
                port_id: dest.0.into(),
                channel_id: dest.1.into(),
            },
            1,
            IbcTimeout::with_timestamp(Timestamp::from_seconds(1)),
        )
    }

    /// ATOM from the Cosmos Hub over Osmosis' channel-0 is the well-known
    /// `ibc/27394FB0…5EB2` there.
    #[test]
    fn voucher_denom_of_a_native_coin() {
        let p = packet(("transfer", "channel-141"), ("transfer", "channel-0"));
        assert_eq!(
            received_denom(&p, "uatom"),
            "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2"
        );
    }

    #[test]
    fn a_coin_going_home_unwinds() {
        let p = packet(("transfer", "channel-7"), ("transfer", "channel-3"));
        assert_eq!(received_denom(&p, "transfer/channel-7/ustake"), "ustake");
        // a base denom with slashes stays native
        assert_eq!(
            received_denom(&p, "transfer/channel-7/factory/cosmos1x/sub"),
            "factory/cosmos1x/sub"
        );
        // a second hop stays a voucher
        let two = received_denom(&p, "transfer/channel-7/transfer/channel-9/uosmo");
        assert_eq!(
            two,
            format!("ibc/{}", hex_upper(&sha256(b"transfer/channel-9/uosmo")))
        );
    }
}
