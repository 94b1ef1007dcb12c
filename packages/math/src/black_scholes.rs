//! Generalized Black-Scholes-Merton (spot, rate r, continuous yield q, cost of carry b = r − q)
//! and Black-76 (forward, discount rate r): prices and greeks in one pass.
//!
//! Units (all per one unit of underlying):
//! * `time` T in years (use [`years_from_seconds`]; 365-day year), `vol` σ per √year (0.2 = 20 %),
//!   `rate`/`dividend_yield` continuously compounded per year (0.05 = 5 %).
//! * price, delta (∂V/∂S, or ∂V/∂F for Black-76), gamma (∂²V/∂S²),
//!   vega = ∂V/∂σ per 1.00 of vol (divide by 100 for "per vol point"),
//!   theta = ∂V/∂t per year of calendar time passing (= −∂V/∂T; divide by 365 for per day),
//!   rho = ∂V/∂r per 1.00 of rate. For BSM, rho holds q fixed; for Black-76 it holds F fixed
//!   (so rho = −T·V).
//!
//! Money amounts (spot, strike, price, greeks that carry money units) never enter the Q80 core:
//! they stay as 18-decimal atomics and are multiplied by dimensionless Q80 factors at the end,
//! so any `Decimal256` spot/strike is accepted and K/S may be arbitrarily extreme.
//!
//! Degenerate inputs are defined, not errors:
//! * T = 0: price = intrinsic value, delta = 1/0 (±0.5 exactly at the money), other greeks 0.
//! * σ·√T < 2^-40 (incl. σ = 0), spot = 0 or strike = 0: the deterministic limit
//!   (N(d1) = N(d2) = 1 if F > K, 0 if F < K, 1/2 if F = K; gamma = vega = 0).
//! * σ·√T ≥ 10,000 ("huge vol"): the limit call = S·e^{−qT}, put = K·e^{−rT}.
//! * prices are clamped to the no-arbitrage bounds
//!   call ∈ [max(0, S·e^{−qT} − K·e^{−rT}), S·e^{−qT}], put ∈ [max(0, K·e^{−rT} − S·e^{−qT}), K·e^{−rT}].
//!
//! Errors (`MathError::Overflow`) only outside the supported domain: T, σ, |r|, |q| ≥ 1.4e14,
//! −r·T or −q·T > 33 (discount factor > 2e14), σ/√T > ~1e14 with a non-zero density
//! (theta), or a result that does not fit the output type.

use cosmwasm_std::{Decimal256, Int256, SignedDecimal256, Uint256, Uint512};

use crate::error::MathError;
use crate::fixed::{self, FRAC, HALF, ONE};
use crate::func::{exp_q, ln_dec_q};
use crate::normal::{cdf_q, cdf_with_pdf, pdf_q};

/// Below this σ√T the option is priced as deterministic (zero-vol) — 2^-40 ≈ 9.1e-13.
const V_MIN: i128 = 1 << (FRAC - 40);
/// At or above this σ√T every density term is exactly 0 at Q80 resolution (|d1| ≥ 4,990).
const V_MAX: i128 = 10_000 * ONE;
/// |ln(F/K)/(σ√T)| is clamped here; N and n saturate long before (|d| ≥ 11).
const D_CLAMP: i128 = 64 * ONE;
const SECONDS_PER_YEAR: u64 = 31_536_000;
const ATOMICS: u128 = 1_000_000_000_000_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionKind {
    Call,
    Put,
}

/// Inputs of the generalized Black-Scholes-Merton model (spot underlying).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BsmInput {
    pub spot: Decimal256,
    pub strike: Decimal256,
    /// Time to expiry in years.
    pub time: Decimal256,
    /// Annualized volatility (1.0 = 100 %).
    pub vol: Decimal256,
    /// Risk-free (discount) rate r, continuously compounded.
    pub rate: SignedDecimal256,
    /// Continuous dividend / foreign-rate / carry yield q; cost of carry b = r − q.
    pub dividend_yield: SignedDecimal256,
}

