//! An account's risk for the vault's portfolio margin.
//!
//! Per position (one per underlying, see `state::ASSET_MARKETS`), at oracle price `P`:
//! * `unrealized_pnl = size × (P − entry) − size × (index − snapshot)` (mark PnL rounded
//!   down, funding owed rounded up), with the index accrued to now;
//! * `scenario_pnl[i] = size × P × spot_shock(i)` rounded down: perps have no vega, so the
//!   vol shock of a scenario is ignored;
//! * `maintenance_addon = notional × maintenance_addon_factor`,
//!   `initial_addon = notional × max(initial_addon_factor, 1 / max_leverage)`, rounded up,
//!   with `notional = |size| × P`. Because the vault requires equity ≥ scenario loss ×
//!   factor + initial add-on for every `Increase`, the account's equity always covers at
//!   least `notional / max_leverage`: that is how `max_leverage` is enforced.
//!
//! Computing an account's risk reads one price, one grid and one funding state per open
//! position of the account, at most `MAX_POSITIONS_PER_ACCOUNT`: bounded, and independent of
//! the number of positions and accounts in the contract.

use cosmwasm_std::{Decimal256, Deps, Env, Order, SignedDecimal256, StdResult};

use bulwark_math::rounding::dec_div_ceil;
use bulwark_types::market::{
    query_grid_raw, AccountRisk, ScenarioGrid, UnderlyingRisk, MAX_SCENARIOS,
};
use bulwark_types::perps::{MarketParams, Position};

use crate::error::{ContractError, OrOverflow};
use crate::funding::accrue;
use crate::position::{funding_owed, mark_pnl};
use crate::price::{market_funding_params, usable_price, PriceUse};
use crate::state::{Config, AGGREGATES, FUNDING, MARKETS, POSITIONS};
use crate::units::{abs, mul_to_amount, signed, to_uamount_ceil, Round};

/// One position's risk against `grid`.
pub fn underlying_risk(
    position: &Position,
    params: &MarketParams,
    price: Decimal256,
    index: SignedDecimal256,
    grid: &ScenarioGrid,
    decimals: u8,
) -> Result<UnderlyingRisk, ContractError> {
    let n = grid.len();
    if n > MAX_SCENARIOS {
        return Err(ContractError::GridTooLarge {
            asset_id: grid.asset_id.clone(),
            len: n,
            max: MAX_SCENARIOS,
        });
    }
    let unrealized_pnl = mark_pnl(position, price, decimals)?
        .checked_sub(funding_owed(position, index, decimals)?)
        .or_overflow()?;
    let signed_notional = position.size.checked_mul(signed(price)?).or_overflow()?;
    let mut scenario_pnl = Vec::with_capacity(n);
    for i in 0..n {
        // safe: i < grid.len(), so the scenario exists
        let (spot_shock, _vol_shock) = grid.scenario(i).ok_or(ContractError::Overflow)?;
        scenario_pnl.push(mul_to_amount(
            signed_notional,
            spot_shock,
            decimals,
            Round::Floor,
        )?);
    }
    let notional = abs(position.size).checked_mul(price).or_overflow()?;
    let leverage_floor = dec_div_ceil(Decimal256::one(), params.max_leverage)?;
    let initial_factor = params.initial_addon_factor.max(leverage_floor);
    let maintenance_addon = to_uamount_ceil(
        bulwark_math::rounding::dec_mul_ceil(notional, params.maintenance_addon_factor)?,
        decimals,
    )?;
    let initial_addon = to_uamount_ceil(
        bulwark_math::rounding::dec_mul_ceil(notional, initial_factor)?,
        decimals,
    )?;
    Ok(UnderlyingRisk {
        asset_id: grid.asset_id.clone(),
        grid_version: grid.version,
        unrealized_pnl,
        scenario_pnl,
        maintenance_addon,
        initial_addon: initial_addon.max(maintenance_addon),
    })
}

