//! `bulwark-chain`: deploy the suite to a chain, run the lifecycle demo or the gas benchmark.
//! The chain comes from the environment (`scripts/chain env` prints it for a localnet):
//! BULWARK_CHAIN_ID, BULWARK_RPC, BULWARK_KEYS (localnet keys) or BULWARK_MNEMONIC (the
//! deployer on a public network), BULWARK_GAS_PRICE, BULWARK_ARTIFACTS.
//!
//!   bulwark-chain deploy --plan PLAN.json [--out DEPLOYMENT.json] [--hand-over]
//!   bulwark-chain deploy --localnet [--out DEPLOYMENT.json]
//!   bulwark-chain demo                       the whole lifecycle on a localnet, with a report
//!   bulwark-chain bench [--sizes 10,1000,10000] [--out bench/gas.json] [--check]
//!       the gas benchmark on a localnet; --out records the figures, --check fails on a
//!       DESIGN §9 budget exceeded, growth with positions above 5 %, or a regression against
//!       the committed bench/gas.json

use anyhow::{bail, Context, Result};
use bulwark_chain::bed::Bed;
use bulwark_chain::bench;
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
        bail!(
            "usage: bulwark-chain deploy (--plan FILE [--hand-over] | --localnet [--keep-owner]) [--out FILE]"
        );
    };
    match cmd {
        "deploy" => {
            let deployment = if args.iter().any(|a| a == "--localnet") {
                let bed = Bed::connect()?;
                let d = bed.deploy()?;
                // --keep-owner: the deployer stays owner (tests that configure markets)
                if !args.iter().any(|a| a == "--keep-owner") {
                    bed.hand_over(&d)?;
                }
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
        "demo" => {
            let bed = Bed::connect()?;
            let report = bulwark_chain::lifecycle::run(&bed, true)?;
            report.print();
            Ok(())
        }
        "bench" => {
            let sizes: Vec<u64> = match arg_value(&args, "--sizes") {
                Some(list) => list
                    .split(',')
                    .map(|s| s.trim().parse().context("--sizes: numbers"))
                    .collect::<Result<_>>()?,
                None => bench::FULL_SIZES.to_vec(),
            };
            let bed = Bed::connect()?;
            let report = bench::run(&bed, &sizes)?;
            println!("{}", report.table());
            let committed = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/gas.json");
            let previous: Option<serde_json::Value> = std::fs::read_to_string(committed)
                .ok()
                .and_then(|s| serde_json::from_str(&s).ok());
            let violations = report.check(previous.as_ref());
            if let Some(out) = arg_value(&args, "--out") {
                let json = serde_json::to_string_pretty(&report.to_json())?;
                std::fs::write(&out, json + "\n").with_context(|| format!("writing {out}"))?;
                println!("wrote {out}");
            }
            for v in &violations {
                println!("violation: {v}");
            }
            if args.iter().any(|a| a == "--check") && !violations.is_empty() {
                bail!("{} violation(s)", violations.len());
            }
            Ok(())
        }
        other => bail!("unknown command {other}"),
    }
}
