//! A hand relayer between two chains: a hub (its gateway and its vault) and a satellite (its
//! gateway alone). Each chain is a small router over the contracts' entry points: it runs
//! wasm executes between its contracts (submessages with replies and rollback, as wasmd
//! does), answers their queries of each other, tracks every bank balance from funds and
//! bank sends, and collects the IBC messages they emit. The relayer carries the handshake,
//! packets, acks and timeouts exactly as a real relayer would deliver them.
#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::str::FromStr;

use cosmwasm_std::testing::{message_info, mock_env, MockApi};
use cosmwasm_std::{
    from_json, to_json_binary, Addr, BankMsg, BankQuery, Binary, Coin, ContractResult, CosmosMsg,
    Decimal, Decimal256, Deps, DepsMut, Empty, Env, IbcAcknowledgement, IbcChannel,
    IbcChannelCloseMsg, IbcChannelConnectMsg, IbcChannelOpenMsg, IbcEndpoint, IbcMsg, IbcOrder,
    IbcPacket, IbcPacketAckMsg, IbcPacketReceiveMsg, IbcPacketTimeoutMsg, Int128, MsgResponse,
    Order, Querier, QuerierResult, QuerierWrapper, QueryRequest, Record, Reply, ReplyOn, Response,
    StdError, Storage, SubMsg, SubMsgResponse, SubMsgResult, SystemResult, Uint128, WasmMsg,
    WasmQuery,
};

use bulwark_gateway::ContractError as GatewayError;
use bulwark_types::gateway::{
    ExecuteMsg as GwExecuteMsg, InstantiateMsg as GwInstantiateMsg, QueryMsg as GwQueryMsg,
};
use bulwark_types::ibc::{
    CounterpartyConfig, IbcRole, RemoteCollateralConfig, RemoteTotals, VaultAck, IBC_VERSION,
};
use bulwark_types::oracle::{price_record_key, PriceRecord};
use bulwark_types::vault::{ExecuteMsg, InstantiateMsg, LpShareMode, QueryMsg, VaultParams};
use bulwark_vault::ContractError;

pub const HUB_CHANNEL: &str = "channel-0";
pub const SAT_CHANNEL: &str = "channel-9";
pub const HUB_CONNECTION: &str = "connection-0";
pub const SAT_CONNECTION: &str = "connection-5";
pub const ATOM: &str = "uatom";
pub const ATOM_ASSET: &str = "ATOM";
pub const USDC: &str = "uusdc";

// ---------------------------------------------------------------------------------------------
// Storage shared between a contract and the queries of its neighbours

/// A contract's storage; clones share it (queries from the other contract read it).
#[derive(Clone, Default)]
pub struct Store(Rc<RefCell<BTreeMap<Vec<u8>, Vec<u8>>>>);

impl Store {
    fn snapshot(&self) -> BTreeMap<Vec<u8>, Vec<u8>> {
        self.0.borrow().clone()
    }
    fn restore(&self, s: BTreeMap<Vec<u8>, Vec<u8>>) {
        *self.0.borrow_mut() = s;
    }
    /// Every entry, to prove that a refusal wrote nothing.
    pub fn dump(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.0
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

impl Storage for Store {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.0.borrow().get(key).cloned()
    }
    fn range<'a>(
        &'a self,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        order: Order,
    ) -> Box<dyn Iterator<Item = Record> + 'a> {
        let map = self.0.borrow();
        let mut rows: Vec<Record> = map
            .iter()
            .filter(|(k, _)| start.is_none_or(|s| k.as_slice() >= s))
            .filter(|(k, _)| end.is_none_or(|e| k.as_slice() < e))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if order == Order::Descending {
            rows.reverse();
        }
        Box::new(rows.into_iter())
    }
    fn set(&mut self, key: &[u8], value: &[u8]) {
        self.0.borrow_mut().insert(key.to_vec(), value.to_vec());
    }
    fn remove(&mut self, key: &[u8]) {
        self.0.borrow_mut().remove(key);
    }
}

/// Answers the queries of a chain's contracts that are not addressed to its gateway or
/// vault (the oracle's price records, the breaker's modes, markets).
pub type Fallback = Box<dyn Fn(&WasmQuery) -> QuerierResult>;

/// Price records readable by the vault (ATOM at `atom_price`, published in an earlier
/// block); every other raw read (the breaker's mode records) is empty (allowed), unless
/// `mask` blocks actions globally.
pub fn oracle_and_breaker(env: &Env, atom_price: Decimal256, mask: u8) -> Fallback {
    let record = PriceRecord {
        price: atom_price,
        publish_time: env.block.time.seconds() - 10,
        block_height: env.block.height - 1,
        sources_used: 3,
        flags: 0,
        prev_price: None,
        prev_publish_time: None,
        prev_block_height: None,
    };
    let key = Binary::from(price_record_key(ATOM_ASSET));
    let value = to_json_binary(&record).unwrap();
    let global = Binary::from(bulwark_types::circuit_breaker::GLOBAL_MODE_KEY.to_vec());
    let mode = Binary::from(
        bulwark_types::circuit_breaker::CompactMode {
            level_byte: 0,
            blocked_mask: mask,
            liquidations_blocked_until: 0,
        }
        .encode(),
    );
    Box::new(move |q| match q {
        WasmQuery::Raw { key: k, .. } if *k == key => {
            SystemResult::Ok(ContractResult::Ok(value.clone()))
        }
        WasmQuery::Raw { key: k, .. } if *k == global && mask != 0 => {
            SystemResult::Ok(ContractResult::Ok(mode.clone()))
        }
        WasmQuery::Raw { .. } => SystemResult::Ok(ContractResult::Ok(Binary::default())),
        _ => SystemResult::Ok(ContractResult::Err("unexpected query".into())),
    })
}

/// Bank balances of every address on a chain, by (address, denom).
pub type Bank = Rc<RefCell<BTreeMap<(String, String), Uint128>>>;

struct ChainQuerier {
    api: MockApi,
    env: Env,
    gateway_addr: Addr,
    gateway: Store,
    vault: Option<(Addr, Store)>,
    bank: Bank,
    fallback: Rc<RefCell<Fallback>>,
}

fn env_of(env: &Env, addr: &Addr) -> Env {
    let mut e = env.clone();
    e.contract.address = addr.clone();
    e
}

