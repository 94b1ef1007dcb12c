//! The gas benchmark on a real chain (issue #14 item 4): full-transaction SDK gas
//! (`gas_used` of the block result: ante handler, signature, bytes and the fee's transfer
//! included) of one operation per transaction, on a fresh deployment, and the perps hot paths
//! measured with 10, 1,000 and 10,000 positions already open in the perps contract.
//!
//! The positions are real: fresh wallets, funded by the deployer with bank multi-message
//! transactions (200 sends each), open up to 16 margin accounts each
//! (`MAX_ACCOUNTS_PER_OWNER`) in one transaction, then deposit 5 USDC into each and open one
//! ±1 ATOM position per account in `ATOM-PERP` (alternating sides, so the skew stays near
//! zero) in a second transaction of 32 messages. These transactions are signed here and
//! broadcast in waves of about four blocks of gas, so many land in every block; they pay no
//! fee (the localnet's minimum gas price is zero) so the wallets need only the collateral.
//! Measured transactions are sent the ordinary way ([`Client::send`]: one message, simulated
//! gas limit, normal fee), by keys that have sent a transaction before (the first one of a key
//! also stores its public key).
//!
//! What each figure is:
//! * `oracle_feed_1`: a feeder pushes one asset, quorum met, new median, more than 60 s after
//!   the last TWAP checkpoint (so one is written; the worst case); without a checkpoint in
//!   `extras`. `oracle_refresh_3_sources`: `Refresh` of an asset whose three feeder sources
//!   pushed while it was paused (it publishes their median).
//! * `vault_deposit`: a second deposit into an account without exposure; `vault_withdraw`:
//!   1 USDC out of an account holding one perps position (initial-margin check with the
//!   perps risk, outflow report to the breaker); without exposure in `extras`.
//! * `lp_deposit`: a second LP deposit; `lp_withdraw`: redeeming a quarter of the shares
//!   after the (shortened) delay.
//! * `perps_open` / `perps_increase` / `perps_close`: a fresh account with 100 USDC opens
//!   10 ATOM long, adds 10, closes. `liquidate_1_position`: an account with one 1,000 USDC
//!   position in `LIQ-PERP` after LIQ fell 25 % (health ≈ 0.74: a 50 % reduction).
//! * `options_buy` / `options_sell`: fresh accounts buy one in-the-money call and write one
//!   in-the-money put of a board minutes from expiry; `options_settle_page`: the first
//!   `Settle` page after expiry (fixes the TWAP settlement price, pays 10 accounts).
//! * `breaker_trip`: a guardian trips an unused market scope from Normal to ReduceOnly.
//!
//! [`GasReport::to_json`] is the committed `bench/gas.json`; [`GasReport::check`] lists the
//! DESIGN §9 budget violations, the growth of the scaling figures between the smallest and the
//! largest size (at most 5 %), and regressions against a previous report.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use bulwark_types::circuit_breaker::{self as breaker, Level, Scope};
use bulwark_types::oracle::{self, FeedPrice};
use bulwark_types::{options, perps, vault};
use cosmrs::Any;
use cosmwasm_std::{coin, Addr, Decimal256, SignedDecimal256, Uint128};
use serde::Serialize;
use serde_json::{json, Value};

use crate::bed::{Bed, FEEDERS, USDC};
use crate::client::{ChainConfig, Client, Gas, TxResult};
use crate::deploy::{Artifacts, Deployment, CONTRACTS};
use crate::wallet::Wallet;

/// The node and VM the figures were measured on (`scripts/chain`).
pub const WASMD_VERSION: &str = "v0.61.14";
pub const WASMVM_VERSION: &str = "v3.0.7";
/// Position counts of the full run.
pub const FULL_SIZES: [u64; 3] = [10, 1_000, 10_000];
/// Largest growth of a scaling figure from the smallest to the largest size (DESIGN §9).
pub const MAX_SCALING_GROWTH: f64 = 0.05;
/// Largest rise of a figure over the previous report before `check` calls it a regression.
pub const MAX_REGRESSION: f64 = 0.05;

/// Every operation with its DESIGN §9 budget (`None`: §9 sets none) and which budget it is.
pub const BUDGETS: [(&str, Option<u64>, &str); 14] = [
    ("oracle_feed_1", Some(150_000), "oracle feed of one asset"),
    (
        "oracle_refresh_3_sources",
        Some(150_000),
        "oracle feed of one asset",
    ),
    ("vault_deposit", Some(200_000), "vault deposit"),
    ("vault_withdraw", Some(200_000), "vault deposit"),
    ("lp_deposit", Some(200_000), "vault deposit"),
    ("lp_withdraw", Some(200_000), "vault deposit"),
    ("perps_open", Some(500_000), "perps open/close"),
    ("perps_increase", Some(500_000), "perps open/close"),
    ("perps_close", Some(500_000), "perps open/close"),
    ("options_buy", Some(600_000), "options trade"),
    ("options_sell", Some(600_000), "options trade"),
    (
        "options_settle_page",
        None,
        "none (10 payouts, one vault Settle each)",
    ),
    (
        "liquidate_1_position",
        Some(700_000),
        "liquidation of a one-position account",
    ),
    (
        "breaker_trip",
        Some(150_000),
        "oracle feed of one asset (tests/vm uses 150k too)",
    ),
];

/// The budget of an operation, if DESIGN §9 gives one.
pub fn budget_of(name: &str) -> Option<u64> {
    BUDGETS
        .iter()
        .find(|(n, _, _)| *n == name)
        .and_then(|(_, b, _)| *b)
}

/// The operations measured at every size.
pub const SCALING_OPS: [&str; 3] = ["perps_open", "perps_close", "liquidate_1_position"];

/// The estimates of `tests/vm` in docs/gas.md (contract part only, no transaction overhead),
/// with the measured figure they compare to (an operation or an extra).
pub const VM_ESTIMATES: [(&str, u64, &str); 4] = [
    (
        "oracle_feed_1_no_checkpoint",
        106_884,
        "oracle_feed_1 (steady state, quorum met)",
    ),
    (
        "breaker_trip",
        108_642,
        "breaker_trip (guardian, one market)",
    ),
    ("vault_deposit", 80_892, "vault Deposit (steady state)"),
    (
        "options_buy",
        246_566,
        "options Buy, 1st position 137,261 + vault Settle 109,305",
    ),
];

#[derive(Clone, Debug, Default)]
pub struct GasReport {
    pub date: String,
    pub commit: String,
    pub wasmd: String,
    pub wasmvm: String,
    /// Operation → full-transaction gas used.
    pub operations: BTreeMap<String, u64>,
    /// Operation → (open positions in the perps contract → gas used).
    pub scaling: BTreeMap<String, BTreeMap<u64, u64>>,
    /// Contract → optimized wasm size in bytes.
    pub wasm_bytes: BTreeMap<String, u64>,
    /// Wall-clock seconds of each phase of the run (not in the JSON).
    pub phases: Vec<(String, f64)>,
    /// Further figures of the run (not in the JSON): variants of the operations and the
    /// reference transaction (a one-message bank send).
    pub extras: BTreeMap<String, u64>,
    /// Observations of the run (not in the JSON).
    pub notes: Vec<String>,
}

