//! Messages of the vault contract.
//!
//! Units: every amount is in base units of its denom. The vault's **settlement denom** (the LP
//! pool's denom) is also the unit of every margin figure (equity, requirements, PnL). Prices
//! read from the oracle are whole quote units per whole base unit; the vault assumes the quote
//! of every collateral asset is the settlement asset's unit (e.g. USD for uusdc).

use cosmwasm_schema::schemars::JsonSchema;
use cosmwasm_schema::serde::Serialize;
use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Binary, Decimal, Int128, SignedDecimal256, Timestamp, Uint128};

use crate::market::{AccountRisk, Settlement};
use crate::ownership::OwnershipAction;

/// Most margin accounts one owner may create.
pub const MAX_ACCOUNTS_PER_OWNER: u32 = 16;
/// Most collateral denoms (besides the settlement denom) one account may hold at once.
pub const MAX_COLLATERALS_PER_ACCOUNT: usize = 8;
/// Most markets one account may have exposure in at once.
pub const MAX_MARKETS_PER_ACCOUNT: usize = 8;
/// Most registered markets (the pool NAV queries each of them).
pub const MAX_MARKETS: u32 = 16;
/// Most listed collateral types.
pub const MAX_COLLATERAL_TYPES: u32 = 32;
/// Most scenario grids (underlyings); LP pricing reads the oracle record of each.
pub const MAX_SCENARIO_GRIDS: u32 = 32;
/// Longest validity window of an LP withdrawal request (`lp_withdraw_window_secs`), 7 days.
pub const MAX_LP_WITHDRAW_WINDOW_SECS: u64 = 604_800;
/// Virtual shares and assets of the LP share price (ERC-4626 style offset): the share price is
/// `(nav + VIRTUAL_ASSETS) / (total_shares + VIRTUAL_SHARES)`.
pub const VIRTUAL_SHARES: u128 = 1_000_000;
pub const VIRTUAL_ASSETS: u128 = 1;
pub const DEFAULT_PAGE_LIMIT: u32 = 10;
pub const MAX_PAGE_LIMIT: u32 = 30;

/// Risk and operating parameters, all set by the owner.
#[cw_serde]
pub struct VaultParams {
    /// Maintenance requirement = worst scenario loss × this factor + add-ons; ≥ 1.
    pub maintenance_factor: Decimal,
    /// Initial requirement = worst scenario loss × this factor + add-ons; > maintenance.
    pub initial_factor: Decimal,
    /// Oldest oracle price the vault accepts, in seconds.
    pub price_max_age_secs: u64,
    /// Seconds between `RequestLpWithdraw` and `LpWithdraw`.
    pub lp_withdraw_delay_secs: u64,
    /// Seconds a request stays redeemable once ready, (0, MAX_LP_WITHDRAW_WINDOW_SECS]; after
    /// that it is void (only `CancelLpWithdraw` applies). Absent in older JSON: 1 day.
    #[serde(default = "default_lp_withdraw_window_secs")]
    pub lp_withdraw_window_secs: u64,
    /// LP deposits and redemptions wait a block when an underlying's price stored in this
    /// block moved more than this fraction from the previous value (markets still value at
    /// the previous one); smaller moves do not, so refreshing the oracle every block cannot
    /// hold LPs off. [0, 0.05]. Absent in older JSON: 0.5 %.
    #[serde(default = "default_lp_price_tolerance")]
    pub lp_price_tolerance: Decimal,
    /// Fraction of every position a liquidation asks each market to reduce, (0, 1].
    pub liquidation_close_factor: Decimal,
    /// Liquidation penalty as a share of the reduced notional, [0, 0.2].
    pub liquidation_penalty: Decimal,
    /// Share of the penalty paid to the keeper; the rest goes to the insurance fund.
    pub keeper_share: Decimal,
}

fn default_lp_withdraw_window_secs() -> u64 {
    86_400
}

fn default_lp_price_tolerance() -> Decimal {
    Decimal::permille(5)
}

impl Default for VaultParams {
    fn default() -> Self {
        VaultParams {
            maintenance_factor: Decimal::one(),
            initial_factor: Decimal::percent(150),
            price_max_age_secs: 120,
            lp_withdraw_delay_secs: 86_400,
            lp_withdraw_window_secs: default_lp_withdraw_window_secs(),
            lp_price_tolerance: default_lp_price_tolerance(),
            liquidation_close_factor: Decimal::percent(50),
            liquidation_penalty: Decimal::percent(1),
            keeper_share: Decimal::percent(50),
        }
    }
}

