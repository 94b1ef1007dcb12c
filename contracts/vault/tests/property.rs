//! Property tests over random operation sequences in multi-test: per-denom conservation of the
//! ledger against the bank balance, and no value for nothing in the LP pool.

mod common;

use common::*;
use cosmwasm_std::{coins, Int128, Uint128};
use cw_multi_test::Executor;
use proptest::prelude::*;

use bulwark_types::market::{AccountRisk, RiskChange};
use bulwark_types::vault::{ExecuteMsg, LpPositionResponse, QueryMsg};

#[derive(Debug, Clone)]
enum Op {
    Deposit {
        who: u8,
        amount: u64,
        atom: bool,
    },
    Withdraw {
        who: u8,
        amount: u64,
        atom: bool,
    },
    Trade {
        who: u8,
        pnl: i64,
        fee_pool: u32,
        fee_protocol: u32,
        risk: i64,
    },
    LpDeposit {
        who: u8,
        amount: u64,
    },
    LpRequest {
        who: u8,
        permille: u16,
    },
    LpWithdraw {
        who: u8,
    },
    Donate {
        amount: u32,
    },
    Wait,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..2, 1u64..50_000_000, any::<bool>()).prop_map(|(who, amount, atom)| Op::Deposit {
            who,
            amount,
            atom
        }),
        (0u8..2, 1u64..50_000_000, any::<bool>()).prop_map(|(who, amount, atom)| Op::Withdraw {
            who,
            amount,
            atom
        }),
        (
            0u8..2,
            -5_000_000i64..5_000_000,
            0u32..100_000,
            0u32..100_000,
            -50_000_000i64..50_000_000
        )
            .prop_map(|(who, pnl, fee_pool, fee_protocol, risk)| Op::Trade {
                who,
                pnl,
                fee_pool,
                fee_protocol,
                risk
            }),
        (0u8..2, 1u64..100_000_000).prop_map(|(who, amount)| Op::LpDeposit { who, amount }),
        (0u8..2, 1u16..=1000).prop_map(|(who, permille)| Op::LpRequest { who, permille }),
        (0u8..2).prop_map(|who| Op::LpWithdraw { who }),
        (1u32..1_000_000).prop_map(|amount| Op::Donate { amount }),
        Just(Op::Wait),
    ]
}

