//! Storage of the vault. `SCENARIO_GRIDS` (namespace `grids`) is published in
//! `bulwark_types::market`; every other layout here is internal.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Empty, Int128, Storage, Uint128};
use cw_storage_plus::{Item, Map};

use bulwark_types::market::AccountRisk;
use bulwark_types::vault::{
    CollateralConfig, LpWithdrawRequest, MarketKind, VaultParams, MAX_COLLATERALS_PER_ACCOUNT,
};

use crate::error::ContractError;

#[cw_serde]
pub struct Config {
    pub settlement_denom: String,
    pub settlement_decimals: u8,
    pub oracle_addr: Option<Addr>,
    pub circuit_breaker_addr: Option<Addr>,
    pub params: VaultParams,
}

pub const CONFIG: Item<Config> = Item::new("config");

#[cw_serde]
pub struct Account {
    pub owner_addr: Addr,
    /// Signed settlement-denom balance; negative = debt.
    pub settlement_balance: Int128,
    /// Non-zero balances of other collateral, at most MAX_COLLATERALS_PER_ACCOUNT entries.
    pub collateral: Vec<(String, Uint128)>,
    /// Markets holding exposure of this account, at most MAX_MARKETS_PER_ACCOUNT.
    pub markets: Vec<Addr>,
    /// The part of the debt written off as uncovered bad debt by `Liquidate` (pool and
    /// insurance could not cover it); never above what the account still owes.
    #[serde(default, skip_serializing_if = "Uint128::is_zero")]
    pub written_off: Uint128,
}

impl Account {
    /// What the account owes in the settlement denom: max(0, −settlement_balance).
    pub fn owed(&self) -> Uint128 {
        Uint128::new(self.settlement_balance.i128().min(0).unsigned_abs())
    }

    pub fn balance_of(&self, denom: &str) -> Uint128 {
        self.collateral
            .iter()
            .find(|(d, _)| d == denom)
            .map(|(_, a)| *a)
            .unwrap_or_default()
    }

    pub fn credit(&mut self, denom: &str, amount: Uint128) -> Result<(), ContractError> {
        if let Some(entry) = self.collateral.iter_mut().find(|(d, _)| d == denom) {
            entry.1 = entry.1.checked_add(amount)?;
            return Ok(());
        }
        if self.collateral.len() >= MAX_COLLATERALS_PER_ACCOUNT {
            return Err(ContractError::TooManyCollaterals {
                max: MAX_COLLATERALS_PER_ACCOUNT,
            });
        }
        self.collateral.push((denom.to_string(), amount));
        Ok(())
    }

    pub fn debit(&mut self, denom: &str, amount: Uint128) -> Result<(), ContractError> {
        let balance = self.balance_of(denom);
        if amount > balance {
            return Err(ContractError::InsufficientBalance {
                denom: denom.to_string(),
                balance,
                amount,
            });
        }
        // safe: amount ≤ balance was checked above
        let left = balance - amount;
        if left.is_zero() {
            self.collateral.retain(|(d, _)| d != denom);
        } else if let Some(entry) = self.collateral.iter_mut().find(|(d, _)| d == denom) {
            entry.1 = left;
        }
        Ok(())
    }
}

pub const NEXT_ACCOUNT_ID: Item<u64> = Item::new("next_account");
pub const ACCOUNTS: Map<u64, Account> = Map::new("accounts");
/// (owner, account id) index for paging an owner's accounts.
pub const OWNER_ACCOUNTS: Map<(&Addr, u64), Empty> = Map::new("owner_accounts");
pub const OWNER_ACCOUNT_COUNT: Map<&Addr, u32> = Map::new("owner_account_count");

pub const COLLATERALS: Map<&str, CollateralConfig> = Map::new("collaterals");
pub const COLLATERAL_COUNT: Item<u32> = Item::new("collateral_count");

/// Ledger sums per denom. For the settlement denom `accounts` is signed (accounts may owe);
/// `pool`, `insurance` and `fees` are only ever non-zero for the settlement denom.
#[cw_serde]
#[derive(Default)]
pub struct DenomTotals {
    pub accounts: Int128,
    pub pool: Uint128,
    pub insurance: Uint128,
    pub fees: Uint128,
    /// Layouts 1-2 only (a satellite vault's locks, now the gateway's): zero from layout 3,
    /// which `migrate` checks (no lock left); kept so that older records still load.
    #[serde(default, skip_serializing_if = "Uint128::is_zero")]
    pub ibc_locked: Uint128,
    /// Keeper payments of remote seizures in escrow until the ack, and claimable refunds of
    /// failed ones.
    #[serde(default)]
    pub ibc_pending: Uint128,
    /// Settlement denom: Σ accounts' debt (Σ max(0, −settlement_balance)), part of `accounts`.
    /// Owed to the insurance fund first, then the pool; no coin backs it.
    #[serde(default)]
    pub debt: Uint128,
    /// Settlement denom: Σ `Account::written_off` (uncovered bad debt), part of `debt`.
    #[serde(default)]
    pub uncovered: Uint128,
}