/// Inputs of Black-76 (forward or futures underlying).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Black76Input {
    pub forward: Decimal256,
    pub strike: Decimal256,
    /// Time to expiry in years.
    pub time: Decimal256,
    /// Annualized volatility (1.0 = 100 %).
    pub vol: Decimal256,
    /// Discount rate r, continuously compounded.
    pub rate: SignedDecimal256,
}

/// Price and all greeks from one evaluation (see module docs for units).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PriceGreeks {
    pub price: Decimal256,
    pub delta: SignedDecimal256,
    pub gamma: Decimal256,
    pub vega: Decimal256,
    pub theta: SignedDecimal256,
    pub rho: SignedDecimal256,
}

/// T in years from seconds, 365-day year, rounded down to 18 decimals.
pub fn years_from_seconds(seconds: u64) -> Decimal256 {
    // seconds · 1e18 < 2^124: never overflows
    Decimal256::new(Uint256::from_u128(
        u128::from(seconds) * ATOMICS / u128::from(SECONDS_PER_YEAR),
    ))
}

/// Generalized BSM price and greeks.
pub fn bsm_price_greeks(kind: OptionKind, input: &BsmInput) -> Result<PriceGreeks, MathError> {
    let m = Market::bsm(input)?;
    m.evaluate(kind, input.vol, true)
}

/// Generalized BSM price only (skips the greek arithmetic).
pub fn bsm_price(kind: OptionKind, input: &BsmInput) -> Result<Decimal256, MathError> {
    let m = Market::bsm(input)?;
    Ok(m.evaluate(kind, input.vol, false)?.price)
}

/// Black-76 price and greeks (delta/gamma with respect to the forward).
pub fn black76_price_greeks(
    kind: OptionKind,
    input: &Black76Input,
) -> Result<PriceGreeks, MathError> {
    let m = Market::black76(input)?;
    m.evaluate(kind, input.vol, true)
}

/// Black-76 price only.
pub fn black76_price(kind: OptionKind, input: &Black76Input) -> Result<Decimal256, MathError> {
    let m = Market::black76(input)?;
    Ok(m.evaluate(kind, input.vol, false)?.price)
}

/// A relative spot move `S → S × factor` with its logarithm computed once, for repricing many
/// options under the same move (scenario grids).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpotShock {
    factor: Decimal256,
    /// The factor in Q80 (a multiplication is far cheaper in wasm than an 18-decimal one,
    /// which divides a 512-bit product by 10^18).
    factor_q: i128,
    /// ln(factor) in Q80; unused when the factor is 0.
    ln_factor: i128,
}

impl SpotShock {
    /// `factor` = 1 + relative move (0.9 = −10 %). A factor of 0 moves the spot to 0.
    pub fn new(factor: Decimal256) -> Result<Self, MathError> {
        let ln_factor = if factor.is_zero() {
            0
        } else {
            ln_dec_q(factor)?
        };
        Ok(Self {
            factor,
            factor_q: fixed::from_dec(factor)?,
            ln_factor,
        })
    }

    /// No move.
    pub fn none() -> Self {
        Self {
            factor: Decimal256::one(),
            factor_q: ONE,
            ln_factor: 0,
        }
    }
}

/// One option repriced under many (spot move, vol) scenarios. The work that depends on neither
/// (√T, both discount factors, ln(F/K)) is done once in [`BsmScenarioPricer::new`]; each
/// [`BsmScenarioPricer::price`] only evaluates d1, d2 and the two normal CDFs, about a third
/// of a full [`bsm_price`].
///
/// `price(kind, shock, vol)` equals `bsm_price` at spot S × factor (rounded to 18 decimals)
/// and `vol` up to the last digits (ln(S) + ln(factor) instead of ln(S × factor), the factor
/// carried in 80 bits): the property test bounds the difference by 1e-15 of the spot.
#[derive(Clone, Debug)]
pub struct BsmScenarioPricer {
    base: Market,
}

impl BsmScenarioPricer {
    /// The input's `vol` is not used: each price names its own.
    pub fn new(input: &BsmInput) -> Result<Self, MathError> {
        Ok(Self {
            base: Market::bsm(input)?,
        })
    }

