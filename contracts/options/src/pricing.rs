//! Pure pricing: model values, quotes with spread, fees, payoffs and conversions to
//! settlement-denom base units. No storage, no queries.
//!
//! Units: `spot`, `strike`, unit prices are quote units per unit of underlying; cash amounts
//! are settlement base units = unit price × contracts × multiplier.

use cosmwasm_std::{Decimal256, Int128, Int256, SignedDecimal256, Uint128, Uint256};

use bulwark_math::rounding::{mul_ceil, mul_floor};
use bulwark_math::{bsm_price, bsm_price_greeks, years_from_seconds, BsmInput, OptionKind};
use bulwark_types::options::{ConfigParams, Greeks, OptionType};

use crate::error::ContractError;
use crate::surface;

pub fn kind_of(t: OptionType) -> OptionKind {
    match t {
        OptionType::Call => OptionKind::Call,
        OptionType::Put => OptionKind::Put,
    }
}

pub fn sd(d: Decimal256) -> Result<SignedDecimal256, ContractError> {
    SignedDecimal256::try_from(d).map_err(|_| ContractError::PositionTooLarge)
}

pub fn sd_int(x: i128) -> Result<SignedDecimal256, ContractError> {
    SignedDecimal256::checked_from_ratio(Int256::from(x), Int256::one())
        .map_err(|_| ContractError::PositionTooLarge)
}

pub fn zero_greeks() -> Greeks {
    Greeks {
        delta: SignedDecimal256::zero(),
        gamma: SignedDecimal256::zero(),
        vega: SignedDecimal256::zero(),
        theta: SignedDecimal256::zero(),
    }
}

/// Model inputs of one series at one moment.
#[derive(Clone, Copy, Debug)]
pub struct ModelInput {
    pub kind: OptionType,
    pub spot: Decimal256,
    pub strike: Decimal256,
    pub secs_to_expiry: u64,
    pub vol: Decimal256,
    pub rate: SignedDecimal256,
    /// The board's cap price: a call pays `(min(S, cap) − K)⁺ = (S − K)⁺ − (S − cap)⁺`, so it
    /// is valued as the call spread C(K) − C(cap). Puts (strikes below the cap) are plain.
    pub cap: Decimal256,
}

impl ModelInput {
    fn bsm(&self, strike: Decimal256, vol: Decimal256) -> BsmInput {
        BsmInput {
            spot: self.spot,
            strike,
            time: years_from_seconds(self.secs_to_expiry),
            vol,
            rate: self.rate,
            dividend_yield: SignedDecimal256::zero(),
        }
    }
}

/// Mid price (per unit) and greeks (per unit) at the input's vol (capped calls as call
/// spreads).
pub fn mid(input: &ModelInput) -> Result<(Decimal256, Greeks), ContractError> {
    let pg = bsm_price_greeks(kind_of(input.kind), &input.bsm(input.strike, input.vol))?;
    let mut price = pg.price;
    let mut greeks = Greeks {
        delta: pg.delta,
        gamma: sd(pg.gamma)?,
        vega: sd(pg.vega)?,
        theta: pg.theta,
    };
    if input.kind == OptionType::Call {
        let c = bsm_price_greeks(OptionKind::Call, &input.bsm(input.cap, input.vol))?;
        // C(K) ≥ C(cap) for K < cap; saturate against rounding in the last digit.
        price = price.saturating_sub(c.price);
        greeks = Greeks {
            delta: greeks.delta.checked_sub(c.delta)?,
            gamma: greeks.gamma.checked_sub(sd(c.gamma)?)?,
            vega: greeks.vega.checked_sub(sd(c.vega)?)?,
            theta: greeks.theta.checked_sub(c.theta)?,
        };
    }
    Ok((price, greeks))
}

