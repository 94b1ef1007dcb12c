// Fixed-point helpers for the contracts' JSON numbers: `Uint128`/`Int128` are integer strings
// (base units), `Decimal256`/`SignedDecimal256` decimal strings with up to 18 fractional
// digits. Everything is BigInt so a frontend shows exactly what the contracts compute.

export const SCALE = 10n ** 18n;

/** A decimal string ("-12.5", "0.000001") as an integer scaled by 10^18 (truncated). */
export function toAtomics(s: string): bigint {
  const t = s.trim();
  const neg = t.startsWith('-');
  const body = neg ? t.slice(1) : t;
  if (!/^\d+(\.\d+)?$/.test(body)) throw new Error(`not a decimal: ${s}`);
  const [whole, frac = ''] = body.split('.');
  const v = BigInt(whole) * SCALE + BigInt((frac + '0'.repeat(18)).slice(0, 18));
  return neg ? -v : v;
}

/** An integer scaled by 10^18 as a decimal string without trailing zeros. */
export function fromAtomics(v: bigint): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const whole = a / SCALE;
  const frac = (a % SCALE).toString().padStart(18, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole}${frac ? '.' + frac : ''}`;
}

/** a × b for scaled values, truncated towards zero. */
export function mul(a: bigint, b: bigint): bigint {
  return (a * b) / SCALE;
}

/** a / b for scaled values, truncated towards zero; b ≠ 0. */
export function div(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new Error('division by zero');
  return (a * SCALE) / b;
}

/** ⌈a × b⌉ for a non-negative integer amount a and a non-negative scaled factor b. */
export function mulCeil(a: bigint, b: bigint): bigint {
  const p = a * b;
  return p % SCALE === 0n ? p / SCALE : p / SCALE + 1n;
}

export const abs = (v: bigint): bigint => (v < 0n ? -v : v);
export const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
export const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/** max(0, −min(pnl)): the worst loss of a scenario vector (the vault's `worst_loss`). */
export function worstLoss(pnl: bigint[]): bigint {
  const m = pnl.reduce((acc, v) => (v < acc ? v : acc), 0n);
  return m < 0n ? -m : 0n;
}