    /// σ-dependent terms shared by every spot move at volatility `vol`.
    pub fn vol_point(&self, vol: Decimal256) -> Result<VolPoint, MathError> {
        let sigma = fixed::from_dec(vol).ok();
        let v = match sigma {
            Some(sg) => fixed::mul(sg, self.base.sqrt_t).unwrap_or(V_MAX).min(V_MAX),
            None => V_MAX,
        };
        // 1/v ≤ 2^40 for v ≥ V_MIN; below V_MIN the ratio is not used
        let inv_v = if v >= V_MIN {
            Some(fixed::div(ONE, v)?)
        } else {
            None
        };
        Ok(VolPoint { sigma, v, inv_v })
    }

    /// Price at spot × factor and the vol point's volatility.
    pub fn price_at(
        &self,
        kind: OptionKind,
        shock: &SpotShock,
        vol: &VolPoint,
    ) -> Result<Decimal256, MathError> {
        let m = self.moved(shock)?;
        if m.t == 0 {
            return Ok(m.at_expiry(kind).price);
        }
        let e = m.eval_v_inv(vol.v, vol.sigma, vol.inv_v)?;
        Ok(m.evaluate_with(kind, e, false)?.price)
    }

    /// Price at spot × factor and `vol` (one-off; use [`Self::vol_point`] and
    /// [`Self::price_at`] to share the vol terms across moves).
    pub fn price(
        &self,
        kind: OptionKind,
        shock: &SpotShock,
        vol: Decimal256,
    ) -> Result<Decimal256, MathError> {
        Ok(self.moved(shock)?.evaluate(kind, vol, false)?.price)
    }

    fn moved(&self, shock: &SpotShock) -> Result<Market, MathError> {
        let mut m = self.base.clone();
        if shock.factor != Decimal256::one() {
            // S × factor rounded to the nearest atomic (factor_q ≥ 0)
            m.s = fixed::scale(m.s, shock.factor_q)?.unsigned_abs();
            if m.s.is_zero() {
                m.x = -D_CLAMP;
                m.degenerate_x = true;
            } else if !m.degenerate_x {
                m.x = fixed::add(m.x, shock.ln_factor)?;
            }
        }
        Ok(m)
    }
}

/// The σ-dependent terms of one volatility for [`BsmScenarioPricer::price_at`]: σ√T and its
/// inverse, so each spot move costs a multiplication instead of a 256-bit division.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VolPoint {
    sigma: Option<i128>,
    v: i128,
    inv_v: Option<i128>,
}

/// Everything that does not depend on σ, precomputed once (the IV solver reuses it).
#[derive(Clone, Debug)]
pub(crate) struct Market {
    pub(crate) s: Uint256,
    pub(crate) k: Uint256,
    pub(crate) t: i128,
    pub(crate) sqrt_t: i128,
    r: i128,
    /// Yield applied to the underlying leg: q for BSM, r for Black-76.
    q: i128,
    /// e^{−qT} (BSM) / e^{−rT} (Black-76), Q80.
    pub(crate) df_s: i128,
    /// e^{−rT}, Q80.
    pub(crate) df_k: i128,
    /// ln(F/K) in Q80, or the sign of F − K as ±D_CLAMP when S or K is zero.
    pub(crate) x: i128,
    degenerate_x: bool,
    black76: bool,
}

/// σ-dependent part of an evaluation.
pub(crate) struct Eval {
    pub(crate) n1: i128,
    pub(crate) cdf1: i128,
    pub(crate) cdf2: i128,
    /// σ√T actually used (clamped to [0, V_MAX]).
    pub(crate) v: i128,
    /// σ in Q80 if representable (only needed for theta when n1 ≠ 0).
    sigma: Option<i128>,
}

impl Market {
    pub(crate) fn bsm(i: &BsmInput) -> Result<Self, MathError> {
        let r = fixed::from_sdec(i.rate)?;
        let q = fixed::from_sdec(i.dividend_yield)?;
        Self::new(i.spot, i.strike, i.time, r, q, false)
    }

    pub(crate) fn black76(i: &Black76Input) -> Result<Self, MathError> {
        let r = fixed::from_sdec(i.rate)?;
        Self::new(i.forward, i.strike, i.time, r, r, true)
    }