// Deserialize: crate::vault_decode (D32).
#[derive(Serialize, Clone, Debug, PartialEq, JsonSchema)]
#[allow(clippy::derive_partial_eq_without_eq)]
#[serde(crate = "::cosmwasm_schema::serde")]
#[schemars(crate = "::cosmwasm_schema::schemars")]
pub struct InstantiateMsg {
    /// The owner, meant to be the DAO.
    pub owner: String,
    /// The LP pool's native denom; every margin figure is in its base units.
    pub settlement_denom: String,
    /// Decimals of the settlement denom's base unit (6 for uusdc).
    pub settlement_decimals: u8,
    /// Oracle medianizer; `None` until set with `UpdateConfig` (price-dependent actions fail).
    pub oracle: Option<String>,
    /// Circuit breaker; `None` until set with `UpdateConfig` (guarded actions fail closed).
    pub circuit_breaker: Option<String>,
    pub params: VaultParams,
    /// How LP shares are represented; chosen at instantiate, immutable. Defaults to `Ledger`.
    #[serde(default)]
    pub lp_shares: LpShareMode,
}

/// Most bytes of a tokenfactory subdenom (Osmosis `MaxSubdenomLength`).
pub const MAX_SUBDENOM_LEN: usize = 44;

/// Representation of LP shares.
#[cw_serde]
#[derive(Default)]
pub enum LpShareMode {
    /// Internal share ledger only (shares are not transferable).
    #[default]
    Ledger,
    /// An Osmosis tokenfactory denom `factory/{vault_addr}/{subdenom}` created by the vault at
    /// instantiate: `LpDeposit` mints shares to the depositor, `RequestLpWithdraw` takes the
    /// share coins into custody, `LpWithdraw` burns them, `CancelLpWithdraw` returns them.
    /// Requires the chain's tokenfactory module (`stargate` capability).
    TokenFactory { subdenom: String },
}

#[cw_serde]
#[derive(Copy, Eq)]
pub enum DenomKind {
    /// A bank denom.
    Native,
    /// A cw20 token; the collateral's `denom` is the token contract's address.
    Cw20,
}

/// A listed collateral type. Value counted toward equity =
/// `amount × price × 10^(settlement_decimals − decimals) × (1 − haircut)`, rounded down.
#[cw_serde]
pub struct CollateralConfig {
    /// Bank denom, or the cw20 contract address (validated) for `Cw20`.
    pub denom: String,
    pub kind: DenomKind,
    /// Oracle asset id of the collateral, quoted in the settlement asset's unit.
    pub oracle_asset_id: String,
    /// Share of the value not counted, [0, 1).
    pub haircut: Decimal,
    /// Most the vault holds of this denom across all accounts.
    pub deposit_cap: Uint128,
    /// Decimals of the denom's base unit, ≤ 18.
    pub decimals: u8,
}

#[cw_serde]
#[derive(Copy, Eq)]
pub enum MarketKind {
    Perps,
    Options,
}

