//! Shared multi-test setup: real oracle and circuit breaker, the vault, two mock markets.
#![allow(dead_code)]

pub mod tokenfactory;

use std::str::FromStr;

use anyhow::Result as AnyResult;
use cosmwasm_std::testing::{MockApi, MockStorage};
use cosmwasm_std::Empty;
use cosmwasm_std::{
    coin, coins, Addr, Coin, Decimal, Int128, SignedDecimal256, Timestamp, Uint128,
};
use cw_multi_test::{
    no_init, App, AppBuilder, AppResponse, BankKeeper, DistributionKeeper, Executor, FailingModule,
    GovFailingModule, IbcFailingModule, StakeKeeper, WasmKeeper,
};

use bulwark_testing::mock_market::{self, MockMarketExecuteMsg, MockMarketInstantiateMsg};
use bulwark_testing::{circuit_breaker, oracle, vault};
use bulwark_types::circuit_breaker::{
    ExecuteMsg as BreakerMsg, Level, RateLimitParams, ReporterPermissions, Scope,
};
use bulwark_types::market::{
    AccountRisk, CashFlows, ForceReduceResult, PoolExposure, RiskChange, Settlement, UnderlyingRisk,
};
use bulwark_types::oracle::{AssetConfig, ExecuteMsg as OracleMsg, FeedPrice};
use bulwark_types::vault::{
    AccountResponse, CollateralConfig, DenomKind, ExecuteMsg, HealthResponse, MarketKind,
    PoolResponse, QueryMsg, TotalsResponse,
};
use bulwark_vault::ContractError;

use tokenfactory::TokenFactoryMock;

/// The default multi-test app with the tokenfactory `Stargate` mock (ledger-mode vaults never
/// send a stargate message, so it changes nothing for them).
pub type TestApp = App<
    BankKeeper,
    MockApi,
    MockStorage,
    FailingModule<Empty, Empty, Empty>,
    WasmKeeper<Empty, Empty>,
    StakeKeeper,
    DistributionKeeper,
    IbcFailingModule,
    GovFailingModule,
    TokenFactoryMock,
>;

pub const USDC: &str = "uusdc";
pub const ATOM: &str = "uatom";
pub const OSMO: &str = "uosmo";
pub const T0: u64 = 1_700_006_400;
/// Scenarios of the default grid (7 spot × 3 vol).
pub const N: usize = 21;

pub struct Suite {
    pub app: TestApp,
    pub owner: Addr,
    pub oracle: Addr,
    pub breaker: Addr,
    pub vault: Addr,
    pub market_a: Addr,
    pub market_b: Addr,
    pub feeder: Addr,
    pub alice: Addr,
    pub bob: Addr,
    pub keeper: Addr,
    pub eve: Addr,
}

pub fn d(s: &str) -> SignedDecimal256 {
    SignedDecimal256::from_str(s).unwrap()
}

pub fn err(r: AnyResult<AppResponse>) -> ContractError {
    r.expect_err("expected an error")
        .downcast::<ContractError>()
        .expect("a vault ContractError")
}

impl Suite {
    pub fn new() -> Suite {
        Suite::with_lp_shares(None)
    }

