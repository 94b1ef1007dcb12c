//! A hand relayer between two vault instances (a hub and a satellite), each on its own
//! cosmwasm-std mock chain: the relayer carries the handshake, packets, acks and timeouts
//! exactly as a real relayer would deliver them, and tracks each vault's bank balance from
//! the funds it was sent and the bank messages it emitted.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::str::FromStr;

use cosmwasm_std::testing::{
    message_info, mock_dependencies, mock_env, MockApi, MockQuerier, MockStorage,
};
use cosmwasm_std::{
    from_json, to_json_binary, Addr, BankMsg, Binary, Coin, ContractResult, CosmosMsg, Decimal,
    Decimal256, Env, IbcAcknowledgement, IbcChannel, IbcChannelCloseMsg, IbcChannelConnectMsg,
    IbcChannelOpenMsg, IbcEndpoint, IbcMsg, IbcOrder, IbcPacket, IbcPacketAckMsg,
    IbcPacketReceiveMsg, IbcPacketTimeoutMsg, Int128, Order, OwnedDeps, Storage, SystemResult,
    Uint128, WasmQuery,
};

use bulwark_types::ibc::{
    CounterpartyConfig, IbcConfig, IbcRole, RemoteCollateralConfig, RemoteTotals, VaultAck,
    IBC_VERSION,
};
use bulwark_types::oracle::{price_record_key, PriceRecord};
use bulwark_types::vault::{ExecuteMsg, InstantiateMsg, LpShareMode, QueryMsg, VaultParams};
use bulwark_vault::contract;
use bulwark_vault::ContractError;

pub type Deps = OwnedDeps<MockStorage, MockApi, MockQuerier>;

pub const HUB_CHANNEL: &str = "channel-0";
pub const SAT_CHANNEL: &str = "channel-9";
pub const HUB_PORT: &str = "wasm.hub";
pub const SAT_PORT: &str = "wasm.sat";
pub const HUB_CONNECTION: &str = "connection-0";
pub const SAT_CONNECTION: &str = "connection-5";
pub const ATOM: &str = "uatom";
pub const ATOM_ASSET: &str = "ATOM";
pub const USDC: &str = "uusdc";

/// One vault on its own mock chain.
pub struct Vault {
    pub deps: Deps,
    pub env: Env,
    pub owner: Addr,
    /// The vault's bank balance per denom, tracked from funds in and bank sends out.
    pub bank: BTreeMap<String, Uint128>,
    pub channel: IbcChannel,
    next_seq: u64,
}

/// Which way a packet travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    ToHub,
    ToSat,
}

