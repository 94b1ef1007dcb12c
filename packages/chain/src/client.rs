//! A blocking client for a Cosmos SDK node over CometBFT's JSON-RPC: queries through
//! `abci_query` (the node's gRPC query services, proto-encoded), transactions signed here
//! (SIGN_MODE_DIRECT, secp256k1) and broadcast with `broadcast_tx_sync`, then looked up by
//! hash until a block includes them. Only RPC is needed, so the same code drives a localnet
//! and a public network.

use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use cosmrs::proto::cosmos::auth::v1beta1::{
    BaseAccount, QueryAccountRequest, QueryAccountResponse,
};
use cosmrs::proto::cosmos::bank::v1beta1::{
    QueryAllBalancesRequest, QueryAllBalancesResponse, QueryBalanceRequest, QueryBalanceResponse,
};
use cosmrs::proto::cosmos::tx::v1beta1::{SimulateRequest, SimulateResponse};
use cosmrs::proto::cosmwasm::wasm::v1::{
    QueryCodeRequest, QueryCodeResponse, QueryContractInfoRequest, QueryContractInfoResponse,
    QueryRawContractStateRequest, QueryRawContractStateResponse, QuerySmartContractStateRequest,
    QuerySmartContractStateResponse,
};
use cosmrs::proto::prost::Message;
use cosmrs::tx::{Body, Fee, Msg, SignDoc, SignerInfo};
use cosmrs::{Any, Coin as ProtoCoin, Denom};
use cosmwasm_std::Coin;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use crate::wallet::Wallet;

/// Where the node is and how transactions pay for gas.
#[derive(Clone, Debug)]
pub struct ChainConfig {
    pub chain_id: String,
    /// CometBFT RPC, e.g. `http://127.0.0.1:26157`.
    pub rpc_url: String,
    pub bech32_prefix: String,
    pub gas_denom: String,
    /// Fee per unit of gas, in `gas_denom` (a decimal, e.g. 0.0025).
    pub gas_price: f64,
    /// Gas limit = simulated gas × this.
    pub gas_adjustment: f64,
}

impl ChainConfig {
    /// From the environment (`scripts/chain env` prints it for a localnet):
    /// BULWARK_CHAIN_ID, BULWARK_RPC, and optionally BULWARK_PREFIX (wasm),
    /// BULWARK_GAS_DENOM (ustake), BULWARK_GAS_PRICE (0.0025), BULWARK_GAS_ADJUSTMENT (1.4).
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// As [`ChainConfig::from_env`], reading the variables through `lookup` (e.g. the lines
    /// `scripts/chain env NAME` prints, for a test that drives several chains).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let var = |k: &str| lookup(k).with_context(|| format!("{k} is not set"));
        let opt = |k: &str, d: &str| lookup(k).unwrap_or_else(|| d.to_string());
        Ok(Self {
            chain_id: var("BULWARK_CHAIN_ID")?,
            rpc_url: var("BULWARK_RPC")?,
            bech32_prefix: opt("BULWARK_PREFIX", "wasm"),
            gas_denom: opt("BULWARK_GAS_DENOM", "ustake"),
            gas_price: opt("BULWARK_GAS_PRICE", "0.0025").parse()?,
            gas_adjustment: opt("BULWARK_GAS_ADJUSTMENT", "1.4").parse()?,
        })
    }
}

/// One event of a transaction result, attributes in order.
#[derive(Clone, Debug)]
pub struct Event {
    pub kind: String,
    pub attributes: Vec<(String, String)>,
}

/// The outcome of an included transaction.
#[derive(Clone, Debug)]
pub struct TxResult {
    pub hash: String,
    pub height: u64,
    /// 0 on success; anything else failed in the block (the fee was still paid).
    pub code: u32,
    pub log: String,
    pub gas_wanted: u64,
    pub gas_used: u64,
    /// Fee paid, in the gas denom.
    pub fee_amount: u128,
    pub events: Vec<Event>,
}

impl TxResult {
    pub fn is_ok(&self) -> bool {
        self.code == 0
    }

