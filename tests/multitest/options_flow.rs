//! Options through the real vault: an LP funds the pool, a trader buys a call with collateral
//! in a margin account, the underlying rises, the board expires and a keeper settles it at the
//! oracle TWAP; the payoff lands in the trader's account through the vault, and the vault's
//! bank balance equals its ledgers throughout.

use std::str::FromStr;

use bulwark_testing::Suite;
use bulwark_types::options::{self, StrikeInput};
use bulwark_types::vault::{self, AccountResponse, TotalsResponse};
use cosmwasm_std::{coin, Addr, Decimal256, Int128, Uint128};

const USDC: &str = "uusdc";
const DAY: u64 = 86_400;

fn d(s: &str) -> Decimal256 {
    Decimal256::from_str(s).unwrap()
}

fn vault_account(s: &Suite, account_id: u64) -> AccountResponse {
    s.app
        .wrap()
        .query_wasm_smart(&s.vault.addr, &vault::QueryMsg::Account { account_id })
        .unwrap()
}

fn assert_vault_balanced(s: &Suite) {
    let totals: Vec<TotalsResponse> = s
        .app
        .wrap()
        .query_wasm_smart(
            &s.vault.addr,
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
        "{usdc:?}"
    );
}

#[test]
fn buy_a_call_and_settle_it_through_the_real_vault() {
    let mut s = Suite::new().unwrap();
    let owner = s.owner_addr.clone();
    let (vault_addr, options_addr) = (s.vault.addr.clone(), s.options.addr.clone());
    s.list_underlying("ATOM").unwrap();
    s.register_markets().unwrap();
    let (lp, trader): (Addr, Addr) = (s.addr("lp"), s.addr("trader"));
    for who in [&lp, &trader] {
        s.fund(who, vec![coin(1_000_000_000_000, USDC)]).unwrap();
    }
    s.execute_with_funds(
        &lp,
        &vault_addr,
        &vault::ExecuteMsg::LpDeposit { min_shares: None },
        &[coin(100_000_000_000, USDC)],
    )
    .unwrap();
    s.feed_price("ATOM", "10").unwrap();
    s.next_block(6);

    // A 7-day board with one strike at 10 (call series id = strike id 1 × 2).
    let expiry = s.app.block_info().time.seconds() + 7 * DAY;
    s.execute(
        &owner,
        &options_addr,
        &options::ExecuteMsg::CreateBoard {
            asset_id: "ATOM".into(),
            expiry,
            base_iv: d("0.6"),
            cap_price: d("40"),
            multiplier: Uint128::new(1_000_000),
            strikes: vec![StrikeInput {
                strike: d("10"),
                skew: Decimal256::one(),
            }],
        },
    )
    .unwrap();
    let call = 2u64;

    let res = s
        .execute(&trader, &vault_addr, &vault::ExecuteMsg::CreateAccount {})
        .unwrap();
    let account_id: u64 = cosmwasm_std::from_json(res.data.unwrap()).unwrap();
    s.execute_with_funds(
        &trader,
        &vault_addr,
        &vault::ExecuteMsg::Deposit { account_id },
        &[coin(1_000_000_000, USDC)],
    )
    .unwrap();
    s.execute(
        &trader,
        &options_addr,
        &options::ExecuteMsg::Buy {
            account_id,
            series_id: call,
            amount: Uint128::new(10),
            max_cost: Uint128::new(100_000_000),
        },
    )
    .unwrap();
    let after_buy = vault_account(&s, account_id).settlement_balance;
    assert!(
        after_buy < Int128::new(1_000_000_000),
        "premium paid: {after_buy}"
    );
    assert_vault_balanced(&s);

    // The price rises to 12 and stays there through expiry; feeders keep publishing so the
    // TWAP window before expiry is covered.
    let mut now = s.app.block_info().time.seconds();
    while now < expiry + 120 {
        s.next_block(600);
        now = s.app.block_info().time.seconds();
        s.feed_price("ATOM", "12").unwrap();
    }
    s.next_block(6);
    let keeper = s.addr("keeper");
    s.execute(
        &keeper,
        &options_addr,
        &options::ExecuteMsg::Settle {
            board_id: 1,
            start_after: None,
            limit: None,
        },
    )
    .unwrap();
    // 10 calls × (12 − 10) × 1,000,000 = 20 USDC paid from the pool into the account.
    let after_settle = vault_account(&s, account_id).settlement_balance;
    assert_eq!(after_settle, after_buy + Int128::new(20_000_000));
    assert_vault_balanced(&s);

    // Settling again pays nothing more.
    let _ = s.execute(
        &keeper,
        &options_addr,
        &options::ExecuteMsg::Settle {
            board_id: 1,
            start_after: None,
            limit: None,
        },
    );
    assert_eq!(
        vault_account(&s, account_id).settlement_balance,
        after_settle
    );
    assert_vault_balanced(&s);
}
