//! Perpetuals through the real vault: LPs fund the pool, traders deposit, open, profit,
//! close; a crash makes an account liquidatable and a keeper liquidates it. After every step
//! the vault's bank balance equals the sum of its ledgers, and bank totals are conserved.

use std::str::FromStr;

use bulwark_testing::Suite;
use bulwark_types::circuit_breaker::{self as breaker, ReporterPermissions};
use bulwark_types::perps::{self, PositionResponse};
use bulwark_types::vault::{self, AccountResponse, HealthResponse, PoolResponse, TotalsResponse};
use cosmwasm_std::{coin, Addr, Decimal256, Int128, SignedDecimal256, Uint128};

const USDC: &str = "uusdc";
const MARKET: &str = "ATOM-PERP";

fn d(s: &str) -> Decimal256 {
    Decimal256::from_str(s).unwrap()
}

fn sd(s: &str) -> SignedDecimal256 {
    SignedDecimal256::from_str(s).unwrap()
}

struct World {
    s: Suite,
    lp: Addr,
    alice: Addr,
    bob: Addr,
    keeper: Addr,
}

impl World {
    fn new() -> Self {
        let mut s = Suite::new().unwrap();
        let owner = s.owner_addr.clone();
        let (vault_addr, perps_addr, breaker_addr) = (
            s.vault.addr.clone(),
            s.perps.addr.clone(),
            s.circuit_breaker.addr.clone(),
        );
        s.list_underlying("ATOM").unwrap();
        s.register_markets().unwrap();
        s.execute(
            &owner,
            &breaker_addr,
            &breaker::ExecuteMsg::SetReporter {
                reporter: vault_addr.to_string(),
                permissions: ReporterPermissions {
                    global: false,
                    contracts: vec![vault_addr.to_string()],
                    outflows: true,
                },
            },
        )
        .unwrap();
        s.execute(
            &owner,
            &perps_addr,
            &perps::ExecuteMsg::CreateMarket {
                market_id: MARKET.into(),
                asset_id: "ATOM".into(),
                params: bulwark_testing::perps::default_market_params(),
            },
        )
        .unwrap();
        let (lp, alice, bob, keeper) = (
            s.addr("lp"),
            s.addr("alice"),
            s.addr("bob"),
            s.addr("keeper"),
        );
        for who in [&lp, &alice, &bob] {
            s.fund(who, vec![coin(10_000_000_000_000, USDC)]).unwrap();
        }
        let mut w = World {
            s,
            lp,
            alice,
            bob,
            keeper,
        };
        let lp = w.lp.clone();
        w.s.execute_with_funds(
            &lp,
            &vault_addr,
            &vault::ExecuteMsg::LpDeposit { min_shares: None },
            &[coin(1_000_000_000_000, USDC)],
        )
        .unwrap();
        w.s.feed_price("ATOM", "10").unwrap();
        w.s.next_block(6);
        w
    }

    fn vault(&self) -> Addr {
        self.s.vault.addr.clone()
    }

    fn open_account(&mut self, who: &Addr, deposit_uusdc: u128) -> u64 {
        let vault_addr = self.vault();
        let res = self
            .s
            .execute(who, &vault_addr, &vault::ExecuteMsg::CreateAccount {})
            .unwrap();
        let account_id: u64 = cosmwasm_std::from_json(res.data.unwrap()).unwrap();
        self.s
            .execute_with_funds(
                who,
                &vault_addr,
                &vault::ExecuteMsg::Deposit { account_id },
                &[coin(deposit_uusdc, USDC)],
            )
            .unwrap();
        account_id
    }

    fn order(
        &mut self,
        who: &Addr,
        account_id: u64,
        size: &str,
        limit: &str,
    ) -> anyhow::Result<()> {
        let perps_addr = self.s.perps.addr.clone();
        self.s
            .execute(
                who,
                &perps_addr,
                &perps::ExecuteMsg::SubmitOrder {
                    account_id,
                    market_id: MARKET.into(),
                    size_delta: sd(size),
                    acceptable_price: d(limit),
                    reduce_only: false,
                },
            )
            .map(|_| ())
    }

    fn health(&self, account_id: u64) -> HealthResponse {
        self.s
            .app
            .wrap()
            .query_wasm_smart(self.vault(), &vault::QueryMsg::Health { account_id })
            .unwrap()
    }

    fn account(&self, account_id: u64) -> AccountResponse {
        self.s
            .app
            .wrap()
            .query_wasm_smart(self.vault(), &vault::QueryMsg::Account { account_id })
            .unwrap()
    }

    fn position(&self, account_id: u64) -> PositionResponse {
        self.s
            .app
            .wrap()
            .query_wasm_smart(
                &self.s.perps.addr,
                &perps::QueryMsg::Position {
                    account_id,
                    market_id: MARKET.into(),
                },
            )
            .unwrap()
    }

    fn pool(&self) -> PoolResponse {
        self.s
            .app
            .wrap()
            .query_wasm_smart(self.vault(), &vault::QueryMsg::Pool {})
            .unwrap()
    }