impl Querier for ChainQuerier {
    fn raw_query(&self, bin_request: &[u8]) -> QuerierResult {
        let req: QueryRequest<Empty> = match from_json(bin_request) {
            Ok(r) => r,
            Err(e) => return SystemResult::Ok(ContractResult::Err(e.to_string())),
        };
        let answer = |r: Result<Binary, String>| SystemResult::Ok(r.into());
        match req {
            QueryRequest::Wasm(WasmQuery::Smart { contract_addr, msg })
                if contract_addr == self.gateway_addr.as_str() =>
            {
                let deps = Deps {
                    storage: &self.gateway,
                    api: &self.api,
                    querier: QuerierWrapper::new(self),
                };
                answer(from_json(&msg).map_err(|e| e.to_string()).and_then(|m| {
                    bulwark_gateway::contract::query(deps, env_of(&self.env, &self.gateway_addr), m)
                        .map_err(|e| e.to_string())
                }))
            }
            QueryRequest::Wasm(WasmQuery::Smart { contract_addr, msg })
                if self
                    .vault
                    .as_ref()
                    .is_some_and(|(a, _)| a.as_str() == contract_addr) =>
            {
                let (addr, store) = self.vault.as_ref().unwrap();
                let deps = Deps {
                    storage: store,
                    api: &self.api,
                    querier: QuerierWrapper::new(self),
                };
                answer(from_json(&msg).map_err(|e| e.to_string()).and_then(|m| {
                    bulwark_vault::contract::query(deps, env_of(&self.env, addr), m)
                        .map_err(|e| e.to_string())
                }))
            }
            QueryRequest::Wasm(q) => (self.fallback.borrow())(&q),
            QueryRequest::Bank(BankQuery::Balance { address, denom }) => {
                let amount = self
                    .bank
                    .borrow()
                    .get(&(address, denom.clone()))
                    .copied()
                    .unwrap_or_default();
                answer(
                    to_json_binary(&cosmwasm_std::BalanceResponse::new(Coin::new(
                        amount, denom,
                    )))
                    .map_err(|e| e.to_string()),
                )
            }
            _ => SystemResult::Ok(ContractResult::Err("unsupported query".into())),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A chain

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Gateway,
    Vault,
}

/// What a chain's transaction did beside its state changes.
#[derive(Default)]
struct Effects {
    ibc: Vec<IbcMsg>,
    /// Executes of contracts the chain does not run (the breaker's outflow reports).
    foreign: Vec<(String, Binary)>,
}

pub struct Chain {
    pub api: MockApi,
    pub env: Env,
    pub owner: Addr,
    pub gateway_addr: Addr,
    pub vault_addr: Option<Addr>,
    pub gateway: Store,
    pub vault: Option<Store>,
    pub bank: Bank,
    fallback: Rc<RefCell<Fallback>>,
    /// Our end of the channel, as the relayer presents it.
    pub channel: IbcChannel,
    next_seq: u64,
    /// Executes of other contracts (the breaker's `ReportOutflow`), in order.
    pub foreign_calls: Vec<(String, Binary)>,
}

/// A transaction's failure: the top-level contract's own error, or a submessage's.
fn sub_err(e: impl ToString) -> StdError {
    StdError::generic_err(e.to_string())
}

fn encode_execute_response(data: Option<&Binary>) -> Binary {
    // MsgExecuteContractResponse { bytes data = 1 }
    let mut out = vec![];
    if let Some(d) = data {
        out.push(0x0a);
        let mut len = d.len();
        loop {
            let b = (len & 0x7f) as u8;
            len >>= 7;
            if len == 0 {
                out.push(b);
                break;
            }
            out.push(b | 0x80);
        }
        out.extend_from_slice(d);
    }
    Binary::from(out)
}

impl Chain {
    fn new(role: IbcRole, channel: IbcChannel) -> Self {
        let api = MockApi::default();
        let env = mock_env();
        let owner = api.addr_make("dao");
        let oracle = api.addr_make("oracle");
        let breaker = api.addr_make("breaker");
        let gateway_addr = api.addr_make(match role {
            IbcRole::Hub => "hub-gateway",
            IbcRole::Satellite => "sat-gateway",
        });
        let mut chain = Chain {
            api,
            fallback: Rc::new(RefCell::new(oracle_and_breaker(
                &env,
                Decimal256::from_str("10").unwrap(),
                0,
            ))),
            env,
            owner: owner.clone(),
            gateway_addr: gateway_addr.clone(),
            vault_addr: None,
            gateway: Store::default(),
            vault: None,
            bank: Bank::default(),
            channel,
            next_seq: 1,
            foreign_calls: vec![],
        };
        if role == IbcRole::Hub {
            let vault_addr = chain.api.addr_make("hub-vault");
            chain.vault = Some(Store::default());
            chain.vault_addr = Some(vault_addr.clone());
            let env = env_of(&chain.env, &vault_addr);
            let mut store = chain.vault.clone().unwrap();
            let querier = chain.querier();
            bulwark_vault::contract::instantiate(
                DepsMut {
                    storage: &mut store,
                    api: &chain.api,
                    querier: QuerierWrapper::new(&querier),
                },
                env,
                message_info(&owner, &[]),
                InstantiateMsg {
                    owner: owner.to_string(),
                    settlement_denom: USDC.into(),
                    settlement_decimals: 6,
                    oracle: Some(oracle.to_string()),
                    circuit_breaker: Some(breaker.to_string()),
                    params: VaultParams::default(),
                    lp_shares: LpShareMode::Ledger,
                },
            )
            .unwrap();
        }
        let env = env_of(&chain.env, &gateway_addr);
        let mut store = chain.gateway.clone();
        let querier = chain.querier();
        bulwark_gateway::contract::instantiate(
            DepsMut {
                storage: &mut store,
                api: &chain.api,
                querier: QuerierWrapper::new(&querier),
            },
            env,
            message_info(&owner, &[]),
            GwInstantiateMsg {
                owner: owner.to_string(),
                role,
                packet_timeout_secs: 600,
                vault: chain.vault_addr.as_ref().map(|a| a.to_string()),
                circuit_breaker: Some(breaker.to_string()),
            },
        )
        .unwrap();
        if role == IbcRole::Hub {
            let gw = chain.gateway_addr.to_string();
            chain
                .exec_owner(ExecuteMsg::SetGateway { gateway: Some(gw) })
                .unwrap();
        }
        chain
    }

    fn querier(&self) -> ChainQuerier {
        ChainQuerier {
            api: self.api,
            env: self.env.clone(),
            gateway_addr: self.gateway_addr.clone(),
            gateway: self.gateway.clone(),
            vault: self.vault_addr.clone().zip(self.vault.clone()),
            bank: self.bank.clone(),
            fallback: self.fallback.clone(),
        }
    }

    pub fn addr(&self, name: &str) -> Addr {
        self.api.addr_make(name)
    }

    pub fn vault_addr(&self) -> Addr {
        self.vault_addr.clone().expect("the hub runs a vault")
    }

    /// The vault's storage (hub only), for direct reads and test set-ups.
    pub fn vault_store(&self) -> Store {
        self.vault.clone().expect("the hub runs a vault")
    }

    /// Replaces the answers to queries of other contracts (oracle, breaker, markets).
    pub fn set_fallback(&mut self, f: Fallback) {
        *self.fallback.borrow_mut() = f;
    }

    /// The chain's breaker blocks `actions` globally (empty: nothing blocked).
    pub fn block(&mut self, actions: &[bulwark_types::circuit_breaker::ActionClass]) {
        let mask = bulwark_types::circuit_breaker::mask_of(actions);
        let f = oracle_and_breaker(&self.env, Decimal256::from_str("10").unwrap(), mask);
        self.set_fallback(f);
    }

    pub fn set_price(&mut self, price: &str) {
        let f = oracle_and_breaker(&self.env, Decimal256::from_str(price).unwrap(), 0);
        self.set_fallback(f);
    }

    pub fn balance(&self, addr: &Addr, denom: &str) -> Uint128 {
        self.bank
            .borrow()
            .get(&(addr.to_string(), denom.to_string()))
            .copied()
            .unwrap_or_default()
    }

    fn credit(&self, addr: &str, coins: &[Coin]) {
        let mut bank = self.bank.borrow_mut();
        for c in coins {
            *bank.entry((addr.to_string(), c.denom.clone())).or_default() += c.amount;
        }
    }

    fn debit(&self, addr: &str, coins: &[Coin]) -> Result<(), String> {
        let mut bank = self.bank.borrow_mut();
        for c in coins {
            let b = bank.entry((addr.to_string(), c.denom.clone())).or_default();
            *b = b
                .checked_sub(c.amount)
                .map_err(|_| format!("{addr} sends more {} than it holds", c.denom))?;
        }
        Ok(())
    }

    fn snapshot(&self) -> Snapshot {
        Snapshot {
            gateway: self.gateway.snapshot(),
            vault: self.vault.as_ref().map(|v| v.snapshot()),
            bank: self.bank.borrow().clone(),
        }
    }

    fn restore(&self, s: Snapshot) {
        self.gateway.restore(s.gateway);
        if let (Some(v), Some(snap)) = (&self.vault, s.vault) {
            v.restore(snap);
        }
        *self.bank.borrow_mut() = s.bank;
    }

    fn addr_of(&self, t: Target) -> Addr {
        match t {
            Target::Gateway => self.gateway_addr.clone(),
            Target::Vault => self.vault_addr(),
        }
    }

    fn target_of(&self, addr: &str) -> Option<Target> {
        if addr == self.gateway_addr.as_str() {
            Some(Target::Gateway)
        } else if self.vault_addr.as_ref().is_some_and(|v| v.as_str() == addr) {
            Some(Target::Vault)
        } else {
            None
        }
    }

    /// Runs `execute` of a contract (funds already moved), then its messages.
    fn run_execute(
        &self,
        target: Target,
        sender: &Addr,
        msg: &Binary,
        funds: &[Coin],
        fx: &mut Effects,
    ) -> Result<Option<Binary>, String> {
        let res = self.call_execute(target, sender, msg, funds)?;
        self.process(target, res.messages, res.data, fx)
    }

    fn call_execute(
        &self,
        target: Target,
        sender: &Addr,
        msg: &Binary,
        funds: &[Coin],
    ) -> Result<Response, String> {
        let querier = self.querier();
        let env = env_of(&self.env, &self.addr_of(target));
        let info = message_info(sender, funds);
        match target {
            Target::Gateway => {
                let mut store = self.gateway.clone();
                let deps = DepsMut {
                    storage: &mut store,
                    api: &self.api,
                    querier: QuerierWrapper::new(&querier),
                };
                let m = from_json(msg).map_err(|e| e.to_string())?;
                bulwark_gateway::contract::execute(deps, env, info, m).map_err(|e| e.to_string())
            }
            Target::Vault => {
                let mut store = self.vault_store();
                let deps = DepsMut {
                    storage: &mut store,
                    api: &self.api,
                    querier: QuerierWrapper::new(&querier),
                };
                let m = from_json(msg).map_err(|e| e.to_string())?;
                bulwark_vault::contract::execute(deps, env, info, m).map_err(|e| e.to_string())
            }
        }
    }

    fn call_reply(&self, target: Target, reply: Reply) -> Result<Response, String> {
        let querier = self.querier();
        let env = env_of(&self.env, &self.addr_of(target));
        match target {
            Target::Gateway => {
                let mut store = self.gateway.clone();
                let deps = DepsMut {
                    storage: &mut store,
                    api: &self.api,
                    querier: QuerierWrapper::new(&querier),
                };
                bulwark_gateway::contract::reply(deps, env, reply).map_err(|e| e.to_string())
            }
            Target::Vault => {
                let mut store = self.vault_store();
                let deps = DepsMut {
                    storage: &mut store,
                    api: &self.api,
                    querier: QuerierWrapper::new(&querier),
                };
                bulwark_vault::contract::reply(deps, env, reply).map_err(|e| e.to_string())
            }
        }
    }

    /// Dispatches a contract's submessages as wasmd does: a failing submessage without a
    /// reply on error fails the whole transaction; one with it is rolled back alone and the
    /// contract's reply sees the error. A reply's data replaces the caller's.
    fn process(
        &self,
        from: Target,
        msgs: Vec<SubMsg>,
        mut data: Option<Binary>,
        fx: &mut Effects,
    ) -> Result<Option<Binary>, String> {
        for sub in msgs {
            let snap = self.snapshot();
            let mark = (fx.ibc.len(), fx.foreign.len());
            let result = self.dispatch(from, sub.msg, fx);
            let reply_result = match (result, sub.reply_on) {
                (Ok(_), ReplyOn::Never | ReplyOn::Error) => None,
                (Ok(d), ReplyOn::Always | ReplyOn::Success) => {
                    let body = encode_execute_response(d.as_ref());
                    #[allow(deprecated)]
                    Some(SubMsgResult::Ok(SubMsgResponse {
                        events: vec![],
                        data: Some(body.clone()),
                        msg_responses: vec![MsgResponse {
                            type_url: "/cosmwasm.wasm.v1.MsgExecuteContractResponse".into(),
                            value: body,
                        }],
                    }))
                }
                (Err(e), ReplyOn::Never | ReplyOn::Success) => return Err(e),
                (Err(e), ReplyOn::Always | ReplyOn::Error) => {
                    self.restore(snap);
                    fx.ibc.truncate(mark.0);
                    fx.foreign.truncate(mark.1);
                    Some(SubMsgResult::Err(e))
                }
            };
            if let Some(result) = reply_result {
                let res = self.call_reply(
                    from,
                    Reply {
                        id: sub.id,
                        payload: sub.payload,
                        gas_used: 0,
                        result,
                    },
                )?;
                let d = self.process(from, res.messages, res.data, fx)?;
                if d.is_some() {
                    data = d;
                }
            }
        }
        Ok(data)
    }

    fn dispatch(
        &self,
        from: Target,
        msg: CosmosMsg,
        fx: &mut Effects,
    ) -> Result<Option<Binary>, String> {
        let from_addr = self.addr_of(from);
        match msg {
            CosmosMsg::Bank(BankMsg::Send { to_address, amount }) => {
                self.debit(from_addr.as_str(), &amount)?;
                self.credit(&to_address, &amount);
                Ok(None)
            }
            CosmosMsg::Wasm(WasmMsg::Execute {
                contract_addr,
                msg,
                funds,
            }) => match self.target_of(&contract_addr) {
                Some(t) => {
                    self.debit(from_addr.as_str(), &funds)?;
                    self.credit(&contract_addr, &funds);
                    self.run_execute(t, &from_addr, &msg, &funds, fx)
                }
                None => {
                    assert!(
                        funds.is_empty(),
                        "funds to a contract this chain does not run"
                    );
                    fx.foreign.push((contract_addr, msg));
                    Ok(None)
                }
            },
            CosmosMsg::Ibc(m) => {
                fx.ibc.push(m);
                Ok(None)
            }
            other => Err(format!("unsupported message {other:?}")),
        }
    }

    /// A transaction from `sender` to a contract with `funds`: all or nothing. Returns the
    /// IBC messages it emitted and the response data; a failure of the contract itself keeps
    /// its typed error (`top`), a submessage's becomes a generic error.
    fn tx<E>(
        &mut self,
        target: Target,
        sender: &Addr,
        funds: &[Coin],
        top: impl FnOnce(&Self, DepsMut, Env) -> Result<Response, E>,
    ) -> Result<(Vec<IbcMsg>, Option<Binary>), E>
    where
        E: From<StdError>,
    {
        let snap = self.snapshot();
        let addr = self.addr_of(target);
        // funds move before the call, as the bank module does; users (not the chain's
        // contracts) hold whatever they send
        if self.target_of(sender.as_str()).is_some() {
            self.debit(sender.as_str(), funds).map_err(sub_err)?;
        }
        self.credit(addr.as_str(), funds);
        let querier = self.querier();
        let env = env_of(&self.env, &addr);
        let mut store: Store = match target {
            Target::Gateway => self.gateway.clone(),
            Target::Vault => self.vault_store(),
        };
        let res = top(
            self,
            DepsMut {
                storage: &mut store,
                api: &self.api,
                querier: QuerierWrapper::new(&querier),
            },
            env,
        );
        let res = match res {
            Ok(r) => r,
            Err(e) => {
                self.restore(snap);
                return Err(e);
            }
        };
        assert!(
            res.attributes.iter().any(|a| a.key == "action"),
            "every response carries an action attribute"
        );
        let mut fx = Effects::default();
        match self.process(target, res.messages, res.data, &mut fx) {
            Ok(data) => {
                self.foreign_calls.extend(fx.foreign);
                Ok((fx.ibc, data))
            }
            Err(e) => {
                self.restore(snap);
                Err(sub_err(e).into())
            }
        }
    }

    /// Executes the vault as `sender` with `funds`. Returns the IBC messages the transaction
    /// emitted (through the gateway).
    pub fn exec(
        &mut self,
        sender: &Addr,
        msg: ExecuteMsg,
        funds: &[Coin],
    ) -> Result<Vec<IbcMsg>, ContractError> {
        self.exec_data(sender, msg, funds).map(|r| r.0)
    }

    /// As [`Chain::exec`], with the response data.
    pub fn exec_data(
        &mut self,
        sender: &Addr,
        msg: ExecuteMsg,
        funds: &[Coin],
    ) -> Result<(Vec<IbcMsg>, Option<Binary>), ContractError> {
        let info = message_info(sender, funds);
        self.tx(Target::Vault, sender, funds, move |_, deps, env| {
            bulwark_vault::contract::execute(deps, env, info, msg)
        })
    }

    pub fn exec_owner(&mut self, msg: ExecuteMsg) -> Result<Vec<IbcMsg>, ContractError> {
        let owner = self.owner.clone();
        self.exec(&owner, msg, &[])
    }

    /// Executes the gateway as `sender` with `funds`.
    pub fn exec_gw(
        &mut self,
        sender: &Addr,
        msg: GwExecuteMsg,
        funds: &[Coin],
    ) -> Result<Vec<IbcMsg>, GatewayError> {
        let info = message_info(sender, funds);
        self.tx(Target::Gateway, sender, funds, move |_, deps, env| {
            bulwark_gateway::contract::execute(deps, env, info, msg)
        })
        .map(|r| r.0)
    }

    pub fn exec_gw_owner(&mut self, msg: GwExecuteMsg) -> Result<Vec<IbcMsg>, GatewayError> {
        let owner = self.owner.clone();
        self.exec_gw(&owner, msg, &[])
    }

    pub fn query<T: serde::de::DeserializeOwned>(&self, msg: QueryMsg) -> T {
        let querier = self.querier();
        let store = self.vault_store();
        let deps = Deps {
            storage: &store,
            api: &self.api,
            querier: QuerierWrapper::new(&querier),
        };
        from_json(
            bulwark_vault::contract::query(deps, env_of(&self.env, &self.vault_addr()), msg)
                .unwrap(),
        )
        .unwrap()
    }

    pub fn query_gw<T: serde::de::DeserializeOwned>(&self, msg: GwQueryMsg) -> T {
        let querier = self.querier();
        let deps = Deps {
            storage: &self.gateway,
            api: &self.api,
            querier: QuerierWrapper::new(&querier),
        };
        from_json(
            bulwark_gateway::contract::query(deps, env_of(&self.env, &self.gateway_addr), msg)
                .unwrap(),
        )
        .unwrap()
    }

    pub fn remote_totals(&self, denom: &str) -> RemoteTotals {
        self.query(QueryMsg::RemoteTotals {
            channel_id: self.channel.endpoint.channel_id.clone(),
            denom: denom.into(),
        })
    }

    /// The vault's ledger total of a denom (hub).
    pub fn ledger_total(&self, denom: &str) -> Int128 {
        bulwark_vault::state::load_totals(&self.vault_store(), denom)
            .unwrap()
            .ledger_total()
            .unwrap()
    }

    /// The gateway's satellite ledger of a denom.
    pub fn sat_totals(&self, denom: &str) -> bulwark_gateway::state::SatTotals {
        bulwark_gateway::state::load_totals(&self.gateway, denom).unwrap()
    }

    /// Every contract's bank balance equals its ledger: the vault's per-denom totals, the
    /// gateway's locks + pending (a hub gateway holds nothing).
    pub fn assert_conserved(&self) {
        let bank = self.bank.borrow().clone();
        for ((addr, denom), balance) in &bank {
            if Some(addr.as_str()) == self.vault_addr.as_ref().map(|a| a.as_str()) {
                assert_eq!(
                    Int128::try_from(*balance).unwrap(),
                    self.ledger_total(denom),
                    "vault conservation of {denom}"
                );
            } else if addr == self.gateway_addr.as_str() {
                assert_eq!(
                    *balance,
                    self.sat_totals(denom).total().unwrap(),
                    "gateway conservation of {denom}"
                );
            }
        }
    }

    /// The gateway's and the vault's storage, to prove that a refusal wrote nothing.
    pub fn dump(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut all = self.gateway.dump();
        if let Some(v) = &self.vault {
            all.push((b"--vault--".to_vec(), vec![]));
            all.extend(v.dump());
        }
        all
    }

    /// Every unresolved transfer the gateway sent, page by page.
    pub fn transfers(&self) -> Vec<bulwark_types::ibc::TransferRecord> {
        let mut all: Vec<bulwark_types::ibc::TransferRecord> = vec![];
        loop {
            let start_after = all.last().map(|r| (r.channel_id.clone(), r.transfer_id));
            let page: Vec<bulwark_types::ibc::TransferRecord> =
                self.query_gw(GwQueryMsg::Transfers {
                    start_after,
                    limit: Some(30),
                });
            let done = page.len() < 30;
            all.extend(page);
            if done {
                return all;
            }
        }
    }

    fn take_seq(&mut self) -> u64 {
        let s = self.next_seq;
        self.next_seq += 1;
        s
    }

    fn gw_deps_call<R>(&self, f: impl FnOnce(DepsMut, Env) -> R) -> R {
        let querier = self.querier();
        let mut store = self.gateway.clone();
        f(
            DepsMut {
                storage: &mut store,
                api: &self.api,
                querier: QuerierWrapper::new(&querier),
            },
            env_of(&self.env, &self.gateway_addr),
        )
    }

    pub fn ibc_open(
        &mut self,
        msg: IbcChannelOpenMsg,
    ) -> Result<cosmwasm_std::IbcChannelOpenResponse, GatewayError> {
        let snap = self.snapshot();
        let r = self
            .gw_deps_call(|deps, env| bulwark_gateway::contract::ibc_channel_open(deps, env, msg));
        if r.is_err() {
            self.restore(snap);
        }
        r
    }

    pub fn ibc_connect(&mut self, msg: IbcChannelConnectMsg) -> Result<(), GatewayError> {
        let snap = self.snapshot();
        let r = self.gw_deps_call(|deps, env| {
            bulwark_gateway::contract::ibc_channel_connect(deps, env, msg)
        });
        match r {
            Ok(res) => {
                assert!(res.messages.is_empty());
                Ok(())
            }
            Err(e) => {
                self.restore(snap);
                Err(e)
            }
        }
    }

    pub fn ibc_close(&mut self, msg: IbcChannelCloseMsg) -> Result<(), GatewayError> {
        let snap = self.snapshot();
        let r = self
            .gw_deps_call(|deps, env| bulwark_gateway::contract::ibc_channel_close(deps, env, msg));
        match r {
            Ok(_) => Ok(()),
            Err(e) => {
                self.restore(snap);
                Err(e)
            }
        }
    }

    /// Receives a packet as wasmd does: the contract's ack, replaced by a reply's data; an
    /// error of the contract or of a submessage without reply reverts the whole receive and
    /// becomes the chain's error ack. Returns the ack and the messages the receive sent out
    /// of the chain's contracts (bank sends, reports).
    pub fn receive(&mut self, packet: IbcPacket) -> (Binary, Vec<CosmosMsg>) {
        let snap = self.snapshot();
        let r = self.gw_deps_call(|deps, env| {
            bulwark_gateway::contract::ibc_packet_receive(
                deps,
                env,
                IbcPacketReceiveMsg::new(packet, Addr::unchecked("relayer")),
            )
        });
        let chain_error =
            |e: String| to_json_binary(&VaultAck::Error(format!("chain error ack: {e}"))).unwrap();
        let res = match r {
            Ok(res) => res,
            Err(e) => {
                self.restore(snap);
                return (chain_error(e.to_string()), vec![]);
            }
        };
        assert!(res.attributes.iter().any(|a| a.key == "action"));
        let sent: Vec<CosmosMsg> = res.messages.iter().map(|m| m.msg.clone()).collect();
        let mut fx = Effects::default();
        match self.process(Target::Gateway, res.messages, None, &mut fx) {
            Ok(data) => {
                assert!(fx.ibc.is_empty(), "a receive sends no packet");
                self.foreign_calls.extend(fx.foreign);
                let ack = data.or(res.acknowledgement).expect("synchronous ack");
                (ack, sent)
            }
            Err(e) => {
                self.restore(snap);
                (chain_error(e), vec![])
            }
        }
    }

    /// An ICS-20 packet the transfer module received for the gateway (the coins already
    /// credited to it), then the callbacks middleware's `ibc_destination_callback`: a failure
    /// reverts both, as the middleware's error ack makes the transfer refund its sender.
    pub fn arrival(&mut self, packet: IbcPacket, coin: Coin) -> Result<Vec<CosmosMsg>, String> {
        let snap = self.snapshot();
        let gw = self.gateway_addr.to_string();
        self.credit(&gw, std::slice::from_ref(&coin));
        let ack = IbcAcknowledgement::new(Binary::from(br#"{"result":"AQ=="}"#.to_vec()));
        let r = self.gw_deps_call(|deps, env| {
            bulwark_gateway::contract::ibc_destination_callback(
                deps,
                env,
                cosmwasm_std::IbcDestinationCallbackMsg { packet, ack },
            )
        });
        let res = match r {
            Ok(res) => res,
            Err(e) => {
                self.restore(snap);
                return Err(e.to_string());
            }
        };
        let sent: Vec<CosmosMsg> = res.messages.iter().map(|m| m.msg.clone()).collect();
        let mut fx = Effects::default();
        match self.process(Target::Gateway, res.messages, None, &mut fx) {
            Ok(_) => Ok(sent),
            Err(e) => {
                self.restore(snap);
                Err(e)
            }
        }
    }

    /// Ack or timeout of a packet this chain sent; these never fail.
    fn settle(&mut self, ack: Option<Binary>, packet: IbcPacket) {
        let r = self.gw_deps_call(|deps, env| match ack {
            Some(a) => bulwark_gateway::contract::ibc_packet_ack(
                deps,
                env,
                IbcPacketAckMsg::new(
                    IbcAcknowledgement::new(a),
                    packet,
                    Addr::unchecked("relayer"),
                ),
            ),
            None => bulwark_gateway::contract::ibc_packet_timeout(
                deps,
                env,
                IbcPacketTimeoutMsg::new(packet, Addr::unchecked("relayer")),
            ),
        });
        let res = r.unwrap();
        assert!(res.attributes.iter().any(|a| a.key == "action"));
        let mut fx = Effects::default();
        self.process(Target::Gateway, res.messages, None, &mut fx)
            .expect("ack and timeout never fail");
        assert!(fx.ibc.is_empty());
        self.foreign_calls.extend(fx.foreign);
    }
}

struct Snapshot {
    gateway: BTreeMap<Vec<u8>, Vec<u8>>,
    vault: Option<BTreeMap<Vec<u8>, Vec<u8>>>,
    bank: BTreeMap<(String, String), Uint128>,
}

// ---------------------------------------------------------------------------------------------
// Two chains and the relayer

/// Which way a packet travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    ToHub,
    ToSat,
}

pub struct Net {
    pub hub: Chain,
    pub sat: Chain,
    /// Sent, not yet received.
    pub in_flight: Vec<(Dir, IbcPacket)>,
    /// Received, ack not yet relayed back.
    pub acks: Vec<(Dir, IbcPacket, Binary)>,
    /// Every packet received once (for replays).
    pub delivered: Vec<(Dir, IbcPacket)>,
    /// The messages of the last receive.
    pub last_receive_msgs: Vec<CosmosMsg>,
}

fn endpoint(port: &str, channel: &str) -> IbcEndpoint {
    IbcEndpoint {
        port_id: port.to_string(),
        channel_id: channel.to_string(),
    }
}

pub fn hub_port() -> String {
    format!("wasm.{}", MockApi::default().addr_make("hub-gateway"))
}

pub fn sat_port() -> String {
    format!("wasm.{}", MockApi::default().addr_make("sat-gateway"))
}

pub fn hub_channel() -> IbcChannel {
    IbcChannel::new(
        endpoint(&hub_port(), HUB_CHANNEL),
        endpoint(&sat_port(), SAT_CHANNEL),
        IbcOrder::Unordered,
        IBC_VERSION,
        HUB_CONNECTION,
    )
}

pub fn sat_channel() -> IbcChannel {
    IbcChannel::new(
        endpoint(&sat_port(), SAT_CHANNEL),
        endpoint(&hub_port(), HUB_CHANNEL),
        IbcOrder::Unordered,
        IBC_VERSION,
        SAT_CONNECTION,
    )
}

impl Net {
    /// Both chains configured and the channel open (the satellite initiates).
    pub fn new() -> Self {
        let mut net = Net::unconnected();
        net.handshake().unwrap();
        net.list_atom(Uint128::new(1_000_000_000_000));
        net
    }

    /// Both gateways configured, each allowing the other, no channel yet.
    pub fn unconnected() -> Self {
        let mut hub = Chain::new(IbcRole::Hub, hub_channel());
        let mut sat = Chain::new(IbcRole::Satellite, sat_channel());
        let insurance = sat.addr("insurance").to_string();
        hub.exec_gw_owner(GwExecuteMsg::AllowCounterparty(CounterpartyConfig {
            connection_id: HUB_CONNECTION.into(),
            port_id: sat_port(),
            remote_haircut: Decimal::percent(10),
            remote_insurance_addr: Some(insurance),
        }))
        .unwrap();
        sat.exec_gw_owner(GwExecuteMsg::AllowCounterparty(CounterpartyConfig {
            connection_id: SAT_CONNECTION.into(),
            port_id: hub_port(),
            remote_haircut: Decimal::zero(),
            remote_insurance_addr: None,
        }))
        .unwrap();
        Net {
            hub,
            sat,
            in_flight: vec![],
            acks: vec![],
            delivered: vec![],
            last_receive_msgs: vec![],
        }
    }

    /// The hub forgets the satellite chain's insurance address (keepers may then buy an
    /// insolvent account's remote collateral there).
    pub fn hub_without_insurance(&mut self) {
        self.hub
            .exec_gw_owner(GwExecuteMsg::AllowCounterparty(CounterpartyConfig {
                connection_id: HUB_CONNECTION.into(),
                port_id: sat_port(),
                remote_haircut: Decimal::percent(10),
                remote_insurance_addr: None,
            }))
            .unwrap();
    }

    pub fn handshake(&mut self) -> Result<(), GatewayError> {
        let sat_ch = self.sat.channel.clone();
        let hub_ch = self.hub.channel.clone();
        self.sat
            .ibc_open(IbcChannelOpenMsg::new_init(sat_ch.clone()))?;
        self.hub
            .ibc_open(IbcChannelOpenMsg::new_try(hub_ch.clone(), IBC_VERSION))?;
        self.sat
            .ibc_connect(IbcChannelConnectMsg::new_ack(sat_ch, IBC_VERSION))?;
        self.hub
            .ibc_connect(IbcChannelConnectMsg::new_confirm(hub_ch))?;
        Ok(())
    }

    /// Lists uatom of the satellite's chain at the hub: haircut 20 % (+ the chain's 10 %).
    pub fn list_atom(&mut self, cap: Uint128) {
        self.hub
            .exec_owner(ExecuteMsg::SetRemoteCollateral(RemoteCollateralConfig {
                connection_id: HUB_CONNECTION.into(),
                denom: ATOM.into(),
                oracle_asset_id: ATOM_ASSET.into(),
                decimals: 6,
                haircut: Decimal::percent(20),
                deposit_cap: cap,
            }))
            .unwrap();
    }

    /// Creates a hub account for `name` and authorises `name`'s satellite address.
    pub fn open_account(&mut self, name: &str) -> u64 {
        let owner = self.hub.addr(name);
        let (_, data) = self
            .hub
            .exec_data(&owner, ExecuteMsg::CreateAccount {}, &[])
            .unwrap();
        let id: u64 = from_json(data.unwrap()).unwrap();
        let remote = self.sat.addr(name);
        self.hub
            .exec(
                &owner,
                ExecuteMsg::SetRemoteOwner {
                    account_id: id,
                    channel_id: HUB_CHANNEL.into(),
                    remote_addr: Some(remote.to_string()),
                },
                &[],
            )
            .unwrap();
        id
    }

    pub fn enqueue(&mut self, from: Dir, msgs: Vec<IbcMsg>) {
        for m in msgs {
            if let IbcMsg::SendPacket {
                channel_id,
                data,
                timeout,
            } = m
            {
                let (src, dest, seq) = match from {
                    Dir::ToHub => {
                        assert_eq!(channel_id, SAT_CHANNEL);
                        (
                            self.sat.channel.endpoint.clone(),
                            self.hub.channel.endpoint.clone(),
                            self.sat.take_seq(),
                        )
                    }
                    Dir::ToSat => {
                        assert_eq!(channel_id, HUB_CHANNEL);
                        (
                            self.hub.channel.endpoint.clone(),
                            self.sat.channel.endpoint.clone(),
                            self.hub.take_seq(),
                        )
                    }
                };
                self.in_flight
                    .push((from, IbcPacket::new(data, src, dest, seq, timeout)));
            }
        }
    }

    /// A satellite user deposits `amount` uatom for hub account `account_id`.
    pub fn sat_deposit(
        &mut self,
        name: &str,
        account_id: u64,
        amount: u128,
    ) -> Result<(), GatewayError> {
        let who = self.sat.addr(name);
        let msgs = self.sat.exec_gw(
            &who,
            GwExecuteMsg::RemoteDeposit {
                channel_id: SAT_CHANNEL.into(),
                account_id,
            },
            &[Coin::new(amount, ATOM)],
        )?;
        self.enqueue(Dir::ToHub, msgs);
        Ok(())
    }

    /// The hub account owner withdraws `amount` uatom to `recipient` on the satellite chain.
    pub fn hub_withdraw(
        &mut self,
        name: &str,
        account_id: u64,
        amount: u128,
        recipient: &str,
    ) -> Result<(), ContractError> {
        let who = self.hub.addr(name);
        let recipient = self.sat.addr(recipient).to_string();
        let msgs = self.hub.exec(
            &who,
            ExecuteMsg::WithdrawRemote {
                account_id,
                channel_id: HUB_CHANNEL.into(),
                denom: ATOM.into(),
                amount: Uint128::new(amount),
                recipient,
            },
            &[],
        )?;
        self.enqueue(Dir::ToSat, msgs);
        Ok(())
    }

    /// Hub vault execution that may send packets (keepers, the owner).
    pub fn hub_exec(
        &mut self,
        sender: &Addr,
        msg: ExecuteMsg,
        funds: &[Coin],
    ) -> Result<(), ContractError> {
        let msgs = self.hub.exec(sender, msg, funds)?;
        self.enqueue(Dir::ToSat, msgs);
        Ok(())
    }

    /// `SeizeRemote` of `amount` ATOM of hub account `id` by the hub's "keeper": a purchase
    /// paying `pay` uusdc with the collateral sent to `recipient` on the satellite, or (`pay`
    /// 0, no recipient) the insurance seizure.
    pub fn seize(
        &mut self,
        id: u64,
        amount: u128,
        recipient: Option<String>,
        pay: u128,
    ) -> Result<(), ContractError> {
        let keeper = self.hub.addr("keeper");
        let funds = if pay == 0 {
            vec![]
        } else {
            vec![cosmwasm_std::coin(pay, USDC)]
        };
        self.hub_exec(
            &keeper,
            ExecuteMsg::SeizeRemote {
                account_id: id,
                channel_id: HUB_CHANNEL.into(),
                denom: ATOM.into(),
                amount: Uint128::new(amount),
                recipient,
            },
            &funds,
        )
    }

    fn dest(&mut self, dir: Dir) -> &mut Chain {
        match dir {
            Dir::ToHub => &mut self.hub,
            Dir::ToSat => &mut self.sat,
        }
    }

    fn src(&mut self, dir: Dir) -> &mut Chain {
        match dir {
            Dir::ToHub => &mut self.sat,
            Dir::ToSat => &mut self.hub,
        }
    }

    /// Delivers `packet` to its destination; returns the ack (queued for relay).
    pub fn receive(&mut self, dir: Dir, packet: IbcPacket) -> Binary {
        let (ack, msgs) = self.dest(dir).receive(packet.clone());
        self.last_receive_msgs = msgs;
        self.acks.push((dir, packet.clone(), ack.clone()));
        self.delivered.push((dir, packet));
        ack
    }

    /// Receives the `i`-th packet in flight.
    pub fn deliver(&mut self, i: usize) -> Binary {
        let (dir, packet) = self.in_flight.remove(i);
        self.receive(dir, packet)
    }

    /// Relays the `i`-th pending ack back to the sender.
    pub fn relay_ack(&mut self, i: usize) {
        let (dir, packet, ack) = self.acks.remove(i);
        self.ack_to_sender(dir, packet, ack);
    }

    pub fn ack_to_sender(&mut self, dir: Dir, packet: IbcPacket, ack: Binary) {
        self.src(dir).settle(Some(ack), packet);
    }

    /// Times out the `i`-th packet in flight (never received).
    pub fn time_out(&mut self, i: usize) {
        let (dir, packet) = self.in_flight.remove(i);
        self.src(dir).settle(None, packet);
    }

    /// Delivers everything in flight and relays every ack, until quiet.
    pub fn flush(&mut self) {
        while !self.in_flight.is_empty() || !self.acks.is_empty() {
            while !self.in_flight.is_empty() {
                self.deliver(0);
            }
            while !self.acks.is_empty() {
                self.relay_ack(0);
            }
        }
    }

    /// Closes the channel from the counterparty's side on both ends (a CloseConfirm each).
    pub fn close_confirm_both(&mut self) {
        let hub_ch = self.hub.channel.clone();
        let sat_ch = self.sat.channel.clone();
        self.hub
            .ibc_close(IbcChannelCloseMsg::new_confirm(hub_ch))
            .unwrap();
        self.sat
            .ibc_close(IbcChannelCloseMsg::new_confirm(sat_ch))
            .unwrap();
    }

    // --- invariants

    /// Hub credits of uatom (counted in health) never exceed what the satellite holds for
    /// hub accounts (locked + deposits in flight); every ledger matches its bank.
    pub fn assert_invariants(&self) {
        let hub = self.hub.remote_totals(ATOM);
        let sat = self.sat.sat_totals(ATOM);
        let in_flight_deposits = self.sat_in_flight_deposits();
        assert!(
            hub.credited <= sat.locked + in_flight_deposits,
            "hub credits {} exceed satellite locks {} + in flight {}",
            hub.credited,
            sat.locked,
            in_flight_deposits
        );
        // the hub's gateway holds no coins; the vault's releases match the gateway's records
        let releases: Vec<bulwark_types::ibc::PendingRelease> =
            self.hub.query(QueryMsg::PendingReleases {
                start_after: None,
                limit: Some(100),
            });
        let pending: Uint128 = releases.iter().map(|r| r.amount).sum();
        assert_eq!(pending, hub.pending_out, "pending releases = pending out");
        for r in self.hub.transfers() {
            assert!(
                releases.iter().any(|p| Some(p.release_id) == r.release_id),
                "a gateway transfer without its vault release"
            );
        }
        self.sat.assert_conserved();
        self.hub.assert_conserved();
    }

    /// Σ satellite deposits sent and not resolved.
    pub fn sat_in_flight_deposits(&self) -> Uint128 {
        self.sat.transfers().iter().map(|r| r.amount).sum()
    }

    /// Once every packet resolved: the hub's credits equal the satellite's locks, account by
    /// account, and nothing is pending on either side.
    pub fn assert_agree(&self, accounts: &[u64]) {
        assert!(self.in_flight.is_empty() && self.acks.is_empty());
        let hub = self.hub.remote_totals(ATOM);
        let sat = self.sat.sat_totals(ATOM);
        assert_eq!(hub.pending_out, Uint128::zero());
        assert_eq!(hub.credited, sat.locked);
        assert_eq!(self.sat_in_flight_deposits(), Uint128::zero());
        for id in accounts {
            let positions: Vec<bulwark_types::ibc::RemotePosition> = self
                .hub
                .query(QueryMsg::RemotePositions { account_id: *id });
            let credited: Uint128 = positions
                .iter()
                .filter(|p| p.denom == ATOM)
                .map(|p| p.amount)
                .sum();
            assert_eq!(credited, lock(self, *id).locked, "account {id}");
        }
        self.sat.assert_conserved();
        self.hub.assert_conserved();
    }
}

impl Default for Net {
    fn default() -> Self {
        Net::new()
    }
}

pub fn is_ok_ack(ack: &Binary) -> bool {
    matches!(from_json::<VaultAck>(ack), Ok(VaultAck::Result(_)))
}

pub fn ack_error(ack: &Binary) -> Option<String> {
    match from_json::<VaultAck>(ack) {
        Ok(VaultAck::Error(e)) => Some(e),
        _ => None,
    }
}

/// The hub's remote positions of an account.
pub fn positions(net: &Net, account_id: u64) -> Vec<bulwark_types::ibc::RemotePosition> {
    net.hub.query(QueryMsg::RemotePositions { account_id })
}

/// The satellite's ATOM lock for a hub account.
pub fn lock(net: &Net, account_id: u64) -> bulwark_types::ibc::SatelliteLock {
    net.sat.query_gw(GwQueryMsg::SatelliteLock {
        channel_id: SAT_CHANNEL.into(),
        account_id,
        denom: ATOM.into(),
    })
}

pub fn health(net: &Net, account_id: u64) -> bulwark_types::vault::HealthResponse {
    net.hub.query(QueryMsg::Health { account_id })
}

/// A connected pair with alice's hub account holding 10 ATOM deposited on the satellite.
pub fn funded() -> (Net, u64) {
    let mut net = Net::new();
    let id = net.open_account("alice");
    net.sat_deposit("alice", id, 10_000_000).unwrap();
    net.flush();
    (net, id)
}

/// Puts the hub account `debt` uusdc in debt (no exposure); the pool lent it, so the ledger
/// stays conserved.
pub fn put_in_debt(net: &mut Net, id: u64, debt: i128) {
    use bulwark_vault::state::{load_totals, ACCOUNTS, TOTALS};
    let mut storage = net.hub.vault_store();
    let mut a = ACCOUNTS.load(&storage, id).unwrap();
    let mut t = load_totals(&storage, USDC).unwrap();
    // through `shift`, so the debt aggregate moves with the balance (D26)
    let delta = Int128::new(-debt)
        .checked_sub(a.settlement_balance)
        .unwrap();
    t.shift(&mut a, delta).unwrap();
    ACCOUNTS.save(&mut storage, id, &a).unwrap();
    t.pool += Uint128::new(debt as u128);
    TOTALS.save(&mut storage, USDC, &t).unwrap();
}

/// The owner closes the channel on the hub only (CloseChannel → our ChanCloseInit callback).
/// The satellite's end stays open until a relayer brings ChanCloseConfirm there.
pub fn hub_closes_its_end(net: &mut Net) {
    net.hub
        .exec_gw_owner(GwExecuteMsg::CloseChannel {
            channel_id: HUB_CHANNEL.into(),
        })
        .unwrap();
    let ch = net.hub.channel.clone();
    net.hub.ibc_close(IbcChannelCloseMsg::new_init(ch)).unwrap();
}