    fn new(
        s: Decimal256,
        k: Decimal256,
        time: Decimal256,
        r: i128,
        q: i128,
        black76: bool,
    ) -> Result<Self, MathError> {
        let t = fixed::from_dec(time).map_err(|_| MathError::OutOfDomain("time too large"))?;
        let sqrt_t = fixed::sqrt(t)?;
        let df_k = exp_q(-fixed::mul(r, t)?)?;
        let df_s = if black76 {
            df_k
        } else {
            exp_q(-fixed::mul(q, t)?)?
        };
        let (x, degenerate_x) = if s.is_zero() || k.is_zero() {
            // F/K is 0 or ∞ (both zero: worthless either way)
            (
                if k.is_zero() && !s.is_zero() {
                    D_CLAMP
                } else {
                    -D_CLAMP
                },
                true,
            )
        } else {
            let mut x = fixed::sub(ln_dec_q(s)?, ln_dec_q(k)?)?;
            if !black76 {
                x = fixed::add(x, fixed::mul(fixed::sub(r, q)?, t)?)?;
            }
            (x, false)
        };
        Ok(Market {
            s: s.atomics(),
            k: k.atomics(),
            t,
            sqrt_t,
            r,
            q,
            df_s,
            df_k,
            x,
            degenerate_x,
            black76,
        })
    }

    /// N(d1), N(d2), n(d1) for volatility σ (T > 0 assumed).
    pub(crate) fn eval_sigma(&self, vol: Decimal256) -> Result<Eval, MathError> {
        let sigma = fixed::from_dec(vol).ok();
        let v = match sigma {
            Some(sg) => fixed::mul(sg, self.sqrt_t).unwrap_or(V_MAX).min(V_MAX),
            None => V_MAX,
        };
        self.eval_v(v, sigma)
    }

    pub(crate) fn eval_v(&self, v: i128, sigma: Option<i128>) -> Result<Eval, MathError> {
        self.eval_v_inv(v, sigma, None)
    }

    /// As [`Market::eval_v`]; with `inv_v` = 1/v (Q80) given, x/v is a multiplication.
    fn eval_v_inv(
        &self,
        v: i128,
        sigma: Option<i128>,
        inv_v: Option<i128>,
    ) -> Result<Eval, MathError> {
        if v < V_MIN || self.degenerate_x {
            let c = match self.x.signum() {
                1 => ONE,
                -1 => 0,
                _ => HALF,
            };
            return Ok(Eval {
                n1: 0,
                cdf1: c,
                cdf2: c,
                v,
                sigma,
            });
        }
        let ratio = match inv_v {
            Some(inv) => fixed::mul(self.x, inv),
            None => fixed::div(self.x, v),
        }
        .unwrap_or(if self.x < 0 { -D_CLAMP } else { D_CLAMP })
        .clamp(-D_CLAMP, D_CLAMP);
        let d1 = fixed::add(ratio, v / 2)?;
        let d2 = fixed::sub(d1, v)?;
        let n1 = pdf_q(d1)?;
        let cdf1 = cdf_with_pdf(d1, n1)?;
        let cdf2 = cdf_q(d2)?;
        Ok(Eval {
            n1,
            cdf1,
            cdf2,
            v,
            sigma,
        })
    }

    /// Signed price in atomics before the no-arbitrage clamp, plus the two bound legs.
    pub(crate) fn raw_price(
        &self,
        kind: OptionKind,
        e: &Eval,
    ) -> Result<(Int256, Int256, Int256), MathError> {
        let ls = fixed::scale(self.s, self.df_s)?;
        let lk = fixed::scale(self.k, self.df_k)?;
        let p = match kind {
            OptionKind::Call => fixed::scale(self.s, fixed::mul(self.df_s, e.cdf1)?)?
                .checked_sub(fixed::scale(self.k, fixed::mul(self.df_k, e.cdf2)?)?),
            OptionKind::Put => fixed::scale(self.k, fixed::mul(self.df_k, ONE - e.cdf2)?)?
                .checked_sub(fixed::scale(self.s, fixed::mul(self.df_s, ONE - e.cdf1)?)?),
        }
        .map_err(|_| MathError::Overflow)?;
        Ok((p, ls, lk))
    }

