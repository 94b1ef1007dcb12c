//! Two wasmd localnets and Hermes (issue 15, item 3): a hub gateway (beside the hub's vault)
//! and a satellite gateway joined by the bulwark channel (`bulwark-vault-1`), and an ICS-20
//! channel beside it, every packet carried by the real relayer. The scenario runs remote
//! collateral through its whole life — deposit credited at the hub, a perp traded against it,
//! withdrawal back to the satellite with the relayer restarted between the receive and the
//! ack, an error ack refunded, a timeout while the relayer is stopped, a keeper's seizure of an
//! unhealthy account — an ICS-20 round trip, and ICS-20 deposits on arrival through the hub
//! gateway's IBC callback (one credited, one refused and refunded by its error ack). After
//! every step both chains conserve every denom (bank sums over all actors, contracts and
//! escrow accounts; gas fees accounted), the hub vault's and the satellite gateway's ledgers
//! equal their balances, and the hub never credits more than the satellite holds for the
//! account.
//!
//! The chains and the connection come from `scripts/test` (or by hand: `scripts/chain start`
//! twice, `scripts/relayer config A B`, `scripts/relayer connect A B`), named by the
//! environment: BULWARK_IBC_HUB, BULWARK_IBC_SAT (chain names) and BULWARK_IBC_HUB_CONNECTION,
//! BULWARK_IBC_SAT_CONNECTION (each chain's end of the connection).

use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::{anyhow, ensure, Context, Result};
use bulwark_types::circuit_breaker::{self as breaker, ReporterPermissions};
use bulwark_types::gateway::{self, GatewayTotals};
use bulwark_types::ibc::{
    CounterpartyConfig, IbcRole, RemoteCollateralConfig, RemotePosition, SatelliteLock,
    TransferRecord, IBC_VERSION,
};
use bulwark_types::oracle::{self, AssetConfig, FeedPrice, Source};
use bulwark_types::perps;
use bulwark_types::vault::{self, HealthResponse};
use cosmrs::proto::cosmos::bank::v1beta1::{QuerySupplyOfRequest, QuerySupplyOfResponse};
use cosmrs::proto::cosmos::base::v1beta1::Coin as ProtoCoin;
use cosmrs::{AccountId, Any};
use cosmwasm_std::{coin, Addr, Decimal, Decimal256, SignedDecimal256, Uint128};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::bed::{Bed, Ledger, ATOM, FEEDERS, USDC};
use crate::client::{Gas, TxResult};
use crate::deploy::{Artifacts, Deployment};
use crate::relayer::{End, Relayer};

const U: u128 = 1_000_000;
pub const ASSET: &str = "ATOM";
pub const MARKET: &str = "ATOM-PERP";
/// The satellite's packet timeout: the shortest the vault accepts, so the timeout case waits
/// only a minute.
pub const SAT_TIMEOUT_SECS: u64 = 60;
pub const HUB_TIMEOUT_SECS: u64 = 600;
const ICS20_VERSION: &str = "ics20-1";

/// One step's outcome for the report.
#[derive(Clone, Debug)]
pub struct IbcStep {
    pub name: String,
    pub summary: String,
    pub secs: f64,
}

/// Both chains, both deployments, both channels and their ledgers.
pub struct IbcBed {
    pub hub: Bed,
    pub sat: Bed,
    pub hub_d: Deployment,
    pub sat_d: Deployment,
    /// The gateways (the hub's serves `hub_d.vault`).
    pub hub_gw: String,
    pub sat_gw: String,
    pub relayer: Relayer,
    /// The bulwark channel at each end.
    pub hub_end: End,
    pub sat_end: End,
    /// The ICS-20 channel at each end.
    pub hub_transfer: End,
    pub sat_transfer: End,
    hub_ledger: Option<Ledger>,
    sat_ledger: Option<Ledger>,
    pub steps: Vec<IbcStep>,
    step_started: Instant,
}

fn var(k: &str) -> Result<String> {
    std::env::var(k).with_context(|| format!("{k} is not set (scripts/test sets it)"))
}

