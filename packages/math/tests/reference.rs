//! Accuracy against the mpmath reference vectors (scripts/gen_reference.py).
//! Run `cargo test -p bulwark-math --release --test reference -- --nocapture` for the report.

use std::str::FromStr;
use std::time::Instant;

use bulwark_math::{
    black76_implied_vol, black76_price_greeks, bsm_implied_vol, bsm_price_greeks, exp, ln,
    norm_cdf, norm_pdf, Black76Input, BsmInput, OptionKind, PriceGreeks,
};
use cosmwasm_std::{Decimal256, SignedDecimal256};

const BSM: &str = include_str!("vectors/bsm.csv");
const FUNCS: &str = include_str!("vectors/funcs.csv");

fn f(s: &str) -> f64 {
    s.parse().unwrap()
}

#[derive(Default)]
struct Stat {
    name: &'static str,
    n: usize,
    max_abs: f64,
    sum_abs: f64,
    max_rel: f64,
    sum_rel: f64,
    n_rel: usize,
    max_ratio: f64,
    fails: usize,
}

impl Stat {
    fn new(name: &'static str) -> Self {
        Stat {
            name,
            ..Default::default()
        }
    }

    /// `ours`/`want` are exact 18-decimal strings; tol is the allowed absolute error.
    fn add(&mut self, ours: &str, want: &str, scale: f64, tol: f64, ctx: &str) {
        let err = abs_diff(ours, want);
        let wv = f(want).abs();
        self.n += 1;
        self.max_abs = self.max_abs.max(err / scale);
        self.sum_abs += err / scale;
        if wv >= 1e-6 {
            let rel = err / wv;
            self.max_rel = self.max_rel.max(rel);
            self.sum_rel += rel;
            self.n_rel += 1;
        }
        let ratio = err / tol;
        self.max_ratio = self.max_ratio.max(ratio);
        if err > tol {
            self.fails += 1;
            if self.fails <= 5 {
                eprintln!(
                    "{} FAIL {ctx}: ours {ours} want {want} err {err:e} tol {tol:e}",
                    self.name
                );
            }
        }
    }

    fn print(&self) {
        println!(
            "{:<6} n={:<6} max|err|/S={:<9.2e} mean|err|/S={:<9.2e} max rel={:<9.2e} mean rel={:<9.2e} (rel over n={} with |ref|>=1e-6) max err/tol={:.2e}",
            self.name,
            self.n,
            self.max_abs,
            self.sum_abs / self.n.max(1) as f64,
            self.max_rel,
            self.sum_rel / self.n_rel.max(1) as f64,
            self.n_rel,
            self.max_ratio
        );
    }
}

/// Exact |a − b| of two 18-decimal strings (Decimal256 when both are non-negative, so
/// values up to 1.1e59 work).
fn abs_diff(a: &str, b: &str) -> f64 {
    let diff = if a.starts_with('-') || b.starts_with('-') {
        sd(a).abs_diff(sd(b))
    } else {
        let (x, y) = (d(a), d(b));
        if x > y {
            x - y
        } else {
            y - x
        }
    };
    f(&diff.to_string())
}

struct Row<'a> {
    black76: bool,
    kind: OptionKind,
    s: &'a str,
    k: &'a str,
    t: &'a str,
    vol: &'a str,
    r: &'a str,
    q: &'a str,
    want: [&'a str; 6],
}

fn rows() -> Vec<Row<'static>> {
    BSM.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            assert_eq!(c.len(), 14, "{l}");
            Row {
                black76: c[0] == "F",
                kind: if c[1] == "C" {
                    OptionKind::Call
                } else {
                    OptionKind::Put
                },
                s: c[2],
                k: c[3],
                t: c[4],
                vol: c[5],
                r: c[6],
                q: c[7],
                want: [c[8], c[9], c[10], c[11], c[12], c[13]],
            }
        })
        .collect()
}

fn d(s: &str) -> Decimal256 {
    Decimal256::from_str(s).unwrap()
}
fn sd(s: &str) -> SignedDecimal256 {
    SignedDecimal256::from_str(s).unwrap()
}

fn eval(row: &Row) -> PriceGreeks {
    if row.black76 {
        let i = Black76Input {
            forward: d(row.s),
            strike: d(row.k),
            time: d(row.t),
            vol: d(row.vol),
            rate: sd(row.r),
        };
        black76_price_greeks(row.kind, &i).unwrap()
    } else {
        let i = BsmInput {
            spot: d(row.s),
            strike: d(row.k),
            time: d(row.t),
            vol: d(row.vol),
            rate: sd(row.r),
            dividend_yield: sd(row.q),
        };
        bsm_price_greeks(row.kind, &i).unwrap()
    }
}

