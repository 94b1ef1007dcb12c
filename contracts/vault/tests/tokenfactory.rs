//! LP shares as an Osmosis tokenfactory denom, against the multi-test bank through the
//! `TokenFactoryMock` stargate handler: minted on `LpDeposit`, held in custody by
//! `RequestLpWithdraw`, burned by `LpWithdraw`, returned by `CancelLpWithdraw`; the ledger's
//! total shares equal the denom's supply after every step.

mod common;

use common::tokenfactory::denom_admin;
use common::*;
use cosmwasm_std::{coin, coins, Addr, Coin, Decimal, Uint128};
use cw_multi_test::Executor;

use bulwark_testing::vault as tv;
use bulwark_types::vault::{
    CollateralConfig, ConfigResponse, DenomKind, ExecuteMsg, LpPositionResponse, LpShareMode,
    QueryMsg,
};
use bulwark_vault::ContractError;

const DELAY: u64 = 86_400;

fn share_denom(s: &Suite) -> String {
    format!("factory/{}/blp", s.vault)
}

fn supply(s: &Suite, denom: &str) -> u128 {
    s.app.wrap().query_supply(denom).unwrap().amount.u128()
}

/// The ledger's total shares equal the denom's supply; the vault's own balance of the share
/// denom is exactly the custody of the pending requests; the settlement ledgers are conserved.
fn check(s: &Suite, custody: u128) {
    let denom = share_denom(s);
    assert_eq!(s.pool().total_shares.u128(), supply(s, &denom));
    assert_eq!(s.balance(&s.vault, &denom), custody);
    s.assert_conserved();
}

fn position(s: &Suite, who: &Addr) -> LpPositionResponse {
    s.app
        .wrap()
        .query_wasm_smart(
            &s.vault,
            &QueryMsg::LpPosition {
                lp: who.to_string(),
            },
        )
        .unwrap()
}

fn request(
    s: &mut Suite,
    who: &Addr,
    shares: u128,
    funds: &[Coin],
) -> anyhow::Result<cw_multi_test::AppResponse> {
    let who = who.clone();
    s.exec(
        &who,
        &ExecuteMsg::RequestLpWithdraw {
            shares: Uint128::new(shares),
        },
        funds,
    )
}

#[test]
fn instantiate_creates_the_denom() {
    let s = Suite::with_lp_shares(Some("blp"));
    let denom = share_denom(&s);
    let cfg: ConfigResponse = s
        .app
        .wrap()
        .query_wasm_smart(&s.vault, &QueryMsg::Config {})
        .unwrap();
    assert_eq!(cfg.lp_share_denom, Some(denom.clone()));
    assert_eq!(
        denom_admin(s.app.storage(), &denom),
        Some(s.vault.to_string())
    );
    check(&s, 0);

    // ledger mode: no denom
    let l = Suite::new();
    let cfg: ConfigResponse = l
        .app
        .wrap()
        .query_wasm_smart(&l.vault, &QueryMsg::Config {})
        .unwrap();
    assert_eq!(cfg.lp_share_denom, None);
}

#[test]
fn invalid_subdenom_is_refused() {
    let mut s = Suite::new();
    let code = s.app.store_code(tv::contract());
    for bad in ["", "has space", "a/b", &"x".repeat(45)] {
        let mut msg = tv::instantiate_msg_with(&s.owner, &s.oracle, &s.breaker);
        msg.lp_shares = LpShareMode::TokenFactory {
            subdenom: bad.to_string(),
        };
        let e = s
            .app
            .instantiate_contract(code, s.owner.clone(), &msg, &[], "v2", None)
            .unwrap_err()
            .downcast::<ContractError>()
            .unwrap();
        assert!(
            matches!(e, ContractError::InvalidParam { .. }),
            "{bad:?}: {e:?}"
        );
    }
}