/// The account's fresh risk over all its positions in this contract, at the current prices
/// and with funding accrued to now (not stored).
pub fn account_risk(
    deps: Deps,
    env: &Env,
    cfg: &Config,
    account_id: u64,
) -> Result<AccountRisk, ContractError> {
    let positions: Vec<Position> = POSITIONS
        .prefix(account_id)
        .range(deps.storage, None, None, Order::Ascending)
        .map(|r| r.map(|(_, p)| p))
        .collect::<StdResult<_>>()?;
    let mut underlyings = Vec::with_capacity(positions.len());
    for position in positions {
        let market = MARKETS.load(deps.storage, &position.market_id)?;
        let price = usable_price(deps, env, cfg, &market.asset_id, PriceUse::Valuation)?;
        let funding = FUNDING.load(deps.storage, &market.market_id)?;
        let agg = AGGREGATES.load(deps.storage, &market.market_id)?;
        let funding = accrue(
            &funding,
            crate::aggregates::skew(&agg)?,
            price,
            &market_funding_params(&market.params),
            env.block.time.seconds(),
        )?;
        let grid = query_grid_raw(&deps.querier, &cfg.vault_addr, &market.asset_id)?.ok_or(
            ContractError::NoScenarioGrid {
                asset_id: market.asset_id.clone(),
            },
        )?;
        underlyings.push(underlying_risk(
            &position,
            &market.params,
            price,
            funding.index,
            &grid,
            cfg.settlement_decimals,
        )?);
    }
    Ok(AccountRisk { underlyings })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::{Int128, Uint128};
    use std::str::FromStr;

    fn sd(s: &str) -> SignedDecimal256 {
        SignedDecimal256::from_str(s).unwrap()
    }
    fn d(s: &str) -> Decimal256 {
        Decimal256::from_str(s).unwrap()
    }

    pub fn params() -> MarketParams {
        MarketParams {
            enabled: true,
            max_leverage: d("10"),
            initial_addon_factor: d("0.02"),
            maintenance_addon_factor: d("0.01"),
            trading_fee_rate: d("0.001"),
            protocol_fee_share: d("0.2"),
            skew_scale: d("100000"),
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
    fn short_position_risk_per_scenario() {
        let grid = ScenarioGrid {
            asset_id: "ATOM".into(),
            version: 4,
            spot_shocks: vec![sd("-0.2"), sd("0"), sd("0.2")],
            vol_shocks: vec![sd("-0.5"), sd("0.5")],
        };
        let p = Position {
            account_id: 1,
            market_id: "ATOM-PERP".into(),
            size: sd("-3"),
            entry_price: d("10"),
            funding_snapshot: sd("0.1"),
            opened_at_secs: 0,
            updated_at_secs: 0,
        };
        // price 11: mark −3; funding owed −3 × (0.2 − 0.1) = −0.3 → unrealized −2.7
        let r = underlying_risk(&p, &params(), d("11"), sd("0.2"), &grid, 6).unwrap();
        assert_eq!(r.grid_version, 4);
        assert_eq!(r.unrealized_pnl, Int128::new(-2_700_000));
        // notional −33: spot −20% → +6.6, +20% → −6.6, same for both vol shocks
        let expect: Vec<Int128> = [6_600_000, 6_600_000, 0, 0, -6_600_000, -6_600_000]
            .into_iter()
            .map(Int128::new)
            .collect();
        assert_eq!(r.scenario_pnl, expect);
        assert_eq!(r.maintenance_addon, Uint128::new(330_000));
        // max(0.02, 1/10) × 33 = 3.3
        assert_eq!(r.initial_addon, Uint128::new(3_300_000));
        let mut huge = grid.clone();
        huge.spot_shocks = vec![sd("0"); 33];
        assert!(matches!(
            underlying_risk(&p, &params(), d("11"), sd("0.2"), &huge, 6),
            Err(ContractError::GridTooLarge { len: 66, .. })
        ));
    }
}