impl GasReport {
    /// The committed shape of `bench/gas.json`.
    pub fn to_json(&self) -> Value {
        let scaling: serde_json::Map<String, Value> = self
            .scaling
            .iter()
            .map(|(op, by_size)| {
                let sizes: serde_json::Map<String, Value> = by_size
                    .iter()
                    .map(|(n, g)| (n.to_string(), json!(g)))
                    .collect();
                (op.clone(), Value::Object(sizes))
            })
            .collect();
        json!({
            "date": self.date,
            "commit": self.commit,
            "wasmd": self.wasmd,
            "wasmvm": self.wasmvm,
            "operations": self.operations,
            "scaling": scaling,
            "wasm_bytes": self.wasm_bytes,
        })
    }

    /// Violations: an operation (or a scaling figure) above its DESIGN §9 budget; a scaling
    /// figure at the largest size more than 5 % above the one at the smallest; against
    /// `previous` (an earlier `to_json`, e.g. the committed `bench/gas.json`), a figure more
    /// than 5 % above the previous one or an operation no longer measured. Scaling sizes the
    /// run did not measure (a quick run) are not compared.
    pub fn check(&self, previous: Option<&Value>) -> Vec<String> {
        let mut out = vec![];
        for (name, gas) in &self.operations {
            if let Some(budget) = budget_of(name) {
                if *gas > budget {
                    out.push(format!("{name}: {gas} gas > budget {budget}"));
                }
            }
        }
        for (name, by_size) in &self.scaling {
            if let Some(budget) = budget_of(name) {
                for (n, gas) in by_size {
                    if *gas > budget {
                        out.push(format!(
                            "{name} at {n} positions: {gas} gas > budget {budget}"
                        ));
                    }
                }
            }
            if let (Some((small, g_small)), Some((large, g_large))) =
                (by_size.iter().next(), by_size.iter().next_back())
            {
                if large > small && *g_large as f64 > *g_small as f64 * (1.0 + MAX_SCALING_GROWTH) {
                    out.push(format!(
                        "{name}: {g_large} gas at {large} positions is {:+.1} % over {g_small} at {small} (max {:.0} %)",
                        growth(*g_small, *g_large),
                        MAX_SCALING_GROWTH * 100.0
                    ));
                }
            }
        }
        if let Some(prev) = previous {
            if let Some(ops) = prev["operations"].as_object() {
                for (name, g) in ops {
                    let Some(before) = g.as_u64() else { continue };
                    match self.operations.get(name) {
                        None => {
                            out.push(format!("{name}: in the previous report, not measured now"))
                        }
                        Some(now) if *now as f64 > before as f64 * (1.0 + MAX_REGRESSION) => out
                            .push(format!(
                                "{name}: {now} gas is {:+.1} % over the previous {before}",
                                growth(before, *now)
                            )),
                        Some(_) => {}
                    }
                }
            }
            if let Some(scaling) = prev["scaling"].as_object() {
                for (name, by_size) in scaling {
                    let Some(by_size) = by_size.as_object() else {
                        continue;
                    };
                    for (n, g) in by_size {
                        let (Ok(n), Some(before)) = (n.parse::<u64>(), g.as_u64()) else {
                            continue;
                        };
                        if let Some(now) = self.scaling.get(name).and_then(|m| m.get(&n)) {
                            if *now as f64 > before as f64 * (1.0 + MAX_REGRESSION) {
                                out.push(format!(
                                    "{name} at {n} positions: {now} gas is {:+.1} % over the previous {before}",
                                    growth(before, *now)
                                ));
                            }
                        }
                    }
                }
            }
        }
        out
    }

    /// A human-readable table of the figures with their budgets.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{:<26} {:>10} {:>10} {:>7}",
            "operation", "gas", "budget", "use"
        );
        for (name, gas) in &self.operations {
            let (b, pct) = match budget_of(name) {
                Some(b) => (
                    b.to_string(),
                    format!("{:.0} %", *gas as f64 * 100.0 / b as f64),
                ),
                None => ("-".into(), "-".into()),
            };
            let _ = writeln!(s, "{name:<26} {gas:>10} {b:>10} {pct:>7}");
        }
        for (name, by_size) in &self.scaling {
            let cells: Vec<String> = by_size.iter().map(|(n, g)| format!("{n}: {g}")).collect();
            let _ = writeln!(s, "scaling {name:<18} {}", cells.join(", "));
        }
        for (name, gas) in &self.extras {
            let _ = writeln!(s, "extra {name:<32} {gas:>10}");
        }
        for (phase, secs) in &self.phases {
            let _ = writeln!(s, "phase {phase:<30} {secs:>8.1} s");
        }
        for note in &self.notes {
            let _ = writeln!(s, "note: {note}");
        }
        s
    }
}

fn growth(before: u64, now: u64) -> f64 {
    (now as f64 / before as f64 - 1.0) * 100.0
}

/// Deploys a fresh suite on the bed's chain and measures every operation; the perps hot paths
/// at each of `scaling_sizes` open positions (ascending; positions are only ever added).
pub fn run(bed: &Bed, scaling_sizes: &[u64]) -> Result<GasReport> {
    let mut sizes = scaling_sizes.to_vec();
    sizes.sort_unstable();
    sizes.dedup();
    if sizes.is_empty() {
        bail!("no scaling sizes");
    }
    let started = Instant::now();
    let mut b = Runner::new(bed)?;
    b.setup()?;
    let mut first = true;
    for n in sizes {
        let t = Instant::now();
        b.grow_positions(n)?;
        b.phase(&format!("build {n} positions"), t);
        let t = Instant::now();
        b.measure_perps(n, first)?;
        b.phase(&format!("measure at {n} positions"), t);
        if first {
            let t = Instant::now();
            b.vault_and_lp_ops()?;
            b.breaker_trip()?;
            b.phase("vault, LP and breaker operations", t);
            first = false;
        }
    }
    let t = Instant::now();
    b.settle_options()?;
    b.phase("options settlement (waiting for expiry)", t);
    let t = Instant::now();
    b.oracle_ops()?;
    b.phase("oracle feed and refresh", t);
    let t = Instant::now();
    if let Err(e) = b.options_worst_case() {
        b.note(format!("options worst case not measured: {e:#}"));
    }
    b.phase("options buy at the per-account worst case", t);
    b.phase("total", started);
    b.report.wasm_bytes = wasm_bytes()?;
    let overhead = b.report.extras.get("tx_overhead").copied();
    for (name, estimate, what) in VM_ESTIMATES {
        let measured = b
            .report
            .operations
            .get(name)
            .or_else(|| b.report.extras.get(name))
            .copied();
        if let Some(m) = measured {
            let net = overhead.map(|o| m.saturating_sub(o)).unwrap_or(m);
            b.note(format!(
                "{what}: measured {m}, tests/vm estimate {estimate}: ratio {:.2} \
                 ({:.2} without the transaction's own {} gas)",
                m as f64 / estimate as f64,
                net as f64 / estimate as f64,
                overhead.unwrap_or(0)
            ));
        }
    }
    Ok(b.report)
}

