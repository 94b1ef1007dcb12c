//! Owner actions: configuration and markets.

use cosmwasm_std::{Decimal256, DepsMut, Env, MessageInfo, Response};

use bulwark_types::oracle::MAX_ASSET_ID_LEN;
use bulwark_types::ownership::assert_owner;
use bulwark_types::perps::{
    FundingState, InstantiateMsg, MarketAggregates, MarketParams, MAX_MARKET_ID_LEN,
    MAX_SETTLEMENT_DECIMALS,
};

use crate::aggregates::skew;
use crate::error::ContractError;
use crate::funding::accrue;
use crate::price::{market_funding_params, usable_price, PriceUse};
use crate::state::{
    Config, Market, AGGREGATES, ASSET_MARKETS, CONFIG, FUNDING, MARKETS, OPEN_POSITIONS,
};

/// Largest accepted funding rate bound (per day) and velocity (per day per day).
pub const MAX_FUNDING_RATE_CAP: u64 = 1;
pub const MAX_FUNDING_VELOCITY_CAP: u64 = 10;

fn invalid_config(reason: &str) -> ContractError {
    ContractError::InvalidConfig {
        reason: reason.to_string(),
    }
}

pub fn config_from_instantiate(
    deps: &DepsMut,
    msg: &InstantiateMsg,
) -> Result<Config, ContractError> {
    if msg.settlement_decimals > MAX_SETTLEMENT_DECIMALS {
        return Err(invalid_config("settlement_decimals must be at most 18"));
    }
    if msg.oracle_max_age_secs == 0 {
        return Err(invalid_config("oracle_max_age_secs must be positive"));
    }
    Ok(Config {
        vault_addr: deps.api.addr_validate(&msg.vault)?,
        oracle_addr: deps.api.addr_validate(&msg.oracle)?,
        circuit_breaker_addr: deps.api.addr_validate(&msg.circuit_breaker)?,
        settlement_decimals: msg.settlement_decimals,
        oracle_max_age_secs: msg.oracle_max_age_secs,
    })
}

pub fn update_config(
    deps: DepsMut,
    info: MessageInfo,
    vault: Option<String>,
    oracle: Option<String>,
    circuit_breaker: Option<String>,
    oracle_max_age_secs: Option<u64>,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    let mut cfg = CONFIG.load(deps.storage)?;
    if let Some(vault) = vault {
        let open_positions = OPEN_POSITIONS.may_load(deps.storage)?.unwrap_or_default();
        if open_positions > 0 {
            return Err(ContractError::PositionsOpen { open_positions });
        }
        cfg.vault_addr = deps.api.addr_validate(&vault)?;
    }
    if let Some(oracle) = oracle {
        cfg.oracle_addr = deps.api.addr_validate(&oracle)?;
    }
    if let Some(breaker) = circuit_breaker {
        cfg.circuit_breaker_addr = deps.api.addr_validate(&breaker)?;
    }
    if let Some(age) = oracle_max_age_secs {
        if age == 0 {
            return Err(invalid_config("oracle_max_age_secs must be positive"));
        }
        cfg.oracle_max_age_secs = age;
    }
    CONFIG.save(deps.storage, &cfg)?;
    Ok(Response::new()
        .add_attribute("action", "update_config")
        .add_attribute("vault", cfg.vault_addr)
        .add_attribute("oracle", cfg.oracle_addr)
        .add_attribute("circuit_breaker", cfg.circuit_breaker_addr)
        .add_attribute("oracle_max_age_secs", cfg.oracle_max_age_secs.to_string()))
}

fn validate_market_id(market_id: &str) -> Result<(), ContractError> {
    let reason = if market_id.is_empty() {
        Some("empty".to_string())
    } else if market_id.len() > MAX_MARKET_ID_LEN {
        Some(format!("longer than {MAX_MARKET_ID_LEN} bytes"))
    } else if !market_id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'))
    {
        Some("only ASCII letters, digits and - _ . / are allowed".to_string())
    } else {
        None
    };
    match reason {
        Some(reason) => Err(ContractError::InvalidMarketId { reason }),
        None => Ok(()),
    }
}

