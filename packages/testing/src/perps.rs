//! Multi-test wrapper and default messages for the perps contract.

use std::str::FromStr;

use cosmwasm_std::{Addr, Decimal256, Empty};
use cw_multi_test::{Contract, ContractWrapper};

use bulwark_types::perps::{InstantiateMsg, MarketParams};

/// Settlement decimals of the default instantiate message (uusdc-like).
pub const DEFAULT_SETTLEMENT_DECIMALS: u8 = 6;
/// Oracle max age of the default instantiate message.
pub const DEFAULT_ORACLE_MAX_AGE_SECS: u64 = 120;

pub fn contract() -> Box<dyn Contract<Empty>> {
    use bulwark_perps::contract::{execute, instantiate, migrate, query};
    Box::new(ContractWrapper::new(execute, instantiate, query).with_migrate(migrate))
}

/// The instantiate message wired to the given vault, oracle and breaker.
pub fn instantiate_msg_with(
    owner: &Addr,
    vault_addr: &Addr,
    oracle_addr: &Addr,
    breaker_addr: &Addr,
) -> InstantiateMsg {
    InstantiateMsg {
        owner: owner.to_string(),
        vault: vault_addr.to_string(),
        oracle: oracle_addr.to_string(),
        circuit_breaker: breaker_addr.to_string(),
        settlement_decimals: DEFAULT_SETTLEMENT_DECIMALS,
        oracle_max_age_secs: DEFAULT_ORACLE_MAX_AGE_SECS,
    }
}

fn d(s: &str) -> Decimal256 {
    // safe: constant literals below
    Decimal256::from_str(s).unwrap_or_default()
}

/// Parameters of a test market: 10× max leverage, 2 % / 1 % add-ons, 10 bps fee with 20 %
/// to the protocol, skew scale 1,000,000, velocity 0.03/day², rate bound 0.01/day, OI caps
/// 10,000 per side, 1,000 per account, minimum size 0.1.
pub fn default_market_params() -> MarketParams {
    MarketParams {
        enabled: true,
        max_leverage: d("10"),
        initial_addon_factor: d("0.02"),
        maintenance_addon_factor: d("0.01"),
        trading_fee_rate: d("0.001"),
        protocol_fee_share: d("0.2"),
        skew_scale: d("1000000"),
        max_funding_velocity: d("0.03"),
        max_funding_rate: d("0.01"),
        max_oi_long: d("10000"),
        max_oi_short: d("10000"),
        max_position_size: d("1000"),
        min_position_size: d("0.1"),
        max_pool_exposure: None,
    }
}