    /// Price clamped into the no-arbitrage bounds.
    pub(crate) fn clamped_price(&self, kind: OptionKind, e: &Eval) -> Result<Uint256, MathError> {
        let (p, ls, lk) = self.raw_price(kind, e)?;
        let (lower, upper) = bounds(kind, ls, lk)?;
        Ok(p.clamp(lower, upper).unsigned_abs())
    }

    fn evaluate(
        &self,
        kind: OptionKind,
        vol: Decimal256,
        greeks: bool,
    ) -> Result<PriceGreeks, MathError> {
        if self.t == 0 {
            return Ok(self.at_expiry(kind));
        }
        let e = self.eval_sigma(vol)?;
        self.evaluate_with(kind, e, greeks)
    }

    fn evaluate_with(
        &self,
        kind: OptionKind,
        e: Eval,
        greeks: bool,
    ) -> Result<PriceGreeks, MathError> {
        let price = Decimal256::new(self.clamped_price(kind, &e)?);
        if !greeks {
            return Ok(PriceGreeks {
                price,
                delta: SignedDecimal256::zero(),
                gamma: Decimal256::zero(),
                vega: Decimal256::zero(),
                theta: SignedDecimal256::zero(),
                rho: SignedDecimal256::zero(),
            });
        }
        let call = kind == OptionKind::Call;
        // probabilities of the chosen side: N(±d1), N(±d2)
        let (p1, p2) = if call {
            (e.cdf1, e.cdf2)
        } else {
            (ONE - e.cdf1, ONE - e.cdf2)
        };
        let sign: i128 = if call { 1 } else { -1 };

        let delta = fixed::to_sdec(sign * fixed::mul(self.df_s, p1)?);

        let a_n1 = fixed::mul(self.df_s, e.n1)?;
        let (gamma, vega, decay) = if a_n1 == 0 {
            (Decimal256::zero(), Decimal256::zero(), 0)
        } else {
            let g = fixed::div(a_n1, e.v)?;
            let gamma = div_by_amount(g, self.s)?;
            let vega = nonneg(fixed::scale(self.s, fixed::mul(a_n1, self.sqrt_t)?)?)?;
            // S·e^{−qT}·n(d1)·σ/(2√T), as a factor of S
            let sg = e.sigma.ok_or(MathError::Overflow)?;
            let decay = fixed::div(fixed::mul(a_n1, sg)?, fixed::mul_int(self.sqrt_t, 2)?)?;
            (gamma, vega, decay)
        };

        // theta = S·(−decay ± q·A·N(±d1)) ∓ K·r·B·N(±d2)
        let fs = fixed::sub(
            sign * fixed::mul(self.q, fixed::mul(self.df_s, p1)?)?,
            decay,
        )?;
        let fk = -sign * fixed::mul(self.r, fixed::mul(self.df_k, p2)?)?;
        let theta = add_i(fixed::scale(self.s, fs)?, fixed::scale(self.k, fk)?)?;

        // BSM: ∂/∂r with q fixed = ±T·K·B·N(±d2); Black-76 additionally moves the
        // forward-leg discount: −T·V.
        let tk = fixed::mul(self.t, fixed::mul(self.df_k, p2)?)?;
        let mut rho = fixed::scale(self.k, sign * tk)?;
        if self.black76 {
            let ts = fixed::mul(self.t, fixed::mul(self.df_s, p1)?)?;
            rho = add_i(rho, fixed::scale(self.s, -sign * ts)?)?;
        }

        Ok(PriceGreeks {
            price,
            delta,
            gamma,
            vega,
            theta: SignedDecimal256::new(theta),
            rho: SignedDecimal256::new(rho),
        })
    }

