#!/usr/bin/env python3
"""Generate reference vectors for bulwark-math with mpmath (independent high precision).

Deterministic (fixed seed). Writes
  tests/vectors/bsm.csv    generalized BSM / Black-76 prices and greeks
  tests/vectors/funcs.csv  exp, ln, normal pdf and cdf
All inputs are exactly representable 18-decimal numbers; outputs are the exact values
(50+ significant digits internally) rounded half-even to 18 decimals, i.e. exactly what a
perfect implementation returning Decimal256/SignedDecimal256 would produce.

Usage: python3 packages/math/scripts/gen_reference.py   (requires mpmath, tested with 1.3.0)
"""
import os
import random
from decimal import Decimal, ROUND_HALF_EVEN, getcontext

import mpmath as mp

getcontext().prec = 120

SEED = 20240605
N_OPTIONS = 10_000
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "vectors")


def dec18(x):
    """Exact mp value -> 18-decimal string, round half even, trailing zeros stripped."""
    q = int(mp.nint(x * mp.mpf(10) ** 18))  # mp.nint rounds half to even
    neg = q < 0
    q = abs(q)
    ip, fp = divmod(q, 10**18)
    s = str(ip)
    if fp:
        s += "." + ("%018d" % fp).rstrip("0")
    return ("-" + s) if neg and q else s


def sig(x, digits=10):
    """float -> decimal string with `digits` significant digits, at most 18 decimals."""
    d = Decimal("%.*e" % (digits - 1, x)).quantize(Decimal("1e-18"), rounding=ROUND_HALF_EVEN)
    s = format(d.normalize(), "f")
    return s


def fixed(x, places):
    d = Decimal(repr(x)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    s = format(d.normalize(), "f")
    return "0" if s in ("-0", "0") else s


def loguniform(rng, lo, hi):
    return float(mp.exp(rng.uniform(float(mp.log(lo)), float(mp.log(hi)))))


def bs(model, kind, S, K, T, v, r, q):
    """Reference price and greeks. model 'B' = generalized BSM, 'F' = Black-76 (S is F)."""
    if model == "F":
        q = r
    A = mp.exp(-q * T)
    B = mp.exp(-r * T)
    sq = mp.sqrt(T)
    d1 = (mp.log(S / K) + (r - q + v * v / 2) * T) / (v * sq)
    d2 = d1 - v * sq
    n1 = mp.npdf(d1)
    if kind == "C":
        p1, p2, sg = mp.ncdf(d1), mp.ncdf(d2), 1
    else:
        p1, p2, sg = mp.ncdf(-d1), mp.ncdf(-d2), -1
    price = sg * (S * A * p1 - K * B * p2)
    delta = sg * A * p1
    gamma = A * n1 / (S * v * sq)
    vega = S * A * n1 * sq
    theta = -S * A * n1 * v / (2 * sq) + sg * (q * S * A * p1 - r * K * B * p2)
    if model == "F":
        rho = -T * price
    else:
        rho = sg * K * T * B * p2
    return price, delta, gamma, vega, theta, rho


def self_check(rows):
    """Analytic greeks vs numerical derivatives of the reference price (guards typos)."""
    for model, kind, S, K, T, v, r, q in rows:
        S, K, T, v, r, q = map(mp.mpf, (S, K, T, v, r, q))
        f = lambda s=S, t=T, vv=v, rr=r: bs(model, kind, s, K, t, vv, rr, q)[0]
        p, de, ga, ve, th, rh = bs(model, kind, S, K, T, v, r, q)
        num = [
            mp.diff(lambda s: f(s=s), S),
            mp.diff(lambda s: f(s=s), S, 2),
            mp.diff(lambda vv: f(vv=vv), v),
            -mp.diff(lambda t: f(t=t), T),
            mp.diff(lambda rr: f(rr=rr), r),
        ]
        for a, b in zip((de, ga, ve, th, rh), num):
            assert abs(a - b) <= mp.mpf("1e-25") * (1 + abs(b)), (model, kind, a, b)


def main():
    mp.mp.dps = 60
    rng = random.Random(SEED)
    os.makedirs(OUT, exist_ok=True)

    rows = []
    for i in range(N_OPTIONS):
        model = "F" if rng.random() < 0.2 else "B"
        kind = "C" if rng.random() < 0.5 else "P"
        S = sig(loguniform(rng, 0.05, 50_000))
        K = sig(float(S) * loguniform(rng, 0.2, 5.0))
        T = sig(loguniform(rng, 1.0 / 8760.0, 3.0))
        v = sig(loguniform(rng, 0.01, 5.0))
        r = fixed(rng.uniform(-0.05, 0.20), 8)
        q = "0" if (model == "F" or rng.random() < 0.4) else fixed(rng.uniform(-0.05, 0.15), 8)
        rows.append((model, kind, S, K, T, v, r, q))
    # hand-picked corners: 1 hour / 3 years, 1 % / 500 %, moneyness 0.2 / 5, rates -5 % / 20 %
    for model in "BF":
        for kind in "CP":
            for m in ("0.2", "1", "5"):
                for T in ("0.000114155251141553", "3"):
                    for v in ("0.01", "5"):
                        for r, q in (("-0.05", "0.15"), ("0.2", "-0.05")):
                            rows.append((model, kind, "100", str(Decimal(m) * 100), T, v, r,
                                         "0" if model == "F" else q))

    self_check(rows[:40])

    with open(os.path.join(OUT, "bsm.csv"), "w") as fh:
        fh.write("model,kind,s,k,t,vol,r,q,price,delta,gamma,vega,theta,rho\n")
        for model, kind, S, K, T, v, r, q in rows:
            vals = bs(model, kind, *map(mp.mpf, (S, K, T, v, r, q)))
            fh.write(",".join([model, kind, S, K, T, v, r, q] + [dec18(x) for x in vals]) + "\n")

    with open(os.path.join(OUT, "funcs.csv"), "w") as fh:
        mp.mp.dps = 100
        fh.write("fn,x,y\n")
        for _ in range(600):
            x = fixed(rng.uniform(-44, 135.9), 12)
            fh.write("exp,%s,%s\n" % (x, dec18(mp.exp(mp.mpf(x)))))
        for _ in range(600):
            x = sig(float(mp.exp(rng.uniform(-41, 130))), 12)
            fh.write("ln,%s,%s\n" % (x, dec18(mp.log(mp.mpf(x)))))
        for _ in range(1500):
            x = fixed(rng.uniform(-13, 13), 15)
            fh.write("cdf,%s,%s\n" % (x, dec18(mp.ncdf(mp.mpf(x)))))
            fh.write("pdf,%s,%s\n" % (x, dec18(mp.npdf(mp.mpf(x)))))
    print("wrote", len(rows), "option vectors to", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
