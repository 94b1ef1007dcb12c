//! Owner: addresses and parameters.

use cosmwasm_std::{DepsMut, MessageInfo, Response};

use bulwark_types::options::ConfigParams;

use crate::error::ContractError;
use crate::execute::owner_only;
use crate::params::validate;
use crate::state::CONFIG;

pub fn update_config(
    deps: DepsMut,
    info: MessageInfo,
    vault: Option<String>,
    oracle: Option<String>,
    circuit_breaker: Option<String>,
    vol_feeder: Option<String>,
    params: Option<Box<ConfigParams>>,
) -> Result<Response, ContractError> {
    owner_only(&deps, &info)?;
    let mut cfg = CONFIG.load(deps.storage)?;
    if let Some(a) = vault {
        cfg.vault_addr = Some(deps.api.addr_validate(&a)?);
    }
    if let Some(a) = oracle {
        cfg.oracle_addr = Some(deps.api.addr_validate(&a)?);
    }
    if let Some(a) = circuit_breaker {
        cfg.circuit_breaker_addr = Some(deps.api.addr_validate(&a)?);
    }
    if let Some(a) = vol_feeder {
        cfg.vol_feeder_addr = Some(deps.api.addr_validate(&a)?);
    }
    if let Some(p) = params {
        validate(&p)?;
        cfg.params = *p;
    }
    CONFIG.save(deps.storage, &cfg)?;
    Ok(Response::new().add_attribute("action", "update_config"))
}