impl DenomTotals {
    /// Moves `delta` into the account's settlement balance, with `accounts`, `debt` and
    /// `uncovered` in step (a written-off debt shrinks with what the account still owes).
    pub fn shift(&mut self, account: &mut Account, delta: Int128) -> Result<(), ContractError> {
        let owed = account.owed();
        account.settlement_balance = account.settlement_balance.checked_add(delta)?;
        self.accounts = self.accounts.checked_add(delta)?;
        let now = account.owed();
        // exact: the state migration to layout 2 recomputed `debt` for state written before
        // it existed, so the account's old debt is always part of it
        self.debt = self.debt.checked_add(now)?.checked_sub(owed)?;
        if account.written_off > now {
            self.uncovered = self
                .uncovered
                .saturating_sub(account.written_off.checked_sub(now)?);
            account.written_off = now;
        }
        Ok(())
    }

    /// Debt that neither the insurance fund nor the pool can absorb: while it is zero every
    /// other claim (positive balances, fees, IBC ledgers) is backed by coins.
    pub fn shortfall(&self) -> Uint128 {
        self.debt
            .saturating_sub(self.pool.saturating_add(self.insurance))
    }

    /// The pool less the debt the insurance fund does not cover: what the pool can pay out.
    pub fn backed_pool(&self) -> Uint128 {
        self.pool
            .saturating_sub(self.debt.saturating_sub(self.insurance))
    }

    pub fn ledger_total(&self) -> Result<Int128, ContractError> {
        let mut sum = self.accounts;
        for part in [self.pool, self.insurance, self.fees, self.ibc_pending] {
            sum = sum.checked_add(Int128::try_from(part)?)?;
        }
        Ok(sum)
    }
}

pub const TOTALS: Map<&str, DenomTotals> = Map::new("totals");

pub fn load_totals(storage: &dyn Storage, denom: &str) -> Result<DenomTotals, ContractError> {
    Ok(TOTALS.may_load(storage, denom)?.unwrap_or_default())
}

#[cw_serde]
pub struct MarketInfo {
    pub kind: MarketKind,
}

pub const MARKETS: Map<&Addr, MarketInfo> = Map::new("markets");
pub const MARKET_COUNT: Item<u32> = Item::new("market_count");

/// The last risk each market reported for an account (through `Settle` or `ForceReduce`).
/// Used as the "before" state of the next settlement by that market.
pub const ACCOUNT_MARKET_RISK: Map<(u64, &Addr), AccountRisk> = Map::new("account_risk");

pub const LP_SHARES: Map<&Addr, Uint128> = Map::new("lp_shares");
pub const TOTAL_SHARES: Item<Uint128> = Item::new("total_shares");
pub const LP_REQUESTS: Map<&Addr, LpWithdrawRequest> = Map::new("lp_requests");

#[cw_serde]
#[derive(Default)]
pub struct BadDebt {
    pub covered_by_insurance: Uint128,
    pub covered_by_pool: Uint128,
    /// No longer maintained (it counted a debt again on every `Liquidate`): uncovered bad
    /// debt is `DenomTotals::uncovered`.
    #[serde(default)]
    pub uncovered: Uint128,
}

pub const BAD_DEBT: Item<BadDebt> = Item::new("bad_debt");

/// A liquidation between `Liquidate` and `FinishLiquidation` (one transaction).
#[cw_serde]
pub struct PendingLiquidation {
    pub account_id: u64,
    pub keeper_addr: Addr,
    pub equity_before: Int128,
    pub maintenance_before: Uint128,
    pub reduced_notional: Uint128,
}

/// Version of the stored state's layout, independent of the crate version: `migrate` runs
/// the steps from the stored layout (absent = 1, state written before the marker) to
/// `STATE_LAYOUT_CURRENT`. Layout 2: `DenomTotals::{debt, uncovered}` are maintained. Layout 3:
/// the channel is the gateway's (`remote::migrate_to_gateway`).
pub use bulwark_types::migration::STATE_LAYOUT;
pub const STATE_LAYOUT_CURRENT: u16 = 3;

/// Layout 1 → 2: the settlement denom's `debt` (Σ what accounts owe) and `uncovered`
/// (Σ written off) computed from the accounts. Runs once, under the DAO's migration; it reads
/// every account, so it is bounded by the block gas, not by a page.
pub fn recompute_debt(
    storage: &mut dyn Storage,
    settlement_denom: &str,
) -> Result<(), ContractError> {
    let (mut debt, mut uncovered) = (Uint128::zero(), Uint128::zero());
    for item in ACCOUNTS.range(storage, None, None, cosmwasm_std::Order::Ascending) {
        let (_, account) = item?;
        debt = debt.checked_add(account.owed())?;
        uncovered = uncovered.checked_add(account.written_off)?;
    }
    let mut totals = load_totals(storage, settlement_denom)?;
    totals.debt = debt;
    totals.uncovered = uncovered;
    TOTALS.save(storage, settlement_denom, &totals)?;
    Ok(())
}

pub const PENDING_LIQUIDATION: Item<PendingLiquidation> = Item::new("pending_liquidation");