#[test]
fn prices_and_greeks_match_mpmath() {
    let rows = rows();
    assert!(rows.len() >= 10_000);
    let names = ["price", "delta", "gamma", "vega", "theta", "rho"];
    let mut stats: Vec<Stat> = names.iter().map(|n| Stat::new(n)).collect();
    let start = Instant::now();
    let results: Vec<PriceGreeks> = rows.iter().map(eval).collect();
    let elapsed = start.elapsed();
    for (row, g) in rows.iter().zip(&results) {
        let s = f(row.s);
        let ours = [
            g.price.to_string(),
            g.delta.to_string(),
            g.gamma.to_string(),
            g.vega.to_string(),
            g.theta.to_string(),
            g.rho.to_string(),
        ];
        let ctx = format!(
            "{} {:?} S={} K={} T={} vol={} r={} q={}",
            if row.black76 { "B76" } else { "BSM" },
            row.kind,
            row.s,
            row.k,
            row.t,
            row.vol,
            row.r,
            row.q
        );
        for (i, st) in stats.iter_mut().enumerate() {
            // prices: 1e-12·S absolute; greeks: 1e-10 relative or 1e-12·S absolute
            let tol = if i == 0 {
                1e-12 * s
            } else {
                (1e-10 * f(row.want[i]).abs()).max(1e-12 * s)
            };
            st.add(&ours[i], row.want[i], s, tol, &ctx);
        }
    }
    println!(
        "{} points, {:.1} us per price+greeks evaluation ({} build)",
        rows.len(),
        elapsed.as_secs_f64() * 1e6 / rows.len() as f64,
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    for st in &stats {
        st.print();
    }
    for st in &stats {
        assert_eq!(st.fails, 0, "{} exceeded its bound", st.name);
    }
}

#[test]
fn implied_vol_recovers_grid() {
    let rows = rows();
    let mut checked = 0usize;
    let mut max_err = 0f64;
    let mut sum_err = 0f64;
    let start = Instant::now();
    for row in &rows {
        let g = eval(row);
        // vol is only identifiable to ~1e-18/vega from an 18-decimal price
        if f(&g.vega.to_string()) < 1e-8 {
            continue;
        }
        let vol = d(row.vol);
        let iv = if row.black76 {
            let i = Black76Input {
                forward: d(row.s),
                strike: d(row.k),
                time: d(row.t),
                vol: Decimal256::zero(),
                rate: sd(row.r),
            };
            black76_implied_vol(row.kind, &i, g.price)
        } else {
            let i = BsmInput {
                spot: d(row.s),
                strike: d(row.k),
                time: d(row.t),
                vol: Decimal256::zero(),
                rate: sd(row.r),
                dividend_yield: sd(row.q),
            };
            bsm_implied_vol(row.kind, &i, g.price)
        }
        .unwrap_or_else(|e| panic!("IV failed for {} {}: {e}", row.s, row.k));
        let err = f(&iv.abs_diff(vol).to_string());
        assert!(
            err <= 1e-9,
            "IV {iv} vs {vol} (S={} K={} T={})",
            row.s,
            row.k,
            row.t
        );
        max_err = max_err.max(err);
        sum_err += err;
        checked += 1;
    }
    println!(
        "implied vol: {checked} points with vega >= 1e-8, max |err| {max_err:.2e}, mean {:.2e}, {:.1} us per solve",
        sum_err / checked.max(1) as f64,
        start.elapsed().as_secs_f64() * 1e6 / checked.max(1) as f64
    );
    assert!(checked > 3_000);
}

#[test]
fn elementary_functions_match_mpmath() {
    let mut stats = [
        Stat::new("exp"),
        Stat::new("ln"),
        Stat::new("cdf"),
        Stat::new("pdf"),
    ];
    for l in FUNCS.lines().skip(1).filter(|l| !l.is_empty()) {
        let c: Vec<&str> = l.split(',').collect();
        let (ours, idx) = match c[0] {
            "exp" => (exp(sd(c[1])).unwrap().to_string(), 0),
            "ln" => (ln(d(c[1])).unwrap().to_string(), 1),
            "cdf" => (norm_cdf(sd(c[1])).unwrap().to_string(), 2),
            "pdf" => (norm_pdf(sd(c[1])).unwrap().to_string(), 3),
            other => panic!("unknown fn {other}"),
        };
        // exp: 1e-20 relative (its range reaches 1e58); others: 1 ulp of 18 decimals
        let tol = if idx == 0 {
            (1e-20 * f(c[2])).max(1e-18)
        } else {
            1e-18
        };
        stats[idx].add(&ours, c[2], 1.0, tol * 1.000001, l);
    }
    for st in &stats {
        st.print();
    }
    for st in &stats {
        assert_eq!(st.fails, 0, "{} exceeded its bound", st.name);
    }
}