pub fn validate_params(p: &MarketParams) -> Result<(), ContractError> {
    let one = Decimal256::one();
    let check = |ok: bool, reason: &str| -> Result<(), ContractError> {
        if ok {
            Ok(())
        } else {
            Err(ContractError::InvalidParams {
                reason: reason.to_string(),
            })
        }
    };
    check(p.max_leverage >= one, "max_leverage must be at least 1")?;
    check(
        p.initial_addon_factor <= one,
        "initial_addon_factor must be at most 1",
    )?;
    check(
        p.maintenance_addon_factor <= p.initial_addon_factor,
        "maintenance_addon_factor must not exceed initial_addon_factor",
    )?;
    check(p.trading_fee_rate < one, "trading_fee_rate must be below 1")?;
    check(
        p.protocol_fee_share <= one,
        "protocol_fee_share must be at most 1",
    )?;
    check(!p.skew_scale.is_zero(), "skew_scale must be positive")?;
    check(
        p.max_funding_rate <= Decimal256::from_ratio(MAX_FUNDING_RATE_CAP, 1u8),
        "max_funding_rate must be at most 1 per day",
    )?;
    check(
        p.max_funding_velocity <= Decimal256::from_ratio(MAX_FUNDING_VELOCITY_CAP, 1u8),
        "max_funding_velocity must be at most 10 per day per day",
    )?;
    check(
        !p.max_position_size.is_zero(),
        "max_position_size must be positive",
    )?;
    check(
        p.min_position_size <= p.max_position_size,
        "min_position_size must not exceed max_position_size",
    )?;
    check(
        p.max_pool_exposure.is_none_or(|x| !x.is_zero()),
        "max_pool_exposure must be positive (None disables ADL)",
    )?;
    Ok(())
}

pub fn create_market(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    market_id: String,
    asset_id: String,
    params: MarketParams,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    validate_market_id(&market_id)?;
    if asset_id.is_empty() || asset_id.len() > MAX_ASSET_ID_LEN {
        return Err(ContractError::InvalidParams {
            reason: format!("asset id must be 1..={MAX_ASSET_ID_LEN} bytes"),
        });
    }
    validate_params(&params)?;
    if MARKETS.has(deps.storage, &market_id) {
        return Err(ContractError::MarketExists { market_id });
    }
    if let Some(existing) = ASSET_MARKETS.may_load(deps.storage, &asset_id)? {
        return Err(ContractError::AssetHasMarket {
            asset_id,
            market_id: existing,
        });
    }
    MARKETS.save(
        deps.storage,
        &market_id,
        &Market {
            market_id: market_id.clone(),
            asset_id: asset_id.clone(),
            params,
        },
    )?;
    ASSET_MARKETS.save(deps.storage, &asset_id, &market_id)?;
    FUNDING.save(
        deps.storage,
        &market_id,
        &FundingState {
            last_update_secs: env.block.time.seconds(),
            ..FundingState::default()
        },
    )?;
    AGGREGATES.save(deps.storage, &market_id, &MarketAggregates::default())?;
    Ok(Response::new()
        .add_attribute("action", "create_market")
        .add_attribute("market_id", market_id)
        .add_attribute("asset_id", asset_id))
}

