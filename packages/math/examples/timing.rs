//! Native timing of one evaluation (a measurement, not a test). Run in release:
//! `cargo run -p bulwark-math --release --example timing`.

use std::hint::black_box;
use std::str::FromStr;
use std::time::Instant;

use bulwark_math::{bsm_implied_vol, bsm_price, bsm_price_greeks, BsmInput, OptionKind};
use cosmwasm_std::{Decimal256, SignedDecimal256};

fn main() {
    let d = |s: &str| Decimal256::from_str(s).unwrap();
    let inputs: Vec<BsmInput> = (0..64u32)
        .map(|i| BsmInput {
            spot: d("30000"),
            strike: Decimal256::from_ratio(20_000u128 + 300 * u128::from(i), 1u128),
            time: Decimal256::from_ratio(1u128 + u128::from(i), 52u128),
            vol: Decimal256::from_ratio(30u128 + u128::from(i), 100u128),
            rate: SignedDecimal256::from_str("0.05").unwrap(),
            dividend_yield: SignedDecimal256::from_str("0.01").unwrap(),
        })
        .collect();
    let rounds = if cfg!(debug_assertions) { 4 } else { 200 };
    let n = (inputs.len() * rounds) as f64;

    let t = Instant::now();
    for _ in 0..rounds {
        for i in &inputs {
            black_box(bsm_price_greeks(OptionKind::Call, black_box(i)).unwrap());
        }
    }
    let greeks_ns = t.elapsed().as_nanos() as f64 / n;

    let t = Instant::now();
    for _ in 0..rounds {
        for i in &inputs {
            black_box(bsm_price(OptionKind::Put, black_box(i)).unwrap());
        }
    }
    let price_ns = t.elapsed().as_nanos() as f64 / n;

    let prices: Vec<Decimal256> = inputs
        .iter()
        .map(|i| bsm_price(OptionKind::Call, i).unwrap())
        .collect();
    let t = Instant::now();
    for _ in 0..rounds / 4 + 1 {
        for (i, p) in inputs.iter().zip(&prices) {
            black_box(bsm_implied_vol(OptionKind::Call, black_box(i), *p).unwrap());
        }
    }
    let iv_ns = t.elapsed().as_nanos() as f64 / (inputs.len() * (rounds / 4 + 1)) as f64;

    println!(
        "native ({}): price+greeks {:.0} ns, price only {:.0} ns, implied vol {:.0} ns",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        greeks_ns,
        price_ns,
        iv_ns
    );
}
