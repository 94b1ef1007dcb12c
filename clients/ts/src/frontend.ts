// The figures a trading frontend shows, computed from the contracts' own queries with the
// same rounding the contracts use (docs in clients/ts/README.md):
// * account health, margin available, and an estimated liquidation price per underlying;
// * a perps order preview: fill price, fee, price impact, resulting health;
// * an options chain: bid/ask per series with greeks;
// * LP pool figures.
import { VaultQueryClient } from './generated/Vault.client';
import { PerpsQueryClient } from './generated/Perps.client';
import { OptionsQueryClient } from './generated/Options.client';
import type { HealthResponse, ScenarioGrid } from './generated/Vault.types';
import type { UnderlyingRisk } from './generated/Perps.types';
import { abs, ceilDiv, div, floorDiv, fromAtomics, max, mul, mulCeil, SCALE, toAtomics, worstLoss } from './fixed';

/** The vault's margin factors (VaultParams): requirement = ⌈worst loss × factor⌉ + add-ons. */
export interface MarginFactors {
  maintenance: bigint; // scaled 1e18
  initial: bigint;
}

export interface AccountHealth {
  accountId: number;
  equity: bigint;
  maintenance: bigint;
  initial: bigint;
  collateralValue: bigint;
  settlementBalance: bigint;
  unrealizedPnl: bigint;
  /** equity / maintenance as a decimal string; null without a requirement. */
  health: string | null;
  liquidatable: boolean;
  /** equity − initial requirement: what more risk (or a withdrawal) may use. */
  marginAvailable: bigint;
}

export function summarizeHealth(accountId: number, h: HealthResponse): AccountHealth {
  const equity = BigInt(h.equity);
  const maintenance = BigInt(h.maintenance_requirement);
  const initial = BigInt(h.initial_requirement);
  return {
    accountId,
    equity,
    maintenance,
    initial,
    collateralValue: BigInt(h.collateral_value),
    settlementBalance: BigInt(h.settlement_balance),
    unrealizedPnl: BigInt(h.unrealized_pnl),
    health: h.health ?? null,
    liquidatable: h.liquidatable,
    marginAvailable: equity - initial,
  };
}

export async function accountHealth(vault: VaultQueryClient, accountId: number): Promise<AccountHealth> {
  return summarizeHealth(accountId, await vault.health({ accountId }));
}

/** Scenario `i` of a grid: (spot shock, vol shock), spot-major as the contracts enumerate. */
export function scenario(grid: ScenarioGrid, i: number): [bigint, bigint] {
  const nVol = grid.vol_shocks.length;
  return [toAtomics(grid.spot_shocks[Math.floor(i / nVol)]), toAtomics(grid.vol_shocks[i % nVol])];
}

/** A perp position's risk as the perps contract reports it (`risk.rs`): scenario PnL
 *  `size × P × spot_shock` rounded down, add-ons `|size| × P × factor` rounded up, in base
 *  units of the settlement denom (`decimals`). */
export function perpRisk(
  size: bigint,
  price: bigint,
  grid: ScenarioGrid,
  decimals: number,
  maintenanceAddonFactor: bigint,
  initialAddonFactor: bigint,
): { scenarioPnl: bigint[]; maintenanceAddon: bigint; initialAddon: bigint } {
  const unit = 10n ** BigInt(decimals);
  const n = grid.spot_shocks.length * grid.vol_shocks.length;
  const notionalSigned = mul(size, price); // scaled
  const scenarioPnl: bigint[] = [];
  for (let i = 0; i < n; i++) {
    const [spot] = scenario(grid, i);
    scenarioPnl.push(floorDiv(notionalSigned * spot * unit, SCALE * SCALE));
  }
  const notional = abs(notionalSigned) * unit; // scaled 1e18, in base units
  // ⌈notional × factor⌉ (dec_mul_ceil), then ⌈· in base units⌉ (to_uamount_ceil)
  const addon = (factor: bigint) => ceilDiv(mulCeil(notional, factor), SCALE);
  const maintenanceAddon = addon(maintenanceAddonFactor);
  const initialAddon = max(addon(initialAddonFactor), maintenanceAddon);
  return { scenarioPnl, maintenanceAddon, initialAddon };
}

/** A market's initial add-on factor: max(initial_addon_factor, 1 / max_leverage), the
 *  quotient rounded up as perps `risk.rs` does (`dec_div_ceil`). */
export function initialAddonFactor(initialAddon: string, maxLeverage: string): bigint {
  const lev = toAtomics(maxLeverage);
  if (lev <= 0n) throw new Error(`max_leverage must be positive: ${maxLeverage}`);
  return max(toAtomics(initialAddon), (SCALE * SCALE + lev - 1n) / lev);
}