pub fn update_market(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    market_id: String,
    params: MarketParams,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info.sender)?;
    validate_params(&params)?;
    let mut market = MARKETS.may_load(deps.storage, &market_id)?.ok_or_else(|| {
        ContractError::UnknownMarket {
            market_id: market_id.clone(),
        }
    })?;
    let cfg = CONFIG.load(deps.storage)?;
    let agg = AGGREGATES.load(deps.storage, &market_id)?;
    let funding = FUNDING.load(deps.storage, &market_id)?;
    let now = env.block.time.seconds();
    // accrue with the old parameters up to now; without positions the index is owed by
    // nobody, so a missing price only restarts the clock
    let funding = if agg.positions == 0 {
        FundingState {
            last_update_secs: now.max(funding.last_update_secs),
            ..funding
        }
    } else {
        let price = usable_price(
            deps.as_ref(),
            &env,
            &cfg,
            &market.asset_id,
            PriceUse::Valuation,
        )?;
        accrue(
            &funding,
            skew(&agg)?,
            price,
            &market_funding_params(&market.params),
            now,
        )?
    };
    FUNDING.save(deps.storage, &market_id, &funding)?;
    market.params = params;
    MARKETS.save(deps.storage, &market_id, &market)?;
    Ok(Response::new()
        .add_attribute("action", "update_market")
        .add_attribute("market_id", market_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> MarketParams {
        let d = |s: &str| <Decimal256 as std::str::FromStr>::from_str(s).unwrap();
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

    #[test]
    fn params_validation() {
        assert!(validate_params(&params()).is_ok());
        let one = Decimal256::one();
        let bad: Vec<(&str, MarketParams)> = vec![
            (
                "leverage",
                MarketParams {
                    max_leverage: Decimal256::percent(99),
                    ..params()
                },
            ),
            (
                "initial",
                MarketParams {
                    initial_addon_factor: Decimal256::percent(101),
                    ..params()
                },
            ),
            (
                "maintenance",
                MarketParams {
                    maintenance_addon_factor: Decimal256::percent(3),
                    ..params()
                },
            ),
            (
                "fee",
                MarketParams {
                    trading_fee_rate: one,
                    ..params()
                },
            ),
            (
                "share",
                MarketParams {
                    protocol_fee_share: Decimal256::percent(101),
                    ..params()
                },
            ),
            (
                "scale",
                MarketParams {
                    skew_scale: Decimal256::zero(),
                    ..params()
                },
            ),
            (
                "rate",
                MarketParams {
                    max_funding_rate: Decimal256::percent(101),
                    ..params()
                },
            ),
            (
                "velocity",
                MarketParams {
                    max_funding_velocity: Decimal256::percent(1001),
                    ..params()
                },
            ),
            (
                "max size",
                MarketParams {
                    max_position_size: Decimal256::zero(),
                    min_position_size: Decimal256::zero(),
                    ..params()
                },
            ),
            (
                "min size",
                MarketParams {
                    min_position_size: Decimal256::percent(100_001),
                    ..params()
                },
            ),
            (
                "max_pool_exposure",
                MarketParams {
                    max_pool_exposure: Some(cosmwasm_std::Uint128::zero()),
                    ..params()
                },
            ),
        ];
        for (what, p) in bad {
            assert!(
                matches!(
                    validate_params(&p),
                    Err(ContractError::InvalidParams { .. })
                ),
                "{what}"
            );
        }
    }

    #[test]
    fn instantiate_validation() {
        let mut deps = cosmwasm_std::testing::mock_dependencies();
        let a = deps.api.addr_make("a").to_string();
        let msg = InstantiateMsg {
            owner: a.clone(),
            vault: a.clone(),
            oracle: a.clone(),
            circuit_breaker: a.clone(),
            settlement_decimals: 6,
            oracle_max_age_secs: 60,
        };
        assert!(config_from_instantiate(&deps.as_mut(), &msg).is_ok());
        let too_many = InstantiateMsg {
            settlement_decimals: 19,
            ..msg.clone()
        };
        assert!(matches!(
            config_from_instantiate(&deps.as_mut(), &too_many),
            Err(ContractError::InvalidConfig { .. })
        ));
        let no_age = InstantiateMsg {
            oracle_max_age_secs: 0,
            ..msg.clone()
        };
        assert!(matches!(
            config_from_instantiate(&deps.as_mut(), &no_age),
            Err(ContractError::InvalidConfig { .. })
        ));
        let bad_addr = InstantiateMsg {
            vault: "not an address".into(),
            ..msg
        };
        assert!(matches!(
            config_from_instantiate(&deps.as_mut(), &bad_addr),
            Err(ContractError::Std(_))
        ));
    }

    #[test]
    fn market_ids() {
        assert!(validate_market_id("ATOM-PERP").is_ok());
        assert!(validate_market_id("").is_err());
        assert!(validate_market_id("a b").is_err());
        assert!(validate_market_id(&"x".repeat(65)).is_err());
    }
}
