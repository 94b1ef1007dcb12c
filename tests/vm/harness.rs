//! Runs the optimized artifacts (`artifacts/*.wasm`) in cosmwasm-vm 2.2 — the VM line
//! Osmosis runs — with real gas metering, and estimates the SDK gas of each call.
//!
//! SDK gas estimate of one contract call (what wasmd charges for the contract part of a tx):
//! - 60,000 for loading the instance (wasmd `DefaultInstanceCost`);
//! - the VM's own gas (Wasm operations at 115 each, host API calls) ÷ 140,000 (wasmd's
//!   CosmWasm-gas-per-SDK-gas multiplier, as used by cosmwasm-vm's own test backend);
//! - the Cosmos SDK KV store gas for every storage access, charged by [`SdkGasStorage`] with
//!   the SDK's `KVGasConfig` on wasmd's full store key (prefix `0x03`, 32-byte contract
//!   address, then the contract's key).
//!
//! Not included: the transaction's own overhead (signature verification, tx bytes, ante
//! handler), bank transfers and submessages to other contracts. A real-chain measurement
//! needs the embedded Osmosis app (osmosis-test-tube), which cannot be built here: see
//! docs/gas.md.

#![allow(dead_code)]

use std::collections::HashSet;
use std::path::PathBuf;

use cosmwasm_std::{
    Addr, Binary, ContractResult, Empty, Env, MessageInfo, Order, QuerierResult, Record, Response,
    WasmQuery,
};
use cosmwasm_vm::testing::{mock_env, MockApi, MockQuerier, MockStorage};
use cosmwasm_vm::{
    call_execute, call_instantiate, call_query, capabilities_from_csv, Backend, BackendResult,
    GasInfo, Instance, InstanceOptions, Storage,
};
use serde::Serialize;

/// wasmd's CosmWasm gas per SDK gas.
pub const GAS_MULTIPLIER: u64 = 140_000;
/// wasmd's SDK gas for loading a contract instance.
pub const INSTANCE_COST: u64 = 60_000;
/// Capabilities Osmosis advertises (the same list `scripts/build-artifacts` checks against).
pub const OSMOSIS_CAPABILITIES: &str =
    "iterator,staking,stargate,cosmwasm_1_1,cosmwasm_1_2,cosmwasm_1_3,cosmwasm_1_4,cosmwasm_2_0,cosmwasm_2_1";

// Cosmos SDK KVGasConfig.
const HAS_COST: u64 = 1_000;
const DELETE_COST: u64 = 1_000;
const READ_COST_FLAT: u64 = 1_000;
const READ_COST_PER_BYTE: u64 = 3;
const WRITE_COST_FLAT: u64 = 2_000;
const WRITE_COST_PER_BYTE: u64 = 30;
const ITER_NEXT_COST_FLAT: u64 = 30;
/// wasmd stores contract state under 0x03 ++ 32-byte address ++ key.
const WASMD_KEY_PREFIX_LEN: u64 = 33;

/// Contract storage that charges what the Cosmos SDK KV store would, as externally used gas.
pub struct SdkGasStorage {
    inner: MockStorage,
}

fn sdk(gas: u64) -> GasInfo {
    GasInfo::with_externally_used(gas * GAS_MULTIPLIER)
}

fn key_len(key: &[u8]) -> u64 {
    WASMD_KEY_PREFIX_LEN + key.len() as u64
}

impl Storage for SdkGasStorage {
    fn get(&self, key: &[u8]) -> BackendResult<Option<Vec<u8>>> {
        let (res, _) = self.inner.get(key);
        let value_len = match &res {
            Ok(Some(v)) => v.len() as u64,
            _ => 0,
        };
        let gas = READ_COST_FLAT + READ_COST_PER_BYTE * (key_len(key) + value_len);
        (res, sdk(gas))
    }

    fn scan(
        &mut self,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        order: Order,
    ) -> BackendResult<u32> {
        let (res, _) = self.inner.scan(start, end, order);
        (res, sdk(HAS_COST))
    }