    fn at_expiry(&self, kind: OptionKind) -> PriceGreeks {
        let (price, delta) = match kind {
            OptionKind::Call => (
                self.s.saturating_sub(self.k),
                match self.s.cmp(&self.k) {
                    core::cmp::Ordering::Greater => Int256::from_i128(ATOMICS as i128),
                    core::cmp::Ordering::Equal => Int256::from_i128(ATOMICS as i128 / 2),
                    core::cmp::Ordering::Less => Int256::zero(),
                },
            ),
            OptionKind::Put => (
                self.k.saturating_sub(self.s),
                match self.s.cmp(&self.k) {
                    core::cmp::Ordering::Less => Int256::from_i128(-(ATOMICS as i128)),
                    core::cmp::Ordering::Equal => Int256::from_i128(-(ATOMICS as i128) / 2),
                    core::cmp::Ordering::Greater => Int256::zero(),
                },
            ),
        };
        PriceGreeks {
            price: Decimal256::new(price),
            delta: SignedDecimal256::new(delta),
            gamma: Decimal256::zero(),
            vega: Decimal256::zero(),
            theta: SignedDecimal256::zero(),
            rho: SignedDecimal256::zero(),
        }
    }
}

/// No-arbitrage bounds (atomics) from the discounted legs S·e^{−qT}, K·e^{−rT}.
pub(crate) fn bounds(
    kind: OptionKind,
    ls: Int256,
    lk: Int256,
) -> Result<(Int256, Int256), MathError> {
    let (own, other) = match kind {
        OptionKind::Call => (ls, lk),
        OptionKind::Put => (lk, ls),
    };
    let lower = own
        .checked_sub(other)
        .map_err(|_| MathError::Overflow)?
        .max(Int256::zero());
    Ok((lower, own))
}

fn add_i(a: Int256, b: Int256) -> Result<Int256, MathError> {
    a.checked_add(b).map_err(|_| MathError::Overflow)
}

fn nonneg(a: Int256) -> Result<Decimal256, MathError> {
    Ok(Decimal256::new(a.max(Int256::zero()).unsigned_abs()))
}

