use cosmwasm_std::{Deps, Env, Order, Uint128};
use cw_storage_plus::Bound;

use bulwark_types::gateway::{ChannelView, GatewayConfig, GatewayTotals};
use bulwark_types::ibc::{ChannelInfo, CounterpartyConfig, SatelliteLock, TransferRecord};

use crate::error::ContractError;
use crate::state::{
    CHANNELS, CLAIMABLE, CONFIG, COUNTERPARTIES, SAT_LOCKS, TOTALS, TRANSFERS, TRANSFER_CHANNELS,
};

pub const DEFAULT_LIMIT: u32 = 30;
pub const MAX_LIMIT: u32 = 100;

pub fn limit(limit: Option<u32>) -> usize {
    limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT) as usize
}

pub fn config(deps: Deps) -> Result<GatewayConfig, ContractError> {
    let c = CONFIG.load(deps.storage)?;
    Ok(GatewayConfig {
        role: c.role,
        packet_timeout_secs: c.packet_timeout_secs,
        vault_addr: c.vault_addr,
        circuit_breaker_addr: c.circuit_breaker_addr,
    })
}

pub fn counterparties(
    deps: Deps,
    start_after: Option<(String, String)>,
    limit_: Option<u32>,
) -> Result<Vec<CounterpartyConfig>, ContractError> {
    let start = start_after
        .as_ref()
        .map(|(a, b)| Bound::exclusive((a.as_str(), b.as_str())));
    COUNTERPARTIES
        .range(deps.storage, start, None, Order::Ascending)
        .take(limit(limit_))
        .map(|r| Ok(r?.1))
        .collect()
}

pub fn channels(
    deps: Deps,
    start_after: Option<String>,
    limit_: Option<u32>,
) -> Result<Vec<ChannelInfo>, ContractError> {
    CHANNELS
        .range(
            deps.storage,
            start_after.as_deref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(limit(limit_))
        .map(|r| Ok(r?.1))
        .collect()
}

pub fn channel(deps: Deps, channel_id: String) -> Result<Option<ChannelView>, ContractError> {
    let Some(info) = CHANNELS.may_load(deps.storage, &channel_id)? else {
        return Ok(None);
    };
    let cp = COUNTERPARTIES.may_load(
        deps.storage,
        (&info.connection_id, &info.counterparty_port_id),
    )?;
    Ok(Some(ChannelView {
        remote_haircut: cp.as_ref().map(|c| c.remote_haircut),
        remote_insurance_addr: cp.and_then(|c| c.remote_insurance_addr),
        info,
    }))
}

pub fn transfers(
    deps: Deps,
    start_after: Option<(String, u64)>,
    limit_: Option<u32>,
) -> Result<Vec<TransferRecord>, ContractError> {
    let start = start_after
        .as_ref()
        .map(|(c, t)| Bound::exclusive((c.as_str(), *t)));
    TRANSFERS
        .range(deps.storage, start, None, Order::Ascending)
        .take(limit(limit_))
        .map(|r| Ok(r?.1))
        .collect()
}

pub fn lock(
    deps: Deps,
    channel_id: String,
    account_id: u64,
    denom: String,
) -> Result<SatelliteLock, ContractError> {
    let lock = SAT_LOCKS
        .may_load(deps.storage, (&channel_id, account_id, &denom))?
        .unwrap_or_default();
    Ok(SatelliteLock {
        channel_id,
        account_id,
        denom,
        locked: lock.locked,
        owner: lock.owner,
    })
}

pub fn claimable(deps: Deps, address: String, denom: String) -> Result<Uint128, ContractError> {
    let addr = deps.api.addr_validate(&address)?;
    Ok(CLAIMABLE
        .may_load(deps.storage, (&addr, &denom))?
        .unwrap_or_default())
}

pub fn totals(
    deps: Deps,
    env: Env,
    start_after: Option<String>,
    limit_: Option<u32>,
) -> Result<Vec<GatewayTotals>, ContractError> {
    TOTALS
        .range(
            deps.storage,
            start_after.as_deref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(limit(limit_))
        .map(|r| {
            let (denom, t) = r?;
            let balance = deps
                .querier
                .query_balance(&env.contract.address, &denom)?
                .amount;
            Ok(GatewayTotals {
                denom,
                locked: t.locked,
                pending: t.pending,
                balance,
            })
        })
        .collect()
}

pub fn transfer_channels(
    deps: Deps,
    start_after: Option<String>,
    limit_: Option<u32>,
) -> Result<Vec<String>, ContractError> {
    TRANSFER_CHANNELS
        .keys(
            deps.storage,
            start_after.as_deref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(limit(limit_))
        .map(|r| Ok(r?))
        .collect()
}