fn dec(s: &str) -> Decimal256 {
    // safe: only literals of this file
    Decimal256::from_str(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// The ICS-20 escrow account of a channel end (ibc-go `GetEscrowAddress`): the first 20 bytes
/// of sha256("ics20-1" 0x00 "port/channel").
pub fn escrow_address(prefix: &str, port: &str, channel: &str) -> Result<String> {
    let mut h = Sha256::new();
    h.update(ICS20_VERSION.as_bytes());
    h.update([0u8]);
    h.update(format!("{port}/{channel}").as_bytes());
    let digest = h.finalize();
    Ok(AccountId::new(prefix, &digest[..20])
        .map_err(|e| anyhow!("{e}"))?
        .to_string())
}

/// The voucher denom of `base` arriving over (port, channel) at the receiving end.
pub fn voucher_denom(port: &str, channel: &str, base: &str) -> String {
    let digest = Sha256::digest(format!("{port}/{channel}/{base}").as_bytes());
    format!("ibc/{}", hex::encode_upper(digest))
}

/// ibc.applications.transfer.v1.MsgTransfer (the fields ibc-go v10 reads).
#[derive(Clone, PartialEq, prost::Message)]
pub struct MsgTransfer {
    #[prost(string, tag = "1")]
    pub source_port: String,
    #[prost(string, tag = "2")]
    pub source_channel: String,
    #[prost(message, optional, tag = "3")]
    pub token: Option<ProtoCoin>,
    #[prost(string, tag = "4")]
    pub sender: String,
    #[prost(string, tag = "5")]
    pub receiver: String,
    #[prost(message, optional, tag = "6")]
    pub timeout_height: Option<Height>,
    #[prost(uint64, tag = "7")]
    pub timeout_timestamp: u64,
    #[prost(string, tag = "8")]
    pub memo: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Height {
    #[prost(uint64, tag = "1")]
    pub revision_number: u64,
    #[prost(uint64, tag = "2")]
    pub revision_height: u64,
}

/// Stores the gateway and instantiates it for `role` (the hub's serves the deployment's vault),
/// owned by the deployer like the rest of the suite, with the multisig as its wasm admin.
pub fn deploy_gateway(
    bed: &Bed,
    d: &Deployment,
    role: IbcRole,
    timeout_secs: u64,
) -> Result<String> {
    let deployer = bed.key("deployer");
    let code_id = bed
        .client
        .store_code(deployer, Artifacts::locate().wasm("gateway")?)?;
    bed.client.instantiate(
        deployer,
        code_id,
        &gateway::InstantiateMsg {
            owner: deployer.addr().to_string(),
            role,
            packet_timeout_secs: timeout_secs,
            vault: (role == IbcRole::Hub).then(|| d.vault.clone()),
            circuit_breaker: Some(d.circuit_breaker.clone()),
        },
        "bulwark-gateway",
        Some(&d.multisig),
    )
}

impl IbcBed {
    /// Connects to both chains, deploys the suite on each, configures the hub and the
    /// satellite, and opens the bulwark channel (the satellite initiates; D18) and an ICS-20
    /// channel through Hermes.
    pub fn setup() -> Result<Self> {
        let started = Instant::now();
        let hub = Bed::connect_named(&var("BULWARK_IBC_HUB")?)?;
        let sat = Bed::connect_named(&var("BULWARK_IBC_SAT")?)?;
        let hub_conn = var("BULWARK_IBC_HUB_CONNECTION")?;
        let sat_conn = var("BULWARK_IBC_SAT_CONNECTION")?;
        let hub_d = hub.deploy().context("deploy on the hub")?;
        let sat_d = sat.deploy().context("deploy on the satellite")?;
        let hub_gw =
            deploy_gateway(&hub, &hub_d, IbcRole::Hub, HUB_TIMEOUT_SECS).context("hub gateway")?;
        let sat_gw = deploy_gateway(&sat, &sat_d, IbcRole::Satellite, SAT_TIMEOUT_SECS)
            .context("satellite gateway")?;
        let relayer = Relayer::new();
        let mut b = Self {
            hub,
            sat,
            hub_d,
            sat_d,
            hub_gw,
            sat_gw,
            relayer,
            hub_end: End::default(),
            sat_end: End::default(),
            hub_transfer: End::default(),
            sat_transfer: End::default(),
            hub_ledger: None,
            sat_ledger: None,
            steps: vec![],
            step_started: started,
        };
        b.configure_hub(&hub_conn)?;
        b.configure_sat(&sat_conn)?;
        let hub_id = b.hub.client.config.chain_id.clone();
        let sat_id = b.sat.client.config.chain_id.clone();
        let hub_port = format!("wasm.{}", b.hub_gw);
        let sat_port = format!("wasm.{}", b.sat_gw);
        let (sat_ch, hub_ch) = b
            .relayer
            .create_channel(&sat_id, &sat_conn, &sat_port, &hub_port, Some(IBC_VERSION))
            .context("bulwark channel")?;
        b.hub_end = End {
            chain_id: hub_id.clone(),
            port_id: hub_port,
            channel_id: hub_ch,
        };
        b.sat_end = End {
            chain_id: sat_id.clone(),
            port_id: sat_port,
            channel_id: sat_ch,
        };
        let (sat_t, hub_t) = b
            .relayer
            .create_channel(
                &sat_id,
                &sat_conn,
                "transfer",
                "transfer",
                Some(ICS20_VERSION),
            )
            .context("ICS-20 channel")?;
        b.hub_transfer = End {
            chain_id: hub_id,
            port_id: "transfer".into(),
            channel_id: hub_t,
        };
        b.configure_arrival()?;
        b.sat_transfer = End {
            chain_id: sat_id,
            port_id: "transfer".into(),
            channel_id: sat_t,
        };
        // Conservation baselines, escrow accounts of both transfer ends included.
        let prefix = b.hub.client.config.bech32_prefix.clone();
        let hub_escrow = escrow_address(&prefix, "transfer", &b.hub_transfer.channel_id)?;
        let sat_escrow = escrow_address(
            &b.sat.client.config.bech32_prefix,
            "transfer",
            &b.sat_transfer.channel_id,
        )?;
        b.hub_ledger = Some(
            b.hub
                .ledger_with(&b.hub_d, &[hub_escrow, b.hub_gw.clone()])?,
        );
        b.sat_ledger = Some(
            b.sat
                .ledger_with(&b.sat_d, &[sat_escrow, b.sat_gw.clone()])?,
        );
        Ok(b)
    }

    fn exec_on<M: Serialize>(
        bed: &Bed,
        who: &str,
        contract: &str,
        msg: &M,
        funds: &[cosmwasm_std::Coin],
    ) -> Result<TxResult> {
        bed.client
            .execute(bed.key(who), contract, msg, funds)
            .with_context(|| {
                format!(
                    "{} from {who}",
                    serde_json::to_string(msg).unwrap_or_default()
                )
            })
    }

    pub fn hub_exec<M: Serialize>(
        &self,
        who: &str,
        msg: &M,
        funds: &[cosmwasm_std::Coin],
    ) -> Result<TxResult> {
        Self::exec_on(&self.hub, who, &self.hub_d.vault, msg, funds)
    }

    /// The satellite's gateway (the satellite chain needs no vault for remote collateral).
    pub fn sat_exec<M: Serialize>(
        &self,
        who: &str,
        msg: &M,
        funds: &[cosmwasm_std::Coin],
    ) -> Result<TxResult> {
        Self::exec_on(&self.sat, who, &self.sat_gw, msg, funds)
    }

    pub fn hub_gw_exec<M: Serialize>(
        &self,
        who: &str,
        msg: &M,
        funds: &[cosmwasm_std::Coin],
    ) -> Result<TxResult> {
        Self::exec_on(&self.hub, who, &self.hub_gw, msg, funds)
    }

    /// `who` locks `amount` ATOM on the satellite for hub account `account_id`; returns the
    /// transfer id.
    pub fn remote_deposit(&self, who: &str, account_id: u64, amount: u128) -> Result<u64> {
        let r = self.sat_exec(
            who,
            &gateway::ExecuteMsg::RemoteDeposit {
                channel_id: self.sat_end.channel_id.clone(),
                account_id,
            },
            &[coin(amount, ATOM)],
        )?;
        Ok(r.attr("wasm", "transfer_id")?.parse()?)
    }

    /// `who` claims its refund of ATOM on the satellite.
    pub fn claim_refund(&self, who: &str) -> Result<()> {
        self.sat_exec(
            who,
            &gateway::ExecuteMsg::ClaimRefund { denom: ATOM.into() },
            &[],
        )?;
        Ok(())
    }

    fn configure_hub(&self, hub_conn: &str) -> Result<()> {
        let bed = &self.hub;
        let c = &bed.client;
        let w = bed.key("deployer");
        let sources: Vec<Source> = FEEDERS
            .iter()
            .map(|f| Source::Feeder {
                feeder_addr: Addr::unchecked(bed.key(f).addr()),
                max_age_secs: 300,
            })
            .collect();
        let msgs = vec![
            c.execute_msg(
                w,
                &self.hub_d.oracle,
                &oracle::ExecuteMsg::SetAsset {
                    asset: AssetConfig {
                        asset_id: ASSET.into(),
                        quote: "USD".into(),
                        base_decimals: 6,
                        quote_decimals: 6,
                        sources,
                        quorum: 2,
                        max_deviation_bps: 500,
                        max_move: None,
                        trip_targets: vec![],
                    },
                },
                &[],
            )?,
            c.execute_msg(
                w,
                &self.hub_d.vault,
                &vault::ExecuteMsg::SetScenarioGrid {
                    asset_id: ASSET.into(),
                    spot_shocks: None,
                    vol_shocks: None,
                },
                &[],
            )?,
            c.execute_msg(
                w,
                &self.hub_d.perps,
                &perps::ExecuteMsg::CreateMarket {
                    market_id: MARKET.into(),
                    asset_id: ASSET.into(),
                    params: bulwark_testing::perps::default_market_params(),
                },
                &[],
            )?,
            c.execute_msg(
                w,
                &self.hub_d.vault,
                &vault::ExecuteMsg::SetGateway {
                    gateway: Some(self.hub_gw.clone()),
                },
                &[],
            )?,
            c.execute_msg(
                w,
                &self.hub_gw,
                &gateway::ExecuteMsg::AllowCounterparty(CounterpartyConfig {
                    connection_id: hub_conn.to_string(),
                    port_id: format!("wasm.{}", self.sat_gw),
                    remote_haircut: Decimal::percent(5),
                    // the satellite chain's insurance address: its deployer here
                    remote_insurance_addr: Some(self.sat.key("deployer").addr().to_string()),
                }),
                &[],
            )?,
            c.execute_msg(
                w,
                &self.hub_d.vault,
                &vault::ExecuteMsg::SetRemoteCollateral(RemoteCollateralConfig {
                    connection_id: hub_conn.to_string(),
                    denom: ATOM.into(),
                    oracle_asset_id: ASSET.into(),
                    decimals: 6,
                    haircut: Decimal::percent(20),
                    deposit_cap: Uint128::new(1_000_000 * U),
                }),
                &[],
            )?,
        ];
        c.send(w, msgs, Gas::Auto)?
            .ok()
            .context("hub configuration")?;
        // The pool takes the other side of perps.
        Self::exec_on(
            bed,
            "lp1",
            &self.hub_d.vault,
            &vault::ExecuteMsg::LpDeposit { min_shares: None },
            &[coin(100_000 * U, USDC)],
        )?;
        Ok(())
    }

    fn configure_sat(&self, sat_conn: &str) -> Result<()> {
        let bed = &self.sat;
        let c = &bed.client;
        let w = bed.key("deployer");
        let msgs = vec![
            // the gateway reports withdrawals' outflows to this chain's breaker
            c.execute_msg(
                w,
                &self.sat_d.circuit_breaker,
                &breaker::ExecuteMsg::SetReporter {
                    reporter: self.sat_gw.clone(),
                    permissions: ReporterPermissions {
                        global: false,
                        contracts: vec![],
                        outflows: true,
                    },
                },
                &[],
            )?,
            c.execute_msg(
                w,
                &self.sat_gw,
                &gateway::ExecuteMsg::AllowCounterparty(CounterpartyConfig {
                    connection_id: sat_conn.to_string(),
                    port_id: format!("wasm.{}", self.hub_gw),
                    remote_haircut: Decimal::zero(),
                    remote_insurance_addr: None,
                }),
                &[],
            )?,
        ];
        c.send(w, msgs, Gas::Auto)?
            .ok()
            .context("satellite configuration")?;
        Ok(())
    }

    /// Deposit on arrival at the hub: the gateway allows the ICS-20 channel, the vault lists
    /// the channel's ATOM voucher as collateral.
    fn configure_arrival(&self) -> Result<()> {
        let c = &self.hub.client;
        let w = self.hub.key("deployer");
        let voucher = voucher_denom("transfer", &self.hub_transfer.channel_id, ATOM);
        let msgs = vec![
            c.execute_msg(
                w,
                &self.hub_gw,
                &gateway::ExecuteMsg::SetTransferChannel {
                    channel_id: self.hub_transfer.channel_id.clone(),
                    allowed: true,
                },
                &[],
            )?,
            c.execute_msg(
                w,
                &self.hub_d.vault,
                &vault::ExecuteMsg::SetCollateral(vault::CollateralConfig {
                    denom: voucher,
                    kind: vault::DenomKind::Native,
                    oracle_asset_id: ASSET.into(),
                    haircut: Decimal::percent(25),
                    deposit_cap: Uint128::new(1_000_000 * U),
                    decimals: 6,
                }),
                &[],
            )?,
        ];
        c.send(w, msgs, Gas::Auto)?
            .ok()
            .context("deposit on arrival configuration")?;
        Ok(())
    }

    // ---------------------------------------------------------------------------------------
    // Reading both chains

    pub fn positions(&self, account_id: u64) -> Result<Vec<RemotePosition>> {
        self.hub.client.query(
            &self.hub_d.vault,
            &vault::QueryMsg::RemotePositions { account_id },
        )
    }

    /// (credited amount, pending out) of the account's ATOM position at the hub.
    pub fn position(&self, account_id: u64) -> Result<(u128, u128)> {
        Ok(self
            .positions(account_id)?
            .into_iter()
            .find(|p| p.channel_id == self.hub_end.channel_id && p.denom == ATOM)
            .map(|p| (p.amount.u128(), p.pending_out.u128()))
            .unwrap_or((0, 0)))
    }

    pub fn lock(&self, account_id: u64) -> Result<u128> {
        let l: SatelliteLock = self.sat.client.query(
            &self.sat_gw,
            &gateway::QueryMsg::SatelliteLock {
                channel_id: self.sat_end.channel_id.clone(),
                account_id,
                denom: ATOM.into(),
            },
        )?;
        Ok(l.locked.u128())
    }

    pub fn transfers(bed: &Bed, gateway: &str) -> Result<Vec<TransferRecord>> {
        bed.client.query(
            gateway,
            &gateway::QueryMsg::Transfers {
                start_after: None,
                limit: None,
            },
        )
    }

    pub fn hub_transfers(&self) -> Result<Vec<TransferRecord>> {
        Self::transfers(&self.hub, &self.hub_gw)
    }

    pub fn sat_transfers(&self) -> Result<Vec<TransferRecord>> {
        Self::transfers(&self.sat, &self.sat_gw)
    }

    pub fn received_at_hub(&self, transfer_id: u64) -> Result<Option<bool>> {
        self.hub.client.query(
            &self.hub_gw,
            &gateway::QueryMsg::Received {
                channel_id: self.hub_end.channel_id.clone(),
                transfer_id,
            },
        )
    }

    pub fn claimable_on_sat(&self, who: &str) -> Result<u128> {
        let c: Uint128 = self.sat.client.query(
            &self.sat_gw,
            &gateway::QueryMsg::Claimable {
                address: self.sat.key(who).addr().to_string(),
                denom: ATOM.into(),
            },
        )?;
        Ok(c.u128())
    }

    pub fn health(&self, account_id: u64) -> Result<HealthResponse> {
        self.hub
            .client
            .query(&self.hub_d.vault, &vault::QueryMsg::Health { account_id })
    }

    pub fn sat_balance(&self, who: &str, denom: &str) -> Result<u128> {
        self.sat.client.balance(self.sat.key(who).addr(), denom)
    }

    pub fn hub_balance(&self, who: &str, denom: &str) -> Result<u128> {
        self.hub.client.balance(self.hub.key(who).addr(), denom)
    }

    pub fn supply_on_hub(&self, denom: &str) -> Result<u128> {
        let r: QuerySupplyOfResponse = self.hub.client.abci_query(
            "/cosmos.bank.v1beta1.Query/SupplyOf",
            &QuerySupplyOfRequest {
                denom: denom.to_string(),
            },
        )?;
        match r.amount {
            Some(c) => c
                .amount
                .parse()
                .with_context(|| format!("supply of {denom}: {}", c.amount)),
            None => Ok(0),
        }
    }

    /// The satellite gateway's ledger per denom (locked + pending) against its balance.
    pub fn check_sat_gateway(&self) -> Result<()> {
        let totals: Vec<GatewayTotals> = self.sat.client.query(
            &self.sat_gw,
            &gateway::QueryMsg::Totals {
                start_after: None,
                limit: None,
            },
        )?;
        for t in &totals {
            ensure!(
                t.balance == t.locked + t.pending,
                "satellite gateway {}: balance {} but locked {} + pending {}",
                t.denom,
                t.balance,
                t.locked,
                t.pending
            );
        }
        Ok(())
    }

    /// Conservation on both chains, the hub vault's and the satellite gateway's ledgers against
    /// their balances (the hub gateway holds nothing), ICS-20
    /// vouchers on the hub backed one to one by the satellite's escrow, and for every account
    /// given: the hub's credit (amount counted in health) at most the satellite's lock.
    pub fn check(&self, accounts: &[u64]) -> Result<()> {
        self.hub_ledger
            .as_ref()
            .ok_or_else(|| anyhow!("no ledger before setup"))?
            .check(&self.hub.client)
            .context("hub conservation")?;
        self.sat_ledger
            .as_ref()
            .ok_or_else(|| anyhow!("no ledger before setup"))?
            .check(&self.sat.client)
            .context("satellite conservation")?;
        self.check_sat_gateway()?;
        let voucher = voucher_denom("transfer", &self.hub_transfer.channel_id, ATOM);
        for denom in [ATOM, USDC, voucher.as_str()] {
            let held = self.hub.client.balance(&self.hub_gw, denom)?;
            ensure!(held == 0, "the hub gateway holds {held} {denom}");
        }
        let voucher = voucher_denom("transfer", &self.hub_transfer.channel_id, ATOM);
        let escrow = escrow_address(
            &self.sat.client.config.bech32_prefix,
            "transfer",
            &self.sat_transfer.channel_id,
        )?;
        let escrowed = self.sat.client.balance(&escrow, ATOM)?;
        let minted = self.supply_on_hub(&voucher)?;
        ensure!(
            minted == escrowed,
            "{voucher}: {minted} on the hub but {escrowed} escrowed on the satellite"
        );
        // deposits the satellite holds for the hub but has not seen acknowledged yet
        let in_flight = self.sat_transfers()?;
        for id in accounts {
            let (credited, _) = self.position(*id)?;
            let locked = self.lock(*id)?;
            let pending: u128 = in_flight
                .iter()
                .filter(|t| t.account_id == *id && t.kind.is_none())
                .map(|t| t.amount.u128())
                .sum();
            ensure!(
                credited <= locked + pending,
                "account {id}: hub credits {credited} but the satellite holds {locked} locked + {pending} in flight"
            );
        }
        Ok(())
    }

    pub fn finish(&mut self, name: &str, summary: String, accounts: &[u64]) -> Result<()> {
        self.check(accounts)
            .with_context(|| format!("invariants after step {name}"))?;
        let step = IbcStep {
            name: name.to_string(),
            summary,
            secs: self.step_started.elapsed().as_secs_f64(),
        };
        println!(
            "[ibc] {:<34} {:>5.1}s  {}",
            step.name, step.secs, step.summary
        );
        self.steps.push(step);
        self.step_started = Instant::now();
        Ok(())
    }

    // ---------------------------------------------------------------------------------------
    // Acting

    /// Three feeders publish `price` for ATOM on the hub; two blocks so that trades see it as
    /// stored in an earlier block.
    pub fn feed(&self, price: Decimal256) -> Result<()> {
        for f in FEEDERS {
            let now = self.hub.client.block_time_secs()?.saturating_sub(1);
            Self::exec_on(
                &self.hub,
                f,
                &self.hub_d.oracle,
                &oracle::ExecuteMsg::Feed {
                    prices: vec![FeedPrice {
                        asset_id: ASSET.into(),
                        price: SignedDecimal256::try_from(price)?,
                        publish_time: now,
                    }],
                },
                &[],
            )?;
        }
        self.hub.client.next_block()?;
        self.hub.client.next_block()?;
        Ok(())
    }

    pub fn order(
        &self,
        who: &str,
        account_id: u64,
        size: &str,
        limit: Decimal256,
    ) -> Result<TxResult> {
        Self::exec_on(
            &self.hub,
            who,
            &self.hub_d.perps,
            &perps::ExecuteMsg::SubmitOrder {
                account_id,
                market_id: MARKET.into(),
                size_delta: SignedDecimal256::from_str(size)?,
                acceptable_price: limit,
                reduce_only: false,
            },
            &[],
        )
    }

    /// An ICS-20 transfer signed by `who` on `bed` over `end`.
    pub fn ics20(
        bed: &Bed,
        who: &str,
        end: &End,
        denom: &str,
        amount: u128,
        receiver: &str,
        memo: &str,
    ) -> Result<TxResult> {
        let w = bed.key(who);
        let now_ns = bed.client.block_time_secs()?.saturating_add(600) * 1_000_000_000;
        let msg = MsgTransfer {
            source_port: end.port_id.clone(),
            source_channel: end.channel_id.clone(),
            token: Some(ProtoCoin {
                denom: denom.to_string(),
                amount: amount.to_string(),
            }),
            sender: w.addr().to_string(),
            receiver: receiver.to_string(),
            timeout_height: None,
            timeout_timestamp: now_ns,
            memo: memo.to_string(),
        };
        let any = Any {
            type_url: "/ibc.applications.transfer.v1.MsgTransfer".into(),
            value: prost::Message::encode_to_vec(&msg),
        };
        bed.client.send(w, vec![any], Gas::Auto)?.ok()
    }

    /// Waits until `cond` holds, polling every half second, for at most `secs`.
    pub fn wait_until(&self, secs: u64, what: &str, cond: impl Fn() -> Result<bool>) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if cond()? {
                return Ok(());
            }
            ensure!(Instant::now() < deadline, "{what}: not within {secs} s");
            std::thread::sleep(Duration::from_millis(500));
        }
    }
}

/// The whole scenario; returns the steps for the report.
pub fn run() -> Result<Vec<IbcStep>> {
    let mut b = IbcBed::setup()?;
    b.finish(
        "setup",
        format!(
            "suites deployed on {} and {}; bulwark channel {} (hub) <-> {} (satellite), ICS-20 {} <-> {}",
            b.hub_end.chain_id,
            b.sat_end.chain_id,
            b.hub_end.channel_id,
            b.sat_end.channel_id,
            b.hub_transfer.channel_id,
            b.sat_transfer.channel_id
        ),
        &[],
    )?;

    // 1. Remote deposit: locked on the satellite, credited at the hub only on receipt.
    let r = b.hub_exec("trader1", &vault::ExecuteMsg::CreateAccount {}, &[])?;
    let acct: u64 = r.attr("wasm", "account_id")?.parse()?;
    let trader_sat = b.sat.key("trader1").addr().to_string();
    b.hub_exec(
        "trader1",
        &vault::ExecuteMsg::SetRemoteOwner {
            account_id: acct,
            channel_id: b.hub_end.channel_id.clone(),
            remote_addr: Some(trader_sat.clone()),
        },
        &[],
    )?;
    b.hub_exec(
        "trader1",
        &vault::ExecuteMsg::Deposit { account_id: acct },
        &[coin(100 * U, USDC)],
    )?;
    b.remote_deposit("trader1", acct, 1_000 * U)?;
    ensure!(
        b.position(acct)? == (0, 0),
        "credited before the hub received it"
    );
    ensure!(b.sat_transfers()?.len() == 1);
    b.check(&[acct])?;
    // the receive alone: the hub credits, the satellite still holds the coins in flight
    b.relayer.recv(&b.sat_end, &b.hub_end.chain_id)?;
    ensure!(
        b.position(acct)? == (1_000 * U, 0),
        "{:?}",
        b.positions(acct)?
    );
    ensure!(b.lock(acct)? == 0, "locked before the ack");
    b.check(&[acct])?;
    b.relayer.ack(&b.hub_end, &b.sat_end.chain_id)?;
    ensure!(b.lock(acct)? == 1_000 * U);
    ensure!(b.sat_transfers()?.is_empty(), "deposit not acknowledged");
    b.feed(dec("10"))?;
    let h = b.health(acct)?;
    ensure!(h.collateral_value.u128() == 7_500 * U, "{h:?}");
    b.finish(
        "remote deposit",
        format!(
            "trader1 locks 1,000 ATOM on the satellite for hub account {acct}; Hermes relays; the hub credits it (7,500 USDC after 20% + 5% haircuts) and the satellite's lock follows the ack"
        ),
        &[acct],
    )?;

    // 2. A trade against it.
    b.order("trader1", acct, "800", dec("10.5"))?;
    let h = b.health(acct)?;
    ensure!(
        !h.liquidatable && h.equity.i128() > h.initial_requirement.u128() as i128,
        "{h:?}"
    );
    b.finish(
        "perp against remote collateral",
        format!(
            "trader1 opens 800 ATOM-PERP long margined by the remote ATOM: equity {} vs initial {}",
            h.equity, h.initial_requirement
        ),
        &[acct],
    )?;

    // 3. Withdrawal back; the relayer delivers the release, stops, and a restarted relayer
    //    delivers the ack.
    let before = b.sat_balance("trader1", ATOM)?;
    b.hub_exec(
        "trader1",
        &vault::ExecuteMsg::WithdrawRemote {
            account_id: acct,
            channel_id: b.hub_end.channel_id.clone(),
            denom: ATOM.into(),
            amount: Uint128::new(100 * U),
            recipient: trader_sat.clone(),
        },
        &[],
    )?;
    ensure!(b.position(acct)? == (900 * U, 100 * U));
    b.relayer.recv(&b.hub_end, &b.sat_end.chain_id)?;
    ensure!(
        b.sat_balance("trader1", ATOM)? == before + 100 * U,
        "release not paid"
    );
    ensure!(b.lock(acct)? == 900 * U);
    ensure!(b.hub_transfers()?.len() == 1, "ack relayed too early");
    b.check(&[acct])?;
    b.relayer.start()?;
    let waited = b.wait_until(60, "the restarted relayer relays the ack", || {
        Ok(b.hub_transfers()?.is_empty())
    });
    b.relayer.stop()?;
    waited?;
    ensure!(b.position(acct)? == (900 * U, 0));
    b.finish(
        "withdraw, relayer restarted mid-flight",
        "100 ATOM withdrawn to the satellite: debited at once (pending out), paid on receipt; the ack left pending until a Hermes daemon, started afterwards, cleared it on start".into(),
        &[acct],
    )?;

    // 4. An error ack: a deposit from an address the account never authorised.
    let t2_before = b.sat_balance("trader2", ATOM)?;
    let tid = b.remote_deposit("trader2", acct, 50 * U)?;
    b.relayer.clear(&b.sat_end)?;
    ensure!(
        b.received_at_hub(tid)? == Some(false),
        "not refused at the hub"
    );
    ensure!(b.position(acct)? == (900 * U, 0));
    ensure!(b.claimable_on_sat("trader2")? == 50 * U);
    b.claim_refund("trader2")?;
    ensure!(b.sat_balance("trader2", ATOM)? == t2_before);
    b.finish(
        "error ack refunded",
        format!("trader2's 50 ATOM deposit into account {acct} is refused by the hub (not the authorised remote owner): error ack, refund claimed on the satellite"),
        &[acct],
    )?;

    // 5. A timeout: no relayer while the packet's timeout passes.
    let t1_before = b.sat_balance("trader1", ATOM)?;
    let tid = b.remote_deposit("trader1", acct, 10 * U)?;
    let sent_at = b.sat.client.block_time_secs()?;
    b.wait_until(
        SAT_TIMEOUT_SECS + 30,
        "the satellite passes the packet timeout",
        || {
            Ok(
                b.sat.client.block_time_secs()? > sent_at + SAT_TIMEOUT_SECS + 2
                    && b.hub.client.block_time_secs()? > sent_at + SAT_TIMEOUT_SECS + 2,
            )
        },
    )?;
    b.relayer.clear(&b.sat_end)?;
    ensure!(
        b.received_at_hub(tid)?.is_none(),
        "delivered after its timeout"
    );
    ensure!(b.position(acct)? == (900 * U, 0));
    ensure!(b.sat_transfers()?.is_empty(), "timeout not relayed");
    ensure!(b.claimable_on_sat("trader1")? == 10 * U);
    b.claim_refund("trader1")?;
    ensure!(b.sat_balance("trader1", ATOM)? == t1_before);
    b.finish(
        "timeout refunded",
        format!("10 ATOM deposit sent while no relayer ran; after its {SAT_TIMEOUT_SECS} s timeout Hermes relays the timeout, the hub never credited it, the refund is claimed"),
        &[acct],
    )?;

    // 6. Seizure: the price falls until the account is liquidatable; a keeper buys part of
    //    the remote collateral and receives it on the satellite.
    let mut price = dec("10");
    let mut h = b.health(acct)?;
    for p in ["8", "7", "6.6", "6.3", "6", "5.8", "5.6"] {
        price = dec(p);
        b.feed(price)?;
        h = b.health(acct)?;
        if h.liquidatable {
            break;
        }
    }
    ensure!(h.liquidatable, "not liquidatable at {price}: {h:?}");
    let equity_before = h.equity;
    let keeper_sat = b.sat.key("keeper").addr().to_string();
    let keeper_atom = b.sat_balance("keeper", ATOM)?;
    let seize = 100 * U;
    // the keeper pays at least the oracle value less the penalty; it sends the value at price
    let payment = (Decimal256::from_ratio(seize, 1u128) * price).to_uint_floor();
    let payment = Uint128::try_from(payment)?;
    let r = b.hub_exec(
        "keeper",
        &vault::ExecuteMsg::SeizeRemote {
            account_id: acct,
            channel_id: b.hub_end.channel_id.clone(),
            denom: ATOM.into(),
            amount: Uint128::new(seize),
            recipient: Some(keeper_sat),
        },
        &[coin(payment.u128(), USDC)],
    )?;
    let kp: u128 = r.attr("wasm", "keeper_payment")?.parse()?;
    ensure!(b.position(acct)? == (800 * U, seize));
    b.check(&[acct])?;
    b.relayer.clear(&b.hub_end)?;
    ensure!(
        b.sat_balance("keeper", ATOM)? == keeper_atom + seize,
        "seized ATOM not paid"
    );
    ensure!(b.position(acct)? == (800 * U, 0));
    ensure!(b.lock(acct)? == 800 * U);
    let after = b.health(acct)?;
    ensure!(
        after.equity >= equity_before,
        "the seizure lowered equity: {equity_before} -> {}",
        after.equity
    );
    b.finish(
        "keeper seizure",
        format!(
            "ATOM at {price}: account {acct} liquidatable (equity {equity_before}); the keeper pays {kp} uusdc for 100 remote ATOM, receives them on the satellite; equity {} after",
            after.equity
        ),
        &[acct],
    )?;

    // 7. ICS-20 round trip beside the bulwark channel.
    let hub_trader = b.hub.key("trader1").addr().to_string();
    IbcBed::ics20(
        &b.sat,
        "trader1",
        &b.sat_transfer,
        ATOM,
        25 * U,
        &hub_trader,
        "",
    )?;
    b.relayer.clear(&b.sat_transfer)?;
    let voucher = voucher_denom("transfer", &b.hub_transfer.channel_id, ATOM);
    ensure!(
        b.hub_balance("trader1", &voucher)? == 25 * U,
        "voucher not minted"
    );
    b.check(&[acct])?;
    IbcBed::ics20(
        &b.hub,
        "trader1",
        &b.hub_transfer,
        &voucher,
        25 * U,
        &trader_sat,
        "",
    )?;
    b.relayer.clear(&b.hub_transfer)?;
    ensure!(b.supply_on_hub(&voucher)? == 0, "voucher not burnt");
    b.finish(
        "ICS-20 round trip",
        "25 ATOM sent to the hub over ICS-20 (escrowed on the satellite, voucher minted) and back (voucher burnt, escrow released)".into(),
        &[acct],
    )?;

    // 8. ICS-20 deposit on arrival: a transfer to the hub gateway whose memo names it (ADR-8
    //    destination callback) and the account; the gateway passes the voucher to the vault.
    let hub_gw = b.hub_gw.clone();
    b.hub_exec(
        "trader1",
        &vault::ExecuteMsg::SetHookSender {
            account_id: acct,
            channel_id: b.hub_transfer.channel_id.clone(),
            original_sender: Some(trader_sat.clone()),
        },
        &[],
    )?;
    let memo = serde_json::json!({
        "dest_callback": {"address": hub_gw},
        "bulwark": {"account_id": acct},
    })
    .to_string();
    let collateral_before = b.health(acct)?.collateral_value;
    IbcBed::ics20(
        &b.sat,
        "trader1",
        &b.sat_transfer,
        ATOM,
        20 * U,
        &hub_gw,
        &memo,
    )?;
    b.relayer.clear(&b.sat_transfer)?;
    let account: vault::AccountResponse = b.hub.client.query(
        &b.hub_d.vault,
        &vault::QueryMsg::Account { account_id: acct },
    )?;
    let credited = account
        .collateral
        .iter()
        .find(|(d, _)| *d == voucher)
        .map(|(_, a)| a.u128());
    ensure!(
        credited == Some(20 * U),
        "voucher not deposited on arrival: {account:?}"
    );
    ensure!(b.supply_on_hub(&voucher)? == 20 * U);
    let collateral_after = b.health(acct)?.collateral_value;
    ensure!(
        collateral_after > collateral_before,
        "the deposit adds no value"
    );
    b.check(&[acct])?;
    // the same memo from a sender the account never authorised: the callback fails, the
    // transfer's error ack refunds trader2 on the satellite, nothing stays on the hub
    let t2_before = b.sat_balance("trader2", ATOM)?;
    IbcBed::ics20(
        &b.sat,
        "trader2",
        &b.sat_transfer,
        ATOM,
        5 * U,
        &hub_gw,
        &memo,
    )?;
    b.relayer.clear(&b.sat_transfer)?;
    ensure!(
        b.sat_balance("trader2", ATOM)? == t2_before,
        "the refused deposit on arrival was not refunded"
    );
    ensure!(
        b.supply_on_hub(&voucher)? == 20 * U,
        "a refused voucher was minted"
    );
    b.finish(
        "ICS-20 deposit on arrival",
        format!(
            "20 ATOM sent over ICS-20 to the hub gateway with a deposit memo: the IBC callback deposits the voucher into account {acct} (collateral {collateral_before} -> {collateral_after} uusdc); 5 ATOM from an unauthorised sender: the callback fails, the error ack refunds it on the satellite"
        ),
        &[acct],
    )?;

    // Nothing left in flight on either side; the hub's credit equals the satellite's lock.
    ensure!(b.hub_transfers()?.is_empty() && b.sat_transfers()?.is_empty());
    let (credited, pending) = b.position(acct)?;
    ensure!(credited == b.lock(acct)? && pending == 0);
    Ok(b.steps)
}
