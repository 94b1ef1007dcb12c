//! LP share representation. In `Ledger` mode shares live only in `LP_SHARES`/`TOTAL_SHARES`.
//! In `TokenFactory` mode they are also the Osmosis tokenfactory denom
//! `factory/{vault_addr}/{subdenom}`, created at instantiate; the vault is its admin and the only
//! minter/burner. `TOTAL_SHARES` stays the single source of truth of the share math and always
//! equals the denom's total supply: every mint and burn is emitted in the same message that
//! changes `TOTAL_SHARES` by the same amount. Per-holder balances are the bank's (`LP_SHARES` is
//! not used); shares of a pending withdrawal request are held by the vault.

use cosmwasm_std::{Addr, CosmosMsg, Storage, Uint128};
use cw_storage_plus::Item;
use osmosis_std::types::cosmos::base::v1beta1::Coin as ProtoCoin;
use osmosis_std::types::osmosis::tokenfactory::v1beta1::{MsgBurn, MsgCreateDenom, MsgMint};

use bulwark_types::vault::MAX_SUBDENOM_LEN;

use crate::error::ContractError;

/// The tokenfactory share denom; absent in ledger mode. Set once at instantiate.
pub const LP_SHARE_DENOM: Item<String> = Item::new("lp_share_denom");

/// Longest bank denom the SDK accepts.
const MAX_DENOM_LEN: usize = 128;

pub fn share_denom(storage: &dyn Storage) -> Result<Option<String>, ContractError> {
    Ok(LP_SHARE_DENOM.may_load(storage)?)
}

/// `factory/{vault_addr}/{subdenom}`, after checking the subdenom: 1..=44 bytes of ASCII
/// letters, digits, `.`, `_`, `-`; the full denom at most 128 bytes.
pub fn tokenfactory_denom(vault_addr: &Addr, subdenom: &str) -> Result<String, ContractError> {
    let invalid = |reason: &str| ContractError::InvalidParam {
        name: "lp_shares.subdenom".into(),
        reason: reason.into(),
    };
    if subdenom.is_empty() || subdenom.len() > MAX_SUBDENOM_LEN {
        return Err(invalid("must be 1..=44 bytes"));
    }
    if !subdenom
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
    {
        return Err(invalid("only ASCII letters, digits, '.', '_' and '-'"));
    }
    let denom = format!("factory/{vault_addr}/{subdenom}");
    if denom.len() > MAX_DENOM_LEN {
        return Err(invalid("the full denom exceeds 128 bytes"));
    }
    Ok(denom)
}

fn proto_coin(denom: &str, amount: Uint128) -> Option<ProtoCoin> {
    Some(ProtoCoin {
        denom: denom.to_string(),
        amount: amount.to_string(),
    })
}

pub fn create_denom_msg(vault_addr: &Addr, subdenom: &str) -> CosmosMsg {
    MsgCreateDenom {
        sender: vault_addr.to_string(),
        subdenom: subdenom.to_string(),
    }
    .into()
}

pub fn mint_msg(vault_addr: &Addr, denom: &str, amount: Uint128, to: &Addr) -> CosmosMsg {
    MsgMint {
        sender: vault_addr.to_string(),
        amount: proto_coin(denom, amount),
        mint_to_address: to.to_string(),
    }
    .into()
}

/// Burns shares held by the vault itself (a request's custody).
pub fn burn_msg(vault_addr: &Addr, denom: &str, amount: Uint128) -> CosmosMsg {
    MsgBurn {
        sender: vault_addr.to_string(),
        amount: proto_coin(denom, amount),
        burn_from_address: vault_addr.to_string(),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::Binary;

    fn stargate(msg: CosmosMsg) -> (String, Binary) {
        #[allow(deprecated)]
        match msg {
            CosmosMsg::Stargate { type_url, value } => (type_url, value),
            other => panic!("not a stargate message: {other:?}"),
        }
    }

    #[test]
    fn subdenom_validation() {
        let vault = Addr::unchecked("osmo1vault");
        assert_eq!(
            tokenfactory_denom(&vault, "blp").unwrap(),
            "factory/osmo1vault/blp"
        );
        for bad in ["", "a b", "x/y", "é", &"a".repeat(45)] {
            assert!(
                matches!(
                    tokenfactory_denom(&vault, bad),
                    Err(ContractError::InvalidParam { .. })
                ),
                "{bad:?}"
            );
        }
        let long = Addr::unchecked("a".repeat(80));
        assert!(matches!(
            tokenfactory_denom(&long, &"b".repeat(44)),
            Err(ContractError::InvalidParam { .. })
        ));
    }

    #[test]
    fn messages_encode_the_tokenfactory_protos() {
        let vault = Addr::unchecked("osmo1vault");
        let lp = Addr::unchecked("osmo1lp");
        let denom = "factory/osmo1vault/blp";

        let (url, value) = stargate(create_denom_msg(&vault, "blp"));
        assert_eq!(url, "/osmosis.tokenfactory.v1beta1.MsgCreateDenom");
        assert_eq!(url, MsgCreateDenom::TYPE_URL);
        assert_eq!(
            MsgCreateDenom::try_from(value).unwrap(),
            MsgCreateDenom {
                sender: "osmo1vault".into(),
                subdenom: "blp".into()
            }
        );

        let (url, value) = stargate(mint_msg(&vault, denom, Uint128::new(42), &lp));
        assert_eq!(url, "/osmosis.tokenfactory.v1beta1.MsgMint");
        assert_eq!(
            MsgMint::try_from(value).unwrap(),
            MsgMint {
                sender: "osmo1vault".into(),
                amount: Some(ProtoCoin {
                    denom: denom.into(),
                    amount: "42".into()
                }),
                mint_to_address: "osmo1lp".into(),
            }
        );

        let (url, value) = stargate(burn_msg(&vault, denom, Uint128::new(7)));
        assert_eq!(url, "/osmosis.tokenfactory.v1beta1.MsgBurn");
        assert_eq!(
            MsgBurn::try_from(value).unwrap(),
            MsgBurn {
                sender: "osmo1vault".into(),
                amount: Some(ProtoCoin {
                    denom: denom.into(),
                    amount: "7".into()
                }),
                burn_from_address: "osmo1vault".into(),
            }
        );
    }
}
