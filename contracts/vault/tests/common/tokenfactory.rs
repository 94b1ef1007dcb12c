//! A multi-test `Stargate` handler implementing the Osmosis tokenfactory messages the vault
//! sends (`MsgCreateDenom`, `MsgMint`, `MsgBurn`) against the multi-test bank: a created denom is
//! `factory/{sender}/{subdenom}` with the sender as admin; only the admin mints (bank sudo
//! `Mint` to `mint_to_address`) and burns (a bank `Burn` from the admin itself, which must be
//! the `burn_from_address`). Every mint and burn is counted, so the tests can compare the
//! denom's supply with the vault's ledger.

use anyhow::{bail, ensure, Result as AnyResult};
use cosmwasm_std::{
    coins, Addr, Api, BankMsg, Binary, BlockInfo, CustomMsg, CustomQuery, Storage, Uint128,
};
use cw_multi_test::{AppResponse, BankSudo, CosmosRouter, Stargate, SudoMsg};
use osmosis_std::types::cosmos::base::v1beta1::Coin as ProtoCoin;
use osmosis_std::types::osmosis::tokenfactory::v1beta1::{MsgBurn, MsgCreateDenom, MsgMint};
use serde::de::DeserializeOwned;

/// Storage key prefix of the created denoms (value: the admin address).
const DENOM_PREFIX: &[u8] = b"tokenfactory-mock/denom/";

pub struct TokenFactoryMock;

fn admin_key(denom: &str) -> Vec<u8> {
    [DENOM_PREFIX, denom.as_bytes()].concat()
}

fn amount_of(coin: Option<ProtoCoin>) -> AnyResult<(String, Uint128)> {
    let coin = coin.ok_or_else(|| anyhow::anyhow!("missing amount"))?;
    let amount: Uint128 = coin.amount.parse()?;
    ensure!(!amount.is_zero(), "zero amount");
    Ok((coin.denom, amount))
}

fn ensure_admin(storage: &dyn Storage, denom: &str, sender: &Addr) -> AnyResult<()> {
    match storage.get(&admin_key(denom)) {
        None => bail!("denom {denom} does not exist"),
        Some(admin) if admin == sender.as_bytes() => Ok(()),
        Some(_) => bail!("{sender} is not the admin of {denom}"),
    }
}

/// The created denoms' admins, for tests.
pub fn denom_admin(storage: &dyn Storage, denom: &str) -> Option<String> {
    storage
        .get(&admin_key(denom))
        .map(|a| String::from_utf8_lossy(&a).into_owned())
}

impl Stargate for TokenFactoryMock {
    fn execute_stargate<ExecC, QueryC>(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        router: &dyn CosmosRouter<ExecC = ExecC, QueryC = QueryC>,
        block: &BlockInfo,
        sender: Addr,
        type_url: String,
        value: Binary,
    ) -> AnyResult<AppResponse>
    where
        ExecC: CustomMsg + DeserializeOwned + 'static,
        QueryC: CustomQuery + DeserializeOwned + 'static,
    {
        match type_url.as_str() {
            MsgCreateDenom::TYPE_URL => {
                let msg = MsgCreateDenom::try_from(value)?;
                ensure!(msg.sender == sender.as_str(), "sender mismatch");
                ensure!(!msg.subdenom.is_empty(), "empty subdenom");
                let denom = format!("factory/{}/{}", msg.sender, msg.subdenom);
                ensure!(
                    storage.get(&admin_key(&denom)).is_none(),
                    "denom {denom} already exists"
                );
                storage.set(&admin_key(&denom), sender.as_bytes());
                Ok(AppResponse::default())
            }
            MsgMint::TYPE_URL => {
                let msg = MsgMint::try_from(value)?;
                ensure!(msg.sender == sender.as_str(), "sender mismatch");
                let (denom, amount) = amount_of(msg.amount)?;
                ensure_admin(storage, &denom, &sender)?;
                let to = api.addr_validate(&msg.mint_to_address)?;
                router.sudo(
                    api,
                    storage,
                    block,
                    SudoMsg::Bank(BankSudo::Mint {
                        to_address: to.to_string(),
                        amount: coins(amount.u128(), denom),
                    }),
                )
            }
            MsgBurn::TYPE_URL => {
                let msg = MsgBurn::try_from(value)?;
                ensure!(msg.sender == sender.as_str(), "sender mismatch");
                ensure!(
                    msg.burn_from_address == sender.as_str(),
                    "burn_from_address must be the admin itself"
                );
                let (denom, amount) = amount_of(msg.amount)?;
                ensure_admin(storage, &denom, &sender)?;
                router.execute(
                    api,
                    storage,
                    block,
                    sender,
                    BankMsg::Burn {
                        amount: coins(amount.u128(), denom),
                    }
                    .into(),
                )
            }
            other => bail!("unexpected stargate message {other}"),
        }
    }
}
