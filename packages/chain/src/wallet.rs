//! Keys from BIP-39 mnemonics (Cosmos path m/44'/118'/0'/0/0) with the account number and
//! sequence the chain expects next.

use std::cell::Cell;
use std::collections::BTreeMap;

use anyhow::{anyhow, bail, Context, Result};
use cosmrs::crypto::secp256k1::SigningKey;
use cosmrs::crypto::PublicKey;
use cosmrs::AccountId;

use crate::client::Client;

pub struct Wallet {
    pub name: String,
    key: SigningKey,
    account_id: AccountId,
    account_number: Cell<Option<u64>>,
    sequence: Cell<u64>,
}

impl Wallet {
    pub fn from_mnemonic(name: &str, phrase: &str, prefix: &str) -> Result<Self> {
        let mnemonic = bip32::Mnemonic::new(phrase.trim(), bip32::Language::English)
            .map_err(|e| anyhow!("mnemonic of {name}: {e}"))?;
        let seed = mnemonic.to_seed("");
        let path = "m/44'/118'/0'/0/0"
            .parse()
            .map_err(|e| anyhow!("derivation path: {e}"))?;
        let key = SigningKey::derive_from_path(seed, &path).map_err(|e| anyhow!("{e}"))?;
        let account_id = key
            .public_key()
            .account_id(prefix)
            .map_err(|e| anyhow!("{e}"))?;
        Ok(Self {
            name: name.to_string(),
            key,
            account_id,
            account_number: Cell::new(None),
            sequence: Cell::new(0),
        })
    }

    /// Reads the account's number and next sequence from the chain.
    pub fn resync(&self, client: &Client) -> Result<()> {
        let (number, sequence) = client
            .account(self.account_id.as_ref())
            .with_context(|| format!("account of {}", self.name))?;
        self.account_number.set(Some(number));
        self.sequence.set(sequence);
        Ok(())
    }

    pub fn addr(&self) -> &str {
        self.account_id.as_ref()
    }

    pub fn account_id(&self) -> &AccountId {
        &self.account_id
    }

    pub fn public_key(&self) -> PublicKey {
        self.key.public_key()
    }

    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.key
    }

    pub(crate) fn account_number(&self) -> Result<u64> {
        self.account_number
            .get()
            .ok_or_else(|| anyhow!("wallet {} not synced with the chain", self.name))
    }

    pub(crate) fn sequence(&self) -> u64 {
        self.sequence.get()
    }

    pub(crate) fn bump_sequence(&self) {
        self.sequence.set(self.sequence.get() + 1);
    }
}

/// The named keys of a localnet: `scripts/chain` writes `name<TAB>address<TAB>mnemonic` lines
/// to `$BULWARK_HOME/keys.tsv`. On a public network, BULWARK_MNEMONIC gives the deployer.
pub struct Keyring {
    pub wallets: BTreeMap<String, Wallet>,
}

impl Keyring {
    pub fn load(client: &Client) -> Result<Self> {
        Self::load_from(client, std::env::var("BULWARK_KEYS").ok())
    }

    /// As [`Keyring::load`], from the keys file at `keys_path` (a localnet's `keys.tsv`).
    pub fn load_from(client: &Client, keys_path: Option<String>) -> Result<Self> {
        let prefix = &client.config.bech32_prefix;
        let mut wallets = BTreeMap::new();
        if let Some(path) = keys_path {
            let text = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let mut parts = line.split('\t');
                let (Some(name), Some(addr), Some(phrase)) =
                    (parts.next(), parts.next(), parts.next())
                else {
                    bail!("{path}: malformed line");
                };
                let w = Wallet::from_mnemonic(name, phrase, prefix)?;
                if w.addr() != addr {
                    bail!("{path}: {name} derives to {} not {addr}", w.addr());
                }
                wallets.insert(name.to_string(), w);
            }
        }
        if let Ok(phrase) = std::env::var("BULWARK_MNEMONIC") {
            wallets.insert(
                "deployer".to_string(),
                Wallet::from_mnemonic("deployer", &phrase, prefix)?,
            );
        }
        for w in wallets.values() {
            w.resync(client)?;
        }
        Ok(Self { wallets })
    }

    pub fn get(&self, name: &str) -> Result<&Wallet> {
        self.wallets
            .get(name)
            .ok_or_else(|| anyhow!("no key named {name}"))
    }
}
