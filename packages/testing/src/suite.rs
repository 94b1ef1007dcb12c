//! A multi-test chain with the five Bulwark contracts deployed, owned by a DAO address
//! that is also their wasm admin (so migrations can be tested).

use anyhow::Result as AnyResult;
use cosmwasm_std::{Addr, Empty};
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
    /// Deploys every contract with its default instantiate message.
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
            &vault::instantiate_msg(&owner_addr),
            "bulwark-vault",
        )?;
        let perps = deploy(
            &mut app,
            &owner_addr,
            perps::contract(),
            &perps::instantiate_msg(&owner_addr),
            "bulwark-perps",
        )?;
        let options = deploy(
            &mut app,
            &owner_addr,
            options::contract(),
            &options::instantiate_msg(&owner_addr),
            "bulwark-options",
        )?;
        Ok(Self {
            app,
            owner_addr,
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

    pub fn execute<M: Serialize + std::fmt::Debug>(
        &mut self,
        sender: &Addr,
        contract_addr: &Addr,
        msg: &M,
    ) -> AnyResult<AppResponse> {
        self.app
            .execute_contract(sender.clone(), contract_addr.clone(), msg, &[])
    }
}
