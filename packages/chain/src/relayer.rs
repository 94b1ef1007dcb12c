//! Hermes, driven from tests: channel creation and packet relaying on demand (`clear packets`,
//! `tx packet-recv`, `tx packet-ack`), and the relaying process itself (`scripts/relayer
//! start|stop`). Tests relay step by step so every intermediate state (received, not yet
//! acknowledged; timed out) can be checked; the daemon relays the rest.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;

/// One end of a channel: chain, port and channel id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct End {
    pub chain_id: String,
    pub port_id: String,
    pub channel_id: String,
}

pub struct Relayer {
    script: PathBuf,
}

impl Default for Relayer {
    fn default() -> Self {
        Self::new()
    }
}

impl Relayer {
    /// `scripts/relayer` of this checkout (its `config` and `connect` must have run).
    pub fn new() -> Self {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        Self {
            script: root.join("scripts/relayer"),
        }
    }

    fn run(&self, args: &[&str]) -> Result<String> {
        let out = Command::new(&self.script)
            .args(args)
            .output()
            .with_context(|| format!("running {} {}", self.script.display(), args.join(" ")))?;
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        if !out.status.success() {
            bail!(
                "scripts/relayer {} failed ({}): {}{}",
                args.join(" "),
                out.status,
                stdout,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(stdout)
    }

    /// Runs `hermes --json ARGS` and returns the `result` of its final (status) line.
    pub fn hermes(&self, args: &[&str]) -> Result<Value> {
        let mut full = vec!["hermes", "--json"];
        full.extend_from_slice(args);
        let out = self.run(&full)?;
        let last = out
            .lines()
            .rev()
            .find(|l| l.trim_start().starts_with('{'))
            .ok_or_else(|| anyhow!("hermes {}: no JSON output: {out}", args.join(" ")))?;
        let v: Value = serde_json::from_str(last)?;
        if v.get("status").and_then(Value::as_str) != Some("success") {
            bail!("hermes {}: {last}", args.join(" "));
        }
        Ok(v.get("result").cloned().unwrap_or(Value::Null))
    }

    /// Opens an unordered channel whose handshake starts on `a` (OpenInit there, OpenTry on
    /// the other chain). Returns (a's channel id, b's channel id).
    pub fn create_channel(
        &self,
        a_chain: &str,
        a_connection: &str,
        a_port: &str,
        b_port: &str,
        version: Option<&str>,
    ) -> Result<(String, String)> {
        let mut args = vec![
            "create",
            "channel",
            "--a-chain",
            a_chain,
            "--a-connection",
            a_connection,
            "--a-port",
            a_port,
            "--b-port",
            b_port,
            "--order",
            "unordered",
        ];
        if let Some(v) = version {
            args.extend_from_slice(&["--channel-version", v]);
        }
        let r = self.hermes(&args)?;
        let id = |side: &str| -> Result<String> {
            r.get(side)
                .and_then(|s| s.get("channel_id"))
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| anyhow!("create channel: no {side}.channel_id in {r}"))
        };
        Ok((id("a_side")?, id("b_side")?))
    }

    /// Relays everything pending on the channel of `end`, both ways: receives, acks and
    /// timeouts.
    pub fn clear(&self, end: &End) -> Result<()> {
        self.hermes(&[
            "clear",
            "packets",
            "--chain",
            &end.chain_id,
            "--port",
            &end.port_id,
            "--channel",
            &end.channel_id,
        ])?;
        Ok(())
    }

    /// Delivers the packets `src` sent to the counterparty chain `dst_chain` (or, for packets
    /// past their timeout, their timeouts back to `src`), and nothing else.
    pub fn recv(&self, src: &End, dst_chain: &str) -> Result<Value> {
        self.packet_tx("packet-recv", src, dst_chain)
    }

    /// Delivers to `dst_chain` the acknowledgements written on `src` (the receiving end).
    pub fn ack(&self, src: &End, dst_chain: &str) -> Result<Value> {
        self.packet_tx("packet-ack", src, dst_chain)
    }

    fn packet_tx(&self, kind: &str, src: &End, dst_chain: &str) -> Result<Value> {
        self.hermes(&[
            "tx",
            kind,
            "--dst-chain",
            dst_chain,
            "--src-chain",
            &src.chain_id,
            "--src-port",
            &src.port_id,
            "--src-channel",
            &src.channel_id,
        ])
    }

    /// Sequences of packets sent on `end` whose commitments are still there (not
    /// acknowledged nor timed out).
    pub fn pending_sends(&self, end: &End) -> Result<Value> {
        self.hermes(&[
            "query",
            "packet",
            "pending-sends",
            "--chain",
            &end.chain_id,
            "--port",
            &end.port_id,
            "--channel",
            &end.channel_id,
        ])
    }

    /// Starts the relaying process (packets, clearing on start).
    pub fn start(&self) -> Result<()> {
        self.run(&["start"]).map(|_| ())
    }

    pub fn stop(&self) -> Result<()> {
        self.run(&["stop"]).map(|_| ())
    }
}