/// Value per unit at `vol` (capped calls as call spreads).
fn value_at(input: &ModelInput, vol: Decimal256) -> Result<Decimal256, ContractError> {
    let v = bsm_price(kind_of(input.kind), &input.bsm(input.strike, vol))?;
    if input.kind == OptionType::Call {
        let c = bsm_price(OptionKind::Call, &input.bsm(input.cap, vol))?;
        return Ok(v.saturating_sub(c));
    }
    Ok(v)
}

/// Mid price only.
pub fn mid_price(input: &ModelInput) -> Result<Decimal256, ContractError> {
    value_at(input, input.vol)
}

/// One side's price per unit, with V(σ) the value at vol σ:
/// ask = V(σ) + |V(σ·(1 + vol_spread)) − V(σ)| + spot × spot_spread,
/// bid = max(0, V(σ) − |V(σ) − V(σ·(1 − vol_spread))| − spot × spot_spread).
/// For a plain option (vega ≥ 0) that is exactly pricing at the bumped vol; the absolute
/// values keep ask ≥ mid ≥ bid for capped calls, whose vega can be negative.
/// Returns (price, bumped vol).
pub fn side_price(
    input: &ModelInput,
    params: &ConfigParams,
    is_buy: bool,
) -> Result<(Decimal256, Decimal256), ContractError> {
    let one = Decimal256::one();
    let vol = if is_buy {
        input.vol.checked_mul(one.checked_add(params.vol_spread)?)?
    } else {
        input.vol.checked_mul(one.checked_sub(params.vol_spread)?)?
    };
    let mid = value_at(input, input.vol)?;
    let bump = value_at(input, vol)?.abs_diff(mid);
    let spot_part = input.spot.checked_mul(params.spot_spread)?;
    let price = if is_buy {
        mid.checked_add(bump)?.checked_add(spot_part)?
    } else {
        mid.saturating_sub(bump).saturating_sub(spot_part)
    };
    Ok((price, vol))
}

/// `unit × contracts × multiplier`, rounded down (what the protocol pays).
pub fn cash_floor(
    unit: Decimal256,
    contracts: Uint128,
    multiplier: Uint128,
) -> Result<Uint128, ContractError> {
    let n = Uint256::from(contracts).checked_mul(Uint256::from(multiplier))?;
    let v = mul_floor(n, unit)?;
    Uint128::try_from(v).map_err(|_| ContractError::PositionTooLarge)
}

/// `unit × contracts × multiplier`, rounded up (what the protocol charges).
pub fn cash_ceil(
    unit: Decimal256,
    contracts: Uint128,
    multiplier: Uint128,
) -> Result<Uint128, ContractError> {
    let n = Uint256::from(contracts).checked_mul(Uint256::from(multiplier))?;
    let v = mul_ceil(n, unit)?;
    Uint128::try_from(v).map_err(|_| ContractError::PositionTooLarge)
}

/// Value of `net` contracts at `unit` per unit, in base units, conservative for the account:
/// a long is worth the floor, a short owes the ceiling.
pub fn signed_cash(
    unit: Decimal256,
    net: i128,
    multiplier: Uint128,
) -> Result<Int128, ContractError> {
    let abs = Uint128::new(net.unsigned_abs());
    if net >= 0 {
        to_int128(cash_floor(unit, abs, multiplier)?, false)
    } else {
        to_int128(cash_ceil(unit, abs, multiplier)?, true)
    }
}

pub fn to_int128(v: Uint128, negative: bool) -> Result<Int128, ContractError> {
    let i = i128::try_from(v.u128()).map_err(|_| ContractError::PositionTooLarge)?;
    Ok(Int128::new(if negative { -i } else { i }))
}

/// Trading fee: spot_fee_rate × spot per contract-unit, plus premium_fee_rate × premium,
/// each rounded up.
pub fn trade_fee(
    spot: Decimal256,
    amount: Uint128,
    multiplier: Uint128,
    premium: Uint128,
    params: &ConfigParams,
) -> Result<Uint128, ContractError> {
    let spot_fee = cash_ceil(spot.checked_mul(params.spot_fee_rate)?, amount, multiplier)?;
    let premium_fee = mul_ceil(premium, params.premium_fee_rate)?;
    Ok(spot_fee.checked_add(premium_fee)?)
}