    fn next(&mut self, iterator_id: u32) -> BackendResult<Option<Record>> {
        let (res, _) = self.inner.next(iterator_id);
        let bytes = match &res {
            Ok(Some((k, v))) => key_len(k) + v.len() as u64,
            _ => 0,
        };
        (res, sdk(ITER_NEXT_COST_FLAT + READ_COST_PER_BYTE * bytes))
    }

    fn set(&mut self, key: &[u8], value: &[u8]) -> BackendResult<()> {
        let (res, _) = self.inner.set(key, value);
        let gas = WRITE_COST_FLAT + WRITE_COST_PER_BYTE * (key_len(key) + value.len() as u64);
        (res, sdk(gas))
    }

    fn remove(&mut self, key: &[u8]) -> BackendResult<()> {
        let (res, _) = self.inner.remove(key);
        (res, sdk(DELETE_COST))
    }
}

/// Gas of one call, in SDK gas units.
#[derive(Clone, Copy, Debug)]
pub struct CallGas {
    /// Wasm execution and API calls (VM gas ÷ multiplier).
    pub vm: u64,
    /// KV store reads and writes.
    pub storage: u64,
}

impl CallGas {
    /// Instance load + execution + storage.
    pub fn sdk_total(&self) -> u64 {
        INSTANCE_COST + self.vm + self.storage
    }
}

pub fn artifact(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("artifacts")
        .join(format!("{name}.wasm"));
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; build the artifacts first with scripts/build-artifacts",
            path.display()
        )
    })
}

/// One contract instance in the VM with its own storage, and a clock.
pub struct VmContract {
    instance: Instance<MockApi, SdkGasStorage, MockQuerier>,
    pub env: Env,
    pub api: MockApi,
}

impl VmContract {
    pub fn new(name: &str) -> Self {
        Self::with_wasm_querier(name, |_| {
            cosmwasm_std::SystemResult::Err(cosmwasm_std::SystemError::Unknown {})
        })
    }

    /// A contract whose queries to other contracts are answered by `handler` (e.g. raw reads
    /// of the oracle's price record or the breaker's mode).
    pub fn with_wasm_querier(
        name: &str,
        handler: impl Fn(&WasmQuery) -> QuerierResult + 'static,
    ) -> Self {
        let wasm = artifact(name);
        let capabilities: HashSet<String> = capabilities_from_csv(OSMOSIS_CAPABILITIES);
        cosmwasm_vm::internals::check_wasm(
            &wasm,
            &capabilities,
            &cosmwasm_vm::WasmLimits::default(),
            cosmwasm_vm::internals::Logger::Off,
        )
        .unwrap_or_else(|e| panic!("{name} fails the Osmosis VM checks: {e}"));
        let mut querier = MockQuerier::new(&[]);
        querier.update_wasm(handler);
        let backend = Backend {
            api: MockApi::default(),
            storage: SdkGasStorage {
                inner: MockStorage::default(),
            },
            querier,
        };
        let options = InstanceOptions {
            gas_limit: 100_000_000_000_000,
        };
        let instance = Instance::from_code(&wasm, backend, options, None)
            .unwrap_or_else(|e| panic!("{name} does not load in the VM: {e}"));
        Self {
            instance,
            env: mock_env(),
            api: MockApi::default(),
        }
    }

    pub fn addr(&self, seed: &str) -> Addr {
        Addr::unchecked(self.api.addr_make(seed))
    }

    /// Moves to the next block, `secs` later.
    pub fn next_block(&mut self, secs: u64) {
        self.env.block.height += 1;
        self.env.block.time = self.env.block.time.plus_seconds(secs);
    }

    fn measure<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> (T, CallGas) {
        let before = self.instance.create_gas_report();
        let out = f(self);
        let after = self.instance.create_gas_report();
        let gas = CallGas {
            vm: (after.used_internally - before.used_internally) / GAS_MULTIPLIER,
            storage: (after.used_externally - before.used_externally) / GAS_MULTIPLIER,
        };
        (out, gas)
    }

