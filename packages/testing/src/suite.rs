//! A multi-test chain with the five Bulwark contracts deployed, owned by a DAO address
//! that is also their wasm admin (so migrations can be tested).

use std::str::FromStr;

use anyhow::Result as AnyResult;
use bulwark_types::oracle::{
    AssetConfig, ExecuteMsg as OracleExecuteMsg, FeedPrice, MaxMove, TripTarget,
};
use bulwark_types::vault::{ExecuteMsg as VaultExecuteMsg, MarketKind};
use cosmwasm_std::{Addr, Coin, Empty, SignedDecimal256};
use cw_multi_test::{App, AppResponse, Contract, Executor};
use serde::Serialize;

use crate::{circuit_breaker, options, oracle, perps, vault};

/// One deployed contract: its code id and address.
#[derive(Clone, Debug)]
pub struct Deployed {
    pub code_id: u64,
    pub addr: Addr,
}

pub struct Suite {
    pub app: App,
    pub owner_addr: Addr,
    /// Whitelisted oracle feeders (three, added by [`Suite::new`]).
    pub feeders: Vec<Addr>,
    pub oracle: Deployed,
    pub circuit_breaker: Deployed,
    pub vault: Deployed,
    pub perps: Deployed,
    pub options: Deployed,
}

fn deploy<M: Serialize>(
    app: &mut App,
    owner_addr: &Addr,
    contract: Box<dyn Contract<Empty>>,
    msg: &M,
    label: &str,
) -> AnyResult<Deployed> {
    let code_id = app.store_code(contract);
    let addr = app.instantiate_contract(
        code_id,
        owner_addr.clone(),
        msg,
        &[],
        label,
        Some(owner_addr.to_string()),
    )?;
    Ok(Deployed { code_id, addr })
}

impl Suite {
    /// Deploys every contract with its default parameters, wired to each other.
    pub fn new() -> AnyResult<Self> {
        let mut app = App::default();
        let owner_addr = app.api().addr_make("dao");
        let oracle = deploy(
            &mut app,
            &owner_addr,
            oracle::contract(),
            &oracle::instantiate_msg(&owner_addr),
            "bulwark-oracle",
        )?;
        let circuit_breaker = deploy(
            &mut app,
            &owner_addr,
            circuit_breaker::contract(),
            &circuit_breaker::instantiate_msg(&owner_addr),
            "bulwark-circuit-breaker",
        )?;
        let vault = deploy(
            &mut app,
            &owner_addr,
            vault::contract(),
            &vault::instantiate_msg_with(&owner_addr, &oracle.addr, &circuit_breaker.addr),
            "bulwark-vault",
        )?;
        let perps = deploy(
            &mut app,
            &owner_addr,
            perps::contract(),
            &perps::instantiate_msg_with(
                &owner_addr,
                &vault.addr,
                &oracle.addr,
                &circuit_breaker.addr,
            ),
            "bulwark-perps",
        )?;
        let options = deploy(
            &mut app,
            &owner_addr,
            options::contract(),
            &options::instantiate_msg_with(
                &owner_addr,
                &vault.addr,
                &oracle.addr,
                &circuit_breaker.addr,
            ),
            "bulwark-options",
        )?;
        let feeders: Vec<Addr> = (0..3)
            .map(|i| app.api().addr_make(&format!("feeder{i}")))
            .collect();
        app.execute_contract(
            owner_addr.clone(),
            oracle.addr.clone(),
            &OracleExecuteMsg::UpdateFeeders {
                add: feeders.iter().map(|f| f.to_string()).collect(),
                remove: vec![],
            },
            &[],
        )?;
        Ok(Self {
            app,
            owner_addr,
            feeders,
            oracle,
            circuit_breaker,
            vault,
            perps,
            options,
        })
    }

    /// A fresh address with a readable seed.
    pub fn addr(&self, seed: &str) -> Addr {
        self.app.api().addr_make(seed)
    }