/// (to pool, to protocol): the protocol share rounded down, the pool gets the rest.
pub fn split_fee(
    fee: Uint128,
    protocol_share: Decimal256,
) -> Result<(Uint128, Uint128), ContractError> {
    let protocol = mul_floor(fee, protocol_share)?;
    Ok((fee.checked_sub(protocol)?, protocol))
}

/// Payoff per unit at a settlement price (already capped).
pub fn payoff_unit(kind: OptionType, strike: Decimal256, settlement: Decimal256) -> Decimal256 {
    match kind {
        OptionType::Call => settlement.saturating_sub(strike),
        OptionType::Put => strike.saturating_sub(settlement),
    }
}

/// Largest payoff per unit: a call pays at most `cap − strike` (settlement prices are capped
/// at `cap`), a put at most `strike`.
pub fn max_payoff_unit(kind: OptionType, strike: Decimal256, cap: Decimal256) -> Decimal256 {
    match kind {
        OptionType::Call => cap.saturating_sub(strike),
        OptionType::Put => strike,
    }
}

/// A priced trade (no state change).
#[derive(Clone, Debug, PartialEq)]
pub struct TradeQuote {
    pub vol_before: Decimal256,
    pub greeks_before: Greeks,
    pub new_base_iv: Decimal256,
    pub new_skew: Decimal256,
    /// Mid vol after the trade's impact, and the greeks per unit there.
    pub vol_after: Decimal256,
    pub greeks_after: Greeks,
    /// Vol of the side the trade is priced at (after impact, with spread).
    pub trade_vol: Decimal256,
    pub unit_price: Decimal256,
    /// Buy: rounded up; sell: rounded down.
    pub premium: Uint128,
    pub fee: Uint128,
}

#[derive(Clone, Copy, Debug)]
pub struct TradeInput {
    pub kind: OptionType,
    pub spot: Decimal256,
    pub strike: Decimal256,
    /// The board's cap price.
    pub cap: Decimal256,
    pub secs_to_expiry: u64,
    pub base_iv: Decimal256,
    pub skew: Decimal256,
    pub amount: Uint128,
    pub multiplier: Uint128,
    pub is_buy: bool,
}