#[test]
fn tokenfactory_lp_flow() {
    let mut s = Suite::with_lp_shares(Some("blp"));
    let denom = share_denom(&s);
    let (bob, eve, alice) = (s.bob.clone(), s.eve.clone(), s.alice.clone());

    // deposits mint shares to the depositor
    let res = s.lp_deposit(&bob, 1_000_000).unwrap();
    let bob_shares = s.balance(&bob, &denom);
    assert_eq!(bob_shares, 1_000_000_000_000);
    assert!(res.events.iter().any(|e| e
        .attributes
        .iter()
        .any(|a| a.key == "action" && a.value == "lp_deposit")));
    assert_eq!(position(&s, &bob).shares.u128(), bob_shares);
    check(&s, 0);
    s.lp_deposit(&eve, 500_000).unwrap();
    let eve_shares = s.balance(&eve, &denom);
    assert_eq!(eve_shares, 500_000_000_000);
    check(&s, 0);

    // bad requests change nothing
    let usdc_before = s.balance(&bob, USDC);
    let half = bob_shares / 2;
    assert_eq!(
        err(request(&mut s, &bob, half, &[])),
        ContractError::NoFunds
    );
    assert_eq!(
        err(request(
            &mut s,
            &bob,
            half,
            &[coin(half, &denom), coin(1, USDC)]
        )),
        ContractError::MultipleCoins { count: 2 }
    );
    assert_eq!(
        err(request(&mut s, &bob, 5, &coins(5, USDC))),
        ContractError::WrongShareDenom {
            denom: USDC.into(),
            expected: denom.clone()
        }
    );
    assert_eq!(
        err(request(&mut s, &bob, 0, &[])),
        ContractError::ZeroAmount
    );
    assert_eq!(
        err(request(&mut s, &bob, 0, &coins(5, &denom))),
        ContractError::ZeroAmount
    );
    assert_eq!(
        err(request(&mut s, &bob, half, &coins(half - 1, &denom))),
        ContractError::SharesMismatch {
            sent: Uint128::new(half - 1),
            shares: Uint128::new(half)
        }
    );
    assert_eq!(
        err(s.exec(&bob, &ExecuteMsg::CancelLpWithdraw {}, &[])),
        ContractError::NoRequest
    );
    assert_eq!(s.balance(&bob, &denom), bob_shares);
    assert_eq!(s.balance(&bob, USDC), usdc_before);
    assert!(position(&s, &bob).pending.is_none());
    check(&s, 0);

    // the request takes custody
    request(&mut s, &bob, half, &coins(half, &denom)).unwrap();
    assert_eq!(s.balance(&bob, &denom), bob_shares - half);
    let pos = position(&s, &bob);
    assert_eq!(pos.shares.u128(), bob_shares - half);
    assert_eq!(pos.pending.unwrap().shares.u128(), half);
    check(&s, half);
    assert_eq!(
        err(request(&mut s, &bob, 1, &coins(1, &denom))),
        ContractError::RequestPending
    );
    assert_eq!(s.balance(&bob, &denom), bob_shares - half);
    assert!(matches!(
        err(s.exec(&bob, &ExecuteMsg::LpWithdraw { min_amount: None }, &[])),
        ContractError::RequestNotReady { .. }
    ));
    check(&s, half);

    // cancel returns the shares
    s.exec(&bob, &ExecuteMsg::CancelLpWithdraw {}, &[]).unwrap();
    assert_eq!(s.balance(&bob, &denom), bob_shares);
    assert!(position(&s, &bob).pending.is_none());
    check(&s, 0);

    // withdraw after the delay burns and pays
    request(&mut s, &bob, half, &coins(half, &denom)).unwrap();
    check(&s, half);
    s.advance(DELAY);
    let supply_before = supply(&s, &denom);
    let usdc_before = s.balance(&bob, USDC);
    s.exec(&bob, &ExecuteMsg::LpWithdraw { min_amount: None }, &[])
        .unwrap();
    assert_eq!(supply(&s, &denom), supply_before - half);
    assert_eq!(s.balance(&bob, USDC), usdc_before + 500_000);
    assert_eq!(s.balance(&bob, &denom), bob_shares - half);
    assert!(position(&s, &bob).pending.is_none());
    check(&s, 0);

    // shares are bank coins: whoever holds them redeems them
    s.app
        .send_tokens(
            bob.clone(),
            alice.clone(),
            &coins(bob_shares - half, &denom),
        )
        .unwrap();
    assert_eq!(position(&s, &alice).shares.u128(), bob_shares - half);
    check(&s, 0);
    request(
        &mut s,
        &alice,
        bob_shares - half,
        &coins(bob_shares - half, &denom),
    )
    .unwrap();
    request(&mut s, &eve, eve_shares, &coins(eve_shares, &denom)).unwrap();
    check(&s, bob_shares - half + eve_shares);
    s.advance(DELAY);
    let alice_usdc = s.balance(&alice, USDC);
    s.exec(&alice, &ExecuteMsg::LpWithdraw { min_amount: None }, &[])
        .unwrap();
    assert_eq!(s.balance(&alice, USDC), alice_usdc + 500_000);
    check(&s, eve_shares);
    s.exec(&eve, &ExecuteMsg::LpWithdraw { min_amount: None }, &[])
        .unwrap();
    check(&s, 0);
    assert_eq!(supply(&s, &denom), 0);
    assert!(s.pool().total_shares.is_zero());
    assert!(s.pool().assets.is_zero());
}

#[test]
fn share_denom_cannot_be_collateral() {
    let mut s = Suite::with_lp_shares(Some("blp"));
    let denom = share_denom(&s);
    assert_eq!(
        err(s.owner_exec(&ExecuteMsg::SetCollateral(CollateralConfig {
            denom: denom.clone(),
            kind: DenomKind::Native,
            oracle_asset_id: "BLP".into(),
            haircut: Decimal::percent(50),
            deposit_cap: Uint128::new(1_000),
            decimals: 6,
        }))),
        ContractError::ShareDenomNotCollateral { denom }
    );
}

/// Ledger mode emits no tokenfactory message and keeps its internal balances.
#[test]
fn ledger_mode_unchanged() {
    let mut s = Suite::new();
    let bob = s.bob.clone();
    s.lp_deposit(&bob, 1_000_000).unwrap();
    let pos = position(&s, &bob);
    assert_eq!(pos.shares.u128(), 1_000_000_000_000);
    let factory = format!("factory/{}/blp", s.vault);
    assert_eq!(supply(&s, &factory), 0);
    request(&mut s, &bob, 1_000_000_000, &[]).unwrap();
    s.advance(DELAY);
    s.exec(&bob, &ExecuteMsg::LpWithdraw { min_amount: None }, &[])
        .unwrap();
    assert_eq!(
        position(&s, &bob).shares.u128(),
        1_000_000_000_000 - 1_000_000_000
    );
    s.assert_conserved();
}