// Deserialize: crate::vault_decode (D32).
#[derive(Serialize, Clone, Debug, PartialEq, JsonSchema)]
#[allow(clippy::derive_partial_eq_without_eq)]
#[serde(crate = "::cosmwasm_schema::serde", rename_all = "snake_case")]
#[schemars(crate = "::cosmwasm_schema::schemars")]
pub enum ExecuteMsg {
    UpdateOwnership(OwnershipAction),
    /// Owner: set addresses and parameters (fields left `None` are unchanged).
    UpdateConfig {
        oracle: Option<String>,
        circuit_breaker: Option<String>,
        params: Option<VaultParams>,
    },
    /// Owner: list a collateral type or change it (its kind and decimals may not change).
    SetCollateral(CollateralConfig),
    /// Owner: set the scenario grid of an underlying (bumps its version). `None` shocks take
    /// the defaults (spot ±5/10/15 %, vol −30/0/+30 %).
    SetScenarioGrid {
        asset_id: String,
        spot_shocks: Option<Vec<SignedDecimal256>>,
        vol_shocks: Option<Vec<SignedDecimal256>>,
    },
    /// Owner: register a market; it may then `Settle`.
    RegisterMarket {
        market_addr: String,
        kind: MarketKind,
    },
    /// Owner: deregister a market with no pool exposure and no locked liquidity.
    DeregisterMarket {
        market_addr: String,
    },
    /// Anyone: open a new margin account owned by the sender.
    CreateAccount {},
    /// Account owner: deposit exactly one coin of a listed native denom.
    Deposit {
        account_id: u64,
    },
    /// cw20 entry point; the hook message is [`Cw20HookMsg`].
    Receive(Cw20ReceiveMsg),
    /// Account owner: withdraw collateral, keeping the account above its initial requirement.
    Withdraw {
        account_id: u64,
        denom: String,
        amount: Uint128,
        recipient: Option<String>,
    },
    /// Registered markets only: apply a trade's cash flows and the market's fresh risk for
    /// the account, then check the account's health.
    Settle(Settlement),
    /// Anyone: deposit exactly one coin of the settlement denom into the LP pool for shares,
    /// priced at the deposit NAV (`PoolResponse::nav`). `min_shares`: refused
    /// (`Slippage`) if fewer shares would be minted.
    LpDeposit {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_shares: Option<Uint128>,
    },
    /// LP: ask to redeem `shares`; redeemable from `lp_withdraw_delay_secs` after the request
    /// for `lp_withdraw_window_secs` at the then-current redemption NAV
    /// (`PoolResponse::redeem_nav`), void afterwards. With tokenfactory shares the LP sends
    /// exactly `shares` of the share denom (one coin), which the vault holds until
    /// `LpWithdraw` burns them or `CancelLpWithdraw` returns them.
    RequestLpWithdraw {
        shares: Uint128,
    },
    /// LP: drop the pending request, also a void one (tokenfactory: returns the shares).
    CancelLpWithdraw {},
    /// LP: redeem the pending request inside its window. `min_amount`: refused (`Slippage`)
    /// if it would pay less.
    LpWithdraw {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_amount: Option<Uint128>,
    },
    /// Anyone: add exactly one coin of the settlement denom to the insurance fund.
    DepositInsurance {},
    /// Owner: pay out of the insurance fund; `denom` defaults to the settlement denom (the
    /// fund also holds collateral seized from insolvent accounts).
    WithdrawInsurance {
        denom: Option<String>,
        amount: Uint128,
        recipient: String,
    },
    /// Owner: pay out protocol fees.
    WithdrawFees {
        amount: Uint128,
        recipient: String,
    },
    /// Anyone (keeper): liquidate an account below its maintenance requirement, or cover the
    /// bad debt of an account with negative equity and no exposure.
    Liquidate {
        account_id: u64,
    },
    /// The vault itself only: the last step of a liquidation, after every market replied.
    FinishLiquidation {},

    // --- IBC collateral (docs/ibc.md; the channel is the gateway's)
    /// Owner: the hub's IBC gateway (`None` detaches it). Refused while any remote position
    /// or release is outstanding: they are tied to the gateway's channels.
    SetGateway {
        gateway: Option<String>,
    },
    /// The configured gateway only: what the channel brings (docs/ibc.md, "Vault and gateway").
    Gateway(GatewayMsg),
    /// Owner, hub: list or change a collateral type held on a remote chain.
    SetRemoteCollateral(crate::ibc::RemoteCollateralConfig),
    /// Account owner: authorise the satellite-chain address whose deposits over
    /// `channel_id` may credit the account (`None` revokes).
    SetRemoteOwner {
        account_id: u64,
        channel_id: String,
        remote_addr: Option<String>,
    },
    /// Account owner: withdraw remote collateral to `recipient` on the satellite chain.
    /// Debited now (initial-margin check as for `Withdraw`), re-credited on error or timeout.
    WithdrawRemote {
        account_id: u64,
        channel_id: String,
        denom: String,
        amount: Uint128,
        recipient: String,
    },
    /// Anyone (keeper): seize remote collateral of an account. With one settlement coin
    /// attached (the account must be liquidatable): the keeper buys `amount` at the oracle
    /// value less the liquidation penalty and receives it at `recipient` on the remote chain.
    /// With no funds (the account must be insolvent without exposure): the whole `amount`
    /// goes to the insurance fund's address on the remote chain.
    SeizeRemote {
        account_id: u64,
        channel_id: String,
        denom: String,
        amount: Uint128,
        recipient: Option<String>,
    },
    /// Anyone: collect the keeper payments of failed seizures recorded for the sender.
    ClaimRefund {
        denom: String,
    },
    /// Owner, after a channel close: drop the account's frozen position once the satellite's
    /// lock was recovered (the gateway's `RecoverLock` there); until then it blocks the cover
    /// of the account's bad debt and uses one of its position slots. Needs no release in flight.
    DropRemotePosition {
        channel_id: String,
        account_id: u64,
        denom: String,
    },
    /// Account owner: authorise the remote sender whose ICS-20 transfers over this chain's
    /// transfer channel `channel_id` may deposit into the account on arrival (`HookDeposit`
    /// through ibc-hooks, or the gateway's IBC callback); `None` revokes.
    SetHookSender {
        account_id: u64,
        channel_id: String,
        original_sender: Option<String>,
    },
    /// ICS-20 deposit on arrival, called by the ibc-hooks middleware (Osmosis) from the memo
    /// `{"wasm":{"contract":"<vault>","msg":{"hook_deposit":{..}}}}` with the transferred coin.
    /// `channel_id` is the transfer channel on this chain (the packet's destination channel)
    /// and `original_sender` the sender on the source chain: the caller must be the hooks'
    /// intermediate sender derived from both, and the account's owner must have authorised
    /// `original_sender` with `SetHookSender`. Any failure fails the hook, so the transfer's
    /// own error ack refunds the sender on the source chain.
    HookDeposit {
        account_id: u64,
        channel_id: String,
        original_sender: String,
    },
}