/** Requirements of an account from its per-underlying scenario vectors and add-ons
 *  (`margin.rs`: Σ_u ⌈worst_loss_u × factor⌉ + Σ add-ons). */
export function requirements(
  vectors: Map<string, bigint[]>,
  maintenanceAddons: bigint,
  initialAddons: bigint,
  f: MarginFactors,
): { maintenance: bigint; initial: bigint } {
  let maintenance = maintenanceAddons;
  let initial = initialAddons;
  for (const pnl of vectors.values()) {
    const loss = worstLoss(pnl);
    maintenance += mulCeil(loss, f.maintenance);
    initial += mulCeil(loss, f.initial);
  }
  return { maintenance, initial };
}

export interface OrderPreview {
  fillPrice: string;
  oraclePrice: string;
  /** (fill − oracle) / oracle, signed, as a decimal string. */
  priceImpact: string;
  fee: bigint;
  realizedPnl: bigint;
  resultingSize: string;
  increasesRisk: boolean;
  equityAfter: bigint;
  maintenanceAfter: bigint;
  initialAfter: bigint;
  /** equity / maintenance after the trade at the oracle price; null without a requirement. */
  healthAfter: string | null;
  /** Whether the vault's margin rules accept it (the breaker, the market's `enabled` flag and
   *  reduce-only are checked by the contracts, not here). */
  acceptable: boolean;
}

/** Previews a perps order from the contracts' quote and the account's current risk. */
export async function perpsOrderPreview(
  clients: { vault: VaultQueryClient; perps: PerpsQueryClient },
  accountId: number,
  marketId: string,
  sizeDelta: string,
): Promise<OrderPreview> {
  const { vault, perps } = clients;
  const [quote, health, market, perpsRisk, config] = await Promise.all([
    perps.quote({ accountId, marketId, sizeDelta }),
    vault.health({ accountId }),
    perps.market({ marketId }),
    perps.accountRisk({ accountId }),
    vault.config(),
  ]);
  const grid = await vault.scenarioGrid({ assetId: market.asset_id });
  if (!grid) throw new Error(`no scenario grid for ${market.asset_id}`);
  const decimals = config.settlement_decimals;
  const price = toAtomics(quote.oracle_price);
  const p = market.params;
  const initialFactor = initialAddonFactor(p.initial_addon_factor, p.max_leverage);
  const newSize = toAtomics(quote.resulting_size);
  const after = perpRisk(newSize, price, grid, decimals, toAtomics(p.maintenance_addon_factor), initialFactor);
  // this contract's report for the underlying is the position's risk as the vault summed it
  // (one market per underlying in a perps contract); the preview swaps it for the new size's
  const reported: UnderlyingRisk | undefined = perpsRisk.underlyings.find((u) => u.asset_id === market.asset_id);
  const vectors = new Map<string, bigint[]>();
  for (const u of health.underlyings) vectors.set(u.asset_id, u.scenario_pnl.map((v) => BigInt(v)));
  const own = vectors.get(market.asset_id) ?? after.scenarioPnl.map(() => 0n);
  vectors.set(
    market.asset_id,
    own.map((v, i) => v - (reported ? BigInt(reported.scenario_pnl[i]) : 0n) + after.scenarioPnl[i]),
  );
  const factors: MarginFactors = {
    maintenance: toAtomics(config.params.maintenance_factor),
    initial: toAtomics(config.params.initial_factor),
  };
  const current = requirements(
    new Map(health.underlyings.map((u) => [u.asset_id, u.scenario_pnl.map((v) => BigInt(v))])),
    0n,
    0n,
    factors,
  );
  const otherMaintAddons = BigInt(health.maintenance_requirement) - current.maintenance - (reported ? BigInt(reported.maintenance_addon) : 0n);
  const otherInitAddons = BigInt(health.initial_requirement) - current.initial - (reported ? BigInt(reported.initial_addon) : 0n);
  const req = requirements(
    vectors,
    otherMaintAddons + (newSize === 0n ? 0n : after.maintenanceAddon),
    otherInitAddons + (newSize === 0n ? 0n : after.initialAddon),
    factors,
  );
  const fee = BigInt(quote.fee);
  // equity moves by the fee only: a fill at the quote's price realizes PnL the account
  // already counted as unrealized, except the fill's premium over the oracle price
  const premium = mul(toAtomics(sizeDelta), toAtomics(quote.fill_price) - price) * 10n ** BigInt(decimals) / SCALE;
  const equityAfter = BigInt(health.equity) - fee - premium;
  const healthAfter = req.maintenance === 0n ? null : fromAtomics(div(equityAfter * SCALE, req.maintenance * SCALE));
  return {
    fillPrice: quote.fill_price,
    oraclePrice: quote.oracle_price,
    priceImpact: fromAtomics(div(toAtomics(quote.fill_price) - price, price)),
    fee,
    realizedPnl: BigInt(quote.realized_pnl),
    resultingSize: quote.resulting_size,
    increasesRisk: quote.increases_risk,
    equityAfter,
    maintenanceAfter: req.maintenance,
    initialAfter: req.initial,
    healthAfter,
    // the vault's rules (margin.rs): an increase needs equity ≥ initial after; a reduction
    // needs equity ≥ maintenance after, or must not grow the requirement beyond its fee
    acceptable: quote.increases_risk
      ? equityAfter >= req.initial
      : equityAfter >= req.maintenance || req.maintenance + fee <= BigInt(health.maintenance_requirement),
  };
}

