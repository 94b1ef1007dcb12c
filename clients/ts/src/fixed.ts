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

/** Base units with `decimals` decimals as a display string without trailing zeros
 *  (1234500000, 6 → "1234.5"). */
export function formatUnits(v: bigint, decimals: number): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const scale = 10n ** BigInt(decimals);
  const frac = (a % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${a / scale}${frac ? '.' + frac : ''}`;
}

/** A plain non-negative display amount as base units; refuses anything else, and more than
 *  `decimals` fractional digits ("1234.5", 6 → 1234500000). */
export function parseUnits(display: string, decimals: number): bigint {
  const t = display.trim();
  if (!/^\d+(\.\d+)?$/.test(t)) throw new Error(`not an amount: ${display}`);
  const [w, f = ''] = t.split('.');
  if (f.length > decimals) throw new Error(`at most ${decimals} decimals`);
  return BigInt(w) * 10n ** BigInt(decimals) + BigInt((f + '0'.repeat(decimals)).slice(0, decimals));
}

/** An integer scaled by 10^18 as a decimal string without trailing zeros. */
export function fromAtomics(v: bigint): string {
  return formatUnits(v, 18);
}

/** ⌊a / b⌋ for b > 0 (BigInt division truncates towards zero). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a < 0n && q * b !== a ? q - 1n : q;
}

/** ⌈a / b⌉ for a ≥ 0, b > 0. */
export function ceilDiv(a: bigint, b: bigint): bigint {
  return a % b === 0n ? a / b : a / b + 1n;
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
  return ceilDiv(a * b, SCALE);
}

export const abs = (v: bigint): bigint => (v < 0n ? -v : v);
export const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
export const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/** max(0, −min(pnl)): the worst loss of a scenario vector (the vault's `worst_loss`). */
export function worstLoss(pnl: bigint[]): bigint {
  const m = pnl.reduce((acc, v) => (v < acc ? v : acc), 0n);
  return m < 0n ? -m : 0n;
}