    /// `Some(subdenom)`: LP shares as the tokenfactory denom `factory/{vault}/{subdenom}`.
    pub fn with_lp_shares(subdenom: Option<&str>) -> Suite {
        let mut app: TestApp = AppBuilder::new()
            .with_stargate(TokenFactoryMock)
            .build(no_init);
        app.update_block(|b| {
            b.time = Timestamp::from_seconds(T0);
            b.height = 100;
        });
        let api = app.api();
        let owner = api.addr_make("dao");
        let feeder = api.addr_make("feeder");
        let alice = api.addr_make("alice");
        let bob = api.addr_make("bob");
        let keeper = api.addr_make("keeper");
        let eve = api.addr_make("eve");
        app.init_modules(|router, _, storage| {
            for who in [&alice, &bob, &eve, &owner, &keeper] {
                router
                    .bank
                    .init_balance(
                        storage,
                        who,
                        vec![
                            coin(1_000_000_000_000, USDC),
                            coin(1_000_000_000_000, ATOM),
                            coin(1_000_000_000_000, OSMO),
                        ],
                    )
                    .unwrap();
            }
        });
        let oracle_code = app.store_code(oracle::contract());
        let oracle = app
            .instantiate_contract(
                oracle_code,
                owner.clone(),
                &oracle::instantiate_msg(&owner),
                &[],
                "oracle",
                None,
            )
            .unwrap();
        let breaker_code = app.store_code(circuit_breaker::contract());
        let breaker = app
            .instantiate_contract(
                breaker_code,
                owner.clone(),
                &circuit_breaker::instantiate_msg(&owner),
                &[],
                "breaker",
                None,
            )
            .unwrap();
        let vault_code = app.store_code(vault::contract());
        let vault = app
            .instantiate_contract(
                vault_code,
                owner.clone(),
                &match subdenom {
                    None => vault::instantiate_msg_with(&owner, &oracle, &breaker),
                    Some(sub) => {
                        vault::instantiate_msg_tokenfactory(&owner, &oracle, &breaker, sub)
                    }
                },
                &[],
                "vault",
                Some(owner.to_string()),
            )
            .unwrap();
        let mm_code = app.store_code(mock_market::contract());
        let mut markets = vec![];
        for label in ["market-a", "market-b"] {
            markets.push(
                app.instantiate_contract(
                    mm_code,
                    owner.clone(),
                    &MockMarketInstantiateMsg {
                        vault: vault.to_string(),
                    },
                    &[],
                    label,
                    None,
                )
                .unwrap(),
            );
        }
        let mut s = Suite {
            app,
            owner: owner.clone(),
            oracle: oracle.clone(),
            breaker: breaker.clone(),
            vault: vault.clone(),
            market_b: markets.pop().unwrap(),
            market_a: markets.pop().unwrap(),
            feeder: feeder.clone(),
            alice,
            bob,
            keeper,
            eve,
        };
        // breaker: the vault may report outflows
        s.app
            .execute_contract(
                owner.clone(),
                breaker.clone(),
                &BreakerMsg::SetReporter {
                    reporter: vault.to_string(),
                    permissions: ReporterPermissions {
                        global: false,
                        contracts: vec![vault.to_string()],
                        outflows: true,
                    },
                },
                &[],
            )
            .unwrap();
        // oracle: ATOM priced by one feeder, quoted in USD
        s.app
            .execute_contract(
                owner.clone(),
                oracle.clone(),
                &OracleMsg::UpdateFeeders {
                    add: vec![feeder.to_string()],
                    remove: vec![],
                },
                &[],
            )
            .unwrap();
        s.app
            .execute_contract(
                owner.clone(),
                oracle.clone(),
                &OracleMsg::SetAsset {
                    asset: AssetConfig {
                        max_deviation_bps: 1000,
                        ..bulwark_testing::oracle::feeder_asset(
                            "ATOM",
                            std::slice::from_ref(&feeder),
                            1,
                            3600,
                        )
                    },
                },
                &[],
            )
            .unwrap();
        s.feed("10");
        // vault: ATOM collateral (haircut 20 %), grids, markets
        s.owner_exec(&ExecuteMsg::SetCollateral(CollateralConfig {
            denom: ATOM.into(),
            kind: DenomKind::Native,
            oracle_asset_id: "ATOM".into(),
            haircut: Decimal::percent(20),
            deposit_cap: Uint128::new(1_000_000_000_000),
            decimals: 6,
        }))
        .unwrap();
        s.owner_exec(&ExecuteMsg::SetScenarioGrid {
            asset_id: "ATOM".into(),
            spot_shocks: None,
            vol_shocks: None,
        })
        .unwrap();
        for m in [s.market_a.clone(), s.market_b.clone()] {
            s.owner_exec(&ExecuteMsg::RegisterMarket {
                market_addr: m.to_string(),
                kind: MarketKind::Perps,
            })
            .unwrap();
        }
        s.next_block();
        s
    }

    pub fn next_block(&mut self) {
        self.app.update_block(|b| {
            b.height += 1;
            b.time = b.time.plus_seconds(5);
        });
    }