/// Calls of the vault's gateway (`ExecuteMsg::Gateway`). Each is refused unless it comes from
/// the configured gateway; a refusal changes nothing (the gateway answers with an error ack).
// Deserialize: crate::vault_decode (D32).
#[derive(Serialize, Clone, Debug, PartialEq, JsonSchema)]
#[allow(clippy::derive_partial_eq_without_eq)]
#[serde(crate = "::cosmwasm_schema::serde", rename_all = "snake_case")]
#[schemars(crate = "::cosmwasm_schema::schemars")]
pub enum GatewayMsg {
    /// A satellite deposit received on `channel_id`: credit the account (`depositor` must be
    /// its authorised remote owner, `denom` listed for `connection_id`, within the cap summed
    /// over `cap_channels`, the connection's open channels).
    Credit {
        channel_id: String,
        connection_id: String,
        cap_channels: Vec<String>,
        account_id: u64,
        denom: String,
        amount: Uint128,
        depositor: String,
    },
    /// A release sent for `release_id` ended: delivered (success ack) or not (error ack,
    /// timeout, or the owner's recovery as failed).
    ReleaseResolved { release_id: u64, delivered: bool },
    /// An ICS-20 transfer with a deposit memo arrived at the gateway over this chain's
    /// transfer channel `channel_id` from `sender`; the coin is attached.
    Arrival {
        account_id: u64,
        channel_id: String,
        sender: String,
    },
}

/// The vault's answer to `GatewayMsg::Credit`, in its response data. A refusal wrote nothing;
/// the gateway acknowledges the packet with an error and replays the same answer.
#[cw_serde]
pub enum CreditOutcome {
    Credited {},
    Refused { reason: String },
}

/// The cw20 `Receive` payload (wire-identical to `cw20::Cw20ReceiveMsg`; defined here so the
/// types package needs no cw20 dependency).
#[cw_serde]
pub struct Cw20ReceiveMsg {
    /// Who sent the tokens (the account owner).
    pub sender: String,
    pub amount: Uint128,
    /// JSON of [`Cw20HookMsg`].
    pub msg: Binary,
}

/// Hook message of a cw20 `Send` to the vault.
// Deserialize: crate::vault_decode (D32).
#[derive(Serialize, Clone, Debug, PartialEq, JsonSchema)]
#[allow(clippy::derive_partial_eq_without_eq)]
#[serde(crate = "::cosmwasm_schema::serde", rename_all = "snake_case")]
#[schemars(crate = "::cosmwasm_schema::schemars")]
pub enum Cw20HookMsg {
    Deposit { account_id: u64 },
}