/// Prices a trade: greeks at the current surface → vega-normalised size → surface after the
/// trade's impact (clamped) → the trade is priced on its side of the spread at the new vol.
pub fn quote_trade(t: &TradeInput, params: &ConfigParams) -> Result<TradeQuote, ContractError> {
    let vol_before = surface::series_vol(t.base_iv, t.skew)?;
    let mut input = ModelInput {
        kind: t.kind,
        spot: t.spot,
        strike: t.strike,
        secs_to_expiry: t.secs_to_expiry,
        vol: vol_before,
        rate: params.rate,
        cap: t.cap,
    };
    let (_, greeks_before) = mid(&input)?;
    // |vega|: a capped call's vega can be negative; its size still moves the surface.
    let vega = greeks_before.vega.abs_diff(SignedDecimal256::zero());
    let size = surface::vega_normalised(t.amount, vega, t.spot, t.secs_to_expiry)?;
    let (new_base_iv, new_skew) = surface::apply_impact(t.base_iv, t.skew, size, t.is_buy, params)?;
    let vol_after = surface::series_vol(new_base_iv, new_skew)?;
    input.vol = vol_after;
    let (_, greeks_after) = mid(&input)?;
    let (unit_price, trade_vol) = side_price(&input, params, t.is_buy)?;
    let premium = if t.is_buy {
        cash_ceil(unit_price, t.amount, t.multiplier)?
    } else {
        cash_floor(unit_price, t.amount, t.multiplier)?
    };
    let fee = trade_fee(t.spot, t.amount, t.multiplier, premium, params)?;
    Ok(TradeQuote {
        vol_before,
        greeks_before,
        new_base_iv,
        new_skew,
        vol_after,
        greeks_after,
        trade_vol,
        unit_price,
        premium,
        fee,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::default_params;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal256 {
        Decimal256::from_str(s).unwrap()
    }

    fn input(kind: OptionType, strike: &str, is_buy: bool, amount: u128) -> TradeInput {
        TradeInput {
            kind,
            spot: d("100"),
            strike: d(strike),
            cap: d("1000000"),
            secs_to_expiry: 30 * 86_400,
            base_iv: d("0.6"),
            skew: d("1"),
            amount: Uint128::new(amount),
            multiplier: Uint128::new(1_000_000),
            is_buy,
        }
    }

    #[test]
    fn cash_rounding_favours_protocol() {
        let unit = d("1.0000005");
        assert_eq!(
            cash_floor(unit, Uint128::new(1), Uint128::new(1)).unwrap(),
            Uint128::new(1)
        );
        assert_eq!(
            cash_ceil(unit, Uint128::new(1), Uint128::new(1)).unwrap(),
            Uint128::new(2)
        );
        assert_eq!(
            signed_cash(unit, 1, Uint128::new(1)).unwrap(),
            Int128::new(1)
        );
        assert_eq!(
            signed_cash(unit, -1, Uint128::new(1)).unwrap(),
            Int128::new(-2)
        );
        assert_eq!(
            signed_cash(unit, 0, Uint128::new(1)).unwrap(),
            Int128::zero()
        );
    }

    #[test]
    fn payoffs() {
        assert_eq!(payoff_unit(OptionType::Call, d("100"), d("120")), d("20"));
        assert_eq!(payoff_unit(OptionType::Call, d("100"), d("80")), d("0"));
        assert_eq!(payoff_unit(OptionType::Put, d("100"), d("80")), d("20"));
        assert_eq!(payoff_unit(OptionType::Put, d("100"), d("120")), d("0"));
        assert_eq!(
            max_payoff_unit(OptionType::Call, d("100"), d("400")),
            d("300")
        );
        assert_eq!(
            max_payoff_unit(OptionType::Put, d("100"), d("400")),
            d("100")
        );
    }

    #[test]
    fn fee_split_rounds_protocol_down() {
        let (pool, protocol) = split_fee(Uint128::new(101), d("0.5")).unwrap();
        assert_eq!((pool, protocol), (Uint128::new(51), Uint128::new(50)));
    }

    #[test]
    fn buy_moves_vol_up_sell_down_and_ask_above_bid() {
        let p = default_params();
        let buy = quote_trade(&input(OptionType::Call, "100", true, 10), &p).unwrap();
        let sell = quote_trade(&input(OptionType::Call, "100", false, 10), &p).unwrap();
        assert!(buy.new_base_iv > d("0.6"));
        assert!(sell.new_base_iv < d("0.6"));
        assert!(buy.new_skew > d("1") && sell.new_skew < d("1"));
        assert!(buy.unit_price > sell.unit_price);
        assert!(buy.premium > sell.premium);
        assert!(!buy.fee.is_zero());
        // Hull-like sanity: ATM 30-day 60 % call ≈ 0.4 × S × σ × √T ≈ 6.9
        assert!(buy.unit_price > d("6") && buy.unit_price < d("9"));
    }

    #[test]
    fn impact_is_clamped() {
        let mut p = default_params();
        p.base_iv_impact = d("10");
        p.skew_impact = d("10");
        let q = quote_trade(&input(OptionType::Put, "100", true, 1_000_000), &p).unwrap();
        assert_eq!(q.new_base_iv, p.max_base_iv);
        assert_eq!(q.new_skew, p.max_skew);
        let q = quote_trade(&input(OptionType::Put, "100", false, 1_000_000), &p).unwrap();
        assert_eq!(q.new_base_iv, p.min_base_iv);
        assert_eq!(q.new_skew, p.min_skew);
    }

    /// Put-call parity of quotes: C_ask − P_bid ≥ S − K·e^{−rT} ≥ C_bid − P_ask (q = 0), per
    /// unit, for every strike and size.
    fn parity_holds(strike: u64, amount: u128, secs: u64) {
        let mut p = default_params();
        p.rate = SignedDecimal256::percent(5);
        let mk = |kind, is_buy| {
            let mut t = input(kind, "100", is_buy, amount);
            t.strike = Decimal256::from_ratio(strike, 1u64);
            t.secs_to_expiry = secs;
            quote_trade(&t, &p).unwrap().unit_price
        };
        let c_ask = sd(mk(OptionType::Call, true)).unwrap();
        let c_bid = sd(mk(OptionType::Call, false)).unwrap();
        let p_ask = sd(mk(OptionType::Put, true)).unwrap();
        let p_bid = sd(mk(OptionType::Put, false)).unwrap();
        // forward parity value S − K e^{−rT}, from the model at zero vol limit pieces
        let k = Decimal256::from_ratio(strike, 1u64);
        let t = years_from_seconds(secs);
        let rt = p.rate.checked_mul(sd(t).unwrap()).unwrap();
        let disc = bulwark_math::exp(SignedDecimal256::zero().checked_sub(rt).unwrap()).unwrap();
        let parity = sd(d("100"))
            .unwrap()
            .checked_sub(sd(k.checked_mul(disc).unwrap()).unwrap())
            .unwrap();
        let tol = SignedDecimal256::from_str("0.000000001").unwrap();
        assert!(
            c_ask.checked_sub(p_bid).unwrap() >= parity.checked_sub(tol).unwrap(),
            "upper strike {strike}"
        );
        assert!(
            c_bid.checked_sub(p_ask).unwrap() <= parity.checked_add(tol).unwrap(),
            "lower strike {strike}"
        );
        // and the mids satisfy parity to model accuracy
        let mid_of = |kind| {
            let vol = surface::series_vol(d("0.6"), d("1")).unwrap();
            mid_price(&ModelInput {
                kind,
                spot: d("100"),
                strike: k,
                secs_to_expiry: secs,
                vol,
                rate: p.rate,
                cap: d("1000000"),
            })
            .unwrap()
        };
        let lhs = sd(mid_of(OptionType::Call))
            .unwrap()
            .checked_sub(sd(mid_of(OptionType::Put)).unwrap())
            .unwrap();
        assert!(lhs.abs_diff(parity) < d("0.000000001"));
    }

    #[test]
    fn put_call_parity_of_quotes_within_spread() {
        for strike in [50u64, 80, 100, 120, 200] {
            parity_holds(strike, 5, 30 * 86_400);
        }
    }

    #[test]
    fn capped_call_is_a_call_spread() {
        let mk = |spot: &str, cap: &str| ModelInput {
            kind: OptionType::Call,
            spot: d(spot),
            strike: d("100"),
            secs_to_expiry: 365 * 86_400,
            vol: d("1"),
            rate: SignedDecimal256::zero(),
            cap: d(cap),
        };
        let plain = |strike: &str| {
            bsm_price(
                OptionKind::Call,
                &BsmInput {
                    spot: d("100"),
                    strike: d(strike),
                    time: years_from_seconds(365 * 86_400),
                    vol: d("1"),
                    rate: SignedDecimal256::zero(),
                    dividend_yield: SignedDecimal256::zero(),
                },
            )
            .unwrap()
        };
        let capped = mid_price(&mk("100", "400")).unwrap();
        assert_eq!(capped, plain("100") - plain("400"));
        // 1-year 100 % vol: the cap is worth several percent of spot
        assert!(plain("400") > d("5"));
        // far above the cap the value tends to cap − strike, never above it
        let deep = mid_price(&mk("100000", "400")).unwrap();
        assert!(deep <= d("300") && deep > d("299"));
        // above the cap a capped call loses value with vol: its vega is negative, yet the
        // quotes stay around the mid
        let p = default_params();
        let (_, g) = mid(&mk("600", "400")).unwrap();
        assert!(g.vega.is_negative());
        let m = mid_price(&mk("600", "400")).unwrap();
        let (ask, _) = side_price(&mk("600", "400"), &p, true).unwrap();
        let (bid, _) = side_price(&mk("600", "400"), &p, false).unwrap();
        assert!(bid < m && m < ask && ask <= d("300") + d("0.3"));
    }

    proptest! {
        /// A writer can never sell a call for more than it can ever pay out: the bid of a
        /// capped call is at most cap − strike, whatever spot, vol and maturity; and quotes
        /// straddle the mid.
        #[test]
        fn capped_call_quotes_bounded_by_max_payoff(
            spot in 1u64..2_000, strike in 1u64..400, vol in 5u64..300, days in 1u64..730,
        ) {
            let p = default_params();
            let input = ModelInput {
                kind: OptionType::Call,
                spot: Decimal256::from_ratio(spot, 1u64),
                strike: Decimal256::from_ratio(strike, 1u64),
                secs_to_expiry: days * 86_400,
                vol: Decimal256::percent(vol),
                rate: SignedDecimal256::zero(),
                cap: d("400"),
            };
            let m = mid_price(&input).unwrap();
            let (bid, _) = side_price(&input, &p, false).unwrap();
            let (ask, _) = side_price(&input, &p, true).unwrap();
            let max = max_payoff_unit(OptionType::Call, input.strike, input.cap);
            prop_assert!(m <= max);
            prop_assert!(bid <= m && m <= ask);
            prop_assert!(bid <= max);
        }

        #[test]
        fn put_call_parity_of_quotes_prop(strike in 20u64..400, amount in 1u128..10_000, secs in 3_600u64..(2 * 365 * 86_400)) {
            parity_holds(strike, amount, secs);
        }

        /// The locked maximum payoff covers every payoff: settlement prices are capped, so
        /// for any strike below the cap and any settlement price, payoff ≤ max payoff, also
        /// after conversion to base units with the protocol's rounding.
        #[test]
        fn max_payoff_covers_every_payoff(
            strike in 1u64..1_000_000, cap_extra in 1u64..1_000_000, twap in 0u64..10_000_000,
            contracts in 0u128..1_000_000_000, is_call: bool,
        ) {
            let kind = if is_call { OptionType::Call } else { OptionType::Put };
            let k = Decimal256::from_ratio(strike, 100u64);
            let cap = Decimal256::from_ratio(strike + cap_extra, 100u64);
            let settlement = Decimal256::from_ratio(twap, 100u64).min(cap);
            let pay = payoff_unit(kind, k, settlement);
            let max = max_payoff_unit(kind, k, cap);
            prop_assert!(pay <= max);
            let n = Uint128::new(contracts);
            let m = Uint128::new(1_000_000);
            prop_assert!(cash_floor(pay, n, m).unwrap() <= cash_ceil(max, n, m).unwrap());
        }

        #[test]
        fn ask_never_below_mid_bid_never_above(strike in 20u64..400, amount in 1u128..10_000) {
            let p = default_params();
            let mut t = input(OptionType::Call, "100", true, amount);
            t.strike = Decimal256::from_ratio(strike, 1u64);
            let buy = quote_trade(&t, &p).unwrap();
            t.is_buy = false;
            let sell = quote_trade(&t, &p).unwrap();
            let vol = surface::series_vol(t.base_iv, t.skew).unwrap();
            let m = mid_price(&ModelInput { kind: t.kind, spot: t.spot, strike: t.strike, secs_to_expiry: t.secs_to_expiry, vol, rate: p.rate, cap: t.cap }).unwrap();
            prop_assert!(buy.unit_price >= m);
            prop_assert!(sell.unit_price <= m);
        }
    }
}