    /// Every deployed contract with its cw2 name, for checks that apply to all of them.
    pub fn all(&self) -> [(&'static str, &Deployed); 5] {
        [
            ("crates.io:bulwark-oracle", &self.oracle),
            ("crates.io:bulwark-circuit-breaker", &self.circuit_breaker),
            ("crates.io:bulwark-vault", &self.vault),
            ("crates.io:bulwark-perps", &self.perps),
            ("crates.io:bulwark-options", &self.options),
        ]
    }

    /// Lists `asset_id` (quoted in USD, 6 decimals each side) priced by the three feeders,
    /// quorum 2, 5% outlier band, with an optional max move and breaker trip targets.
    pub fn set_feeder_asset(
        &mut self,
        asset_id: &str,
        max_move: Option<MaxMove>,
        trip_targets: Vec<TripTarget>,
    ) -> AnyResult<AppResponse> {
        let asset = AssetConfig {
            max_move,
            trip_targets,
            ..oracle::feeder_asset(asset_id, &self.feeders, 2, 120)
        };
        let (owner, oracle) = (self.owner_addr.clone(), self.oracle.addr.clone());
        self.execute(&owner, &oracle, &OracleExecuteMsg::SetAsset { asset })
    }

    /// Lists `asset_id` at the oracle (feeders, no max move) and gives it the vault's default
    /// scenario grid, so markets can trade it.
    pub fn list_underlying(&mut self, asset_id: &str) -> AnyResult<()> {
        self.set_feeder_asset(asset_id, None, vec![])?;
        let (owner, vault) = (self.owner_addr.clone(), self.vault.addr.clone());
        self.execute(
            &owner,
            &vault,
            &VaultExecuteMsg::SetScenarioGrid {
                asset_id: asset_id.to_string(),
                spot_shocks: None,
                vol_shocks: None,
            },
        )?;
        Ok(())
    }

    /// Registers both markets at the vault, so they may settle.
    pub fn register_markets(&mut self) -> AnyResult<()> {
        let (owner, vault) = (self.owner_addr.clone(), self.vault.addr.clone());
        for (market, kind) in [
            (self.perps.addr.clone(), MarketKind::Perps),
            (self.options.addr.clone(), MarketKind::Options),
        ] {
            self.execute(
                &owner,
                &vault,
                &VaultExecuteMsg::RegisterMarket {
                    market_addr: market.to_string(),
                    kind,
                },
            )?;
        }
        Ok(())
    }

    /// Feeders 0 and 1 push `price` for `asset_id` now (enough for the quorum of 2).
    pub fn feed_price(&mut self, asset_id: &str, price: &str) -> AnyResult<()> {
        let now = self.app.block_info().time.seconds();
        let oracle = self.oracle.addr.clone();
        let feeders: Vec<Addr> = self.feeders.iter().take(2).cloned().collect();
        for feeder in &feeders {
            self.execute(
                feeder,
                &oracle,
                &OracleExecuteMsg::Feed {
                    prices: vec![FeedPrice {
                        asset_id: asset_id.to_string(),
                        price: SignedDecimal256::from_str(price)?,
                        publish_time: now,
                    }],
                },
            )?;
        }
        Ok(())
    }

    /// Moves to the next block, `secs` later.
    pub fn next_block(&mut self, secs: u64) {
        self.app.update_block(|b| {
            b.height += 1;
            b.time = b.time.plus_seconds(secs);
        });
    }

    /// Mints `coins` to `addr` in the bank module.
    pub fn fund(&mut self, addr: &Addr, coins: Vec<Coin>) -> AnyResult<()> {
        self.app
            .init_modules(|router, _, storage| router.bank.init_balance(storage, addr, coins))
    }

    pub fn execute<M: Serialize + std::fmt::Debug>(
        &mut self,
        sender: &Addr,
        contract_addr: &Addr,
        msg: &M,
    ) -> AnyResult<AppResponse> {
        self.app
            .execute_contract(sender.clone(), contract_addr.clone(), msg, &[])
    }

    pub fn execute_with_funds<M: Serialize + std::fmt::Debug>(
        &mut self,
        sender: &Addr,
        contract_addr: &Addr,
        msg: &M,
        funds: &[Coin],
    ) -> AnyResult<AppResponse> {
        self.app
            .execute_contract(sender.clone(), contract_addr.clone(), msg, funds)
    }
}