    /// Values of `key` in events of type `kind`, in order.
    pub fn attrs(&self, kind: &str, key: &str) -> Vec<String> {
        self.events
            .iter()
            .filter(|e| e.kind == kind)
            .flat_map(|e| e.attributes.iter())
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The first value of `key` in events of type `kind`.
    pub fn attr(&self, kind: &str, key: &str) -> Result<String> {
        self.attrs(kind, key)
            .into_iter()
            .next()
            .ok_or_else(|| anyhow!("no {kind}.{key} in tx {}", self.hash))
    }

    /// Fails unless the transaction succeeded.
    pub fn ok(self) -> Result<Self> {
        if self.code != 0 {
            bail!("tx {} failed (code {}): {}", self.hash, self.code, self.log);
        }
        Ok(self)
    }
}

/// How a transaction's gas limit is chosen.
#[derive(Clone, Copy, Debug)]
pub enum Gas {
    /// Simulate, then multiply by the configured adjustment.
    Auto,
    /// A fixed limit, without simulation (a transaction expected to fail still lands in a
    /// block this way, so its error is in the block's log).
    Fixed(u64),
    /// Simulate; when simulation fails (the transaction would fail), use the fixed limit so
    /// the failure is recorded in a block with its log.
    AutoOr(u64),
}

pub struct Client {
    pub config: ChainConfig,
    agent: ureq::Agent,
    next_id: std::cell::Cell<u64>,
    /// Fees paid by every transaction this client sent (gas denom), for conservation checks.
    fees_paid: std::cell::Cell<u128>,
}

impl Client {
    pub fn new(config: ChainConfig) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .http_status_as_error(false)
            .build()
            .new_agent();
        Self {
            config,
            agent,
            next_id: std::cell::Cell::new(1),
            fees_paid: std::cell::Cell::new(0),
        }
    }

    fn rpc(&self, method: &str, params: Value) -> Result<Value> {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        let body = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
        let mut resp = self
            .agent
            .post(&self.config.rpc_url)
            .send_json(&body)
            .with_context(|| format!("rpc {method} to {}", self.config.rpc_url))?;
        let value: Value = resp.body_mut().read_json().context("rpc response")?;
        if let Some(err) = value.get("error") {
            bail!("rpc {method}: {err}");
        }
        value
            .get("result")
            .cloned()
            .ok_or_else(|| anyhow!("rpc {method}: no result"))
    }

    /// Total fees paid by the transactions this client sent.
    pub fn fees_paid(&self) -> u128 {
        self.fees_paid.get()
    }