/// Q80 factor g divided by a money amount (atomics) → 18-decimal result, rounded to nearest.
fn div_by_amount(g: i128, amount: Uint256) -> Result<Decimal256, MathError> {
    if amount.is_zero() || g <= 0 {
        return Ok(Decimal256::zero());
    }
    // g / (amount/1e18) in atomics = g·1e36 / (amount·2^80)
    let num = Uint256::from_u128(g.unsigned_abs()).full_mul(Uint256::from_u128(ATOMICS * ATOMICS));
    let den = Uint512::from(amount) << FRAC;
    let q = (num + (den >> 1)) / den;
    Ok(Decimal256::new(
        Uint256::try_from(q).map_err(|_| MathError::Overflow)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal256 {
        Decimal256::from_str(s).unwrap()
    }
    fn sd(s: &str) -> SignedDecimal256 {
        SignedDecimal256::from_str(s).unwrap()
    }
    fn round_to(x: Decimal256, places: u32) -> String {
        let f: f64 = x.to_string().parse().unwrap();
        format!("{:.*}", places as usize, f)
    }

    fn hull1() -> BsmInput {
        BsmInput {
            spot: d("42"),
            strike: d("40"),
            time: d("0.5"),
            vol: d("0.2"),
            rate: sd("0.1"),
            dividend_yield: sd("0"),
        }
    }

    #[test]
    fn hull_prices() {
        let c = bsm_price(OptionKind::Call, &hull1()).unwrap();
        let p = bsm_price(OptionKind::Put, &hull1()).unwrap();
        assert_eq!(round_to(c, 6), "4.759422");
        assert_eq!(round_to(p, 6), "0.808599");
    }

    #[test]
    fn hull_greeks() {
        let i = BsmInput {
            spot: d("49"),
            strike: d("50"),
            time: Decimal256::from_ratio(20u128, 52u128),
            vol: d("0.2"),
            rate: sd("0.05"),
            dividend_yield: sd("0"),
        };
        let g = bsm_price_greeks(OptionKind::Call, &i).unwrap();
        let f = |x: SignedDecimal256| -> f64 { x.to_string().parse().unwrap() };
        assert_eq!(format!("{:.6}", f(g.delta)), "0.521605");
        assert_eq!(round_to(g.gamma, 6), "0.065544");
        assert_eq!(round_to(g.vega, 5), "12.10548");
        // Hull: theta −4.31 per year, rho 8.91 per 1.00
        assert_eq!(format!("{:.2}", f(g.theta)), "-4.31");
        assert_eq!(format!("{:.2}", f(g.rho)), "8.91");
    }

    #[test]
    fn expiry_and_degenerate() {
        let mut i = hull1();
        i.time = Decimal256::zero();
        let g = bsm_price_greeks(OptionKind::Call, &i).unwrap();
        assert_eq!(g.price, d("2"));
        assert_eq!(g.delta, SignedDecimal256::one());
        let g = bsm_price_greeks(OptionKind::Put, &i).unwrap();
        assert_eq!(g.price, Decimal256::zero());
        assert_eq!(g.delta, SignedDecimal256::zero());

        // zero vol: discounted forward intrinsic
        let mut i = hull1();
        i.vol = Decimal256::zero();
        let g = bsm_price_greeks(OptionKind::Call, &i).unwrap();
        let want = 42.0 - 40.0 * (-0.05f64).exp();
        let got: f64 = g.price.to_string().parse().unwrap();
        assert!((got - want).abs() < 1e-12);
        assert_eq!(g.gamma, Decimal256::zero());
        assert_eq!(g.delta, SignedDecimal256::one());

        // huge vol: call → S e^{-qT}, put → K e^{-rT}
        let mut i = hull1();
        i.vol = d("1000000");
        let c = bsm_price(OptionKind::Call, &i).unwrap();
        assert_eq!(c, d("42"));
        let p = bsm_price(OptionKind::Put, &i).unwrap();
        let got: f64 = p.to_string().parse().unwrap();
        assert!((got - 40.0 * (-0.05f64).exp()).abs() < 1e-12);

        // zero spot / strike
        let mut i = hull1();
        i.spot = Decimal256::zero();
        assert_eq!(bsm_price(OptionKind::Call, &i).unwrap(), Decimal256::zero());
        let mut i = hull1();
        i.strike = Decimal256::zero();
        assert_eq!(bsm_price(OptionKind::Put, &i).unwrap(), Decimal256::zero());
        assert_eq!(bsm_price(OptionKind::Call, &i).unwrap(), d("42"));

        // extreme values never panic
        let i = BsmInput {
            spot: Decimal256::MAX,
            strike: Decimal256::new(Uint256::one()),
            time: Decimal256::MAX,
            vol: Decimal256::MAX,
            rate: SignedDecimal256::MIN,
            dividend_yield: SignedDecimal256::MAX,
        };
        let _ = bsm_price_greeks(OptionKind::Call, &i);
        let _ = bsm_price_greeks(OptionKind::Put, &i);
    }

    #[test]
    fn black76_matches_bsm_with_q_equal_r() {
        let b = Black76Input {
            forward: d("100"),
            strike: d("95"),
            time: d("0.75"),
            vol: d("0.35"),
            rate: sd("0.03"),
        };
        let s = BsmInput {
            spot: b.forward,
            strike: b.strike,
            time: b.time,
            vol: b.vol,
            rate: b.rate,
            dividend_yield: b.rate,
        };
        for kind in [OptionKind::Call, OptionKind::Put] {
            let x = black76_price_greeks(kind, &b).unwrap();
            let y = bsm_price_greeks(kind, &s).unwrap();
            assert_eq!(x.price, y.price);
            assert_eq!(x.delta, y.delta);
            assert_eq!(x.gamma, y.gamma);
            assert_eq!(x.vega, y.vega);
            assert_eq!(x.theta, y.theta);
            // rho differs by construction: −T·V
            let want = -0.75 * f64::from_str(&x.price.to_string()).unwrap();
            let got = f64::from_str(&x.rho.to_string()).unwrap();
            assert!((want - got).abs() < 1e-12, "{want} {got}");
        }
    }

    #[test]
    fn seconds_to_years() {
        assert_eq!(years_from_seconds(31_536_000), Decimal256::one());
        assert_eq!(years_from_seconds(0), Decimal256::zero());
        let _ = years_from_seconds(u64::MAX);
    }

    #[test]
    fn scenario_pricer_edges() {
        let i = hull1();
        let p = BsmScenarioPricer::new(&i).unwrap();
        // no move: bit-identical to bsm_price
        for kind in [OptionKind::Call, OptionKind::Put] {
            assert_eq!(
                p.price(kind, &SpotShock::none(), i.vol).unwrap(),
                bsm_price(kind, &i).unwrap()
            );
            assert_eq!(
                p.price(kind, &SpotShock::new(Decimal256::one()).unwrap(), d("0.5"))
                    .unwrap(),
                bsm_price(kind, &BsmInput { vol: d("0.5"), ..i }).unwrap()
            );
        }
        // spot moved to 0: call worthless, put = discounted strike
        let zero = SpotShock::new(Decimal256::zero()).unwrap();
        assert_eq!(
            p.price(OptionKind::Call, &zero, i.vol).unwrap(),
            Decimal256::zero()
        );
        let put = p.price(OptionKind::Put, &zero, i.vol).unwrap();
        let spot_zero = bsm_price(
            OptionKind::Put,
            &BsmInput {
                spot: Decimal256::zero(),
                ..i
            },
        );
        assert_eq!(put, spot_zero.unwrap());
        // at expiry: intrinsic value at the moved spot
        let t0 = BsmScenarioPricer::new(&BsmInput {
            time: Decimal256::zero(),
            ..i
        })
        .unwrap();
        let up = SpotShock::new(d("1.1")).unwrap();
        assert_eq!(t0.price(OptionKind::Call, &up, i.vol).unwrap(), d("6.2"));
        // zero strike stays degenerate under a move
        let k0 = BsmScenarioPricer::new(&BsmInput {
            strike: Decimal256::zero(),
            ..i
        })
        .unwrap();
        assert_eq!(k0.price(OptionKind::Call, &up, i.vol).unwrap(), d("46.2"));
    }

    proptest::proptest! {
        /// The scenario pricer agrees with a fresh evaluation at the moved spot to ~1e-15 of
        /// the spot (the only difference is how ln(F/K) is rounded).
        #[test]
        fn scenario_pricer_matches_bsm_price(
            spot in 1u64..1_000_000,
            strike_pct in 20u64..500,
            move_bp in 0u64..30_000,
            days in 0u64..1_000,
            vol_pct in 1u64..400,
            rate_bp in -500i64..2_000,
            put in proptest::bool::ANY,
        ) {
            let spot = Decimal256::from_ratio(spot, 100u64);
            let input = BsmInput {
                spot,
                strike: spot * Decimal256::from_ratio(strike_pct, 100u64),
                time: years_from_seconds(days * 86_400),
                vol: d("0.5"),
                rate: SignedDecimal256::from_str(&format!("{}", rate_bp as f64 / 10_000.0)).unwrap(),
                dividend_yield: SignedDecimal256::zero(),
            };
            let kind = if put { OptionKind::Put } else { OptionKind::Call };
            let factor = Decimal256::from_ratio(move_bp, 10_000u64);
            let vol = Decimal256::from_ratio(vol_pct, 100u64);
            let fast = BsmScenarioPricer::new(&input)
                .unwrap()
                .price(kind, &SpotShock::new(factor).unwrap(), vol)
                .unwrap();
            let pricer = BsmScenarioPricer::new(&input).unwrap();
            let shared = pricer
                .price_at(kind, &SpotShock::new(factor).unwrap(), &pricer.vol_point(vol).unwrap())
                .unwrap();
            let moved = BsmInput { spot: spot * factor, vol, ..input };
            let slow = bsm_price(kind, &moved).unwrap();
            let diff = fast.abs_diff(slow);
            let tol = (moved.spot.max(input.strike)) * Decimal256::from_ratio(1u64, 1_000_000_000_000_000u64)
                + Decimal256::from_ratio(1u64, 1_000_000_000_000_000_000u128);
            proptest::prop_assert!(diff <= tol, "fast {fast} slow {slow}");
            proptest::prop_assert!(shared.abs_diff(slow) <= tol, "shared {shared} slow {slow}");
        }
    }
}
