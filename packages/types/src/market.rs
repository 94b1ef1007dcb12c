//! The interface between the vault and the markets (perps, options), designed once for both.
//!
//! Units. Every amount here is in base units of the vault's **settlement denom** (the LP
//! pool's denom, e.g. `uusdc`). Signed amounts are `Int128`: positive means value flows to the
//! account (from the LP pool), negative from it.
//!
//! Flows (see `docs/market-interface.md`):
//! - trade: user → market → vault `Settle(Settlement)`: the market hands over the cash delta
//!   and its fresh risk for the account; the vault applies both and checks health, querying
//!   only the account's *other* markets ([`MarketQueryMsg::AccountRisk`]).
//! - liquidation: keeper → vault → market [`MarketExecuteMsg::ForceReduce`] as a submessage;
//!   the market reduces at oracle price and answers with a [`ForceReduceResult`] in the
//!   response data, which the vault applies in its reply (no call back into the vault).
//! - market-initiated settlement (option expiry, perps ADL): market → vault `Settle` with
//!   `trader_addr: None` and `RiskChange::Reduce` (the vault refuses `None` with `Increase`).
//! - pool NAV: vault → market [`MarketQueryMsg::PoolExposure`], O(1) in positions.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{
    Addr, CustomQuery, Decimal256, Int128, QuerierWrapper, SignedDecimal256, StdResult, Uint128,
};
use cw_storage_plus::Map;

/// Most scenarios in one underlying's grid (spot shocks × vol shocks).
pub const MAX_SCENARIOS: usize = 64;
/// Most underlyings one market reports for one account.
pub const MAX_UNDERLYINGS_PER_REPORT: usize = 16;

/// The scenario grid the vault applies to one underlying (an oracle asset id).
/// Scenario `i` is `(spot_shocks[i / vol_shocks.len()], vol_shocks[i % vol_shocks.len()])`:
/// spot-major order. Shocks are relative: spot × (1 + spot_shock), vol × (1 + vol_shock).
#[cw_serde]
pub struct ScenarioGrid {
    pub asset_id: String,
    /// Bumped by the vault on every change; a risk report for another version is refused.
    pub version: u32,
    pub spot_shocks: Vec<SignedDecimal256>,
    pub vol_shocks: Vec<SignedDecimal256>,
}

