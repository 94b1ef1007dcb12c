//! `bulwark-chain`: deploy the suite to a chain, run the lifecycle demo or the gas benchmark.
//! The chain comes from the environment (`scripts/chain env` prints it for a localnet):
//! BULWARK_CHAIN_ID, BULWARK_RPC, BULWARK_KEYS (localnet keys) or BULWARK_MNEMONIC (the
//! deployer on a public network), BULWARK_GAS_PRICE, BULWARK_ARTIFACTS.
//!
//!   bulwark-chain deploy --plan PLAN.json [--out DEPLOYMENT.json] [--hand-over]
//!   bulwark-chain deploy --localnet [--out DEPLOYMENT.json]

use anyhow::{bail, Context, Result};
use bulwark_chain::bed::Bed;
use bulwark_chain::deploy::{self, DeployPlan};
use bulwark_chain::{ChainConfig, Client, Keyring};

fn arg_value(args: &[String], flag: &str) -> Option<String> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first().map(String::as_str) else {
        bail!("usage: bulwark-chain deploy (--plan FILE | --localnet) [--out FILE] [--hand-over]");
    };
    match cmd {
        "deploy" => {
            let deployment = if args.iter().any(|a| a == "--localnet") {
                let bed = Bed::connect()?;
                let d = bed.deploy()?;
                bed.hand_over(&d)?;
                d
            } else {
                let path = arg_value(&args, "--plan").context("--plan FILE or --localnet")?;
                let plan: DeployPlan = serde_json::from_str(
                    &std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?,
                )?;
                let client = Client::new(ChainConfig::from_env()?);
                let keys = Keyring::load(&client)?;
                let deployer = keys.get("deployer")?;
                let d = deploy::deploy(&client, deployer, &plan)?;
                if args.iter().any(|a| a == "--hand-over") {
                    // On a public network the voters sign their own acceptance: the deployer
                    // only proposes the transfer here and prints the multisig address.
                    let msgs = deploy::transfer_msgs(&client, deployer, &d)?;
                    client
                        .send(deployer, msgs, bulwark_chain::Gas::Auto)?
                        .ok()?;
                    eprintln!(
                        "ownership offered to {}; the multisig accepts with a proposal of \
                         UpdateOwnership(AcceptOwnership) to each contract",
                        d.multisig
                    );
                }
                d
            };
            let json = serde_json::to_string_pretty(&deployment)?;
            match arg_value(&args, "--out") {
                Some(out) => std::fs::write(&out, json + "\n")?,
                None => println!("{json}"),
            }
            Ok(())
        }
        other => bail!("unknown command {other}"),
    }
}