/** Estimated liquidation price of an underlying: the spot X at which equity meets the
 *  maintenance requirement, to first order. Equity moves with the account's delta D on the
 *  underlying (perps size + options delta + collateral units of the asset after haircut);
 *  this underlying's requirement `maintenanceOwn` scales with the spot, the rest
 *  (`maintenanceOther`: other underlyings, fixed add-ons) does not:
 *  E + D·(X − P) = M_other + M_own·X/P. Null when the account is already below maintenance or
 *  no positive X exists on the losing side of the spot. */
export function liquidationPrice(
  equity: bigint,
  maintenanceOwn: bigint,
  maintenanceOther: bigint,
  spot: string,
  delta: string,
  decimals: number,
): string | null {
  if (maintenanceOwn + maintenanceOther === 0n) return null;
  if (equity < maintenanceOwn + maintenanceOther) return null;
  const unit = 10n ** BigInt(decimals);
  const P = toAtomics(spot);
  const D = toAtomics(delta);
  // everything in scaled settlement units (1e18 per base unit / unit)
  const E = (equity * SCALE) / unit;
  const Mown = (maintenanceOwn * SCALE) / unit;
  const Moth = (maintenanceOther * SCALE) / unit;
  const denom = div(Mown, P) - D;
  if (denom === 0n) return null;
  const x = div(E - mul(D, P) - Moth, denom);
  if (x <= 0n) return null;
  // a long liquidates below the spot, a short above; anything else is no liquidation price
  if ((D > 0n && x >= P) || (D < 0n && x <= P) || D === 0n) return null;
  return fromAtomics(x);
}

export interface ChainRow {
  strike: string;
  type: 'call' | 'put';
  seriesId: number;
  /** Price per contract to buy (ask) and to sell (bid), in settlement base units. */
  ask: bigint;
  bid: bigint;
  vol: string;
  delta: string;
  gamma: string;
  vega: string;
  theta: string;
}

/** The options chain of a board: each series quoted both ways for `amount` contracts. */
export async function optionsChain(options: OptionsQueryClient, boardId: number, amount: string): Promise<ChainRow[]> {
  const board = await options.board({ boardId });
  const rows: ChainRow[] = [];
  for (const s of board.strikes) {
    for (const [type, seriesId] of [['call', s.call_series_id], ['put', s.put_series_id]] as const) {
      const [buy, sell] = await Promise.all([
        options.quote({ seriesId, amount, isBuy: true }),
        options.quote({ seriesId, amount, isBuy: false }),
      ]);
      rows.push({
        strike: s.strike,
        type,
        seriesId,
        ask: BigInt(buy.total),
        bid: BigInt(sell.total),
        vol: buy.vol,
        delta: buy.greeks.delta,
        gamma: buy.greeks.gamma,
        vega: buy.greeks.vega,
        theta: buy.greeks.theta,
      });
    }
  }
  return rows;
}

export interface PoolFigures {
  assets: bigint;
  nav: bigint;
  redeemNav: bigint;
  totalShares: bigint;
  sharePrice: string;
  /** Locked liquidity / assets, as a decimal string. */
  utilization: string;
  insurance: bigint;
  badDebtUncovered: bigint;
}

export async function poolFigures(vault: VaultQueryClient): Promise<PoolFigures> {
  const p = await vault.pool();
  const assets = BigInt(p.assets);
  const locked = BigInt(p.locked_liquidity);
  return {
    assets,
    nav: BigInt(p.nav),
    redeemNav: BigInt(p.redeem_nav),
    totalShares: BigInt(p.total_shares),
    sharePrice: p.share_price,
    utilization: assets === 0n ? '0' : fromAtomics(div(locked * SCALE, assets * SCALE)),
    insurance: BigInt(p.insurance),
    badDebtUncovered: BigInt(p.bad_debt_uncovered),
  };
}