impl ScenarioGrid {
    pub fn len(&self) -> usize {
        self.spot_shocks.len().saturating_mul(self.vol_shocks.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The (spot shock, vol shock) of scenario `index`, if it exists.
    pub fn scenario(&self, index: usize) -> Option<(SignedDecimal256, SignedDecimal256)> {
        let n_vol = self.vol_shocks.len();
        if n_vol == 0 {
            return None;
        }
        let spot = self.spot_shocks.get(index / n_vol)?;
        let vol = self.vol_shocks.get(index % n_vol)?;
        Some((*spot, *vol))
    }
}

/// Where the vault stores the grid of each underlying, keyed by oracle asset id. Markets read
/// it by raw query ([`query_grid_raw`]): raw key `[0x00, 0x05] ++ b"grids" ++ asset_id`,
/// value the JSON of [`ScenarioGrid`].
pub const SCENARIO_GRIDS: Map<&str, ScenarioGrid> = Map::new("grids");

/// Reads the vault's grid for `asset_id` with one raw query; `None` when the vault has none.
pub fn query_grid_raw<Q: CustomQuery>(
    querier: &QuerierWrapper<Q>,
    vault_addr: &Addr,
    asset_id: &str,
) -> StdResult<Option<ScenarioGrid>> {
    SCENARIO_GRIDS.query(querier, vault_addr.clone(), asset_id)
}

/// One market's risk for one account on one underlying.
#[cw_serde]
pub struct UnderlyingRisk {
    pub asset_id: String,
    /// The grid version the scenarios were computed against.
    pub grid_version: u32,
    /// Value of the account's positions at the current oracle price, net of everything
    /// accrued and owed (funding, borrow fees). Counts towards the account's equity.
    pub unrealized_pnl: Int128,
    /// Change of that value under each scenario of the grid, in grid order.
    pub scenario_pnl: Vec<Int128>,
    /// Market-specific requirements added on top of the scenario loss (e.g. a minimum per
    /// notional, or a short-option tail add-on). Initial ≥ maintenance.
    pub maintenance_addon: Uint128,
    pub initial_addon: Uint128,
}

/// One market's complete risk for one account. Empty `underlyings` means no exposure: the
/// vault then forgets the account's link to that market.
#[cw_serde]
#[derive(Default)]
pub struct AccountRisk {
    pub underlyings: Vec<UnderlyingRisk>,
}

/// Whether a settled change added risk (checked against initial margin) or only reduced it
/// (checked against maintenance, and never refused for lowering health less than before).
#[cw_serde]
#[derive(Copy, Eq)]
pub enum RiskChange {
    Increase,
    Reduce,
}

/// Cash movements of one settlement, all in settlement-denom base units.
#[cw_serde]
#[derive(Default)]
pub struct CashFlows {
    /// Realized PnL, funding and premiums against the LP pool: + to the account, − to the pool.
    pub pnl_vs_pool: Int128,
    /// Fees the account pays, credited to the LP pool.
    pub fee_to_pool: Uint128,
    /// Fees the account pays, credited to protocol fees.
    pub fee_to_protocol: Uint128,
}

/// A market's settlement for one account (`vault::ExecuteMsg::Settle`): a trade, or a
/// change the market starts on its own (option expiry payouts, perps auto-deleveraging).
#[cw_serde]
pub struct Settlement {
    pub account_id: u64,
    /// `Some(addr)`: a trade `addr` asked the market for; the vault refuses unless `addr` owns
    /// the account. `None`: market-initiated (no trader asked); the vault accepts it only with
    /// `change == RiskChange::Reduce`, never checks initial margin for it, and applies it
    /// with its reduce rule. Markets are registered by the vault's owner and trusted to send
    /// `None` only for changes that do not add risk.
    pub trader_addr: Option<Addr>,
    pub cash: CashFlows,
    /// The market's fresh risk for the account after the trade.
    pub risk: AccountRisk,
    pub change: RiskChange,
}

/// The vault's `ExecuteMsg::Settle` as markets send it, wire-identical to
/// `vault::ExecuteMsg::Settle(settlement)` (`{"settle":{…}}`). Serializing this one-variant
/// enum instead of the vault's whole message enum keeps the code of every other vault message
/// (the IBC ones included) out of the markets' wasm.
#[cw_serde]
pub enum VaultSettleMsg {
    Settle(Settlement),
}

/// What a market answers to [`MarketExecuteMsg::ForceReduce`], as the response data (JSON).
#[cw_serde]
pub struct ForceReduceResult {
    pub account_id: u64,
    /// The reduction's cash flows at oracle price (no trading fee; the penalty is the vault's).
    pub cash: CashFlows,
    /// Notional reduced, valued at oracle price; the vault's liquidation penalty is a share of it.
    pub reduced_notional: Uint128,
    pub risk: AccountRisk,
}

/// Messages a market accepts from the vault.
#[cw_serde]
pub enum MarketExecuteMsg {
    /// Vault only: reduce the account's positions in this market by `fraction` (0, 1] at the
    /// oracle price. Obeys the breaker's `Liquidate` action.
    ForceReduce {
        account_id: u64,
        fraction: Decimal256,
    },
}

/// Queries every market answers for the vault (and for frontends).
#[cw_serde]
#[derive(QueryResponses)]
pub enum MarketQueryMsg {
    /// The account's risk against the vault's current grids.
    #[returns(AccountRisk)]
    AccountRisk { account_id: u64 },
    /// Aggregate exposure of the LP pool to this market's traders, in O(1).
    #[returns(PoolExposure)]
    PoolExposure {},
}

#[cw_serde]
pub struct PoolExposure {
    /// Σ traders' unrealized PnL (+ means the pool owes traders).
    pub unrealized_trader_pnl: Int128,
    /// Liquidity the pool must keep for open interest and maximum option payoffs.
    pub locked_liquidity: Uint128,
    /// What the pool owes its winning traders, not netted against losing traders: Σ over
    /// each market's sides of max(0, that side's unrealized PnL), rounded up. A loser's loss
    /// is only collectable up to its equity, so the redemption NAV must not let it offset
    /// this. Absent (zero) from markets that predate it.
    #[serde(default)]
    pub trader_gains: Uint128,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn scenarios_are_spot_major() {
        let d = |s: &str| SignedDecimal256::from_str(s).unwrap();
        let grid = ScenarioGrid {
            asset_id: "ATOM".into(),
            version: 1,
            spot_shocks: vec![d("-0.1"), d("0"), d("0.1")],
            vol_shocks: vec![d("-0.3"), d("0.3")],
        };
        assert_eq!(grid.len(), 6);
        assert_eq!(grid.scenario(0), Some((d("-0.1"), d("-0.3"))));
        assert_eq!(grid.scenario(3), Some((d("0"), d("0.3"))));
        assert_eq!(grid.scenario(5), Some((d("0.1"), d("0.3"))));
        assert_eq!(grid.scenario(6), None);
        let empty = ScenarioGrid {
            vol_shocks: vec![],
            ..grid
        };
        assert!(empty.is_empty());
        assert_eq!(empty.scenario(0), None);
    }

    #[test]
    fn pool_exposure_without_trader_gains_parses_as_zero() {
        // the JSON of a market that predates `trader_gains`
        let e: PoolExposure =
            cosmwasm_std::from_json(br#"{"unrealized_trader_pnl":"-5","locked_liquidity":"7"}"#)
                .unwrap();
        assert_eq!(
            e,
            PoolExposure {
                unrealized_trader_pnl: Int128::new(-5),
                locked_liquidity: Uint128::new(7),
                trader_gains: Uint128::zero(),
            }
        );
    }

    #[test]
    fn vault_settle_msg_is_wire_identical_to_the_vault_message() {
        let settlement = Settlement {
            account_id: 7,
            trader_addr: Some(cosmwasm_std::Addr::unchecked("trader")),
            cash: CashFlows {
                pnl_vs_pool: Int128::new(-5),
                fee_to_pool: Uint128::new(2),
                fee_to_protocol: Uint128::new(1),
            },
            risk: AccountRisk {
                underlyings: vec![],
            },
            change: RiskChange::Increase,
        };
        assert_eq!(
            cosmwasm_std::to_json_vec(&VaultSettleMsg::Settle(settlement.clone())).unwrap(),
            cosmwasm_std::to_json_vec(&crate::vault::ExecuteMsg::Settle(settlement)).unwrap()
        );
    }
}
