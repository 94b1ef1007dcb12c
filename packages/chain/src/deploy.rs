//! The deployment: store the optimized artifacts, instantiate the cw3 multisig (the DAO) and
//! the five contracts with the multisig as their wasm admin, wire them to each other, and hand
//! ownership to the multisig (two-step: the deployer proposes, a multisig proposal accepts).
//! The same code deploys to a localnet or a public network; only [`DeployPlan`] changes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use bulwark_types::circuit_breaker::{self as breaker, ReporterPermissions};
use bulwark_types::ownership::OwnershipAction;
use bulwark_types::vault::MarketKind;
use bulwark_types::{options, oracle, perps, vault};
use cosmwasm_std::{to_json_binary, Addr, CosmosMsg, Empty, WasmMsg};
use serde::{Deserialize, Serialize};

use crate::client::{Client, Gas, TxResult};
use crate::wallet::Wallet;

/// Our five contracts in deployment order, with their artifact and cw2 names.
pub const CONTRACTS: [(&str, &str); 5] = [
    ("oracle", "crates.io:bulwark-oracle"),
    ("circuit-breaker", "crates.io:bulwark-circuit-breaker"),
    ("vault", "crates.io:bulwark-vault"),
    ("perps", "crates.io:bulwark-perps"),
    ("options", "crates.io:bulwark-options"),
];

/// The optimized wasm files of `scripts/build-artifacts` and their committed checksums.
pub struct Artifacts {
    pub dir: PathBuf,
}

impl Artifacts {
    /// `BULWARK_ARTIFACTS`, or `artifacts/` of this repository.
    pub fn locate() -> Self {
        let dir = std::env::var("BULWARK_ARTIFACTS")
            .map(PathBuf::from)
            .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../artifacts"));
        Self { dir }
    }

    /// The file name of a crate's artifact (`circuit-breaker` → `bulwark_circuit_breaker.wasm`).
    pub fn file_of(name: &str) -> String {
        let base = name.replace('-', "_");
        if name.starts_with("cw") {
            format!("{base}.wasm")
        } else {
            format!("bulwark_{base}.wasm")
        }
    }

    pub fn wasm(&self, name: &str) -> Result<Vec<u8>> {
        let path = self.dir.join(Self::file_of(name));
        std::fs::read(&path).with_context(|| {
            format!(
                "reading {} (run scripts/build-artifacts first)",
                path.display()
            )
        })
    }

    /// `artifacts/checksums.txt` as file name → sha256 hex.
    pub fn checksums(&self) -> Result<BTreeMap<String, String>> {
        let path = self.dir.join("checksums.txt");
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        Ok(text
            .lines()
            .filter_map(|l| {
                let mut it = l.split_whitespace();
                Some((
                    it.nth(1)?.to_string(),
                    l.split_whitespace().next()?.to_string(),
                ))
            })
            .collect())
    }
}

/// What a deployment needs to know that differs between networks (a JSON file for
/// `bulwark-chain deploy --plan FILE`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeployPlan {
    /// Multisig members (addresses), each with weight 1.
    pub voters: Vec<String>,
    /// Yes votes needed to pass a proposal.
    pub threshold: u64,
    pub max_voting_period_secs: u64,
    /// Oracle feeders whitelisted at deployment.
    pub feeders: Vec<String>,
    pub breaker_cooldown_secs: u64,
    pub liquidation_grace_secs: u64,
    /// Also store and instantiate a cw20-base token (for cw20 collateral tests).
    #[serde(default)]
    pub cw20_token: Option<Cw20Token>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Cw20Token {
    pub name: String,
    pub symbol: String,
    pub decimals: u8,
    /// Initial balances: address → amount.
    pub balances: Vec<(String, u128)>,
}

/// Addresses and code ids of a deployment (also written to and read from JSON).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Deployment {
    pub chain_id: String,
    pub deployer: String,
    pub multisig: String,
    pub oracle: String,
    pub circuit_breaker: String,
    pub vault: String,
    pub perps: String,
    pub options: String,
    pub cw20: Option<String>,
    /// Artifact name → code id.
    pub code_ids: BTreeMap<String, u64>,
}

