//! The test bed on a running localnet (`scripts/chain start`): connect with the named keys,
//! deploy with a localnet plan, and check conservation through the bank module.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use bulwark_types::vault::{self, TotalsResponse};
use cosmwasm_std::Int128;

use crate::client::{ChainConfig, Client};
use crate::deploy::{deploy, hand_over, Cw20Token, DeployPlan, Deployment};
use crate::wallet::{Keyring, Wallet};

/// Denoms every localnet test account holds at genesis (`scripts/chain`).
pub const USDC: &str = "uusdc";
pub const ATOM: &str = "uatom";
/// Multisig members of the localnet DAO: two of three must vote yes.
pub const SIGNERS: [&str; 3] = ["signer1", "signer2", "signer3"];
pub const FEEDERS: [&str; 3] = ["feeder1", "feeder2", "feeder3"];
/// Actors whose balances the conservation check sums.
pub const ACTORS: [&str; 14] = [
    "deployer", "trader1", "trader2", "trader3", "keeper", "feeder1", "feeder2", "feeder3", "lp1",
    "lp2", "signer1", "signer2", "signer3", "relayer",
];

pub struct Bed {
    pub client: Client,
    pub keys: Keyring,
}

impl Bed {
    /// Connects to the chain named by the environment (`scripts/chain env`).
    pub fn connect() -> Result<Self> {
        let client = Client::new(ChainConfig::from_env()?);
        client
            .status()
            .context("is the localnet running? (scripts/chain start)")?;
        let keys = Keyring::load(&client)?;
        Ok(Self { client, keys })
    }

    /// Connects to localnet `name` of `scripts/chain` (its `env` output), for tests that drive
    /// several chains at once.
    pub fn connect_named(name: &str) -> Result<Self> {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/chain");
        let out = std::process::Command::new(script)
            .args(["env", name])
            .output()
            .with_context(|| format!("{script} env {name}"))?;
        if !out.status.success() {
            bail!(
                "{script} env {name}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let vars: BTreeMap<String, String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let client = Client::new(ChainConfig::from_lookup(|k| vars.get(k).cloned())?);
        client
            .status()
            .with_context(|| format!("is {name} running? (scripts/chain start {name})"))?;
        let keys = Keyring::load_from(&client, vars.get("BULWARK_KEYS").cloned())?;
        Ok(Self { client, keys })
    }

    pub fn key(&self, name: &str) -> &Wallet {
        // safe: every name used by the bed is one of the genesis accounts of scripts/chain
        self.keys.get(name).unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn signers(&self) -> Vec<&Wallet> {
        SIGNERS.iter().map(|s| self.key(s)).collect()
    }

    /// The localnet plan: three signers (2 of 3), the three feeders, short breaker cooldown
    /// and liquidation grace (so a test can loosen the breaker after a crash), a cw20 token
    /// held by the traders and LPs.
    pub fn plan(&self) -> DeployPlan {
        DeployPlan {
            voters: SIGNERS
                .iter()
                .map(|s| self.key(s).addr().to_string())
                .collect(),
            threshold: 2,
            max_voting_period_secs: 3600,
            feeders: FEEDERS
                .iter()
                .map(|s| self.key(s).addr().to_string())
                .collect(),
            breaker_cooldown_secs: 5,
            liquidation_grace_secs: 3,
            cw20_token: Some(Cw20Token {
                name: "Bulwark Test Token".into(),
                symbol: "BTT".into(),
                decimals: 6,
                balances: ["trader1", "trader2", "trader3", "lp1", "lp2"]
                    .iter()
                    .map(|n| (self.key(n).addr().to_string(), 1_000_000_000_000))
                    .collect(),
            }),
        }
    }

    /// Deploys and wires; the deployer keeps ownership (call [`Bed::hand_over`] when done
    /// configuring).
    pub fn deploy(&self) -> Result<Deployment> {
        deploy(&self.client, self.key("deployer"), &self.plan())
    }

    /// Hands ownership of all five contracts to the multisig.
    pub fn hand_over(&self, d: &Deployment) -> Result<()> {
        hand_over(&self.client, self.key("deployer"), d, &self.signers()[..2])?.ok()?;
        Ok(())
    }

    /// Balances of every actor and contract, per denom, for [`Ledger::check`].
    pub fn ledger(&self, d: &Deployment) -> Result<Ledger> {
        self.ledger_with(d, &[])
    }

    /// As [`Bed::ledger`], with more holders (e.g. an ICS-20 escrow account).
    pub fn ledger_with(&self, d: &Deployment, extra_holders: &[String]) -> Result<Ledger> {
        let mut holders: Vec<String> = ACTORS
            .iter()
            .map(|a| self.key(a).addr().to_string())
            .collect();
        holders.extend(d.contracts().iter().map(|(_, a)| a.to_string()));
        holders.push(d.multisig.clone());
        holders.extend_from_slice(extra_holders);
        let mut ledger = Ledger {
            holders,
            denoms: vec![
                USDC.into(),
                ATOM.into(),
                self.client.config.gas_denom.clone(),
            ],
            cw20: d.cw20.clone(),
            vault: d.vault.clone(),
            baseline: BTreeMap::new(),
            fees_baseline: self.client.fees_paid(),
        };
        ledger.baseline = ledger.sums(&self.client)?;
        Ok(ledger)
    }
}

/// Per-denom sums over a fixed set of holders (actors, contracts, the multisig).
pub struct Ledger {
    pub holders: Vec<String>,
    pub denoms: Vec<String>,
    pub cw20: Option<String>,
    pub vault: String,
    pub baseline: BTreeMap<String, u128>,
    fees_baseline: u128,
}

impl Ledger {
    fn sums(&self, client: &Client) -> Result<BTreeMap<String, u128>> {
        let mut sums = BTreeMap::new();
        for denom in &self.denoms {
            let mut total = 0u128;
            for h in &self.holders {
                total += client.balance(h, denom)?;
            }
            sums.insert(denom.clone(), total);
        }
        if let Some(token) = &self.cw20 {
            let mut total = 0u128;
            for h in &self.holders {
                let b: cw20::BalanceResponse =
                    client.query(token, &cw20::Cw20QueryMsg::Balance { address: h.clone() })?;
                total += b.balance.u128();
            }
            sums.insert(token.clone(), total);
        }
        Ok(sums)
    }

    /// For every denom, Σ holders is unchanged since the baseline, except the gas denom,
    /// which fell by exactly the fees paid; and the vault's ledgers equal its balances.
    pub fn check(&self, client: &Client) -> Result<()> {
        let now = self.sums(client)?;
        let fees = client.fees_paid() - self.fees_baseline;
        for (denom, before) in &self.baseline {
            let after = now.get(denom).copied().unwrap_or(0);
            let expected = if denom == &client.config.gas_denom {
                before - fees
            } else {
                *before
            };
            if after != expected {
                bail!("{denom} not conserved: {before} before, {after} now, expected {expected} (fees {fees})");
            }
        }
        check_vault_totals(client, &self.vault)
    }
}

/// The vault's per-denom ledgers equal its bank (or cw20) balances.
pub fn check_vault_totals(client: &Client, vault_addr: &str) -> Result<()> {
    let totals: Vec<TotalsResponse> = client.query(
        vault_addr,
        &vault::QueryMsg::Totals {
            start_after: None,
            limit: None,
        },
    )?;
    for t in &totals {
        let balance = Int128::try_from(t.balance)?;
        if balance != t.ledger_total {
            bail!(
                "vault {}: balance {} but ledgers {} ({t:?})",
                t.denom,
                t.balance,
                t.ledger_total
            );
        }
    }
    Ok(())
}