    pub fn advance(&mut self, secs: u64) {
        self.app.update_block(|b| {
            b.height += 1;
            b.time = b.time.plus_seconds(secs);
        });
    }

    /// Feeds an ATOM price now and moves to the next block (so it may price `Open`).
    pub fn feed(&mut self, price: &str) {
        let now = self.app.block_info().time.seconds();
        self.app
            .execute_contract(
                self.feeder.clone(),
                self.oracle.clone(),
                &OracleMsg::Feed {
                    prices: vec![FeedPrice {
                        asset_id: "ATOM".into(),
                        price: d(price),
                        publish_time: now,
                    }],
                },
                &[],
            )
            .unwrap();
        self.next_block();
    }

    pub fn owner_exec(&mut self, msg: &ExecuteMsg) -> AnyResult<AppResponse> {
        self.app
            .execute_contract(self.owner.clone(), self.vault.clone(), msg, &[])
    }

    pub fn exec(&mut self, who: &Addr, msg: &ExecuteMsg, funds: &[Coin]) -> AnyResult<AppResponse> {
        self.app
            .execute_contract(who.clone(), self.vault.clone(), msg, funds)
    }

    pub fn breaker_exec(&mut self, msg: &BreakerMsg) -> AnyResult<AppResponse> {
        self.app
            .execute_contract(self.owner.clone(), self.breaker.clone(), msg, &[])
    }

    pub fn pause(&mut self, level: Level) {
        let vault = self.vault.clone();
        self.breaker_exec(&BreakerMsg::SetLevel {
            scope: Scope::Contract {
                contract_addr: vault,
            },
            level,
            reason: "test".into(),
        })
        .unwrap();
    }

    pub fn rate_limit(&mut self, denom: &str, quota_bps: u32) {
        self.breaker_exec(&BreakerMsg::SetRateLimit(RateLimitParams {
            denom: denom.into(),
            channel: None,
            quota_bps,
            warn_bps: quota_bps,
            window_secs: 3600,
            buckets: 6,
            // The smallest floor: the tests exercise the quota in bps of the reference.
            min_quota: cosmwasm_std::Uint128::one(),
        }))
        .unwrap();
    }

    pub fn create_account(&mut self, who: &Addr) -> u64 {
        let res = self.exec(who, &ExecuteMsg::CreateAccount {}, &[]).unwrap();
        cosmwasm_std::from_json(res.data.unwrap()).unwrap()
    }

    pub fn deposit(&mut self, who: &Addr, account_id: u64, amount: u128, denom: &str) {
        self.exec(
            who,
            &ExecuteMsg::Deposit { account_id },
            &coins(amount, denom),
        )
        .unwrap();
    }

    pub fn lp_deposit(&mut self, who: &Addr, amount: u128) -> AnyResult<AppResponse> {
        self.exec(
            who,
            &ExecuteMsg::LpDeposit { min_shares: None },
            &coins(amount, USDC),
        )
    }

    pub fn account(&self, account_id: u64) -> AccountResponse {
        self.app
            .wrap()
            .query_wasm_smart(&self.vault, &QueryMsg::Account { account_id })
            .unwrap()
    }

    pub fn health(&self, account_id: u64) -> HealthResponse {
        self.app
            .wrap()
            .query_wasm_smart(&self.vault, &QueryMsg::Health { account_id })
            .unwrap()
    }

    pub fn pool(&self) -> PoolResponse {
        self.app
            .wrap()
            .query_wasm_smart(&self.vault, &QueryMsg::Pool {})
            .unwrap()
    }

    pub fn totals(&self) -> Vec<TotalsResponse> {
        self.app
            .wrap()
            .query_wasm_smart(
                &self.vault,
                &QueryMsg::Totals {
                    start_after: None,
                    limit: None,
                },
            )
            .unwrap()
    }

    /// Every denom's ledger equals the vault's balance exactly.
    pub fn assert_conserved(&self) {
        for t in self.totals() {
            assert_eq!(
                t.surplus,
                Int128::zero(),
                "conservation broken for {}: {t:?}",
                t.denom
            );
            assert!(t.conserved);
        }
    }