impl Deployment {
    /// Each of our contracts as (artifact name, address).
    pub fn contracts(&self) -> [(&'static str, &str); 5] {
        [
            ("oracle", &self.oracle),
            ("circuit-breaker", &self.circuit_breaker),
            ("vault", &self.vault),
            ("perps", &self.perps),
            ("options", &self.options),
        ]
    }
}

/// Stores, instantiates and wires everything; the deployer stays owner until [`hand_over`].
pub fn deploy(client: &Client, deployer: &Wallet, plan: &DeployPlan) -> Result<Deployment> {
    let artifacts = Artifacts::locate();
    let mut code_ids = BTreeMap::new();
    let mut names: Vec<&str> = CONTRACTS.iter().map(|(n, _)| *n).collect();
    names.push("cw3-fixed-multisig");
    if plan.cw20_token.is_some() {
        names.push("cw20-base");
    }
    for name in names {
        let code_id = client
            .store_code(deployer, artifacts.wasm(name)?)
            .with_context(|| format!("storing {name}"))?;
        code_ids.insert(name.to_string(), code_id);
    }
    let code = |n: &str| {
        code_ids
            .get(n)
            .copied()
            .ok_or_else(|| anyhow!("no code {n}"))
    };

    let multisig = client.instantiate(
        deployer,
        code("cw3-fixed-multisig")?,
        &cw3_fixed_multisig::msg::InstantiateMsg {
            voters: plan
                .voters
                .iter()
                .map(|v| cw3_fixed_multisig::msg::Voter {
                    addr: v.clone(),
                    weight: 1,
                })
                .collect(),
            threshold: cw_utils::Threshold::AbsoluteCount {
                weight: plan.threshold,
            },
            max_voting_period: cw_utils::Duration::Time(plan.max_voting_period_secs),
        },
        "bulwark-dao-multisig",
        None,
    )?;
    // Our contracts: the multisig is the wasm admin from the start; the deployer owns them
    // until the wiring is done.
    let owner = Addr::unchecked(deployer.addr());
    let admin = Some(multisig.as_str());
    let oracle_addr = client.instantiate(
        deployer,
        code("oracle")?,
        &bulwark_testing::oracle::instantiate_msg(&owner),
        "bulwark-oracle",
        admin,
    )?;
    let breaker_addr = client.instantiate(
        deployer,
        code("circuit-breaker")?,
        &breaker::InstantiateMsg {
            cooldown_secs: plan.breaker_cooldown_secs,
            liquidation_grace_secs: plan.liquidation_grace_secs,
            ..bulwark_testing::circuit_breaker::instantiate_msg(&owner)
        },
        "bulwark-circuit-breaker",
        admin,
    )?;
    let (oracle_a, breaker_a) = (
        Addr::unchecked(&oracle_addr),
        Addr::unchecked(&breaker_addr),
    );
    let vault_addr = client.instantiate(
        deployer,
        code("vault")?,
        &bulwark_testing::vault::instantiate_msg_with(&owner, &oracle_a, &breaker_a),
        "bulwark-vault",
        admin,
    )?;
    let vault_a = Addr::unchecked(&vault_addr);
    let perps_addr = client.instantiate(
        deployer,
        code("perps")?,
        &bulwark_testing::perps::instantiate_msg_with(&owner, &vault_a, &oracle_a, &breaker_a),
        "bulwark-perps",
        admin,
    )?;
    let options_addr = client.instantiate(
        deployer,
        code("options")?,
        &bulwark_testing::options::instantiate_msg_with(&owner, &vault_a, &oracle_a, &breaker_a),
        "bulwark-options",
        admin,
    )?;
    let cw20 = match &plan.cw20_token {
        Some(t) => Some(
            client.instantiate(
                deployer,
                code("cw20-base")?,
                &cw20_base::msg::InstantiateMsg {
                    name: t.name.clone(),
                    symbol: t.symbol.clone(),
                    decimals: t.decimals,
                    initial_balances: t
                        .balances
                        .iter()
                        .map(|(a, n)| cw20::Cw20Coin {
                            address: a.clone(),
                            amount: (*n).into(),
                        })
                        .collect(),
                    mint: None,
                    marketing: None,
                },
                "bulwark-test-cw20",
                None,
            )?,
        ),
        None => None,
    };

    // Wiring, in one transaction: feeders, the vault and the oracle as breaker reporters,
    // both markets registered at the vault.
    let mut msgs = vec![client.execute_msg(
        deployer,
        &oracle_addr,
        &oracle::ExecuteMsg::UpdateFeeders {
            add: plan.feeders.clone(),
            remove: vec![],
        },
        &[],
    )?];
    for reporter in [&vault_addr, &oracle_addr] {
        msgs.push(client.execute_msg(
            deployer,
            &breaker_addr,
            &breaker::ExecuteMsg::SetReporter {
                reporter: reporter.clone(),
                permissions: ReporterPermissions {
                    global: false,
                    contracts: vec![vault_addr.clone(), perps_addr.clone(), options_addr.clone()],
                    outflows: reporter == &vault_addr,
                },
            },
            &[],
        )?);
    }
    for (market, kind) in [
        (&perps_addr, MarketKind::Perps),
        (&options_addr, MarketKind::Options),
    ] {
        msgs.push(client.execute_msg(
            deployer,
            &vault_addr,
            &vault::ExecuteMsg::RegisterMarket {
                market_addr: market.clone(),
                kind,
            },
            &[],
        )?);
    }
    client
        .send(deployer, msgs, Gas::Auto)?
        .ok()
        .context("wiring")?;

    Ok(Deployment {
        chain_id: client.config.chain_id.clone(),
        deployer: deployer.addr().to_string(),
        multisig,
        oracle: oracle_addr,
        circuit_breaker: breaker_addr,
        vault: vault_addr,
        perps: perps_addr,
        options: options_addr,
        cw20,
        code_ids,
    })
}

/// The ownership messages of every contract, in our message types (they all nest
/// `UpdateOwnership(OwnershipAction)` the same way).
fn ownership_msg(name: &str, action: OwnershipAction) -> Result<cosmwasm_std::Binary> {
    Ok(match name {
        "oracle" => to_json_binary(&oracle::ExecuteMsg::UpdateOwnership(action))?,
        "circuit-breaker" => to_json_binary(&breaker::ExecuteMsg::UpdateOwnership(action))?,
        "vault" => to_json_binary(&vault::ExecuteMsg::UpdateOwnership(action))?,
        "perps" => to_json_binary(&perps::ExecuteMsg::UpdateOwnership(action))?,
        "options" => to_json_binary(&options::ExecuteMsg::UpdateOwnership(action))?,
        other => bail!("unknown contract {other}"),
    })
}

/// The deployer's offers of ownership of all five contracts to the multisig.
pub fn transfer_msgs(
    client: &Client,
    deployer: &Wallet,
    deployment: &Deployment,
) -> Result<Vec<cosmrs::Any>> {
    deployment
        .contracts()
        .iter()
        .map(|(name, addr)| {
            let msg = ownership_msg(
                name,
                OwnershipAction::TransferOwnership {
                    new_owner: deployment.multisig.clone(),
                    expiry_secs: None,
                },
            )?;
            client.execute_msg(deployer, addr, &RawJson(msg), &[])
        })
        .collect()
}

/// Two-step ownership transfer of all five contracts to the multisig: the deployer proposes
/// in one transaction, a multisig proposal accepts in another.
pub fn hand_over(
    client: &Client,
    deployer: &Wallet,
    deployment: &Deployment,
    signers: &[&Wallet],
) -> Result<TxResult> {
    let msgs = transfer_msgs(client, deployer, deployment)?;
    client.send(deployer, msgs, Gas::Auto)?.ok()?;
    let accepts = deployment
        .contracts()
        .iter()
        .map(|(name, addr)| {
            Ok(CosmosMsg::Wasm(WasmMsg::Execute {
                contract_addr: addr.to_string(),
                msg: ownership_msg(name, OwnershipAction::AcceptOwnership {})?,
                funds: vec![],
            }))
        })
        .collect::<Result<Vec<_>>>()?;
    Dao::new(client, &deployment.multisig).pass(signers, "accept ownership", accepts)
}

/// An already-serialized JSON message.
struct RawJson(cosmwasm_std::Binary);

impl Serialize for RawJson {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let v: serde_json::Value =
            serde_json::from_slice(self.0.as_slice()).map_err(serde::ser::Error::custom)?;
        v.serialize(s)
    }
}