    pub fn instantiate<M: Serialize>(&mut self, sender: &Addr, msg: &M) -> Result<CallGas, String> {
        let env = self.env.clone();
        let info = MessageInfo {
            sender: sender.clone(),
            funds: vec![],
        };
        let msg = serde_json::to_vec(msg).map_err(|e| e.to_string())?;
        let (res, gas) = self
            .measure(|c| call_instantiate::<_, _, _, Empty>(&mut c.instance, &env, &info, &msg));
        into_result(res.map_err(|e| e.to_string())?).map(|_| gas)
    }

    pub fn execute<M: Serialize>(
        &mut self,
        sender: &Addr,
        msg: &M,
    ) -> Result<(Response, CallGas), String> {
        self.execute_with_funds(sender, msg, vec![])
    }

    pub fn execute_with_funds<M: Serialize>(
        &mut self,
        sender: &Addr,
        msg: &M,
        funds: Vec<cosmwasm_std::Coin>,
    ) -> Result<(Response, CallGas), String> {
        let env = self.env.clone();
        let info = MessageInfo {
            sender: sender.clone(),
            funds,
        };
        let msg = serde_json::to_vec(msg).map_err(|e| e.to_string())?;
        let (res, gas) =
            self.measure(|c| call_execute::<_, _, _, Empty>(&mut c.instance, &env, &info, &msg));
        into_result(res.map_err(|e| e.to_string())?).map(|r| (r, gas))
    }

    pub fn ibc_channel_open(
        &mut self,
        msg: &cosmwasm_std::IbcChannelOpenMsg,
    ) -> Result<CallGas, String> {
        let env = self.env.clone();
        let (res, gas) =
            self.measure(|c| cosmwasm_vm::call_ibc_channel_open(&mut c.instance, &env, msg));
        into_result(res.map_err(|e| e.to_string())?).map(|_| gas)
    }

    pub fn ibc_channel_connect(
        &mut self,
        msg: &cosmwasm_std::IbcChannelConnectMsg,
    ) -> Result<CallGas, String> {
        let env = self.env.clone();
        let (res, gas) = self.measure(|c| {
            cosmwasm_vm::call_ibc_channel_connect::<_, _, _, Empty>(&mut c.instance, &env, msg)
        });
        into_result(res.map_err(|e| e.to_string())?).map(|_| gas)
    }

    /// Receives a packet; returns the acknowledgement bytes.
    pub fn ibc_packet_receive(
        &mut self,
        msg: &cosmwasm_std::IbcPacketReceiveMsg,
    ) -> Result<(Binary, CallGas), String> {
        let env = self.env.clone();
        let (res, gas) = self.measure(|c| {
            cosmwasm_vm::call_ibc_packet_receive::<_, _, _, Empty>(&mut c.instance, &env, msg)
        });
        let r = into_result(res.map_err(|e| e.to_string())?)?;
        Ok((r.acknowledgement.unwrap_or_default(), gas))
    }

    pub fn ibc_packet_ack(
        &mut self,
        msg: &cosmwasm_std::IbcPacketAckMsg,
    ) -> Result<CallGas, String> {
        let env = self.env.clone();
        let (res, gas) = self.measure(|c| {
            cosmwasm_vm::call_ibc_packet_ack::<_, _, _, Empty>(&mut c.instance, &env, msg)
        });
        into_result(res.map_err(|e| e.to_string())?).map(|_| gas)
    }

    pub fn query<M: Serialize>(&mut self, msg: &M) -> Result<(Binary, CallGas), String> {
        let env = self.env.clone();
        let msg = serde_json::to_vec(msg).map_err(|e| e.to_string())?;
        let (res, gas) = self.measure(|c| call_query(&mut c.instance, &env, &msg));
        into_result(res.map_err(|e| e.to_string())?).map(|b| (b, gas))
    }
}

fn into_result<T>(res: ContractResult<T>) -> Result<T, String> {
    match res {
        ContractResult::Ok(v) => Ok(v),
        ContractResult::Err(e) => Err(e),
    }
}
