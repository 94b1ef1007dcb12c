//! Property tests over random operation sequences in multi-test: per-denom conservation of the
//! ledger against the bank balance, backed value (every claim but the pool's and the insurance
//! fund's is backed by coins, the accounts' debt by pool + insurance), bad debt counted once,
//! and no value for nothing in the LP pool.

mod common;

use common::*;
use cosmwasm_std::{coins, Int128, Uint128};
use cw_multi_test::Executor;
use proptest::prelude::*;

use bulwark_types::market::{AccountRisk, ForceReduceResult, RiskChange};
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
    /// The account's positions lose `loss` unrealized; a keeper liquidates (full close).
    Crash {
        who: u8,
        loss: u64,
    },
    /// The trader closes everything on `market_a` at `pnl` (a loss beyond its equity leaves a
    /// debt; a profit is paid by the pool).
    Close {
        who: u8,
        pnl: i64,
    },
    /// A keeper calls `Liquidate` again, whatever the account's state.
    Liquidate {
        who: u8,
    },
    Insurance {
        amount: u32,
    },
    /// The market settles the account's positions on `market_a` at `pnl` on its own initiative
    /// (expiry, ADL): never refused for backing, so it may leave a shortfall.
    Expire {
        who: u8,
        pnl: i64,
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
        (0u8..2, 1u64..80_000_000).prop_map(|(who, loss)| Op::Crash { who, loss }),
        (0u8..2, -20_000_000i64..20_000_000).prop_map(|(who, pnl)| Op::Close { who, pnl }),
        (0u8..2).prop_map(|who| Op::Liquidate { who }),
        (1u32..5_000_000).prop_map(|amount| Op::Insurance { amount }),
        (0u8..2, -20_000_000i64..20_000_000).prop_map(|(who, pnl)| Op::Expire { who, pnl }),
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
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Whatever succeeds or fails, every denom's ledger equals the vault's balance minus the
    /// donations, and the pool ledger never goes below what it must hold.
    #[test]
    fn conservation_over_random_sequences(ops in proptest::collection::vec(op(), 1..25)) {
        let mut s = Suite::new();
        let traders = [s.alice.clone(), s.bob.clone()];
        let lps = [s.eve.clone(), s.keeper.clone()];
        let ids = [s.create_account(&traders[0]), s.create_account(&traders[1])];
        let ma = s.market_a.clone();
        let keeper = s.owner.clone();
        s.lp_deposit(&lps[0], 10_000_000).unwrap();
        let mut donated: i128 = 0;
        let usdc_totals = |s: &Suite| s.totals().into_iter().find(|t| t.denom == USDC).unwrap();
        for op in ops {
            let pre = usdc_totals(&s);
            let pre_shortfall = s.pool().account_debt.u128()
                .saturating_sub(pre.pool.u128() + pre.insurance.u128());
            let kind = op.clone();
            let res = match op {
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
                    s.exec(&lps[who as usize], &ExecuteMsg::LpWithdraw { min_amount: None }, &[])
                }
                Op::Donate { amount } => {
                    donated += i128::from(amount);
                    let vault = s.vault.to_string();
                    s.app.execute(
                        s.eve.clone(),
                        cosmwasm_std::BankMsg::Send { to_address: vault, amount: coins(amount.into(), USDC) }.into(),
                    )
                }
                Op::Crash { who, loss } => {
                    let id = ids[who as usize];
                    let loss = i128::from(loss);
                    if !s.account(id).markets.is_empty() {
                        s.set_risk(&ma, id, linear_risk(1_000_000, -loss, 0));
                        s.set_force_reduce(&ma, ForceReduceResult {
                            account_id: id,
                            cash: cash(-loss, 0, 0),
                            reduced_notional: Uint128::new(loss as u128),
                            risk: AccountRisk::default(),
                        });
                    }
                    s.exec(&keeper, &ExecuteMsg::Liquidate { account_id: id }, &[])
                }
                Op::Close { who, pnl } => s.trade(
                    &ma,
                    &traders[who as usize],
                    ids[who as usize],
                    cash(pnl.into(), 0, 0),
                    AccountRisk::default(),
                    RiskChange::Reduce,
                ),
                Op::Liquidate { who } => {
                    s.exec(&keeper, &ExecuteMsg::Liquidate { account_id: ids[who as usize] }, &[])
                }
                Op::Insurance { amount } => s.exec(
                    &keeper,
                    &ExecuteMsg::DepositInsurance {},
                    &coins(amount.into(), USDC),
                ),
                Op::Expire { who, pnl } => s.settle_via(
                    &ma,
                    None,
                    ids[who as usize],
                    cash(pnl.into(), 0, 0),
                    AccountRisk::default(),
                    RiskChange::Reduce,
                ),
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
            // backed value: positive balances and fees are backed by coins (the donations
            // aside), i.e. the accounts' debt never exceeds what pool + insurance hold
            let (mut positive, mut debt) = (0u128, 0u128);
            for id in ids {
                let b = s.account(id).settlement_balance.i128();
                if b >= 0 { positive += b as u128 } else { debt += b.unsigned_abs() }
            }
            let coins_held = usdc.balance.u128() - donated as u128;
            // the claims no coin backs are exactly the shortfall of pool + insurance
            let shortfall = debt.saturating_sub(usdc.pool.u128() + usdc.insurance.u128());
            prop_assert_eq!(
                (positive + usdc.fees.u128()).saturating_sub(coins_held),
                shortfall,
                "{:?}", usdc
            );
            // only a flow nobody may refuse (expiry, ADL) leaves a shortfall; trades a trader
            // asks for, liquidations of losses and coin outflows never grow it
            if !matches!(kind, Op::Expire { .. }) {
                prop_assert!(shortfall <= pre_shortfall, "{:?} grew the shortfall: {:?}", kind, usdc);
            }
            // no settlement coin leaves while a shortfall beyond the protocol fees exists
            let usdc_out = matches!(kind, Op::Withdraw { atom: false, .. } | Op::LpWithdraw { .. });
            if usdc_out && res.is_ok() && usdc.balance < pre.balance {
                prop_assert!(pre_shortfall <= pre.fees.u128(), "{:?} paid out unbacked coins: {:?}", kind, pre);
            }
            let p = s.pool();
            prop_assert_eq!(p.account_debt.u128(), debt);
            // uncovered bad debt is a part of what the accounts still owe, counted once
            prop_assert!(p.bad_debt_uncovered.u128() <= debt, "{:?}", p);
            prop_assert!(p.redeem_nav <= p.nav, "{:?}", p);
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
                    let _ = s.exec(&lps[who as usize], &ExecuteMsg::LpWithdraw { min_amount: None }, &[]);
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
                Op::Wait
                | Op::Deposit { .. }
                | Op::Withdraw { .. }
                | Op::Trade { .. }
                | Op::Crash { .. }
                | Op::Close { .. }
                | Op::Liquidate { .. }
                | Op::Insurance { .. }
                | Op::Expire { .. } => {
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
        // backed value: the account's debt is covered by pool + insurance, nobody else
        let usdc = s.totals().into_iter().find(|t| t.denom == USDC).unwrap();
        let b = s.account(id).settlement_balance.i128();
        let debt = if b < 0 { b.unsigned_abs() } else { 0 };
        prop_assert!(debt <= usdc.pool.u128() + usdc.insurance.u128(), "{:?}", usdc);
        prop_assert_eq!(s.pool().account_debt.u128(), debt);
        // a second call never records the same bad debt again
        let uncovered = s.pool().bad_debt_uncovered;
        let _ = s.exec(&keeper, &ExecuteMsg::Liquidate { account_id: id }, &[]);
        prop_assert_eq!(s.pool().bad_debt_uncovered, uncovered);
    }
}