// Deserialize: crate::vault_decode (D32).
#[derive(Serialize, Clone, Debug, PartialEq, JsonSchema)]
#[allow(clippy::derive_partial_eq_without_eq)]
#[serde(crate = "::cosmwasm_schema::serde", rename_all = "snake_case")]
#[schemars(crate = "::cosmwasm_schema::schemars")]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(crate::ownership::Ownership)]
    Ownership {},
    #[returns(ConfigResponse)]
    Config {},
    #[returns(AccountResponse)]
    Account { account_id: u64 },
    #[returns(Vec<AccountResponse>)]
    AccountsByOwner {
        owner: String,
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    /// Live health: queries every market of the account and the oracle (liquidation prices).
    #[returns(HealthResponse)]
    Health { account_id: u64 },
    #[returns(PoolResponse)]
    Pool {},
    #[returns(LpPositionResponse)]
    LpPosition { lp: String },
    #[returns(Vec<MarketResponse>)]
    Markets {
        start_after: Option<String>,
        limit: Option<u32>,
    },
    #[returns(Vec<CollateralConfig>)]
    CollateralConfigs {
        start_after: Option<String>,
        limit: Option<u32>,
    },
    #[returns(Option<crate::market::ScenarioGrid>)]
    ScenarioGrid { asset_id: String },
    /// System-wide risk of the LP pool: each market's exposure, utilization, buffers.
    #[returns(SystemRiskResponse)]
    SystemRisk {},
    /// Per-denom ledger sums against the vault's actual balance (the conservation check).
    #[returns(Vec<TotalsResponse>)]
    Totals {
        start_after: Option<String>,
        limit: Option<u32>,
    },

    // --- IBC collateral
    /// Hub: listed remote collateral types, keyed by (connection, denom).
    #[returns(Vec<crate::ibc::RemoteCollateralConfig>)]
    RemoteCollaterals {
        start_after: Option<(String, String)>,
        limit: Option<u32>,
    },
    /// Hub: an account's remote positions (at most MAX_REMOTE_POSITIONS_PER_ACCOUNT).
    #[returns(Vec<crate::ibc::RemotePosition>)]
    RemotePositions { account_id: u64 },
    /// Hub: the account's authorised depositor on the chain of `channel_id`.
    #[returns(Option<String>)]
    RemoteOwner { account_id: u64, channel_id: String },
    /// Hub: sums per (channel, denom).
    #[returns(crate::ibc::RemoteTotals)]
    RemoteTotals { channel_id: String, denom: String },
    /// Releases debited and sent through the gateway, not yet resolved, by release id.
    #[returns(Vec<crate::ibc::PendingRelease>)]
    PendingReleases {
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    /// The remote sender authorised for `HookDeposit` into an account over a transfer channel.
    #[returns(Option<String>)]
    HookSender { account_id: u64, channel_id: String },
    /// The ibc-hooks intermediate sender of (transfer channel, original sender) on this chain.
    #[returns(Addr)]
    HookIntermediateSender {
        channel_id: String,
        original_sender: String,
    },
    /// Keeper payment of a failed seizure claimable by `address` in `denom`.
    #[returns(Uint128)]
    Claimable { address: String, denom: String },
}

// Deserialize: crate::vault_decode (D32).
#[derive(Serialize, Clone, Debug, PartialEq, JsonSchema)]
#[allow(clippy::derive_partial_eq_without_eq)]
#[serde(crate = "::cosmwasm_schema::serde")]
#[schemars(crate = "::cosmwasm_schema::schemars")]
pub struct MigrateMsg {}

#[cw_serde]
pub struct ConfigResponse {
    pub settlement_denom: String,
    pub settlement_decimals: u8,
    pub oracle_addr: Option<Addr>,
    pub circuit_breaker_addr: Option<Addr>,
    pub params: VaultParams,
    /// The tokenfactory share denom (`factory/{vault_addr}/{subdenom}`); `None` in ledger mode.
    pub lp_share_denom: Option<String>,
    pub market_count: u32,
    pub collateral_count: u32,
    /// The hub's IBC gateway (`SetGateway`); `None` when the vault holds no remote collateral.
    #[serde(default)]
    pub gateway_addr: Option<Addr>,
}

#[cw_serde]
pub struct AccountResponse {
    pub account_id: u64,
    pub owner_addr: Addr,
    /// Signed balance of the settlement denom (negative = debt).
    pub settlement_balance: Int128,
    /// Other collateral, (denom, amount).
    pub collateral: Vec<(String, Uint128)>,
    /// Markets the account has exposure in.
    pub markets: Vec<Addr>,
}

#[cw_serde]
pub struct UnderlyingHealth {
    pub asset_id: String,
    /// Σ over markets of the account's PnL under each scenario of the grid.
    pub scenario_pnl: Vec<Int128>,
    /// max(0, −min(scenario_pnl)).
    pub worst_loss: Uint128,
}

#[cw_serde]
pub struct HealthResponse {
    /// Collateral other than the settlement denom, at oracle value after haircut.
    pub collateral_value: Uint128,
    pub settlement_balance: Int128,
    pub unrealized_pnl: Int128,
    /// collateral_value + settlement_balance + unrealized_pnl.
    pub equity: Int128,
    pub maintenance_requirement: Uint128,
    pub initial_requirement: Uint128,
    /// equity / maintenance; `None` when the account has no requirement (no exposure).
    pub health: Option<SignedDecimal256>,
    pub liquidatable: bool,
    pub underlyings: Vec<UnderlyingHealth>,
}

#[cw_serde]
pub struct PoolResponse {
    pub denom: String,
    /// The pool's ledger balance.
    pub assets: Uint128,
    /// Σ over markets of traders' unrealized PnL (+ = the pool owes traders).
    pub unrealized_trader_pnl: Int128,
    /// max(0, assets − unrealized_trader_pnl): the deposit NAV (counts traders' unrealized
    /// losses and accounts' debts in full, so a joining LP never buys in below value).
    pub nav: Uint128,
    /// The redemption NAV: assets − the debt of accounts not covered by insurance − Σ over
    /// markets of max(0, unrealized_trader_pnl), floored at 0 (counts neither a trader's
    /// unrealized loss nor an account's debt as collectable, so a leaving LP never exits above
    /// value).
    pub redeem_nav: Uint128,
    /// Σ of accounts' negative settlement balances: owed to the insurance fund, then the pool.
    pub account_debt: Uint128,
    pub total_shares: Uint128,
    /// (nav + VIRTUAL_ASSETS) / (total_shares + VIRTUAL_SHARES).
    pub share_price: cosmwasm_std::Decimal256,
    pub locked_liquidity: Uint128,
    pub insurance: Uint128,
    pub protocol_fees: Uint128,
    /// Cumulative bad debt absorbed by the insurance fund and the pool.
    pub bad_debt_covered_by_insurance: Uint128,
    pub bad_debt_covered_by_pool: Uint128,
    /// Bad debt nobody could cover (pool and insurance exhausted), still owed by the accounts
    /// it was written off on: each debt counted once, lowered as it is covered or repaid.
    pub bad_debt_uncovered: Uint128,
}

#[cw_serde]
pub struct MarketExposure {
    pub market_addr: Addr,
    pub unrealized_trader_pnl: Int128,
    pub locked_liquidity: Uint128,
}

#[cw_serde]
pub struct SystemRiskResponse {
    pub markets: Vec<MarketExposure>,
    pub pool_assets: Uint128,
    pub nav: Uint128,
    pub total_unrealized_trader_pnl: Int128,
    pub total_locked_liquidity: Uint128,
    /// total_locked_liquidity / pool_assets; `None` with an empty pool.
    pub utilization: Option<cosmwasm_std::Decimal256>,
    /// Pool liquidity backed by coins (less the debt of accounts not covered by insurance)
    /// and not locked: what LPs could redeem now.
    pub free_liquidity: Uint128,
    pub insurance: Uint128,
    pub bad_debt_uncovered: Uint128,
}

#[cw_serde]
pub struct LpWithdrawRequest {
    pub shares: Uint128,
    /// Redeemable from this time…
    pub ready_at: Timestamp,
    /// …until just before this one; void afterwards (0 for requests filed before windows
    /// existed: void).
    #[serde(default)]
    pub expires_at: Timestamp,
}

#[cw_serde]
pub struct LpPositionResponse {
    pub lp_addr: Addr,
    /// Shares held: the internal ledger balance, or with tokenfactory shares the LP's bank
    /// balance of the share denom (excluding shares in the vault's custody for `pending`).
    pub shares: Uint128,
    pub pending: Option<LpWithdrawRequest>,
}

#[cw_serde]
pub struct MarketResponse {
    pub market_addr: Addr,
    pub kind: MarketKind,
}

#[cw_serde]
pub struct TotalsResponse {
    pub denom: String,
    pub kind: DenomKind,
    /// Σ account balances (signed for the settlement denom).
    pub accounts: Int128,
    pub pool: Uint128,
    pub insurance: Uint128,
    pub fees: Uint128,
    /// Keeper payments of remote seizures held in escrow until the ack, and claimable
    /// refunds of failed ones.
    pub ibc_pending: Uint128,
    /// accounts + pool + insurance + fees + ibc_pending.
    pub ledger_total: Int128,
    /// The vault's actual bank / cw20 balance.
    pub balance: Uint128,
    /// `balance ≥ ledger_total`: every ledger unit is backed. Equality holds unless someone
    /// sent coins to the vault directly (a donation, never counted: see `surplus`).
    pub conserved: bool,
    /// balance − ledger_total (donations; never negative while the vault is sound).
    pub surplus: Int128,
}

/// The vault's stored copy of a market's last reported risk for an account (query helper).
pub type StoredRisk = AccountRisk;
