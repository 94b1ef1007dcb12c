// Unit tests of the pure figures, against vectors taken from the contracts' own unit tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromAtomics, mulCeil, SCALE, toAtomics, worstLoss } from '../fixed';
import { initialAddonFactor, liquidationPrice, perpRisk, requirements, scenario } from '../frontend';
import type { ScenarioGrid } from '../generated/Vault.types';

const grid: ScenarioGrid = {
  asset_id: 'ATOM',
  version: 4,
  spot_shocks: ['-0.2', '0', '0.2'],
  vol_shocks: ['-0.5', '0.5'],
};

test('decimal strings round-trip through atomics', () => {
  for (const s of ['0', '1', '-1', '12.5', '0.000000000000000001', '-3.14159']) {
    assert.equal(fromAtomics(toAtomics(s)), s);
  }
  assert.equal(toAtomics('1.0000000000000000019'), SCALE + 1n); // truncated past 18 digits
  assert.throws(() => toAtomics('1e5'));
  assert.throws(() => toAtomics(''));
});

test('scenarios are spot-major, as ScenarioGrid::scenario', () => {
  assert.deepEqual(scenario(grid, 0), [toAtomics('-0.2'), toAtomics('-0.5')]);
  assert.deepEqual(scenario(grid, 1), [toAtomics('-0.2'), toAtomics('0.5')]);
  assert.deepEqual(scenario(grid, 4), [toAtomics('0.2'), toAtomics('-0.5')]);
});

test('perp risk matches contracts/perps/src/risk.rs short_position_risk_per_scenario', () => {
  // size −3 at 11, maintenance add-on 1 %, initial max(2 %, 1/10)
  const r = perpRisk(toAtomics('-3'), toAtomics('11'), grid, 6, toAtomics('0.01'), toAtomics('0.1'));
  assert.deepEqual(r.scenarioPnl, [6_600_000n, 6_600_000n, 0n, 0n, -6_600_000n, -6_600_000n]);
  assert.equal(r.maintenanceAddon, 330_000n);
  assert.equal(r.initialAddon, 3_300_000n);
});

test('scenario PnL rounds down and add-ons round up', () => {
  // 1/3 ATOM at 1: ±0.2 × 0.333… = ±0.0666…6 → −66,667 and +66,666 base units
  const r = perpRisk(toAtomics('0.333333333333333333'), SCALE, grid, 6, toAtomics('0.01'), toAtomics('0.1'));
  assert.equal(r.scenarioPnl[0], -66_667n);
  assert.equal(r.scenarioPnl[4], 66_666n);
  assert.equal(r.maintenanceAddon, 3_334n);
});

test('requirements: Σ ⌈worst loss × factor⌉ + add-ons, hedges net per underlying', () => {
  const f = { maintenance: SCALE, initial: toAtomics('1.5') };
  const v = new Map([
    ['ATOM', [-100n, 50n, 0n]],
    ['OSMO', [7n, -3n]],
  ]);
  assert.deepEqual(requirements(v, 10n, 20n, f), { maintenance: 113n, initial: 175n });
  assert.equal(worstLoss([5n, 1n]), 0n);
  assert.equal(mulCeil(3n, toAtomics('1.5')), 5n);
  // a long and a short on one underlying net before the worst case is taken
  const hedged = new Map([['ATOM', [-100n + 90n, 100n - 90n]]]);
  assert.equal(requirements(hedged, 0n, 0n, f).maintenance, 10n);
});

test('liquidation price solves E + D(X − P) = M_other + M_own·X/P', () => {
  // equity 1,000 USDC, own maintenance 500, spot 10, long 200 units: X = (1000 − 2000)/(50 − 200) = 6.666…
  const x = liquidationPrice(1_000_000_000n, 500_000_000n, 0n, '10', '200', 6);
  assert.ok(x !== null);
  const X = toAtomics(x!);
  const equityAtX = 1000n * SCALE + 200n * (X - 10n * SCALE);
  const maintAtX = (500n * X) / 10n;
  assert.ok(equityAtX - maintAtX < 10n ** 6n && maintAtX - equityAtX < 10n ** 6n);
  // a fixed requirement elsewhere raises it: E − M_other is what the move may eat
  const y = liquidationPrice(1_000_000_000n, 500_000_000n, 100_000_000n, '10', '200', 6);
  assert.ok(y !== null && toAtomics(y!) > X);
  // no requirement, or already below maintenance: none
  assert.equal(liquidationPrice(1n, 0n, 0n, '10', '1', 6), null);
  assert.equal(liquidationPrice(400_000_000n, 500_000_000n, 0n, '10', '200', 6), null);
  // a short's lies above the spot; a small long beside a large fixed requirement has none below
  const short = liquidationPrice(1_000_000_000n, 500_000_000n, 0n, '10', '-200', 6);
  assert.ok(short !== null && toAtomics(short!) > 10n * SCALE);
  assert.equal(liquidationPrice(1_000_000_000n, 10_000_000n, 900_000_000n, '10', '0.5', 6), null);
});

test('1 / max_leverage rounds up, as the perps contract', () => {
  // 1/3 = 0.333…334 (rounded up): size 3 at 1 → initial add-on 1,000,001, not 1,000,000
  const f = initialAddonFactor('0.02', '3');
  assert.equal(f, 333_333_333_333_333_334n);
  const r = perpRisk(toAtomics('3'), SCALE, { asset_id: 'X', version: 1, spot_shocks: ['0'], vol_shocks: ['0'] }, 6, toAtomics('0.01'), f);
  assert.equal(r.initialAddon, 1_000_001n);
  assert.equal(initialAddonFactor('0.2', '10'), toAtomics('0.2'));
  assert.throws(() => initialAddonFactor('0.02', '0'));
});
