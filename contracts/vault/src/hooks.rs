//! ICS-20 deposit on arrival through the ibc-hooks middleware (Osmosis).
//!
//! The middleware moves the transferred coin to an intermediate account and calls the vault's
//! `execute` from it. That account is
//! `bech32(chain prefix, sha256(sha256("ibc-wasm-hook-intermediary") ++ "{channel}/{sender}"))`,
//! with `channel` the packet's destination channel on this chain and `sender` the original
//! sender on the source chain, so the vault recomputes it and refuses any other caller. When
//! the call fails the middleware answers the transfer with an error ack and the source chain
//! refunds the sender; the vault writes nothing.

use cosmwasm_std::{Addr, Api, CanonicalAddr, DepsMut, Env, MessageInfo, Response, StdResult};
use cw_storage_plus::Map;

use bulwark_types::circuit_breaker::{sha256, ActionClass};
use bulwark_types::vault::DenomKind;

use crate::error::ContractError;
use crate::execute::{credit_account, ensure_allowed, load_account, load_owned_account, one_coin};
use crate::remote::validate_remote_string;
use crate::state::CONFIG;

/// ibc-hooks' `SenderPrefix`.
pub const HOOK_SENDER_PREFIX: &str = "ibc-wasm-hook-intermediary";

/// The remote sender authorised per (account, transfer channel on this chain).
pub const HOOK_SENDERS: Map<(u64, &str), String> = Map::new("hook_snd");

/// The intermediate sender ibc-hooks executes the contract as, in this chain's bech32 prefix.
pub fn intermediate_sender(
    api: &dyn Api,
    channel_id: &str,
    original_sender: &str,
) -> StdResult<Addr> {
    let mut preimage = sha256(HOOK_SENDER_PREFIX.as_bytes()).to_vec();
    preimage.extend_from_slice(channel_id.as_bytes());
    preimage.push(b'/');
    preimage.extend_from_slice(original_sender.as_bytes());
    api.addr_humanize(&CanonicalAddr::from(sha256(&preimage).to_vec()))
}

pub fn set_hook_sender(
    deps: DepsMut,
    info: MessageInfo,
    account_id: u64,
    channel_id: String,
    original_sender: Option<String>,
) -> Result<Response, ContractError> {
    load_owned_account(deps.storage, account_id, &info.sender)?;
    validate_remote_string("channel_id", &channel_id)?;
    let res = Response::new()
        .add_attribute("action", "set_hook_sender")
        .add_attribute("account_id", account_id.to_string())
        .add_attribute("channel_id", &channel_id);
    match original_sender {
        Some(s) => {
            validate_remote_string("original_sender", &s)?;
            HOOK_SENDERS.save(deps.storage, (account_id, &channel_id), &s)?;
            Ok(res.add_attribute("original_sender", s))
        }
        None => {
            HOOK_SENDERS.remove(deps.storage, (account_id, &channel_id));
            Ok(res.add_attribute("original_sender", "none"))
        }
    }
}

pub fn hook_deposit(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    account_id: u64,
    channel_id: String,
    original_sender: String,
) -> Result<Response, ContractError> {
    let expected = intermediate_sender(deps.api, &channel_id, &original_sender)?;
    if info.sender != expected {
        return Err(ContractError::NotHookSender {
            sender: info.sender.to_string(),
            channel_id,
            original_sender,
        });
    }
    deposit_on_arrival(deps, env, info, account_id, channel_id, original_sender)
        .map(|r| r.add_attribute("action", "hook_deposit"))
}

/// ICS-20 deposit on arrival through the gateway's IBC callback (`GatewayMsg::Arrival`): the
/// gateway checked the receiver, the transfer channel and the memo, and forwards the coin the
/// transfer module credited it with. The account's owner must have authorised `sender` over
/// `channel_id` with `SetHookSender`, as for ibc-hooks. Any failure fails the callback, and
/// the transfer's error ack refunds the sender.
pub fn arrival(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    account_id: u64,
    channel_id: String,
    sender: String,
) -> Result<Response, ContractError> {
    if crate::remote::load_gateway(deps.storage)? != info.sender {
        return Err(ContractError::NotGateway);
    }
    deposit_on_arrival(deps, env, info, account_id, channel_id, sender)
        .map(|r| r.add_attribute("action", "arrival_deposit"))
}

/// Both paths once the caller is proven: the account's authorised sender over the transfer
/// channel, one coin of a listed collateral within its cap, the breaker's `Deposit`.
fn deposit_on_arrival(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    account_id: u64,
    channel_id: String,
    sender: String,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut account = load_account(deps.storage, account_id)?;
    let authorised = HOOK_SENDERS.may_load(deps.storage, (account_id, &channel_id))?;
    if authorised.as_deref() != Some(sender.as_str()) {
        return Err(ContractError::NotRemoteOwner {
            account_id,
            depositor: sender,
        });
    }
    let coin = one_coin(&info)?;
    ensure_allowed(&deps.as_ref(), &env, &config, ActionClass::Deposit)?;
    credit_account(
        deps.storage,
        &config,
        account_id,
        &mut account,
        &coin.denom,
        DenomKind::Native,
        coin.amount,
    )?;
    Ok(Response::new()
        .add_attribute("account_id", account_id.to_string())
        .add_attribute("channel_id", channel_id)
        .add_attribute("original_sender", sender)
        .add_attribute("denom", coin.denom)
        .add_attribute("amount", coin.amount))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::testing::MockApi;

    /// Vectors of Osmosis' own ibc-hooks test suite (`TestDeriveIntermediateSender`).
    #[test]
    fn derivation_matches_osmosis() {
        let api = MockApi::default().with_prefix("osmo");
        let cases = [
            (
                "channel-0",
                "cosmos1tfejvgp5yzd8ypvn9t0e2uv2kcjf2laa8upya8",
                "osmo1sguz3gtyl2tjsdulwxmtprd68xtd43yyep6g5c554utz642sr8rqcgw0q6",
            ),
            (
                "channel-1",
                "cosmos1tfejvgp5yzd8ypvn9t0e2uv2kcjf2laa8upya8",
                "osmo1svnare87kluww5hnltv24m4dg72hst0qqwm5xslsvnwd22gftcussaz5l7",
            ),
            (
                "channel-0",
                "osmo12smx2wdlyttvyzvzg54y2vnqwq2qjateuf7thj",
                "osmo1vz8evs4ek3vnz4f8wy86nw9ayzn67y28vtxzjgxv6achc4pa8gesqldfz0",
            ),
        ];
        for (channel, sender, expected) in cases {
            assert_eq!(
                intermediate_sender(&api, channel, sender).unwrap().as_str(),
                expected
            );
        }
    }
}