pub struct Net {
    pub hub: Vault,
    pub sat: Vault,
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

pub fn hub_channel() -> IbcChannel {
    IbcChannel::new(
        endpoint(HUB_PORT, HUB_CHANNEL),
        endpoint(SAT_PORT, SAT_CHANNEL),
        IbcOrder::Unordered,
        IBC_VERSION,
        HUB_CONNECTION,
    )
}

pub fn sat_channel() -> IbcChannel {
    IbcChannel::new(
        endpoint(SAT_PORT, SAT_CHANNEL),
        endpoint(HUB_PORT, HUB_CHANNEL),
        IbcOrder::Unordered,
        IBC_VERSION,
        SAT_CONNECTION,
    )
}

/// Price record readable by the vault: ATOM at 10 USD, published in an earlier block; every
/// other raw read (the breaker's mode records) is empty, i.e. allowed.
fn install_querier(deps: &mut Deps, env: &Env, atom_price: Decimal256) {
    install_querier_blocking(deps, env, atom_price, 0)
}

/// As [`install_querier`], with a global breaker record blocking the actions of `mask`.
fn install_querier_blocking(deps: &mut Deps, env: &Env, atom_price: Decimal256, mask: u8) {
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
    deps.querier.update_wasm(move |q| match q {
        WasmQuery::Raw { key: k, .. } if *k == key => {
            SystemResult::Ok(ContractResult::Ok(value.clone()))
        }
        WasmQuery::Raw { key: k, .. } if *k == global && mask != 0 => {
            SystemResult::Ok(ContractResult::Ok(mode.clone()))
        }
        WasmQuery::Raw { .. } => SystemResult::Ok(ContractResult::Ok(Binary::default())),
        _ => SystemResult::Ok(ContractResult::Err("unexpected query".into())),
    });
}

impl Vault {
    fn new(role: IbcRole, channel: IbcChannel) -> Self {
        let mut deps = mock_dependencies();
        let env = mock_env();
        let owner = deps.api.addr_make("dao");
        let oracle = deps.api.addr_make("oracle");
        let breaker = deps.api.addr_make("breaker");
        install_querier(&mut deps, &env, Decimal256::from_str("10").unwrap());
        contract::instantiate(
            deps.as_mut(),
            env.clone(),
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
        let mut v = Vault {
            deps,
            env,
            owner,
            bank: BTreeMap::new(),
            channel,
            next_seq: 1,
        };
        v.exec_owner(ExecuteMsg::SetIbcConfig(IbcConfig {
            role,
            packet_timeout_secs: 600,
        }))
        .unwrap();
        v
    }

    pub fn addr(&self, name: &str) -> Addr {
        self.deps.api.addr_make(name)
    }

    /// The vault's breaker blocks `actions` globally (empty: nothing blocked).
    pub fn block(&mut self, actions: &[bulwark_types::circuit_breaker::ActionClass]) {
        let env = self.env.clone();
        let mask = bulwark_types::circuit_breaker::mask_of(actions);
        install_querier_blocking(
            &mut self.deps,
            &env,
            Decimal256::from_str("10").unwrap(),
            mask,
        );
    }

    pub fn set_price(&mut self, price: &str) {
        let env = self.env.clone();
        install_querier(&mut self.deps, &env, Decimal256::from_str(price).unwrap());
    }

    /// Executes as `sender` with `funds`; on success the funds enter the tracked bank and
    /// bank sends leave it. Returns the packets sent.
    pub fn exec(
        &mut self,
        sender: &Addr,
        msg: ExecuteMsg,
        funds: &[Coin],
    ) -> Result<Vec<IbcMsg>, ContractError> {
        let res = contract::execute(
            self.deps.as_mut(),
            self.env.clone(),
            message_info(sender, funds),
            msg,
        )?;
        assert!(res.attributes.iter().any(|a| a.key == "action"));
        for c in funds {
            *self.bank.entry(c.denom.clone()).or_default() += c.amount;
        }
        let msgs: Vec<CosmosMsg> = res.messages.into_iter().map(|m| m.msg).collect();
        Ok(self.apply_msgs(msgs))
    }

    pub fn exec_owner(&mut self, msg: ExecuteMsg) -> Result<Vec<IbcMsg>, ContractError> {
        let owner = self.owner.clone();
        self.exec(&owner, msg, &[])
    }

    fn apply_msgs(&mut self, msgs: Vec<CosmosMsg>) -> Vec<IbcMsg> {
        let mut ibc = vec![];
        for m in msgs {
            match m {
                CosmosMsg::Bank(BankMsg::Send { amount, .. }) => {
                    for c in amount {
                        let b = self.bank.entry(c.denom.clone()).or_default();
                        *b = b
                            .checked_sub(c.amount)
                            .expect("vault sends more than it holds");
                    }
                }
                CosmosMsg::Ibc(m) => ibc.push(m),
                _ => {}
            }
        }
        ibc
    }

    pub fn query<T: serde::de::DeserializeOwned>(&self, msg: QueryMsg) -> T {
        from_json(contract::query(self.deps.as_ref(), self.env.clone(), msg).unwrap()).unwrap()
    }

    pub fn remote_totals(&self, denom: &str) -> RemoteTotals {
        self.query(QueryMsg::RemoteTotals {
            channel_id: self.channel.endpoint.channel_id.clone(),
            denom: denom.into(),
        })
    }

    pub fn ledger_total(&self, denom: &str) -> Int128 {
        bulwark_vault::state::load_totals(&self.deps.storage, denom)
            .unwrap()
            .ledger_total()
            .unwrap()
    }

    /// The tracked bank balance equals the ledger total of every denom it holds.
    pub fn assert_conserved(&self) {
        for (denom, balance) in &self.bank {
            assert_eq!(
                Int128::try_from(*balance).unwrap(),
                self.ledger_total(denom),
                "conservation of {denom}"
            );
        }
    }

    /// Every storage entry, to prove that a refusal wrote nothing.
    pub fn dump(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.deps
            .storage
            .range(None, None, Order::Ascending)
            .collect()
    }

    /// Every unresolved transfer the vault sent, page by page.
    pub fn transfers(&self) -> Vec<bulwark_types::ibc::TransferRecord> {
        let mut all: Vec<bulwark_types::ibc::TransferRecord> = vec![];
        loop {
            let start_after = all.last().map(|r| (r.channel_id.clone(), r.transfer_id));
            let page: Vec<bulwark_types::ibc::TransferRecord> = self.query(QueryMsg::Transfers {
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
}

impl Net {
    /// Both vaults configured and the channel open (the satellite initiates).
    pub fn new() -> Self {
        let mut net = Net::unconnected();
        net.handshake().unwrap();
        net.list_atom(Uint128::new(1_000_000_000_000));
        net
    }

    /// Both vaults configured, each allowing the other, no channel yet.
    pub fn unconnected() -> Self {
        let mut hub = Vault::new(IbcRole::Hub, hub_channel());
        let mut sat = Vault::new(IbcRole::Satellite, sat_channel());
        let insurance = sat.addr("insurance").to_string();
        hub.exec_owner(ExecuteMsg::AllowCounterparty(CounterpartyConfig {
            connection_id: HUB_CONNECTION.into(),
            port_id: SAT_PORT.into(),
            remote_haircut: Decimal::percent(10),
            remote_insurance_addr: Some(insurance),
        }))
        .unwrap();
        sat.exec_owner(ExecuteMsg::AllowCounterparty(CounterpartyConfig {
            connection_id: SAT_CONNECTION.into(),
            port_id: HUB_PORT.into(),
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
            .exec_owner(ExecuteMsg::AllowCounterparty(CounterpartyConfig {
                connection_id: HUB_CONNECTION.into(),
                port_id: SAT_PORT.into(),
                remote_haircut: Decimal::percent(10),
                remote_insurance_addr: None,
            }))
            .unwrap();
    }

    pub fn handshake(&mut self) -> Result<(), ContractError> {
        let sat_ch = self.sat.channel.clone();
        let hub_ch = self.hub.channel.clone();
        contract::ibc_channel_open(
            self.sat.deps.as_mut(),
            self.sat.env.clone(),
            IbcChannelOpenMsg::new_init(sat_ch.clone()),
        )?;
        contract::ibc_channel_open(
            self.hub.deps.as_mut(),
            self.hub.env.clone(),
            IbcChannelOpenMsg::new_try(hub_ch.clone(), IBC_VERSION),
        )?;
        contract::ibc_channel_connect(
            self.sat.deps.as_mut(),
            self.sat.env.clone(),
            IbcChannelConnectMsg::new_ack(sat_ch, IBC_VERSION),
        )?;
        contract::ibc_channel_connect(
            self.hub.deps.as_mut(),
            self.hub.env.clone(),
            IbcChannelConnectMsg::new_confirm(hub_ch),
        )?;
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
        let res = contract::execute(
            self.hub.deps.as_mut(),
            self.hub.env.clone(),
            message_info(&owner, &[]),
            ExecuteMsg::CreateAccount {},
        )
        .unwrap();
        let id: u64 = from_json(res.data.unwrap()).unwrap();
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

    fn enqueue(&mut self, from: Dir, msgs: Vec<IbcMsg>) {
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
    ) -> Result<(), ContractError> {
        let who = self.sat.addr(name);
        let msgs = self.sat.exec(
            &who,
            ExecuteMsg::RemoteDeposit {
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

    /// Hub-side execution that may send packets (keepers, the owner).
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

    fn side(&mut self, dir: Dir) -> (&mut Vault, &mut Vault) {
        match dir {
            Dir::ToHub => (&mut self.hub, &mut self.sat),
            Dir::ToSat => (&mut self.sat, &mut self.hub),
        }
    }

    /// Delivers the packet `packet` to its destination; returns the ack (queued for relay).
    pub fn receive(&mut self, dir: Dir, packet: IbcPacket) -> Binary {
        let (dest, _) = self.side(dir);
        let res = contract::ibc_packet_receive(
            dest.deps.as_mut(),
            dest.env.clone(),
            IbcPacketReceiveMsg::new(packet.clone(), Addr::unchecked("relayer")),
        )
        .unwrap();
        assert!(res.attributes.iter().any(|a| a.key == "action"));
        let msgs: Vec<CosmosMsg> = res.messages.into_iter().map(|m| m.msg).collect();
        let sent = dest.apply_msgs(msgs.clone());
        assert!(sent.is_empty());
        self.last_receive_msgs = msgs;
        let ack = res.acknowledgement.unwrap();
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
        let (_, src) = self.side(dir);
        let res = contract::ibc_packet_ack(
            src.deps.as_mut(),
            src.env.clone(),
            IbcPacketAckMsg::new(
                IbcAcknowledgement::new(ack),
                packet,
                Addr::unchecked("relayer"),
            ),
        )
        .unwrap();
        assert!(res.attributes.iter().any(|a| a.key == "action"));
        let msgs: Vec<CosmosMsg> = res.messages.into_iter().map(|m| m.msg).collect();
        assert!(src.apply_msgs(msgs).is_empty());
    }

    /// Times out the `i`-th packet in flight (never received).
    pub fn time_out(&mut self, i: usize) {
        let (dir, packet) = self.in_flight.remove(i);
        let (_, src) = self.side(dir);
        let res = contract::ibc_packet_timeout(
            src.deps.as_mut(),
            src.env.clone(),
            IbcPacketTimeoutMsg::new(packet, Addr::unchecked("relayer")),
        )
        .unwrap();
        assert!(res.attributes.iter().any(|a| a.key == "action"));
        let msgs: Vec<CosmosMsg> = res.messages.into_iter().map(|m| m.msg).collect();
        assert!(src.apply_msgs(msgs).is_empty());
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
        contract::ibc_channel_close(
            self.hub.deps.as_mut(),
            self.hub.env.clone(),
            IbcChannelCloseMsg::new_confirm(self.hub.channel.clone()),
        )
        .unwrap();
        contract::ibc_channel_close(
            self.sat.deps.as_mut(),
            self.sat.env.clone(),
            IbcChannelCloseMsg::new_confirm(self.sat.channel.clone()),
        )
        .unwrap();
    }

    // --- invariants

    /// Hub credits of uatom (counted in health) never exceed what the satellite holds for
    /// hub accounts (locked + deposits in flight); the satellite's ledger matches its bank.
    pub fn assert_invariants(&self) {
        let hub = self.hub.remote_totals(ATOM);
        let sat = bulwark_vault::state::load_totals(&self.sat.deps.storage, ATOM).unwrap();
        let in_flight_deposits = self.sat_in_flight_deposits();
        assert!(
            hub.credited <= sat.ibc_locked + in_flight_deposits,
            "hub credits {} exceed satellite locks {} + in flight {}",
            hub.credited,
            sat.ibc_locked,
            in_flight_deposits
        );
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
        let sat = bulwark_vault::state::load_totals(&self.sat.deps.storage, ATOM).unwrap();
        assert_eq!(hub.pending_out, Uint128::zero());
        assert_eq!(hub.credited, sat.ibc_locked);
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
            let lock: bulwark_types::ibc::SatelliteLock = self.sat.query(QueryMsg::SatelliteLock {
                channel_id: SAT_CHANNEL.into(),
                account_id: *id,
                denom: ATOM.into(),
            });
            assert_eq!(credited, lock.locked, "account {id}");
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

/// Storage entries, for before/after comparisons.
pub fn dump(storage: &dyn Storage) -> Vec<(Vec<u8>, Vec<u8>)> {
    storage.range(None, None, Order::Ascending).collect()
}

/// The hub's remote positions of an account.
pub fn positions(net: &Net, account_id: u64) -> Vec<bulwark_types::ibc::RemotePosition> {
    net.hub.query(QueryMsg::RemotePositions { account_id })
}

/// The satellite's ATOM lock for a hub account.
pub fn lock(net: &Net, account_id: u64) -> bulwark_types::ibc::SatelliteLock {
    net.sat.query(QueryMsg::SatelliteLock {
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
    let storage = &mut net.hub.deps.storage;
    let mut a = ACCOUNTS.load(storage, id).unwrap();
    let mut t = load_totals(storage, USDC).unwrap();
    // through `shift`, so the debt aggregate moves with the balance (D26)
    let delta = Int128::new(-debt)
        .checked_sub(a.settlement_balance)
        .unwrap();
    t.shift(&mut a, delta).unwrap();
    ACCOUNTS.save(storage, id, &a).unwrap();
    t.pool += Uint128::new(debt as u128);
    TOTALS.save(storage, USDC, &t).unwrap();
}

/// The owner closes the channel on the hub only (CloseChannel → our ChanCloseInit callback).
/// The satellite's end stays open until a relayer brings ChanCloseConfirm there.
pub fn hub_closes_its_end(net: &mut Net) {
    net.hub
        .exec_owner(ExecuteMsg::CloseChannel {
            channel_id: HUB_CHANNEL.into(),
        })
        .unwrap();
    bulwark_vault::contract::ibc_channel_close(
        net.hub.deps.as_mut(),
        net.hub.env.clone(),
        cosmwasm_std::IbcChannelCloseMsg::new_init(net.hub.channel.clone()),
    )
    .unwrap();
}
