//! On a running localnet (`scripts/chain start`; `scripts/test` starts one): the deployment
//! is owned and administered by the cw3 multisig, the chain's code hashes are the committed
//! checksums, and a multisig proposal migrates all five contracts with state and balances
//! intact, while a non-admin, a wrong-contract and a downgrade migration are refused.

use anyhow::Result;
use bulwark_chain::bed::{Bed, USDC};
use bulwark_chain::deploy::{Artifacts, Dao, Deployment, CONTRACTS};
use bulwark_chain::Gas;
use bulwark_types::ownership::Ownership;
use bulwark_types::vault;
use cosmwasm_std::{coin, to_json_binary, CosmosMsg, Empty, WasmMsg};
use serde_json::Value;

fn cw2_of(bed: &Bed, addr: &str) -> Result<cw2::ContractVersion> {
    let raw = bed
        .client
        .query_raw(addr, b"contract_info")?
        .ok_or_else(|| anyhow::anyhow!("no cw2 record at {addr}"))?;
    Ok(serde_json::from_slice(&raw)?)
}

/// Every query whose answer must survive a migration, as JSON.
fn snapshot(bed: &Bed, d: &Deployment, account_id: u64) -> Result<Vec<Value>> {
    let c = &bed.client;
    let mut out: Vec<Value> = vec![
        c.query(&d.vault, &vault::QueryMsg::Account { account_id })?,
        c.query(&d.vault, &vault::QueryMsg::Pool {})?,
        c.query(
            &d.vault,
            &vault::QueryMsg::Totals {
                start_after: None,
                limit: None,
            },
        )?,
        c.query(&d.vault, &vault::QueryMsg::Config {})?,
    ];
    for (_, addr) in d.contracts() {
        out.push(serde_json::to_value(c.all_balances(addr)?)?);
    }
    Ok(out)
}

fn migrate_all(d: &Deployment, code_ids: &[u64]) -> Vec<CosmosMsg<Empty>> {
    d.contracts()
        .iter()
        .zip(code_ids)
        .map(|((_, addr), code_id)| {
            CosmosMsg::Wasm(WasmMsg::Migrate {
                contract_addr: addr.to_string(),
                new_code_id: *code_id,
                // Every MigrateMsg is `{}`.
                msg: to_json_binary(&Empty {}).unwrap(),
            })
        })
        .collect()
}

/// The artifact with its cw2 version string raised from 0.1.0 to 0.1.9: stands in for a
/// newer release, so that migrating back to the committed build is a downgrade.
fn newer_release(wasm: &[u8]) -> Vec<u8> {
    let (old, new) = (b"0.1.0", b"0.1.9");
    let hits: Vec<usize> = wasm
        .windows(old.len())
        .enumerate()
        .filter(|(_, w)| w == old)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "the version string occurs once in the artifact"
    );
    let mut out = wasm.to_vec();
    out[hits[0]..hits[0] + new.len()].copy_from_slice(new);
    out
}