    /// The vault's bank balance of the settlement denom equals the sum of its ledgers, and
    /// the bank's total of every actor plus the vault never changed.
    fn assert_conserved(&self) {
        let totals: Vec<TotalsResponse> = self
            .s
            .app
            .wrap()
            .query_wasm_smart(
                self.vault(),
                &vault::QueryMsg::Totals {
                    start_after: None,
                    limit: None,
                },
            )
            .unwrap();
        let usdc = totals.iter().find(|t| t.denom == USDC).unwrap();
        assert_eq!(
            Int128::try_from(usdc.balance).unwrap(),
            usdc.ledger_total,
            "vault balance vs ledgers: {usdc:?}"
        );
        let everyone = [
            &self.lp,
            &self.alice,
            &self.bob,
            &self.keeper,
            &self.s.vault.addr,
        ];
        let sum: u128 = everyone
            .iter()
            .map(|a| {
                self.s
                    .app
                    .wrap()
                    .query_balance(*a, USDC)
                    .unwrap()
                    .amount
                    .u128()
            })
            .sum();
        assert_eq!(sum, 3 * 10_000_000_000_000, "uusdc created or destroyed");
    }
}

#[test]
fn open_profit_close_through_the_real_vault() {
    let mut w = World::new();
    let alice = w.alice.clone();
    // The default grid shocks spot ±15% and initial margin is 1.5× the worst loss plus 1/max
    // leverage of notional, so 4,000 USDC of notional needs 1,300 USDC.
    let account = w.open_account(&alice, 2_000_000_000); // 2,000 USDC
    w.assert_conserved();

    // 400 ATOM long at ~10 (4,000 USDC notional, 2x).
    w.order(&alice, account, "400", "10.1").unwrap();
    let pos = w.position(account).position.unwrap();
    assert_eq!(pos.size, sd("400"));
    let h = w.health(account);
    assert!(h.maintenance_requirement > Uint128::zero());
    assert!(h.initial_requirement > h.maintenance_requirement);
    assert!(
        h.equity < Int128::new(2_000_000_000),
        "fees were charged: {h:?}"
    );
    w.assert_conserved();

    // Too large for the account's margin: refused by the vault, and nothing changes.
    let before = w.account(account);
    assert!(w.order(&alice, account, "600", "10.2").is_err());
    assert_eq!(w.account(account), before);
    assert_eq!(w.position(account).position.unwrap().size, sd("400"));

    // ATOM rises 5%: Alice closes with a profit paid by the pool.
    w.s.feed_price("ATOM", "10.5").unwrap();
    w.s.next_block(6);
    let pool_before = w.pool().assets;
    let perps_addr = w.s.perps.addr.clone();
    w.s.execute(
        &alice,
        &perps_addr,
        &perps::ExecuteMsg::ClosePosition {
            account_id: account,
            market_id: MARKET.into(),
            acceptable_price: d("10.4"),
        },
    )
    .unwrap();
    assert!(w.position(account).position.is_none());
    let balance = w.account(account).settlement_balance;
    // ~+200 USDC of PnL minus two trading fees of ~4 USDC each.
    assert!(
        balance > Int128::new(2_180_000_000) && balance < Int128::new(2_200_000_000),
        "{balance}"
    );
    assert!(w.pool().assets < pool_before);
    w.assert_conserved();

    // Everything is withdrawable once the account has no exposure.
    let vault_addr = w.vault();
    w.s.execute(
        &alice,
        &vault_addr,
        &vault::ExecuteMsg::Withdraw {
            account_id: account,
            denom: USDC.into(),
            amount: Uint128::try_from(balance).unwrap(),
            recipient: None,
        },
    )
    .unwrap();
    assert_eq!(w.account(account).settlement_balance, Int128::zero());
    w.assert_conserved();
}

#[test]
fn a_crash_is_liquidated_and_health_restored() {
    let mut w = World::new();
    let bob = w.bob.clone();
    let account = w.open_account(&bob, 1_400_000_000); // 1,400 USDC
                                                       // 400 ATOM at ~10: just above the 1,300 USDC initial requirement.
    w.order(&bob, account, "400", "10.1").unwrap();
    let keeper = w.keeper.clone();
    let vault_addr = w.vault();
    // A healthy account cannot be liquidated.
    assert!(w
        .s
        .execute(
            &keeper,
            &vault_addr,
            &vault::ExecuteMsg::Liquidate {
                account_id: account
            }
        )
        .is_err());

    // ATOM falls 25%: -1,000 USDC; equity ~396 against a maintenance requirement of ~480.
    w.s.feed_price("ATOM", "7.5").unwrap();
    w.s.next_block(6);
    let before = w.health(account);
    assert!(before.liquidatable, "{before:?}");
    let health_before = before.health.unwrap();

    w.s.execute(
        &keeper,
        &vault_addr,
        &vault::ExecuteMsg::Liquidate {
            account_id: account,
        },
    )
    .unwrap();
    let after = w.health(account);
    let remaining = w.position(account).position.map(|p| p.size);
    assert!(
        remaining.is_none() || remaining.unwrap() < sd("400"),
        "position reduced: {remaining:?}"
    );
    if let Some(health_after) = after.health {
        assert!(
            health_after >= health_before,
            "{health_after} < {health_before}"
        );
    }
    // The keeper was paid.
    assert!(
        w.s.app.wrap().query_balance(&keeper, USDC).unwrap().amount > Uint128::zero(),
        "keeper bonus"
    );
    w.assert_conserved();
}
