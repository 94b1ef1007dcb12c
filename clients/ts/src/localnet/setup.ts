// Shared by the localnet tests: the deployment and keys scripts/test points at, signers, and a
// market of the test's own (its own asset id) configured through the generated clients by the
// deployer, who still owns the contracts of a `bulwark-chain deploy --localnet` deployment.
import { spawn, ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OracleClient } from '../generated/Oracle.client';
import { VaultClient } from '../generated/Vault.client';
import { PerpsClient } from '../generated/Perps.client';
import type { MarketParams } from '../generated/Perps.types';
import { chainTime, connect, Signer, sleep, waitBlocks } from '../bots/common';
import { txAttr } from '../cosmjs';

export const U = 1_000_000n;

export const env = (k: string): string => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set (scripts/test sets it)`);
  return v;
};

export interface Deployment {
  oracle: string;
  circuit_breaker: string;
  vault: string;
  perps: string;
  options: string;
}

export const chain = () => ({ rpc: env('BULWARK_RPC'), gasPrice: '0.0025ustake', prefix: 'wasm', gasMultiplier: 1.5 });

export function deployment(): Deployment {
  return JSON.parse(readFileSync(env('BULWARK_DEPLOYMENT'), 'utf8')) as Deployment;
}

/** Mnemonics of the localnet's genesis keys (scripts/chain writes keys.tsv). */
export function mnemonic(name: string): string {
  for (const line of readFileSync(env('BULWARK_KEYS'), 'utf8').split('\n')) {
    const [n, , m] = line.split('\t');
    if (n === name && m) return m;
  }
  throw new Error(`no key ${name}`);
}

export const signer = (name: string): Promise<Signer> => connect(chain(), mnemonic(name));

export function marketParams(): MarketParams {
  return {
    enabled: true,
    max_leverage: '10',
    initial_addon_factor: '0.02',
    maintenance_addon_factor: '0.01',
    trading_fee_rate: '0.001',
    protocol_fee_share: '0.2',
    skew_scale: '1000000',
    max_funding_velocity: '0.03',
    max_funding_rate: '0.01',
    max_oi_long: '10000',
    max_oi_short: '10000',
    max_position_size: '1000',
    min_position_size: '0.1',
    max_pool_exposure: null,
  };
}

/** Lists (or re-lists) `assetId` fed by `feeders` (quorum as given), its scenario grid, and a perps market. */
export async function configureMarket(
  d: Deployment,
  owner: Signer,
  assetId: string,
  marketId: string,
  feeders: string[],
  quorum: number,
  params: MarketParams = marketParams(),
): Promise<void> {
  const oracle = new OracleClient(owner.client, owner.addr, d.oracle);
  const listed = (await oracle.feeders({ limit: 100 })).feeders;
  const missing = feeders.filter((f) => !listed.includes(f));
  if (missing.length > 0) await oracle.updateFeeders({ add: missing, remove: [] });
  await oracle.setAsset({
    asset: {
      asset_id: assetId,
      quote: 'USD',
      base_decimals: 6,
      quote_decimals: 6,
      sources: feeders.map((f) => ({ feeder: { feeder_addr: f, max_age_secs: 300 } })),
      quorum,
      max_deviation_bps: 500,
      max_move: null,
      trip_targets: [],
    },
  });
  await new VaultClient(owner.client, owner.addr, d.vault).setScenarioGrid({ assetId });
  const perps = new PerpsClient(owner.client, owner.addr, d.perps);
  // idempotent, so a test can run again on the same deployment
  const exists = await perps.market({ marketId }).then(
    () => true,
    () => false,
  );
  if (!exists) await perps.createMarket({ marketId, assetId, params });
}

/** Waits until the chain is `n` blocks further. */
export const blocks = waitBlocks;

/** The value of the first attribute `key` in a transaction's events. */
export function attr(result: Parameters<typeof txAttr>[0], key: string): string {
  const v = txAttr(result, key);
  if (v === undefined) throw new Error(`no attribute ${key}`);
  return v;
}

/** Each feeder publishes `price` for `assetId` (stamped a second before the latest block),
 *  then two blocks pass so that trades see the record as stored in an earlier block. */
export async function feedAll(d: Deployment, feeders: Signer[], assetId: string, price: string): Promise<void> {
  for (const f of feeders) {
    const now = (await chainTime(f)) - 1;
    await new OracleClient(f.client, f.addr, d.oracle).feed({ prices: [{ asset_id: assetId, price, publish_time: now }] });
  }
  await waitBlocks(feeders[0], 2);
}

/** Starts a bot as in production (`node dist/bots/<bot>.js --config FILE`, key in the
 *  environment), collecting its log lines into `out`. */
export function bot(name: 'feeder' | 'keeper', config: string, keyEnv: string, key: string, out: string[]): ChildProcess {
  const p = spawn(process.execPath, [join(__dirname, '..', 'bots', `${name}.js`), '--config', config], {
    env: { ...process.env, [keyEnv]: key },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  p.stdout?.on('data', (b: Buffer) => out.push(...b.toString().split('\n').filter((l) => l)));
  p.stderr?.on('data', (b: Buffer) => out.push(b.toString()));
  return p;
}

export async function until(what: string, secs: number, cond: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + secs * 1000;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${secs} s`);
    await sleep(500);
  }
}


/** A feeder bot publishing `assetId` from a simulated feed file (`setPrice` rewrites it),
 *  started and waited for until its first publication. */
export async function startFeeder(
  d: Deployment,
  feederKey: string,
  assetId: string,
  price: string,
): Promise<{ dir: string; setPrice: (p: string) => void; log: string[]; proc: ChildProcess }> {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-feed-'));
  const feedFile = join(dir, 'feed.json');
  const setPrice = (p: string) => writeFileSync(feedFile, JSON.stringify({ [assetId]: p }));
  setPrice(price);
  const cfg = {
    ...chain(),
    oracle: d.oracle,
    intervalMs: 1_000,
    retries: 3,
    // the simulated feed file is written only when the test moves the price
    maxSourceAgeSecs: 3_600,
    assets: [{ assetId, source: { kind: 'file', path: feedFile, key: assetId } }],
  };
  writeFileSync(join(dir, 'feeder.json'), JSON.stringify(cfg));
  const log: string[] = [];
  const proc = bot('feeder', join(dir, 'feeder.json'), 'FEEDER_MNEMONIC', mnemonic(feederKey), log);
  try {
    await until('the feeder publishes', 60, async () => log.some((l) => l.includes('"fed"')));
  } catch (e) {
    proc.kill('SIGTERM');
    throw new Error(`${e}; feeder log: ${log.join(' | ')}`);
  }
  return { dir, setPrice, log, proc };
}
