//! Gathering an account's inputs for the pure margin module: collateral valuation through the
//! oracle, the markets' risk reports, the stored grids. Bounded: at most
//! MAX_COLLATERALS_PER_ACCOUNT price reads and MAX_MARKETS_PER_ACCOUNT market queries.

use bulwark_math::rounding::{mul_div_floor, mul_floor};
use cosmwasm_std::{Addr, Decimal, Decimal256, Deps, Env, Int128, Storage, Uint128, Uint256};

use bulwark_types::market::{AccountRisk, MarketQueryMsg, SCENARIO_GRIDS};
use bulwark_types::oracle::{query_usable_price, PricePurpose, PriceQueryError};

use crate::error::ContractError;
use crate::margin::{self, Factors, GridLookup, Portfolio};
use crate::state::{Account, Config, COLLATERALS};

/// Grid lookup reading the vault's own storage.
pub struct StoredGrids<'a>(pub &'a dyn Storage);

impl GridLookup for StoredGrids<'_> {
    fn grid(&self, asset_id: &str) -> Option<(u32, usize)> {
        SCENARIO_GRIDS
            .may_load(self.0, asset_id)
            .ok()
            .flatten()
            .map(|g| (g.version, g.len()))
    }
}

pub fn factors(config: &Config) -> Factors {
    Factors {
        maintenance: config.params.maintenance_factor,
        initial: config.params.initial_factor,
    }
}

/// Value of `amount` base units in settlement base units after haircut, rounded down:
/// `amount × price × 10^(settlement_decimals − decimals) × (1 − haircut)`.
pub fn value_of(
    amount: Uint128,
    price: Decimal256,
    decimals: u8,
    settlement_decimals: u8,
    haircut: Decimal,
) -> Result<Uint128, ContractError> {
    let ten = Uint256::from(10u8);
    let num = price
        .atomics()
        .checked_mul(ten.checked_pow(u32::from(settlement_decimals))?)?;
    let den = Uint256::from(10u128.pow(18)).checked_mul(ten.checked_pow(u32::from(decimals))?)?;
    let raw = mul_div_floor(Uint256::from(amount), num, den)?;
    let weight = Decimal256::one()
        .checked_sub(Decimal256::from(haircut))
        .map_err(|_| ContractError::Overflow)?;
    Ok(Uint128::try_from(mul_floor(raw, weight)?)?)
}

/// The oracle price of `asset_id` for `purpose`, errors naming the asset.
pub fn price_of(
    deps: Deps,
    env: &Env,
    config: &Config,
    asset_id: &str,
    purpose: PricePurpose,
) -> Result<Decimal256, ContractError> {
    let oracle = config
        .oracle_addr
        .as_ref()
        .ok_or(ContractError::OracleNotConfigured)?;
    query_usable_price(
        &deps.querier,
        env,
        oracle,
        asset_id,
        config.params.price_max_age_secs,
        purpose,
    )
    .map_err(|e| match e {
        PriceQueryError::Price(error) => ContractError::Price {
            asset_id: asset_id.to_string(),
            error,
        },
        PriceQueryError::Std(s) => ContractError::Std(s),
    })
}

/// Σ haircut value of the account's non-settlement collateral, local and remote (IBC),
/// priced for `purpose`.
pub fn collateral_value(
    deps: Deps,
    env: &Env,
    config: &Config,
    account_id: u64,
    account: &Account,
    purpose: PricePurpose,
) -> Result<Uint128, ContractError> {
    let mut total = Uint128::zero();
    for (denom, amount) in &account.collateral {
        if amount.is_zero() {
            continue;
        }
        let cc = COLLATERALS.may_load(deps.storage, denom)?.ok_or_else(|| {
            ContractError::UnlistedDenom {
                denom: denom.clone(),
            }
        })?;
        let price = price_of(deps, env, config, &cc.oracle_asset_id, purpose)?;
        let v = value_of(
            *amount,
            price,
            cc.decimals,
            config.settlement_decimals,
            cc.haircut,
        )?;
        total = total.checked_add(v)?;
    }
    let remote = crate::remote::remote_collateral_value(deps, env, config, account_id, purpose)?;
    Ok(total.checked_add(remote)?)
}

/// Queries and validates `market_addr`'s risk for the account.
pub fn query_risk(
    deps: Deps,
    market_addr: &Addr,
    account_id: u64,
) -> Result<AccountRisk, ContractError> {
    let risk: AccountRisk = bulwark_types::querier::query_wasm_smart(
        &deps.querier,
        market_addr.as_str(),
        &MarketQueryMsg::AccountRisk { account_id },
    )?;
    margin::validate_risk(&risk, &StoredGrids(deps.storage))?;
    Ok(risk)
}