fn shares(s: &Suite, who: &cosmwasm_std::Addr) -> Uint128 {
    let p: LpPositionResponse = s
        .app
        .wrap()
        .query_wasm_smart(
            &s.vault,
            &QueryMsg::LpPosition {
                lp: who.to_string(),
            },
        )
        .unwrap();
    p.shares
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Whatever succeeds or fails, every denom's ledger equals the vault's balance minus the
    /// donations, and the pool ledger never goes below what it must hold.
    #[test]
    fn conservation_over_random_sequences(ops in proptest::collection::vec(op(), 1..25)) {
        let mut s = Suite::new();
        let traders = [s.alice.clone(), s.bob.clone()];
        let lps = [s.eve.clone(), s.keeper.clone()];
        let ids = [s.create_account(&traders[0]), s.create_account(&traders[1])];
        let ma = s.market_a.clone();
        s.lp_deposit(&lps[0], 10_000_000).unwrap();
        let mut donated: i128 = 0;
        for op in ops {
            let _ = match op {
                Op::Deposit { who, amount, atom } => s.exec(
                    &traders[who as usize],
                    &ExecuteMsg::Deposit { account_id: ids[who as usize] },
                    &coins(amount.into(), if atom { ATOM } else { USDC }),
                ),
                Op::Withdraw { who, amount, atom } => s.exec(
                    &traders[who as usize],
                    &ExecuteMsg::Withdraw {
                        account_id: ids[who as usize],
                        denom: (if atom { ATOM } else { USDC }).into(),
                        amount: Uint128::new(amount.into()),
                        recipient: None,
                    },
                    &[],
                ),
                Op::Trade { who, pnl, fee_pool, fee_protocol, risk } => {
                    let r = if risk == 0 { AccountRisk::default() } else { linear_risk(risk.into(), 0, 0) };
                    let change = if pnl > 0 { RiskChange::Reduce } else { RiskChange::Increase };
                    s.trade(
                        &ma,
                        &traders[who as usize],
                        ids[who as usize],
                        cash(pnl.into(), fee_pool.into(), fee_protocol.into()),
                        r,
                        change,
                    )
                }
                Op::LpDeposit { who, amount } => s.lp_deposit(&lps[who as usize], amount.into()),
                Op::LpRequest { who, permille } => {
                    let held = shares(&s, &lps[who as usize]);
                    let want = held.multiply_ratio(u128::from(permille), 1000u128);
                    s.exec(&lps[who as usize], &ExecuteMsg::RequestLpWithdraw { shares: want }, &[])
                }
                Op::LpWithdraw { who } => {
                    s.advance(86_401);
                    s.feed("10");
                    s.exec(&lps[who as usize], &ExecuteMsg::LpWithdraw {}, &[])
                }
                Op::Donate { amount } => {
                    donated += i128::from(amount);
                    let vault = s.vault.to_string();
                    s.app.execute(
                        s.eve.clone(),
                        cosmwasm_std::BankMsg::Send { to_address: vault, amount: coins(amount.into(), USDC) }.into(),
                    )
                }
                Op::Wait => {
                    s.advance(86_401);
                    s.feed("10");
                    Ok(Default::default())
                }
            };
            for t in s.totals() {
                let expected = if t.denom == USDC { donated } else { 0 };
                prop_assert_eq!(t.surplus, Int128::new(expected), "{:?}", t);
            }
            // Σ settlement balances of the two accounts equals the ledger's account total
            let usdc = s.totals().into_iter().find(|t| t.denom == USDC).unwrap();
            let sum = s.account(ids[0]).settlement_balance + s.account(ids[1]).settlement_balance;
            prop_assert_eq!(sum, usdc.accounts);
        }
    }

    /// Without trading, an LP never gets back more than it put in, whatever the interleaving
    /// of deposits, requests, withdrawals and donations.
    #[test]
    fn lp_no_value_for_nothing(ops in proptest::collection::vec(op(), 1..25)) {
        let mut s = Suite::new();
        let lps = [s.eve.clone(), s.keeper.clone()];
        let mut paid_in = [0u128; 2];
        let start = [s.balance(&lps[0], USDC), s.balance(&lps[1], USDC)];
        let mut donated = [0u128; 2];
        for op in ops {
            match op {
                Op::LpDeposit { who, amount } => {
                    if s.lp_deposit(&lps[who as usize], amount.into()).is_ok() {
                        paid_in[who as usize] += u128::from(amount);
                    }
                }
                Op::LpRequest { who, permille } => {
                    let held = shares(&s, &lps[who as usize]);
                    let want = held.multiply_ratio(u128::from(permille), 1000u128);
                    let _ = s.exec(&lps[who as usize], &ExecuteMsg::RequestLpWithdraw { shares: want }, &[]);
                }
                Op::LpWithdraw { who } => {
                    s.advance(86_401);
                    let _ = s.exec(&lps[who as usize], &ExecuteMsg::LpWithdraw {}, &[]);
                }
                Op::Donate { amount } => {
                    // eve donates directly to the vault: never counted
                    let vault = s.vault.to_string();
                    if s.app.execute(
                        lps[0].clone(),
                        cosmwasm_std::BankMsg::Send { to_address: vault, amount: coins(amount.into(), USDC) }.into(),
                    ).is_ok() {
                        donated[0] += u128::from(amount);
                    }
                }
                Op::Wait | Op::Deposit { .. } | Op::Withdraw { .. } | Op::Trade { .. } => {
                    s.advance(86_401);
                }
            }
            for i in 0..2 {
                let now = s.balance(&lps[i], USDC);
                // what came back = now − (start − paid_in − donated) ≤ paid_in
                let back = now + paid_in[i] + donated[i] - start[i];
                prop_assert!(back <= paid_in[i], "lp {} got back {} of {}", i, back, paid_in[i]);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// A liquidation either is refused with a typed error or leaves the account with health
    /// not lower than before (infinite when everything was closed), pays the keeper no more
    /// than the penalty, and conserves every denom.
    #[test]
    fn liquidation_never_worsens_health(
        deposit in 200_000u64..2_000_000,
        size in 1_000_000i64..6_000_000,
        loss in 0u64..2_500_000,
        impact in 0u64..20_000,
    ) {
        use bulwark_types::market::ForceReduceResult;
        use bulwark_vault::ContractError;
        let mut s = Suite::new();
        let alice = s.alice.clone();
        let bob = s.bob.clone();
        let keeper = s.keeper.clone();
        let ma = s.market_a.clone();
        s.lp_deposit(&bob, 100_000_000).unwrap();
        let id = s.create_account(&alice);
        s.deposit(&alice, id, deposit.into(), USDC);
        let size = i128::from(size);
        if s.trade(&ma, &alice, id, cash(0, 0, 0), linear_risk(size, 0, 0), RiskChange::Increase).is_err() {
            return Ok(());
        }
        let loss = i128::from(loss);
        s.set_risk(&ma, id, linear_risk(size, -loss, 0));
        // the market honours the vault's fraction: 50 % while health ≥ 1/2, else 100 %
        let before = s.health(id);
        let f: i128 = if before.equity.i128() * 2 < before.maintenance_requirement.u128() as i128 { 1000 } else { 500 };
        let left = size * (1000 - f) / 1000;
        let realized = loss * f / 1000;
        s.set_force_reduce(&ma, ForceReduceResult {
            account_id: id,
            cash: cash(-realized - i128::from(impact), 0, 0),
            reduced_notional: Uint128::new((size - left) as u128),
            risk: if left == 0 { AccountRisk::default() } else { linear_risk(left, -(loss - realized), 0) },
        });
        let keeper_before = s.balance(&keeper, USDC);
        match s.exec(&keeper, &ExecuteMsg::Liquidate { account_id: id }, &[]) {
            Ok(_) => {
                prop_assert!(before.liquidatable);
                let after = s.health(id);
                if let (Some(hb), Some(ha)) = (before.health, after.health) {
                    prop_assert!(ha >= hb, "{} < {}", ha, hb);
                }
                let bonus = s.balance(&keeper, USDC) - keeper_before;
                prop_assert!(bonus as i128 <= (size - left) / 100);
            }
            Err(e) => {
                let e = e.downcast::<ContractError>().unwrap();
                // an honest market (reducing by the requested fraction, slippage well below a
                // quarter of maintenance) is never refused: only healthy accounts are
                prop_assert!(matches!(e, ContractError::NotLiquidatable { .. }), "{:?}", e);
                prop_assert!(!before.liquidatable);
            }
        }
        for t in s.totals() {
            prop_assert_eq!(t.surplus, Int128::zero(), "{:?}", t);
        }
    }
}