    /// Latest block height and time (unix seconds).
    pub fn status(&self) -> Result<(u64, String)> {
        let v = self.rpc("status", json!({}))?;
        let info = &v["sync_info"];
        let height = info["latest_block_height"]
            .as_str()
            .ok_or_else(|| anyhow!("status: no height"))?
            .parse()?;
        let time = info["latest_block_time"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        Ok((height, time))
    }

    /// The latest block's time in unix seconds (what `env.block.time` was in that block; the
    /// next block's time is at or after it).
    pub fn block_time_secs(&self) -> Result<u64> {
        let (_, time) = self.status()?;
        parse_rfc3339_secs(&time)
    }

    /// Waits until the chain is past `height`.
    pub fn wait_for_height(&self, height: u64) -> Result<u64> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let (h, _) = self.status()?;
            if h > height {
                return Ok(h);
            }
            if Instant::now() > deadline {
                bail!("chain stuck at height {h}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits for the next block.
    pub fn next_block(&self) -> Result<u64> {
        let (h, _) = self.status()?;
        self.wait_for_height(h)
    }

    /// An ABCI query of a gRPC query service: `path` is `/pkg.Service/Method`.
    pub fn abci_query<Req: Message, Resp: Message + Default>(
        &self,
        path: &str,
        req: &Req,
    ) -> Result<Resp> {
        let v = self.rpc(
            "abci_query",
            json!({ "path": path, "data": hex::encode(req.encode_to_vec()), "prove": false }),
        )?;
        let r = &v["response"];
        let code = r["code"].as_u64().unwrap_or(0);
        if code != 0 {
            bail!(
                "query {path} failed (code {code}): {}",
                r["log"].as_str().unwrap_or("")
            );
        }
        let bytes = B64.decode(r["value"].as_str().unwrap_or(""))?;
        Ok(Resp::decode(bytes.as_slice())?)
    }

    /// A smart query of a contract, JSON in and out.
    pub fn query<M: Serialize, T: DeserializeOwned>(&self, contract: &str, msg: &M) -> Result<T> {
        let resp: QuerySmartContractStateResponse = self.abci_query(
            "/cosmwasm.wasm.v1.Query/SmartContractState",
            &QuerySmartContractStateRequest {
                address: contract.to_string(),
                query_data: serde_json::to_vec(msg)?,
            },
        )?;
        serde_json::from_slice(&resp.data).with_context(|| {
            format!(
                "decoding query answer {}",
                String::from_utf8_lossy(&resp.data)
            )
        })
    }

    /// A raw storage read of a contract (`None` when the key is absent).
    pub fn query_raw(&self, contract: &str, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let resp: QueryRawContractStateResponse = self.abci_query(
            "/cosmwasm.wasm.v1.Query/RawContractState",
            &QueryRawContractStateRequest {
                address: contract.to_string(),
                query_data: key.to_vec(),
            },
        )?;
        Ok((!resp.data.is_empty()).then_some(resp.data))
    }

    /// The wasm admin and code id of a contract.
    pub fn contract_info(&self, contract: &str) -> Result<(String, u64)> {
        let resp: QueryContractInfoResponse = self.abci_query(
            "/cosmwasm.wasm.v1.Query/ContractInfo",
            &QueryContractInfoRequest {
                address: contract.to_string(),
            },
        )?;
        let info = resp
            .contract_info
            .ok_or_else(|| anyhow!("no contract at {contract}"))?;
        Ok((info.admin, info.code_id))
    }

    /// The sha256 the chain recorded for a code id (hex).
    pub fn code_hash(&self, code_id: u64) -> Result<String> {
        let resp: QueryCodeResponse = self.abci_query(
            "/cosmwasm.wasm.v1.Query/Code",
            &QueryCodeRequest { code_id },
        )?;
        let info = resp.code_info.ok_or_else(|| anyhow!("no code {code_id}"))?;
        Ok(hex::encode(info.data_hash))
    }

    pub fn balance(&self, addr: &str, denom: &str) -> Result<u128> {
        let resp: QueryBalanceResponse = self.abci_query(
            "/cosmos.bank.v1beta1.Query/Balance",
            &QueryBalanceRequest {
                address: addr.to_string(),
                denom: denom.to_string(),
            },
        )?;
        Ok(match resp.balance {
            Some(c) => c.amount.parse()?,
            None => 0,
        })
    }

    pub fn all_balances(&self, addr: &str) -> Result<Vec<Coin>> {
        let resp: QueryAllBalancesResponse = self.abci_query(
            "/cosmos.bank.v1beta1.Query/AllBalances",
            &QueryAllBalancesRequest {
                address: addr.to_string(),
                pagination: None,
                resolve_denom: false,
            },
        )?;
        resp.balances
            .into_iter()
            .map(|c| Ok(Coin::new(c.amount.parse::<u128>()?, c.denom)))
            .collect()
    }

    /// Account number and sequence of an address.
    pub fn account(&self, addr: &str) -> Result<(u64, u64)> {
        let resp: QueryAccountResponse = self.abci_query(
            "/cosmos.auth.v1beta1.Query/Account",
            &QueryAccountRequest {
                address: addr.to_string(),
            },
        )?;
        let any = resp.account.ok_or_else(|| anyhow!("no account {addr}"))?;
        let base = BaseAccount::decode(any.value.as_slice())
            .with_context(|| format!("account {addr} is a {}", any.type_url))?;
        Ok((base.account_number, base.sequence))
    }

    fn sign(
        &self,
        wallet: &Wallet,
        msgs: &[Any],
        gas_limit: u64,
        sequence: u64,
    ) -> Result<Vec<u8>> {
        let body = Body::new(msgs.to_vec(), "", 0u32);
        let fee_amount = self.fee_for(gas_limit);
        let fee = Fee::from_amount_and_gas(
            ProtoCoin {
                denom: self
                    .config
                    .gas_denom
                    .parse::<Denom>()
                    .map_err(|e| anyhow!("{e}"))?,
                amount: fee_amount,
            },
            gas_limit,
        );
        let auth_info =
            SignerInfo::single_direct(Some(wallet.public_key()), sequence).auth_info(fee);
        let doc = SignDoc::new(
            &body,
            &auth_info,
            &self
                .config
                .chain_id
                .parse()
                .map_err(|e| anyhow!("chain id: {e}"))?,
            wallet.account_number()?,
        )
        .map_err(|e| anyhow!("sign doc: {e}"))?;
        let raw = doc
            .sign(wallet.signing_key())
            .map_err(|e| anyhow!("sign: {e}"))?;
        raw.to_bytes().map_err(|e| anyhow!("encode tx: {e}"))
    }

    fn fee_for(&self, gas_limit: u64) -> u128 {
        (gas_limit as f64 * self.config.gas_price).ceil() as u128
    }

    /// Simulated gas of `msgs` from `wallet`, or the error the chain gives.
    pub fn simulate(&self, wallet: &Wallet, msgs: &[Any]) -> Result<u64> {
        let tx_bytes = self.sign(wallet, msgs, 0, wallet.sequence())?;
        #[allow(deprecated)]
        let resp: SimulateResponse = self.abci_query(
            "/cosmos.tx.v1beta1.Service/Simulate",
            &SimulateRequest { tx: None, tx_bytes },
        )?;
        Ok(resp.gas_info.map(|g| g.gas_used).unwrap_or(0))
    }

    /// Signs, broadcasts and waits for inclusion. A transaction refused before a block
    /// (CheckTx, or simulation with [`Gas::Auto`]) is an `Err`; one that failed in a block is
    /// an `Ok` with a non-zero code.
    pub fn send(&self, wallet: &Wallet, msgs: Vec<Any>, gas: Gas) -> Result<TxResult> {
        let gas_limit = match gas {
            Gas::Auto => {
                let simulated = self.simulate(wallet, &msgs)?;
                (simulated as f64 * self.config.gas_adjustment) as u64 + 20_000
            }
            Gas::Fixed(limit) => limit,
            Gas::AutoOr(limit) => match self.simulate(wallet, &msgs) {
                Ok(simulated) => (simulated as f64 * self.config.gas_adjustment) as u64 + 20_000,
                Err(_) => limit,
            },
        };
        let hash = self.broadcast(wallet, &msgs, gas_limit)?;
        self.wait_tx(&hash)
    }

    /// Signs and broadcasts without waiting for a block; returns the hash. The wallet's
    /// sequence advances, so several transactions of one wallet can be in one block (wait for
    /// each with [`Client::wait_tx`]). The fee is counted as paid: past CheckTx, a
    /// transaction pays its fee when it lands, whether it then succeeds or fails.
    pub fn broadcast(&self, wallet: &Wallet, msgs: &[Any], gas_limit: u64) -> Result<String> {
        let tx_bytes = self.sign(wallet, msgs, gas_limit, wallet.sequence())?;
        let hash = hex::encode_upper(sha2_256(&tx_bytes));
        let r = self.rpc("broadcast_tx_sync", json!({ "tx": B64.encode(&tx_bytes) }))?;
        let code = r["code"].as_u64().unwrap_or(0);
        if code != 0 {
            // Refused before a block: the sequence did not advance.
            if r["log"]
                .as_str()
                .unwrap_or("")
                .contains("account sequence mismatch")
            {
                wallet.resync(self)?;
            }
            bail!(
                "tx of {} refused by CheckTx (code {code}): {}",
                wallet.name,
                r["log"].as_str().unwrap_or("")
            );
        }
        wallet.bump_sequence();
        self.fees_paid
            .set(self.fees_paid.get() + self.fee_for(gas_limit));
        Ok(hash)
    }

    /// Looks a transaction up by hash until a block includes it.
    pub fn wait_tx(&self, hash: &str) -> Result<TxResult> {
        let deadline = Instant::now() + Duration::from_secs(60);
        let hash_b64 = B64.encode(hex::decode(hash)?);
        loop {
            match self.rpc("tx", json!({ "hash": hash_b64, "prove": false })) {
                Ok(v) => return parse_tx_result(hash, &v),
                Err(e) if Instant::now() > deadline => {
                    return Err(e.context(format!("tx {hash} not included within 60 s")))
                }
                Err(_) => std::thread::sleep(Duration::from_millis(80)),
            }
        }
    }

    /// Executes a contract with a JSON message.
    pub fn execute<M: Serialize>(
        &self,
        wallet: &Wallet,
        contract: &str,
        msg: &M,
        funds: &[Coin],
    ) -> Result<TxResult> {
        self.send(
            wallet,
            vec![self.execute_msg(wallet, contract, msg, funds)?],
            Gas::Auto,
        )?
        .ok()
    }

    /// A `MsgExecuteContract` from `wallet`, for batching several into one transaction.
    pub fn execute_msg<M: Serialize>(
        &self,
        wallet: &Wallet,
        contract: &str,
        msg: &M,
        funds: &[Coin],
    ) -> Result<Any> {
        let mut funds: Vec<ProtoCoin> = funds.iter().map(to_proto_coin).collect::<Result<_>>()?;
        // The SDK requires coins sorted by denom.
        funds.sort_by_key(|c| c.denom.to_string());
        cosmrs::cosmwasm::MsgExecuteContract {
            sender: wallet.account_id().clone(),
            contract: contract.parse().map_err(|e| anyhow!("{contract}: {e}"))?,
            msg: serde_json::to_vec(msg)?,
            funds,
        }
        .to_any()
        .map_err(|e| anyhow!("{e}"))
    }

    /// Stores wasm code; returns the code id.
    pub fn store_code(&self, wallet: &Wallet, wasm: Vec<u8>) -> Result<u64> {
        let msg = cosmrs::cosmwasm::MsgStoreCode {
            sender: wallet.account_id().clone(),
            wasm_byte_code: wasm,
            instantiate_permission: None,
        }
        .to_any()
        .map_err(|e| anyhow!("{e}"))?;
        let r = self.send(wallet, vec![msg], Gas::Auto)?.ok()?;
        Ok(r.attr("store_code", "code_id")?.parse()?)
    }

    /// Instantiates a code id; returns the contract address.
    pub fn instantiate<M: Serialize>(
        &self,
        wallet: &Wallet,
        code_id: u64,
        msg: &M,
        label: &str,
        admin: Option<&str>,
    ) -> Result<String> {
        let msg = cosmrs::cosmwasm::MsgInstantiateContract {
            sender: wallet.account_id().clone(),
            admin: admin
                .map(|a| a.parse().map_err(|e| anyhow!("admin {a}: {e}")))
                .transpose()?,
            code_id,
            label: Some(label.to_string()),
            msg: serde_json::to_vec(msg)?,
            funds: vec![],
        }
        .to_any()
        .map_err(|e| anyhow!("{e}"))?;
        let r = self.send(wallet, vec![msg], Gas::Auto)?.ok()?;
        r.attr("instantiate", "_contract_address")
    }

    /// A `MsgMigrateContract` from `wallet` (admin only).
    pub fn migrate_msg<M: Serialize>(
        &self,
        wallet: &Wallet,
        contract: &str,
        code_id: u64,
        msg: &M,
    ) -> Result<Any> {
        cosmrs::cosmwasm::MsgMigrateContract {
            sender: wallet.account_id().clone(),
            contract: contract.parse().map_err(|e| anyhow!("{contract}: {e}"))?,
            code_id,
            msg: serde_json::to_vec(msg)?,
        }
        .to_any()
        .map_err(|e| anyhow!("{e}"))
    }

    /// A bank `MsgSend`.
    pub fn send_msg(&self, wallet: &Wallet, to: &str, coins: &[Coin]) -> Result<Any> {
        cosmrs::bank::MsgSend {
            from_address: wallet.account_id().clone(),
            to_address: to.parse().map_err(|e| anyhow!("{to}: {e}"))?,
            amount: coins.iter().map(to_proto_coin).collect::<Result<_>>()?,
        }
        .to_any()
        .map_err(|e| anyhow!("{e}"))
    }
}

fn to_proto_coin(c: &Coin) -> Result<ProtoCoin> {
    Ok(ProtoCoin {
        denom: c
            .denom
            .parse()
            .map_err(|e| anyhow!("denom {}: {e}", c.denom))?,
        amount: c.amount.u128(),
    })
}

/// Seconds since the epoch of an RFC 3339 UTC time such as `2026-12-03T07:35:36.44Z`.
fn parse_rfc3339_secs(t: &str) -> Result<u64> {
    let bad = || anyhow!("unreadable block time {t}");
    let (date, rest) = t.split_once('T').ok_or_else(bad)?;
    let mut d = date.split('-').map(|x| x.parse::<i64>());
    let (y, m, day) = match (d.next(), d.next(), d.next()) {
        (Some(Ok(y)), Some(Ok(m)), Some(Ok(day))) => (y, m, day),
        _ => return Err(bad()),
    };
    let hms: Vec<i64> = rest
        .trim_end_matches('Z')
        .split(['.', '+'])
        .next()
        .ok_or_else(bad)?
        .split(':')
        .map(|x| x.parse::<i64>().map_err(|_| bad()))
        .collect::<Result<_>>()?;
    if hms.len() != 3 {
        return Err(bad());
    }
    // Days from civil (H. Hinnant's algorithm).
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Ok((days * 86_400 + hms[0] * 3600 + hms[1] * 60 + hms[2]) as u64)
}

fn sha2_256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

fn parse_tx_result(hash: &str, v: &Value) -> Result<TxResult> {
    let r = &v["tx_result"];
    let num = |x: &Value| -> u64 {
        x.as_str()
            .and_then(|s| s.parse().ok())
            .or_else(|| x.as_u64())
            .unwrap_or(0)
    };
    let events: Vec<Event> = r["events"]
        .as_array()
        .map(|evs| {
            evs.iter()
                .map(|e| Event {
                    kind: e["type"].as_str().unwrap_or_default().to_string(),
                    attributes: e["attributes"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .map(|kv| {
                                    (
                                        kv["key"].as_str().unwrap_or_default().to_string(),
                                        kv["value"].as_str().unwrap_or_default().to_string(),
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    // The fee the chain charged, from the ante handler's `tx.fee` event ("272ustake").
    let fee_amount = events
        .iter()
        .filter(|e| e.kind == "tx")
        .flat_map(|e| e.attributes.iter())
        .find(|(k, _)| k == "fee")
        .map(|(_, v)| {
            let digits: String = v.chars().take_while(|c| c.is_ascii_digit()).collect();
            digits.parse::<u128>().unwrap_or(0)
        })
        .unwrap_or(0);
    Ok(TxResult {
        hash: hash.to_string(),
        height: num(&v["height"]),
        code: r["code"].as_u64().unwrap_or(0) as u32,
        log: r["log"].as_str().unwrap_or_default().to_string(),
        gas_wanted: num(&r["gas_wanted"]),
        gas_used: num(&r["gas_used"]),
        fee_amount,
        events,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn block_times_parse() {
        assert_eq!(
            super::parse_rfc3339_secs("1970-01-01T00:00:00Z").unwrap(),
            0
        );
        assert_eq!(
            super::parse_rfc3339_secs("2026-12-03T07:35:36.440638983Z").unwrap(),
            1_796_283_336
        );
        assert!(super::parse_rfc3339_secs("yesterday").is_err());
    }
}
