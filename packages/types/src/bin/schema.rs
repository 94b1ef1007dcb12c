//! Writes one JSON schema per contract into the directory given as the first argument
//! (default `schema`). `scripts/schema --check` compares a fresh run with the committed files.

use std::path::PathBuf;

use cosmwasm_schema::{generate_api, Api};

fn write(dir: &std::path::Path, name: &str, api: Api) -> Result<(), Box<dyn std::error::Error>> {
    let rendered = api.render();
    let path = dir.join(format!("{name}.json"));
    let mut json = rendered.to_string()?;
    json.push('\n');
    std::fs::write(&path, json)?;
    println!("wrote {}", path.display());
    Ok(())
}

macro_rules! contract_api {
    ($name:literal, $module:ident) => {{
        // The generated API is named after the contract and versioned like the workspace.
        use bulwark_types::$module::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
        generate_api! {
            name: $name,
            instantiate: InstantiateMsg,
            execute: ExecuteMsg,
            query: QueryMsg,
            migrate: MigrateMsg,
        }
    }};
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir: PathBuf = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "schema".into())
        .into();
    std::fs::create_dir_all(&dir)?;
    write(
        &dir,
        "bulwark-oracle",
        contract_api!("bulwark-oracle", oracle),
    )?;
    write(
        &dir,
        "bulwark-circuit-breaker",
        contract_api!("bulwark-circuit-breaker", circuit_breaker),
    )?;
    write(&dir, "bulwark-vault", contract_api!("bulwark-vault", vault))?;
    write(
        &dir,
        "bulwark-gateway",
        contract_api!("bulwark-gateway", gateway),
    )?;
    write(&dir, "bulwark-perps", contract_api!("bulwark-perps", perps))?;
    write(
        &dir,
        "bulwark-options",
        contract_api!("bulwark-options", options),
    )?;
    Ok(())
}