    pub fn balance(&self, who: &Addr, denom: &str) -> u128 {
        self.app
            .wrap()
            .query_balance(who, denom)
            .unwrap()
            .amount
            .u128()
    }

    pub fn market_exec(
        &mut self,
        market: &Addr,
        msg: &MockMarketExecuteMsg,
    ) -> AnyResult<AppResponse> {
        self.app
            .execute_contract(self.owner.clone(), market.clone(), msg, &[])
    }

    /// `trader` trades on `market`: the mock market settles with the vault.
    pub fn trade(
        &mut self,
        market: &Addr,
        trader: &Addr,
        account_id: u64,
        cash: CashFlows,
        risk: AccountRisk,
        change: RiskChange,
    ) -> AnyResult<AppResponse> {
        self.settle_via(market, Some(trader), account_id, cash, risk, change)
    }

    /// `market` settles for the account; `trader: None` = market-initiated (expiry, ADL).
    pub fn settle_via(
        &mut self,
        market: &Addr,
        trader: Option<&Addr>,
        account_id: u64,
        cash: CashFlows,
        risk: AccountRisk,
        change: RiskChange,
    ) -> AnyResult<AppResponse> {
        let m = market.clone();
        self.market_exec(
            &m,
            &MockMarketExecuteMsg::Trade {
                settlement: Settlement {
                    account_id,
                    trader_addr: trader.cloned(),
                    cash,
                    risk,
                    change,
                },
            },
        )
    }

    pub fn set_exposure(&mut self, market: &Addr, pnl: i128, locked: u128) {
        self.set_exposure_gross(market, pnl, pnl.max(0) as u128, locked);
    }

    /// A two-sided book: `gains` owed to the market's winners, `pnl` net of its losers.
    pub fn set_exposure_gross(&mut self, market: &Addr, pnl: i128, gains: u128, locked: u128) {
        let m = market.clone();
        self.market_exec(
            &m,
            &MockMarketExecuteMsg::SetPoolExposure(PoolExposure {
                unrealized_trader_pnl: Int128::new(pnl),
                locked_liquidity: Uint128::new(locked),
                trader_gains: Uint128::new(gains),
            }),
        )
        .unwrap();
    }

    pub fn set_risk(&mut self, market: &Addr, account_id: u64, risk: AccountRisk) {
        let m = market.clone();
        self.market_exec(
            &m,
            &MockMarketExecuteMsg::SetAccountRisk { account_id, risk },
        )
        .unwrap();
    }

    pub fn set_force_reduce(&mut self, market: &Addr, result: ForceReduceResult) {
        let m = market.clone();
        self.market_exec(
            &m,
            &MockMarketExecuteMsg::SetForceReduceResult {
                account_id: result.account_id,
                result,
            },
        )
        .unwrap();
    }
}

/// A linear exposure on ATOM: PnL under scenario i = `delta_value × spot_shock_i` (vol shocks
/// ignored), e.g. `delta_value = 1000` is a long worth 1000 uusdc.
pub fn linear_risk(delta_value: i128, upnl: i128, addon: u128) -> AccountRisk {
    let spots = [-15i128, -10, -5, 0, 5, 10, 15];
    let mut pnl = Vec::with_capacity(N);
    for s in spots {
        for _ in 0..3 {
            pnl.push(Int128::new(delta_value * s / 100));
        }
    }
    AccountRisk {
        underlyings: vec![UnderlyingRisk {
            asset_id: "ATOM".into(),
            grid_version: 1,
            unrealized_pnl: Int128::new(upnl),
            scenario_pnl: pnl,
            maintenance_addon: Uint128::new(addon),
            initial_addon: Uint128::new(addon),
        }],
    }
}

pub fn cash(pnl: i128, fee_pool: u128, fee_protocol: u128) -> CashFlows {
    CashFlows {
        pnl_vs_pool: Int128::new(pnl),
        fee_to_pool: Uint128::new(fee_pool),
        fee_to_protocol: Uint128::new(fee_protocol),
    }
}