#[test]
fn dao_owns_and_migrates_the_deployment() -> Result<()> {
    let bed = Bed::connect()?;
    let d = bed.deploy()?;
    bed.hand_over(&d)?;
    let c = &bed.client;

    // The multisig is wasm admin and owner of every contract, with the committed code.
    let checksums = Artifacts::locate().checksums()?;
    for (name, addr) in d.contracts() {
        let (admin, code_id) = c.contract_info(addr)?;
        assert_eq!(admin, d.multisig, "{name} admin");
        let ownership: Ownership = c.query(addr, &vault::QueryMsg::Ownership {})?;
        assert_eq!(ownership.owner_addr.as_str(), d.multisig, "{name} owner");
        assert!(ownership.pending_owner_addr.is_none());
        let on_chain = c.code_hash(code_id)?;
        assert_eq!(
            Some(&on_chain),
            checksums.get(&Artifacts::file_of(name)),
            "{name}: the chain's code hash is the committed checksum"
        );
    }
    let multisig_code = d.code_ids["cw3-fixed-multisig"];
    assert_eq!(
        Some(&c.code_hash(multisig_code)?),
        checksums.get("cw3_fixed_multisig.wasm")
    );

    // Some state: an account with collateral and an LP position.
    let trader = bed.key("trader1");
    let lp = bed.key("lp1");
    let r = c.execute(trader, &d.vault, &vault::ExecuteMsg::CreateAccount {}, &[])?;
    let account_id: u64 = r.attr("wasm", "account_id")?.parse()?;
    c.execute(
        trader,
        &d.vault,
        &vault::ExecuteMsg::Deposit { account_id },
        &[coin(5_000_000_000, USDC)],
    )?;
    c.execute(
        lp,
        &d.vault,
        &vault::ExecuteMsg::LpDeposit { min_shares: None },
        &[coin(20_000_000_000, USDC)],
    )?;
    let ledger = bed.ledger(&d)?;
    let before = snapshot(&bed, &d, account_id)?;

    // A non-admin cannot migrate: the chain refuses it in the block and nothing changes.
    let deployer = bed.key("deployer");
    let msg = c.migrate_msg(deployer, &d.vault, d.code_ids["vault"], &Empty {})?;
    let r = c.send(deployer, vec![msg], Gas::AutoOr(2_000_000))?;
    assert_ne!(
        r.code, 0,
        "a migration by the deployer (not admin) is refused"
    );
    assert!(r.log.contains("unauthorized"), "{}", r.log);
    assert_eq!(c.contract_info(&d.vault)?.1, d.code_ids["vault"]);

    // New code ids for all five (the same reviewed bytes, stored again).
    let artifacts = Artifacts::locate();
    let mut new_ids = vec![];
    for (name, _) in CONTRACTS {
        new_ids.push(c.store_code(deployer, artifacts.wasm(name)?)?);
    }
    let dao = Dao::new(c, &d.multisig);
    let signers = bed.signers();

    // A proposal that would put the oracle's state under the breaker's code is refused by
    // the contract's migrate, and the whole proposal fails atomically.
    let mut wrong = new_ids.clone();
    wrong[0] = new_ids[1];
    let r = dao.pass(&signers[1..], "wrong code", migrate_all(&d, &wrong))?;
    assert_ne!(r.code, 0);
    assert!(
        r.log.contains("cannot migrate state of contract crates.io:bulwark-oracle into crates.io:bulwark-circuit-breaker"),
        "{}",
        r.log
    );
    for ((name, addr), old) in d.contracts().iter().zip(CONTRACTS) {
        assert_eq!(
            c.contract_info(addr)?.1,
            d.code_ids[old.0],
            "{name} unchanged"
        );
    }

    // The real proposal: two of three signers migrate all five contracts.
    let r = dao.pass(&signers[..2], "migrate all", migrate_all(&d, &new_ids))?;
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(
        r.attrs("wasm", "action")
            .iter()
            .filter(|a| *a == "migrate")
            .count(),
        5
    );
    for ((name, addr), id) in d.contracts().iter().zip(&new_ids) {
        assert_eq!(c.contract_info(addr)?.1, *id, "{name} on its new code");
        assert_eq!(cw2_of(&bed, addr)?.version, env!("CARGO_PKG_VERSION"));
    }
    assert_eq!(
        snapshot(&bed, &d, account_id)?,
        before,
        "state and balances survive"
    );
    ledger.check(c)?;

    // A newer release, then the committed build again: the downgrade is refused.
    let newer = c.store_code(deployer, newer_release(&artifacts.wasm("oracle")?))?;
    let r = dao.pass(
        &signers[..2],
        "newer oracle",
        migrate_all(&d, &[newer])[..1].to_vec(),
    )?;
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(cw2_of(&bed, &d.oracle)?.version, "0.1.9");
    let r = dao.pass(
        &signers[..2],
        "downgrade",
        migrate_all(&d, &new_ids)[..1].to_vec(),
    )?;
    assert_ne!(r.code, 0);
    assert!(
        r.log
            .contains("cannot migrate from version 0.1.9 to older version 0.1.0"),
        "{}",
        r.log
    );
    assert_eq!(c.contract_info(&d.oracle)?.1, newer);
    ledger.check(c)?;
    Ok(())
}
