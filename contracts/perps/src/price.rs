//! Oracle prices and breaker gating, both by raw query.

use cosmwasm_std::{Decimal256, Deps, Env};

use bulwark_types::circuit_breaker::{is_action_allowed, ActionClass};
use bulwark_types::oracle::{
    query_price_raw, usable_price as check_record, PriceError, PricePurpose, PriceQueryError,
};
use bulwark_types::perps::MarketParams;

use crate::error::ContractError;
use crate::funding::FundingParams;
use crate::state::Config;

/// What a price is used for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PriceUse {
    /// Fill of an order that adds exposure: the oracle's `Open` purpose (no move-blocked
    /// record).
    Open,
    /// Fill of an order or force-reduction that only removes exposure: the oracle's
    /// `ReduceOrLiquidate` purpose (a move-blocked record's last accepted price is fine).
    Reduce,
    /// Valuation for risk reports and queries: `ReduceOrLiquidate`.
    Valuation,
}

fn price_err(asset_id: &str, error: PriceQueryError) -> ContractError {
    match error {
        PriceQueryError::Price(PriceError::SameBlock { block_height }) => {
            ContractError::SameBlockPrice {
                asset_id: asset_id.to_string(),
                block_height,
            }
        }
        error => ContractError::Price {
            asset_id: asset_id.to_string(),
            error,
        },
    }
}

/// The oracle price of `asset_id` for `use_`, within the configured max age.
pub fn usable_price(
    deps: Deps,
    env: &Env,
    cfg: &Config,
    asset_id: &str,
    use_: PriceUse,
) -> Result<Decimal256, ContractError> {
    let record = query_price_raw(&deps.querier, &cfg.oracle_addr, asset_id)
        .map_err(|e| price_err(asset_id, PriceQueryError::Std(e)))?
        .ok_or_else(|| price_err(asset_id, PriceQueryError::Price(PriceError::NoRecord)))?;
    let purpose = match use_ {
        PriceUse::Open => PricePurpose::Open,
        PriceUse::Reduce | PriceUse::Valuation => PricePurpose::ReduceOrLiquidate,
    };
    // For every use, a value stored in this block is never used: the oracle helper falls
    // back to the previous block's value (`SameBlockPrice` only for a first-ever price).
    check_record(&record, env, cfg.oracle_max_age_secs, purpose)
        .map_err(|e| price_err(asset_id, PriceQueryError::Price(e)))
}

/// Errors with `BreakerBlocked` unless the breaker allows `action` on this contract's market.
pub fn ensure_allowed(
    deps: Deps,
    env: &Env,
    cfg: &Config,
    market_id: &str,
    action: ActionClass,
) -> Result<(), ContractError> {
    let allowed = is_action_allowed(
        &deps.querier,
        &cfg.circuit_breaker_addr,
        &env.contract.address,
        Some(market_id),
        action,
        env.block.time,
    )?;
    if !allowed {
        return Err(ContractError::BreakerBlocked {
            action: format!("{action:?}"),
            market_id: market_id.to_string(),
        });
    }
    Ok(())
}

pub fn market_funding_params(params: &MarketParams) -> FundingParams {
    FundingParams {
        skew_scale: params.skew_scale,
        max_funding_velocity: params.max_funding_velocity,
        max_funding_rate: params.max_funding_rate,
    }
}