/// The cw3 multisig as the DAO: proposals pass when enough signers vote yes.
pub struct Dao<'a> {
    client: &'a Client,
    pub multisig: String,
}

impl<'a> Dao<'a> {
    pub fn new(client: &'a Client, multisig: &str) -> Self {
        Self {
            client,
            multisig: multisig.to_string(),
        }
    }

    /// The first signer proposes (its yes vote counts), the others vote yes, the first
    /// executes. Returns the execution's result (which may have failed in the block).
    pub fn pass(
        &self,
        signers: &[&Wallet],
        title: &str,
        msgs: Vec<CosmosMsg<Empty>>,
    ) -> Result<TxResult> {
        let proposal_id = self.propose(signers[0], title, msgs)?;
        for s in &signers[1..] {
            self.client.execute(
                s,
                &self.multisig,
                &cw3_fixed_multisig::msg::ExecuteMsg::Vote {
                    proposal_id,
                    vote: cw3::Vote::Yes,
                },
                &[],
            )?;
        }
        self.execute(signers[0], proposal_id)
    }

    pub fn propose(
        &self,
        proposer: &Wallet,
        title: &str,
        msgs: Vec<CosmosMsg<Empty>>,
    ) -> Result<u64> {
        let r = self.client.execute(
            proposer,
            &self.multisig,
            &cw3_fixed_multisig::msg::ExecuteMsg::Propose {
                title: title.to_string(),
                description: title.to_string(),
                msgs,
                latest: None,
            },
            &[],
        )?;
        Ok(r.attr("wasm", "proposal_id")?.parse()?)
    }

    /// Executes a passed proposal; a failing message fails the whole transaction in the block
    /// (returned with its code and log, not as an `Err`).
    pub fn execute(&self, sender: &Wallet, proposal_id: u64) -> Result<TxResult> {
        let msg = self.client.execute_msg(
            sender,
            &self.multisig,
            &cw3_fixed_multisig::msg::ExecuteMsg::Execute { proposal_id },
            &[],
        )?;
        self.client.send(sender, vec![msg], Gas::AutoOr(5_000_000))
    }
}