/// Risk of every market of the account except `skip`.
pub fn other_risks(
    deps: Deps,
    account_id: u64,
    account: &Account,
    skip: Option<&Addr>,
) -> Result<Vec<AccountRisk>, ContractError> {
    account
        .markets
        .iter()
        .filter(|m| Some(*m) != skip)
        .map(|m| query_risk(deps, m, account_id))
        .collect()
}

/// Everything the checks need about an account at one moment.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    pub collateral_value: Uint128,
    pub settlement_balance: Int128,
    pub portfolio: Portfolio,
    pub equity: Int128,
}

pub fn snapshot(
    collateral_value: Uint128,
    settlement_balance: Int128,
    risks: &[&AccountRisk],
    factors: Factors,
) -> Result<Snapshot, ContractError> {
    let portfolio = margin::portfolio(risks, factors)?;
    let equity = margin::equity(
        collateral_value,
        settlement_balance,
        portfolio.unrealized_pnl,
    )?;
    Ok(Snapshot {
        collateral_value,
        settlement_balance,
        portfolio,
        equity,
    })
}

/// Live snapshot of an account: all its markets queried, collateral priced for `purpose`.
pub fn live_snapshot(
    deps: Deps,
    env: &Env,
    config: &Config,
    account_id: u64,
    account: &Account,
    purpose: PricePurpose,
) -> Result<Snapshot, ContractError> {
    let risks = other_risks(deps, account_id, account, None)?;
    let cv = collateral_value(deps, env, config, account_id, account, purpose)?;
    let refs: Vec<&AccountRisk> = risks.iter().collect();
    snapshot(cv, account.settlement_balance, &refs, factors(config))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn valuation_scales_decimals_and_haircut() {
        // 2 ATOM (6 decimals) at 9.87 USD, settlement uusdc (6 decimals), haircut 20 %
        let v = value_of(
            Uint128::new(2_000_000),
            Decimal256::from_str("9.87").unwrap(),
            6,
            6,
            Decimal::percent(20),
        )
        .unwrap();
        assert_eq!(v, Uint128::new(15_792_000));
        // 1 ETH (18 decimals) at 3000.5, settlement 6 decimals, no haircut
        let v = value_of(
            Uint128::new(10u128.pow(18)),
            Decimal256::from_str("3000.5").unwrap(),
            18,
            6,
            Decimal::zero(),
        )
        .unwrap();
        assert_eq!(v, Uint128::new(3_000_500_000));
        // rounding down: 1 wei at 3000 is 0 uusdc
        let v = value_of(
            Uint128::one(),
            Decimal256::from_str("3000").unwrap(),
            18,
            6,
            Decimal::zero(),
        )
        .unwrap();
        assert_eq!(v, Uint128::zero());
        // overflow is an error, not a panic
        assert!(value_of(Uint128::MAX, Decimal256::MAX, 0, 18, Decimal::zero()).is_err());
    }

    proptest::proptest! {
        /// Collateral is never over-valued: the result is the exact value rounded down.
        #[test]
        fn valuation_rounds_down(
            amount in 0u128..1_000_000_000_000_000_000,
            price_atomics in 1u128..1_000_000_000_000_000_000_000_000,
            haircut_pct in 0u64..100,
            decimals in 0u8..=18,
        ) {
            let price = Decimal256::new(Uint256::from(price_atomics));
            let haircut = Decimal::percent(haircut_pct);
            let v = value_of(Uint128::new(amount), price, decimals, 6, haircut).unwrap();
            // exact = amount × price_atomics × 10^6 × (100 − h) / (10^18 × 10^decimals × 100)
            let num = Uint256::from(amount)
                .full_mul(Uint256::from(price_atomics))
                * cosmwasm_std::Uint512::from(1_000_000u128 * u128::from(100 - haircut_pct));
            let den = cosmwasm_std::Uint512::from(10u128.pow(18))
                * cosmwasm_std::Uint512::from(10u128.pow(u32::from(decimals)))
                * cosmwasm_std::Uint512::from(100u128);
            let exact_floor = num / den;
            let v512 = cosmwasm_std::Uint512::from(v.u128());
            proptest::prop_assert!(v512 <= exact_floor);
            // two floors lose at most 2 units
            proptest::prop_assert!(exact_floor - v512 <= cosmwasm_std::Uint512::from(2u8));
        }
    }
}