/// Optimized artifact sizes of our five contracts.
pub fn wasm_bytes() -> Result<BTreeMap<String, u64>> {
    let artifacts = Artifacts::locate();
    CONTRACTS
        .iter()
        .map(|(name, _)| {
            let path = artifacts.dir.join(Artifacts::file_of(name));
            let len = std::fs::metadata(&path)
                .with_context(|| format!("{}", path.display()))?
                .len();
            Ok((name.to_string(), len))
        })
        .collect()
}

fn git_head() -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Today (UTC) as `YYYY-MM-DD`.
fn utc_date() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0) as i64;
    // Civil from days (H. Hinnant).
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

fn dec(s: &str) -> Decimal256 {
    // safe: constant literals of this module
    Decimal256::from_str(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn sdec(s: &str) -> SignedDecimal256 {
    // safe: constant literals of this module
    SignedDecimal256::from_str(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

// ---------------------------------------------------------------------------------------------
// Markets and parameters of the run

/// The market of the bulk positions and of the measured orders.
const ATOM_PERP: &str = "ATOM-PERP";
/// The market of the liquidation victims: only its price crashes.
const LIQ_PERP: &str = "LIQ-PERP";
/// Oracle assets: the two market assets, one only fed for the feed measurement, one refreshed.
const ATOM: &str = "ATOM";
const LIQ: &str = "LIQ";
const FEED_ASSET: &str = "FEED";
const REF_ASSET: &str = "REF";
/// Feeders' source max age and the refresh cadence of the market prices during long phases.
const SOURCE_MAX_AGE_SECS: u64 = 120;
const REFEED_AFTER: Duration = Duration::from_secs(30);
/// Collateral of a bulk account (5 USDC) for a ±1 ATOM position at 10 (10 USDC notional).
const BULK_DEPOSIT: u128 = 5_000_000;
/// What the deployer sends every bulk wallet (16 accounts' collateral and some slack).
const BULK_FUNDING: u128 = 100_000_000;
/// Bank sends per funding transaction, and bulk transactions broadcast per wave.
const FUND_BATCH: usize = 200;
/// Gas limits of a wave add up to about this many full blocks (200M each).
const WAVE_BLOCKS: u64 = 4;
const BLOCK_MAX_GAS: u64 = 200_000_000;
/// Options: a short board so that settlement can be measured in the same run.
const OPTIONS_EXPIRY_SECS: u64 = 150;
const OPTIONS_CUTOFF_SECS: u64 = 10;
const OPTIONS_TWAP_WINDOW_SECS: u64 = 30;
const SETTLE_PAGE: u32 = 10;

struct Runner<'a> {
    bed: &'a Bed,
    c: &'a Client,
    d: Deployment,
    /// The same node at a zero gas price, for the bulk transactions of fresh wallets that
    /// hold no gas denom (the localnet's minimum gas price is zero).
    free: Client,
    report: GasReport,
    last_feed: Instant,
    liq_price: &'static str,
    /// Makes this run's bulk wallets differ from any earlier run's on the same chain.
    nonce: String,
    wallets_made: usize,
    board_id: u64,
    expiry: u64,
}

impl<'a> Runner<'a> {
    fn new(bed: &'a Bed) -> Result<Self> {
        let t = Instant::now();
        let d = bed.deploy().context("deploying")?;
        let (height, time) = bed.client.status()?;
        let mut report = GasReport {
            date: utc_date(),
            commit: git_head(),
            wasmd: WASMD_VERSION.into(),
            wasmvm: WASMVM_VERSION.into(),
            ..Default::default()
        };
        report.phases.push((
            "deploy (store, instantiate, wire)".into(),
            t.elapsed().as_secs_f64(),
        ));
        Ok(Self {
            bed,
            c: &bed.client,
            free: Client::new(ChainConfig {
                gas_price: 0.0,
                ..bed.client.config.clone()
            }),
            d,
            report,
            last_feed: Instant::now(),
            liq_price: "10",
            nonce: format!("{}-{height}-{time}", bed.client.config.chain_id),
            wallets_made: 0,
            board_id: 0,
            expiry: 0,
        })
    }

    fn phase(&mut self, name: &str, since: Instant) {
        let secs = since.elapsed().as_secs_f64();
        println!("[bench] phase {name}: {secs:.1} s");
        self.report.phases.push((name.to_string(), secs));
    }

    fn note(&mut self, note: String) {
        println!("[bench] {note}");
        self.report.notes.push(note);
    }

    fn key(&self, name: &str) -> &'a Wallet {
        self.bed.key(name)
    }

    /// One transaction with one message, simulated gas limit; returns its `gas_used`.
    fn measure<M: Serialize>(
        &mut self,
        name: &str,
        wallet: &Wallet,
        contract: &str,
        msg: &M,
        funds: &[cosmwasm_std::Coin],
    ) -> Result<TxResult> {
        let any = self.c.execute_msg(wallet, contract, msg, funds)?;
        let r = self
            .c
            .send(wallet, vec![any], Gas::Auto)
            .and_then(TxResult::ok)
            .with_context(|| format!("measuring {name}"))?;
        println!(
            "[bench] {name:<26} {:>9} gas (height {})",
            r.gas_used, r.height
        );
        Ok(r)
    }

    fn record(&mut self, name: &str, gas: u64) {
        self.report.operations.insert(name.to_string(), gas);
    }

    fn exec<M: Serialize>(
        &self,
        wallet: &Wallet,
        contract: &str,
        msg: &M,
        funds: &[cosmwasm_std::Coin],
    ) -> Result<TxResult> {
        self.c.execute(wallet, contract, msg, funds)
    }

    // --- setup

    fn setup(&mut self) -> Result<()> {
        let t = Instant::now();
        let c = self.c;
        let deployer = self.key("deployer");
        let feeders: Vec<Addr> = FEEDERS
            .iter()
            .map(|f| Addr::unchecked(self.key(f).addr()))
            .collect();
        let d = self.d.clone();
        let mut msgs = vec![];
        for asset in [ATOM, LIQ, FEED_ASSET, REF_ASSET] {
            msgs.push(c.execute_msg(
                deployer,
                &d.oracle,
                &oracle::ExecuteMsg::SetAsset {
                    asset: bulwark_testing::oracle::feeder_asset(
                        asset,
                        &feeders,
                        2,
                        SOURCE_MAX_AGE_SECS,
                    ),
                },
                &[],
            )?);
        }
        for asset in [ATOM, LIQ] {
            msgs.push(c.execute_msg(
                deployer,
                &d.vault,
                &vault::ExecuteMsg::SetScenarioGrid {
                    asset_id: asset.into(),
                    spot_shocks: None,
                    vol_shocks: None,
                },
                &[],
            )?);
        }
        // LP withdrawals ready one second after the request; the other parameters as
        // deployed (sent as the JSON the vault answered, so it fits the deployed code).
        let mut vault_params =
            c.query::<_, Value>(&d.vault, &vault::QueryMsg::Config {})?["params"].take();
        vault_params["lp_withdraw_delay_secs"] = json!(1);
        msgs.push(c.execute_msg(
            deployer,
            &d.vault,
            &json!({ "update_config": { "oracle": null, "circuit_breaker": null, "params": vault_params } }),
            &[],
        )?);
        for (market, asset) in [(ATOM_PERP, ATOM), (LIQ_PERP, LIQ)] {
            msgs.push(c.execute_msg(
                deployer,
                &d.perps,
                &perps::ExecuteMsg::CreateMarket {
                    market_id: market.into(),
                    asset_id: asset.into(),
                    params: bulwark_testing::perps::default_market_params(),
                },
                &[],
            )?);
        }
        let mut params: options::ConfigResponse =
            c.query(&d.options, &options::QueryMsg::Config {})?;
        params.params.trading_cutoff_secs = OPTIONS_CUTOFF_SECS;
        params.params.twap_window_secs = OPTIONS_TWAP_WINDOW_SECS;
        msgs.push(c.execute_msg(
            deployer,
            &d.options,
            &options::ExecuteMsg::UpdateConfig {
                vault: None,
                oracle: None,
                circuit_breaker: None,
                vol_feeder: None,
                params: Some(Box::new(params.params)),
            },
            &[],
        )?);
        msgs.push(c.execute_msg(
            deployer,
            &d.circuit_breaker,
            &breaker::ExecuteMsg::UpdateGuardians {
                add: vec![self.key("keeper").addr().to_string()],
                remove: vec![],
            },
            &[],
        )?);
        c.send(deployer, msgs, Gas::Auto)?
            .ok()
            .context("configuring")?;
        // Reference transactions: one and two bank sends. Their difference is one transfer;
        // the rest of the first is the transaction's own cost (ante handler, signature, bytes,
        // the fee's transfer to the fee collector).
        let trader1 = self.key("trader1").addr().to_string();
        let mut sends = vec![];
        for n in [1, 2] {
            let msgs = (0..n)
                .map(|_| c.send_msg(deployer, &trader1, &[coin(1, USDC)]))
                .collect::<Result<Vec<_>>>()?;
            sends.push(c.send(deployer, msgs, Gas::Auto)?.ok()?.gas_used);
        }
        self.report.extras.insert("bank_send_tx".into(), sends[0]);
        self.report.extras.insert(
            "tx_overhead".into(),
            (2 * sends[0]).saturating_sub(sends[1]),
        );

        // First prices: ATOM and LIQ by feeders 1 and 2; FEED and REF by all three.
        let now = c.block_time_secs()?;
        let mut txs = vec![];
        for (i, f) in FEEDERS.iter().enumerate() {
            let mut prices = vec![
                feed_price(FEED_ASSET, "10", now),
                feed_price(REF_ASSET, "10", now),
            ];
            if i < 2 {
                prices.push(feed_price(ATOM, "10", now));
                prices.push(feed_price(LIQ, self.liq_price, now));
            }
            let w = self.key(f);
            txs.push((
                w,
                vec![c.execute_msg(w, &d.oracle, &oracle::ExecuteMsg::Feed { prices }, &[])?],
            ));
        }
        self.broadcast_all(txs, Some(2_000_000))?;
        self.last_feed = Instant::now();

        // The LP pool: two LPs (lp2's next deposit is the measured one).
        let lp_txs = ["lp1", "lp2"]
            .iter()
            .map(|lp| {
                let w = self.key(lp);
                Ok((
                    w,
                    vec![c.execute_msg(
                        w,
                        &d.vault,
                        &vault::ExecuteMsg::LpDeposit { min_shares: None },
                        &[coin(
                            if *lp == "lp1" {
                                1_000_000_000_000
                            } else {
                                10_000_000_000
                            },
                            USDC,
                        )],
                    )?],
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        self.broadcast_all(lp_txs, Some(1_000_000))?;
        c.next_block()?;
        self.phase("configure (assets, markets, first prices, LP pool)", t);

        let t = Instant::now();
        self.options_trades()?;
        self.phase("options board and trades", t);
        Ok(())
    }

    /// Lists a short board on ATOM (strikes 9 and 11), measures a buy and a write by fresh
    /// accounts, and has ten more accounts buy the call so that the settlement has a page.
    fn options_trades(&mut self) -> Result<()> {
        let c = self.c;
        let d = self.d.clone();
        let deployer = self.key("deployer");
        self.expiry = c.block_time_secs()? + OPTIONS_EXPIRY_SECS;
        let r = self.exec(
            deployer,
            &d.options,
            &options::ExecuteMsg::CreateBoard {
                asset_id: ATOM.into(),
                expiry: self.expiry,
                base_iv: dec("0.6"),
                cap_price: dec("40"),
                multiplier: Uint128::new(1_000_000),
                strikes: ["9", "11"]
                    .iter()
                    .map(|k| options::StrikeInput {
                        strike: dec(k),
                        skew: Decimal256::one(),
                    })
                    .collect(),
            },
            &[],
        )?;
        self.board_id = r.attr("wasm", "board_id")?.parse()?;
        // Series: strike 1 (9) call 2, put 3; strike 2 (11) call 4, put 5.
        // Both in the money: with minutes to expiry an out-of-the-money bid is worth less than the fee.
        let (call_9, put_11) = (2u64, 5u64);

        let trader3 = self.key("trader3");
        let buyer = self.create_account(trader3, 100_000_000)?;
        let writer = self.create_account(trader3, 100_000_000)?;
        let r = self.measure(
            "options_buy",
            trader3,
            &d.options,
            &options::ExecuteMsg::Buy {
                account_id: buyer,
                series_id: call_9,
                amount: Uint128::new(1),
                max_cost: Uint128::new(10_000_000),
            },
            &[],
        )?;
        self.record("options_buy", r.gas_used);
        let r = self.measure(
            "options_sell",
            trader3,
            &d.options,
            &options::ExecuteMsg::Sell {
                account_id: writer,
                series_id: put_11,
                amount: Uint128::new(1),
                min_proceeds: Uint128::zero(),
            },
            &[],
        )?;
        self.record("options_sell", r.gas_used);

        // Ten accounts of trader2 buy one call each (one transaction per step).
        let trader2 = self.key("trader2");
        let ids = self.create_accounts(trader2, SETTLE_PAGE as usize)?;
        let deposits = ids
            .iter()
            .map(|id| {
                c.execute_msg(
                    trader2,
                    &d.vault,
                    &vault::ExecuteMsg::Deposit { account_id: *id },
                    &[coin(20_000_000, USDC)],
                )
            })
            .collect::<Result<Vec<_>>>()?;
        c.send(trader2, deposits, Gas::Auto)?.ok()?;
        let buys = ids
            .iter()
            .map(|id| {
                c.execute_msg(
                    trader2,
                    &d.options,
                    &options::ExecuteMsg::Buy {
                        account_id: *id,
                        series_id: call_9,
                        amount: Uint128::new(1),
                        max_cost: Uint128::new(10_000_000),
                    },
                    &[],
                )
            })
            .collect::<Result<Vec<_>>>()?;
        c.send(trader2, buys, Gas::Auto)?.ok()?;
        Ok(())
    }

    /// A new margin account of `owner`, with `deposit` uusdc (0: none).
    fn create_account(&self, owner: &Wallet, deposit: u128) -> Result<u64> {
        let id = self.create_accounts(owner, 1)?[0];
        if deposit > 0 {
            self.exec(
                owner,
                &self.d.vault,
                &vault::ExecuteMsg::Deposit { account_id: id },
                &[coin(deposit, USDC)],
            )?;
        }
        Ok(id)
    }

    /// `n` new margin accounts of `owner` in one transaction; their ids.
    fn create_accounts(&self, owner: &Wallet, n: usize) -> Result<Vec<u64>> {
        let msgs = (0..n)
            .map(|_| {
                self.c.execute_msg(
                    owner,
                    &self.d.vault,
                    &vault::ExecuteMsg::CreateAccount {},
                    &[],
                )
            })
            .collect::<Result<Vec<_>>>()?;
        let r = self.c.send(owner, msgs, Gas::Auto)?.ok()?;
        let ids = account_ids(&r)?;
        if ids.len() != n {
            bail!("created {} accounts, expected {n}", ids.len());
        }
        Ok(ids)
    }

    // --- prices

    /// Feeders 1 and 2 push the market assets (ATOM at 10, LIQ at its current level) with the
    /// latest block time; returns once both are in a block, so the next block may use them.
    fn feed_markets(&mut self) -> Result<()> {
        let now = self.c.block_time_secs()?;
        let txs = FEEDERS[..2]
            .iter()
            .map(|f| {
                let w = self.key(f);
                let prices = vec![
                    feed_price(ATOM, "10", now),
                    feed_price(LIQ, self.liq_price, now),
                ];
                Ok((
                    w,
                    vec![self.c.execute_msg(
                        w,
                        &self.d.oracle,
                        &oracle::ExecuteMsg::Feed { prices },
                        &[],
                    )?],
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        self.broadcast_all(txs, Some(1_000_000))?;
        self.last_feed = Instant::now();
        Ok(())
    }

    /// Re-feeds the market prices when the last feed is older than [`REFEED_AFTER`], so that
    /// no price reaches the 120 s maximum ages (sources, perps, vault) during long phases.
    fn keep_fresh(&mut self) -> Result<()> {
        if self.last_feed.elapsed() >= REFEED_AFTER {
            self.feed_markets()?;
        }
        Ok(())
    }

    fn open_positions(&self) -> Result<u64> {
        let cfg: perps::ConfigResponse =
            self.c.query(&self.d.perps, &perps::QueryMsg::Config {})?;
        Ok(cfg.open_positions)
    }

    // --- bulk positions

    /// Fresh wallets, derived from this run's nonce (two threads: key derivation is slow in
    /// debug builds).
    fn make_wallets(&mut self, n: usize) -> Result<Vec<Wallet>> {
        let prefix = self.c.config.bech32_prefix.clone();
        let start = self.wallets_made;
        self.wallets_made += n;
        let nonce = self.nonce.clone();
        let make = |i: usize| -> Result<Wallet> {
            use sha2::Digest;
            let entropy: [u8; 32] =
                sha2::Sha256::digest(format!("bulwark-bench/{nonce}/{i}")).into();
            let m = bip32::Mnemonic::from_entropy(entropy, bip32::Language::English);
            Wallet::from_mnemonic(&format!("bench{i}"), m.phrase(), &prefix)
        };
        let half = n / 2;
        let (a, b) = std::thread::scope(|s| {
            let h = s.spawn(|| (start..start + half).map(make).collect::<Result<Vec<_>>>());
            let b = (start + half..start + n)
                .map(make)
                .collect::<Result<Vec<_>>>();
            (h.join(), b)
        });
        let mut wallets = a.map_err(|_| anyhow!("key derivation thread panicked"))??;
        wallets.extend(b?);
        Ok(wallets)
    }

    /// Opens positions in `ATOM-PERP` until the perps contract holds at least `target`.
    fn grow_positions(&mut self, target: u64) -> Result<()> {
        let current = self.open_positions()?;
        if current >= target {
            return Ok(());
        }
        let need = (target - current) as usize;
        let per_owner = vault::MAX_ACCOUNTS_PER_OWNER as usize;
        let owners = need.div_ceil(per_owner);
        let t = Instant::now();
        let wallets = self.make_wallets(owners)?;
        let t_keys = t.elapsed().as_secs_f64();

        // Funding: bank sends from the deployer, FUND_BATCH per transaction.
        let t = Instant::now();
        let deployer = self.key("deployer");
        for chunk in wallets.chunks(FUND_BATCH) {
            let msgs = chunk
                .iter()
                .map(|w| {
                    self.c
                        .send_msg(deployer, w.addr(), &[coin(BULK_FUNDING, USDC)])
                })
                .collect::<Result<Vec<_>>>()?;
            self.c
                .send(deployer, msgs, Gas::Auto)?
                .ok()
                .context("funding bulk wallets")?;
        }
        for w in &wallets {
            w.resync(self.c)?;
        }
        let t_fund = t.elapsed().as_secs_f64();

        // Accounts: 16 (the last owner: the rest) per wallet, one transaction each.
        let t = Instant::now();
        let counts: Vec<usize> = (0..owners)
            .map(|i| per_owner.min(need - i * per_owner))
            .collect();
        let txs = wallets
            .iter()
            .zip(&counts)
            .map(|(w, n)| {
                let msgs = (0..*n)
                    .map(|_| {
                        self.c.execute_msg(
                            w,
                            &self.d.vault,
                            &vault::ExecuteMsg::CreateAccount {},
                            &[],
                        )
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok((w, msgs))
            })
            .collect::<Result<Vec<_>>>()?;
        let results = self.broadcast_waves(txs)?;
        let ids: Vec<Vec<u64>> = results.iter().map(account_ids).collect::<Result<_>>()?;
        let t_accounts = t.elapsed().as_secs_f64();

        // Deposit and one ±1 ATOM order per account, alternating sides.
        let t = Instant::now();
        let mut k = current as usize;
        let txs = wallets
            .iter()
            .zip(&ids)
            .map(|(w, ids)| {
                let mut msgs = vec![];
                for id in ids {
                    msgs.push(self.c.execute_msg(
                        w,
                        &self.d.vault,
                        &vault::ExecuteMsg::Deposit { account_id: *id },
                        &[coin(BULK_DEPOSIT, USDC)],
                    )?);
                    let long = k % 2 == 0;
                    k += 1;
                    msgs.push(self.c.execute_msg(
                        w,
                        &self.d.perps,
                        &perps::ExecuteMsg::SubmitOrder {
                            account_id: *id,
                            market_id: ATOM_PERP.into(),
                            size_delta: sdec(if long { "1" } else { "-1" }),
                            acceptable_price: dec(if long { "10.1" } else { "9.9" }),
                            reduce_only: false,
                        },
                        &[],
                    )?);
                }
                Ok((w, msgs))
            })
            .collect::<Result<Vec<_>>>()?;
        let results = self.broadcast_waves(txs)?;
        let t_orders = t.elapsed().as_secs_f64();
        let order_gas: u64 = results.iter().map(|r| r.gas_used).sum();
        let now = self.open_positions()?;
        if now < target {
            bail!("after building: {now} positions, wanted {target}");
        }
        self.note(format!(
            "built {need} positions ({current} → {now}) with {owners} wallets: keys {t_keys:.1} s, \
             funding {t_fund:.1} s, accounts {t_accounts:.1} s, deposits+orders {t_orders:.1} s \
             ({:.0} gas per deposit+order)",
            order_gas as f64 / need as f64
        ));
        Ok(())
    }

    // --- broadcasting many transactions at once

    /// Signs and broadcasts every transaction (one per wallet and call), then waits for all;
    /// a gas limit of `None` simulates each. Fails if any fails.
    fn broadcast_all(
        &self,
        txs: Vec<(&Wallet, Vec<Any>)>,
        gas_limit: Option<u64>,
    ) -> Result<Vec<TxResult>> {
        let mut hashes = vec![];
        for (w, msgs) in &txs {
            let limit = match gas_limit {
                Some(l) => l,
                None => (self.c.simulate(w, msgs)? as f64 * 1.3) as u64 + 50_000,
            };
            hashes.push(self.broadcast(w, msgs, limit)?);
        }
        hashes.iter().map(|h| self.wait(h)?.ok()).collect()
    }

    /// Broadcasts in waves of about [`WAVE_BLOCKS`] blocks of gas, re-feeding prices between
    /// waves. The limit of every transaction is scaled from a simulation of the first
    /// (they all have the same shape).
    fn broadcast_waves(&mut self, txs: Vec<(&Wallet, Vec<Any>)>) -> Result<Vec<TxResult>> {
        let Some((w0, m0)) = txs.first() else {
            return Ok(vec![]);
        };
        self.keep_fresh()?;
        let per_msg = self.c.simulate(w0, m0)? as f64 / m0.len() as f64;
        let limit_of = |n: usize| (per_msg * n as f64 * 1.25) as u64 + 100_000;
        let mut results = Vec::with_capacity(txs.len());
        let mut i = 0;
        while i < txs.len() {
            self.keep_fresh()?;
            let mut budget = WAVE_BLOCKS * BLOCK_MAX_GAS;
            let mut hashes = vec![];
            while i < txs.len() {
                let (w, msgs) = &txs[i];
                let limit = limit_of(msgs.len());
                if !hashes.is_empty() && limit > budget {
                    break;
                }
                budget = budget.saturating_sub(limit);
                hashes.push(self.broadcast(w, msgs, limit)?);
                i += 1;
            }
            for h in &hashes {
                let r = self.wait(h)?;
                if !r.is_ok() {
                    bail!("bulk tx {h} failed (code {}): {}", r.code, r.log);
                }
                results.push(r);
            }
        }
        Ok(results)
    }

    /// Broadcasts at a zero fee without waiting; returns the hash.
    fn broadcast(&self, w: &Wallet, msgs: &[Any], gas_limit: u64) -> Result<String> {
        self.free.broadcast(w, msgs, gas_limit)
    }

    /// Waits up to five minutes for a transaction to be included.
    fn wait(&self, hash: &str) -> Result<TxResult> {
        let deadline = Instant::now() + Duration::from_secs(300);
        loop {
            match self.c.wait_tx(hash) {
                Ok(r) => return Ok(r),
                Err(e) if Instant::now() > deadline => return Err(e),
                Err(_) => {}
            }
        }
    }

    // --- measurements

    /// At `n` positions: a fresh account opens, increases and closes a perps position (and
    /// withdraws while it holds it), and a fresh one-position account is liquidated after its
    /// market's price falls 25 %. The first time, a warm-up round runs before (the first
    /// transaction of a key also stores its public key, and first writes of the contracts'
    /// ledgers would count in the figures at the smallest size).
    fn measure_perps(&mut self, n: u64, first: bool) -> Result<()> {
        if first {
            let w = self.perps_round()?;
            self.note(format!("warm-up round at {n} positions: {w:?}"));
        }
        let r = self.perps_round()?;
        for (name, gas) in [
            ("perps_open", r.open),
            ("perps_close", r.close),
            ("liquidate_1_position", r.liquidation),
        ] {
            self.report
                .scaling
                .entry(name.to_string())
                .or_default()
                .insert(n, gas);
        }
        self.note(format!("at {n} positions: {r:?}"));
        if first {
            self.record("perps_open", r.open);
            self.record("perps_increase", r.increase);
            self.record("perps_close", r.close);
            self.record("vault_withdraw", r.withdraw);
            self.record("liquidate_1_position", r.liquidation);
        }
        Ok(())
    }

    fn perps_round(&mut self) -> Result<PerpsRound> {
        self.keep_fresh()?;
        let d = self.d.clone();
        let trader1 = self.key("trader1");
        let account = self.create_account(trader1, 100_000_000)?;
        let positions_before = self.open_positions()?;
        let open = self.measure(
            "perps_open",
            trader1,
            &d.perps,
            &order(account, ATOM_PERP, "10", "10.2"),
            &[],
        )?;
        let increase = self.measure(
            "perps_increase",
            trader1,
            &d.perps,
            &order(account, ATOM_PERP, "10", "10.2"),
            &[],
        )?;
        let withdraw = self.measure(
            "vault_withdraw (1 position)",
            trader1,
            &d.vault,
            &vault::ExecuteMsg::Withdraw {
                account_id: account,
                denom: USDC.into(),
                amount: Uint128::new(1_000_000),
                recipient: None,
            },
            &[],
        )?;
        let close = self.measure(
            "perps_close",
            trader1,
            &d.perps,
            &perps::ExecuteMsg::ClosePosition {
                account_id: account,
                market_id: ATOM_PERP.into(),
                acceptable_price: dec("9.8"),
            },
            &[],
        )?;
        let liquidation = self.measure_liquidation()?;
        Ok(PerpsRound {
            positions_before,
            open: open.gas_used,
            increase: increase.gas_used,
            withdraw: withdraw.gas_used,
            close: close.gas_used,
            liquidation,
        })
    }

    /// A fresh account of the relayer key deposits 340 USDC and goes 100 LIQ long at 10
    /// (1,000 USDC notional, initial requirement ≈ 325); LIQ falls to 7.5 (equity ≈ 89 against
    /// a maintenance requirement of 120: health ≈ 0.74, a 50 % reduction); the keeper
    /// liquidates; LIQ is restored to 10.
    fn measure_liquidation(&mut self) -> Result<u64> {
        let d = self.d.clone();
        let victim_owner = self.key("relayer");
        let victim = self.create_account(victim_owner, 340_000_000)?;
        self.exec(
            victim_owner,
            &d.perps,
            &order(victim, LIQ_PERP, "100", "10.1"),
            &[],
        )?;
        self.liq_price = "7.5";
        self.feed_markets()?;
        // A query answers from the last committed block, whose context is the block that
        // stored the price until the next one commits (`/status` may already show that next
        // block): poll until the vault sees the crash.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let h: vault::HealthResponse = self
                .c
                .query(&d.vault, &vault::QueryMsg::Health { account_id: victim })?;
            if h.liquidatable {
                break;
            }
            if Instant::now() > deadline {
                bail!("victim {victim} not liquidatable after the crash: {h:?}");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let keeper = self.key("keeper");
        let r = self.measure(
            "liquidate_1_position",
            keeper,
            &d.vault,
            &vault::ExecuteMsg::Liquidate { account_id: victim },
            &[],
        )?;
        self.liq_price = "10";
        self.feed_markets()?;
        self.c.next_block()?;
        Ok(r.gas_used)
    }

    /// Deposit and withdrawal without exposure (trader3), LP deposit and withdrawal (lp2).
    fn vault_and_lp_ops(&mut self) -> Result<()> {
        let d = self.d.clone();
        let trader3 = self.key("trader3");
        let account = self.create_account(trader3, 50_000_000)?;
        self.c.next_block()?;
        let r = self.measure(
            "vault_deposit",
            trader3,
            &d.vault,
            &vault::ExecuteMsg::Deposit {
                account_id: account,
            },
            &[coin(50_000_000, USDC)],
        )?;
        self.record("vault_deposit", r.gas_used);
        let r = self.measure(
            "vault_withdraw (no exposure)",
            trader3,
            &d.vault,
            &vault::ExecuteMsg::Withdraw {
                account_id: account,
                denom: USDC.into(),
                amount: Uint128::new(10_000_000),
                recipient: None,
            },
            &[],
        )?;
        self.report
            .extras
            .insert("vault_withdraw_no_exposure".into(), r.gas_used);

        let lp2 = self.key("lp2");
        let r = self.measure(
            "lp_deposit",
            lp2,
            &d.vault,
            &vault::ExecuteMsg::LpDeposit { min_shares: None },
            &[coin(10_000_000_000, USDC)],
        )?;
        self.record("lp_deposit", r.gas_used);
        let pos: vault::LpPositionResponse = self.c.query(
            &d.vault,
            &vault::QueryMsg::LpPosition {
                lp: lp2.addr().to_string(),
            },
        )?;
        let r = self.measure(
            "lp_request_withdraw",
            lp2,
            &d.vault,
            &vault::ExecuteMsg::RequestLpWithdraw {
                shares: pos.shares.multiply_ratio(1u128, 4u128),
            },
            &[],
        )?;
        self.report
            .extras
            .insert("lp_request_withdraw".into(), r.gas_used);
        // The delay is 1 s: two blocks later the request is ready.
        self.c.next_block()?;
        self.c.next_block()?;
        std::thread::sleep(Duration::from_secs(1));
        self.c.next_block()?;
        self.keep_fresh()?;
        let r = self.measure(
            "lp_withdraw",
            lp2,
            &d.vault,
            &vault::ExecuteMsg::LpWithdraw { min_amount: None },
            &[],
        )?;
        self.record("lp_withdraw", r.gas_used);
        Ok(())
    }

    /// A guardian (the keeper key) trips a market scope of the perps contract that no market
    /// uses, from Normal to ReduceOnly.
    fn breaker_trip(&mut self) -> Result<()> {
        let d = self.d.clone();
        let keeper = self.key("keeper");
        let r = self.measure(
            "breaker_trip",
            keeper,
            &d.circuit_breaker,
            &breaker::ExecuteMsg::Trip {
                scope: Scope::Market {
                    contract_addr: Addr::unchecked(&d.perps),
                    market_id: "BENCH-TRIP".into(),
                },
                level: Level::ReduceOnly,
                reason: "gas benchmark".into(),
            },
            &[],
        )?;
        self.record("breaker_trip", r.gas_used);
        Ok(())
    }

    /// After expiry: the first `Settle` page (fixes the settlement price from the oracle TWAP
    /// and pays out ten accounts).
    fn settle_options(&mut self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(OPTIONS_EXPIRY_SECS + 120);
        while self.c.block_time_secs()? <= self.expiry + 1 {
            if Instant::now() > deadline {
                bail!("the options board never expired");
            }
            self.keep_fresh()?;
            std::thread::sleep(Duration::from_millis(500));
        }
        self.keep_fresh()?;
        let d = self.d.clone();
        let keeper = self.key("keeper");
        let r = self.measure(
            "options_settle_page",
            keeper,
            &d.options,
            &options::ExecuteMsg::Settle {
                board_id: self.board_id,
                start_after: None,
                limit: Some(SETTLE_PAGE),
            },
            &[],
        )?;
        let settled = r.attrs("wasm", "settled_accounts");
        self.note(format!(
            "options_settle_page: {} gas, settled_accounts {:?}",
            r.gas_used, settled
        ));
        self.record("options_settle_page", r.gas_used);
        Ok(())
    }

    /// The options buy at the worst case the per-account limits allow on the default grid
    /// (docs/gas.md): two boards of 16 strikes, the account holds 14 capped calls and 17 puts
    /// (bought in one transaction) and buys an 18th put: 32 positions, 1,012 Black-Scholes
    /// evaluations in its risk report.
    fn options_worst_case(&mut self) -> Result<()> {
        let c = self.c;
        let d = self.d.clone();
        let deployer = self.key("deployer");
        let expiry = c.block_time_secs()? + OPTIONS_EXPIRY_SECS;
        let mut strike_ids = vec![];
        for _ in 0..2 {
            let r = self.exec(
                deployer,
                &d.options,
                &options::ExecuteMsg::CreateBoard {
                    asset_id: ATOM.into(),
                    expiry,
                    base_iv: dec("0.6"),
                    cap_price: dec("40"),
                    multiplier: Uint128::new(1_000_000),
                    strikes: (6..22u64)
                        .map(|k| options::StrikeInput {
                            strike: Decimal256::from_ratio(k, 1u64),
                            skew: Decimal256::one(),
                        })
                        .collect(),
                },
                &[],
            )?;
            let board: u64 = r.attr("wasm", "board_id")?.parse()?;
            let b: options::BoardResponse =
                c.query(&d.options, &options::QueryMsg::Board { board_id: board })?;
            strike_ids.extend(
                b.strikes
                    .iter()
                    .map(|s| (s.call_series_id, s.put_series_id)),
            );
        }
        let calls = strike_ids[..14].iter().map(|(call, _)| *call);
        let puts = strike_ids[14..].iter().map(|(_, put)| *put);
        let series: Vec<u64> = calls.chain(puts).collect();
        let trader3 = self.key("trader3");
        let account = self.create_account(trader3, 1_000_000_000)?;
        self.keep_fresh()?;
        let buy = |series_id: u64| options::ExecuteMsg::Buy {
            account_id: account,
            series_id,
            amount: Uint128::new(1),
            max_cost: Uint128::new(100_000_000),
        };
        let msgs = series[..series.len() - 1]
            .iter()
            .map(|s| c.execute_msg(trader3, &d.options, &buy(*s), &[]))
            .collect::<Result<Vec<_>>>()?;
        c.send(trader3, msgs, Gas::Auto)?.ok()?;
        let last = series[series.len() - 1];
        let r = self.measure(
            "options_buy (32nd position)",
            trader3,
            &d.options,
            &buy(last),
            &[],
        )?;
        self.report
            .extras
            .insert("options_buy_32nd_position".into(), r.gas_used);
        Ok(())
    }

    /// Feeds of one asset with quorum met and a changed price: one less than 60 s after the
    /// asset's last TWAP checkpoint (none written), one more than 60 s after it (it writes
    /// one: the worst case, recorded); and the refresh of an asset whose three feeder sources
    /// each pushed a new value while it was paused (the refresh publishes their median).
    fn oracle_ops(&mut self) -> Result<()> {
        let d = self.d.clone();
        let c = self.c;
        let (f1, f2, f3) = (
            self.key("feeder1"),
            self.key("feeder2"),
            self.key("feeder3"),
        );
        let feed_one = |w: &'a Wallet, price: &str| -> Result<Any> {
            let now = c.block_time_secs()?;
            c.execute_msg(
                w,
                &d.oracle,
                &oracle::ExecuteMsg::Feed {
                    prices: vec![feed_price(FEED_ASSET, price, now)],
                },
                &[],
            )
        };
        // Fresh values of feeders 1 and 2 (the setup's are stale by now): a new price, so a
        // checkpoint is written now.
        let txs = vec![
            (f1, vec![feed_one(f1, "10.01")?]),
            (f2, vec![feed_one(f2, "10.01")?]),
        ];
        self.broadcast_all(txs, Some(1_000_000))?;
        let checkpoint_at = Instant::now();
        c.next_block()?;
        let now = c.block_time_secs()?;
        let without = self.measure(
            "oracle_feed_1 (no checkpoint)",
            f1,
            &d.oracle,
            &oracle::ExecuteMsg::Feed {
                prices: vec![feed_price(FEED_ASSET, "10.03", now)],
            },
            &[],
        )?;
        while checkpoint_at.elapsed() < Duration::from_secs(62) {
            self.keep_fresh()?;
            std::thread::sleep(Duration::from_millis(500));
        }
        let now = c.block_time_secs()?;
        let with_checkpoint = self.measure(
            "oracle_feed_1 (checkpoint)",
            f2,
            &d.oracle,
            &oracle::ExecuteMsg::Feed {
                prices: vec![feed_price(FEED_ASSET, "10.05", now)],
            },
            &[],
        )?;
        self.report
            .extras
            .insert("oracle_feed_1_no_checkpoint".into(), without.gas_used);
        self.record(
            "oracle_feed_1",
            with_checkpoint.gas_used.max(without.gas_used),
        );

        let deployer = self.key("deployer");
        self.exec(
            deployer,
            &d.oracle,
            &oracle::ExecuteMsg::PauseAsset {
                asset_id: REF_ASSET.into(),
            },
            &[],
        )?;
        let now = c.block_time_secs()?;
        let txs = [(f1, "10.04"), (f2, "10.05"), (f3, "10.06")]
            .into_iter()
            .map(|(w, p)| {
                Ok((
                    w,
                    vec![c.execute_msg(
                        w,
                        &d.oracle,
                        &oracle::ExecuteMsg::Feed {
                            prices: vec![feed_price(REF_ASSET, p, now)],
                        },
                        &[],
                    )?],
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        self.broadcast_all(txs, Some(1_000_000))?;
        self.exec(
            deployer,
            &d.oracle,
            &oracle::ExecuteMsg::UnpauseAsset {
                asset_id: REF_ASSET.into(),
            },
            &[],
        )?;
        let keeper = self.key("keeper");
        let r = self.measure(
            "oracle_refresh_3_sources",
            keeper,
            &d.oracle,
            &oracle::ExecuteMsg::Refresh {
                assets: vec![REF_ASSET.into()],
            },
            &[],
        )?;
        let result = r.attrs("wasm-bulwark_oracle_price", "result");
        self.note(format!(
            "oracle_refresh_3_sources: {} gas, result {result:?}",
            r.gas_used
        ));
        self.record("oracle_refresh_3_sources", r.gas_used);
        Ok(())
    }
}

/// Gas of one perps measurement round, and the positions open before it.
#[derive(Debug)]
#[allow(dead_code)] // read through Debug in the notes
struct PerpsRound {
    positions_before: u64,
    open: u64,
    increase: u64,
    withdraw: u64,
    close: u64,
    liquidation: u64,
}

fn feed_price(asset: &str, price: &str, publish_time: u64) -> FeedPrice {
    FeedPrice {
        asset_id: asset.into(),
        price: sdec(price),
        publish_time,
    }
}

fn order(account_id: u64, market: &str, size: &str, limit: &str) -> perps::ExecuteMsg {
    perps::ExecuteMsg::SubmitOrder {
        account_id,
        market_id: market.into(),
        size_delta: sdec(size),
        acceptable_price: dec(limit),
        reduce_only: false,
    }
}

/// The account ids a transaction of `CreateAccount` messages created, in order.
fn account_ids(r: &TxResult) -> Result<Vec<u64>> {
    r.attrs("wasm", "account_id")
        .iter()
        .map(|s| s.parse::<u64>().map_err(|e| anyhow!("account id {s}: {e}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> GasReport {
        let mut r = GasReport {
            date: "2026-12-03".into(),
            commit: "abc".into(),
            wasmd: WASMD_VERSION.into(),
            wasmvm: WASMVM_VERSION.into(),
            ..Default::default()
        };
        r.operations.insert("oracle_feed_1".into(), 120_000);
        r.operations.insert("options_settle_page".into(), 2_000_000);
        for (n, g) in [(10, 300_000), (1_000, 301_000), (10_000, 302_000)] {
            r.scaling
                .entry("perps_open".into())
                .or_default()
                .insert(n, g);
        }
        r.wasm_bytes.insert("oracle".into(), 400_000);
        r
    }

    #[test]
    fn json_has_the_committed_shape() {
        let v = sample().to_json();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        for k in [
            "date",
            "commit",
            "wasmd",
            "wasmvm",
            "operations",
            "scaling",
            "wasm_bytes",
        ] {
            assert!(keys.contains(&k), "{k} missing: {keys:?}");
        }
        assert_eq!(keys.len(), 7);
        assert_eq!(v["scaling"]["perps_open"]["10000"], 302_000);
        assert_eq!(v["operations"]["oracle_feed_1"], 120_000);
    }

    #[test]
    fn every_operation_has_a_budget_entry() {
        assert_eq!(BUDGETS.len(), 14);
        assert_eq!(budget_of("perps_close"), Some(500_000));
        assert_eq!(budget_of("options_settle_page"), None);
        assert_eq!(budget_of("unknown"), None);
    }

    #[test]
    fn check_finds_budget_scaling_and_regression_violations() {
        let r = sample();
        assert!(r.check(None).is_empty(), "{:?}", r.check(None));
        assert!(r.check(Some(&r.to_json())).is_empty());

        let mut over = sample();
        over.operations.insert("oracle_feed_1".into(), 150_001);
        let v = over.check(None);
        assert_eq!(v.len(), 1, "{v:?}");
        assert!(v[0].contains("budget 150000"), "{v:?}");

        let mut grows = sample();
        grows
            .scaling
            .get_mut("perps_open")
            .unwrap()
            .insert(10_000, 316_000);
        let v = grows.check(None);
        assert_eq!(v.len(), 1, "{v:?}");
        assert!(v[0].contains("10000 positions"), "{v:?}");

        let mut regressed = sample();
        regressed
            .operations
            .insert("options_settle_page".into(), 2_200_000);
        regressed.operations.remove("oracle_feed_1");
        let v = regressed.check(Some(&sample().to_json()));
        assert_eq!(v.len(), 2, "{v:?}");

        // A quick run (fewer sizes) is compared on the sizes it has.
        let mut quick = sample();
        quick.scaling.get_mut("perps_open").unwrap().remove(&10_000);
        quick
            .scaling
            .get_mut("perps_open")
            .unwrap()
            .insert(100, 300_500);
        assert!(quick.check(Some(&sample().to_json())).is_empty());
    }

    #[test]
    fn dates_are_iso() {
        let d = utc_date();
        assert_eq!(d.len(), 10);
        assert_eq!(&d[4..5], "-");
    }
}
