// The feeder bot: every interval, reads each configured asset's price and its age from its
// source and publishes the fresh ones to the oracle (batches of 16, one asset at a time when a
// batch is refused), with simulated gas and retries; an observation keeps its own time.
//   FEEDER_MNEMONIC=… node dist/bots/feeder.js --config feeder.json
import { readFileSync, statSync } from 'node:fs';
import { OracleClient } from '../generated/Oracle.client';
import type { FeedPrice } from '../generated/Oracle.types';
import { ChainSettings, chainTime, connect, log, loop, mnemonicFrom, readConfig, retry } from './common';

/** Where a price comes from, and how old it is. `file`: a JSON object of asset → price (a
 *  local simulated feed), as old as the file's modification time; `http`: a JSON document,
 *  the price at `path` and its unix time (seconds) at `timePath`; `fixed`: a constant, always
 *  current. A price older than `maxSourceAgeSecs` is not published: the feeder never turns a
 *  dead source's last value into a fresh observation. */
export type PriceSource =
  | { kind: 'file'; path: string; key: string }
  | { kind: 'http'; url: string; path: string[]; timePath: string[] }
  | { kind: 'fixed'; price: string };

export interface FeederConfig extends ChainSettings {
  oracle: string;
  intervalMs: number;
  retries: number;
  /** Oldest source observation still published (default 60 s). */
  maxSourceAgeSecs?: number;
  /** HTTP requests give up after this long (default 10 s). */
  httpTimeoutMs?: number;
  assets: { assetId: string; source: PriceSource }[];
}

/** The oracle's `Feed` takes at most this many prices. */
const MAX_FEED_BATCH = 16;
const DECIMAL = /^\d+(\.\d{1,18})?$/;

export interface Observation {
  price: string;
  /** Unix seconds of the observation; null for a fixed price. */
  time: number | null;
}

function at(doc: unknown, path: string[]): unknown {
  return path.reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], doc);
}

export async function readPrice(source: PriceSource, httpTimeoutMs = 10_000): Promise<Observation> {
  let v: unknown;
  let time: number | null = null;
  switch (source.kind) {
    case 'fixed':
      v = source.price;
      break;
    case 'file':
      v = (JSON.parse(readFileSync(source.path, 'utf8')) as Record<string, unknown>)[source.key];
      time = Math.floor(statSync(source.path).mtimeMs / 1000);
      break;
    case 'http': {
      const r = await fetch(source.url, { signal: AbortSignal.timeout(httpTimeoutMs) });
      if (!r.ok) throw new Error(`${source.url}: HTTP ${r.status}`);
      const doc = await r.json();
      v = at(doc, source.path);
      const t = Number(at(doc, source.timePath));
      if (!Number.isFinite(t) || t <= 0) throw new Error(`${source.url}: no time at ${source.timePath.join('.')}`);
      time = Math.floor(t);
      break;
    }
  }
  const s = typeof v === 'number' ? v.toString() : v;
  if (typeof s !== 'string' || !DECIMAL.test(s) || /^0+(\.0+)?$/.test(s)) throw new Error(`not a positive price: ${JSON.stringify(v)}`);
  return { price: s, time };
}

export async function runFeeder(cfg: FeederConfig, mnemonic: string): Promise<void> {
  const signer = await connect(cfg, mnemonic);
  const oracle = new OracleClient(signer.client, signer.addr, cfg.oracle);
  const maxAge = cfg.maxSourceAgeSecs ?? 60;
  const publish = async (prices: FeedPrice[]) => {
    const r = await oracle.feed({ prices }, cfg.gasMultiplier);
    log('fed', { height: r.height, gas: r.gasUsed, prices: prices.map((p) => [p.asset_id, p.price, p.publish_time]) });
  };
  await loop('feeder', cfg.intervalMs, async () => {
    // a second before the latest block: the simulation may still run at the previous
    // block's time and would refuse a timestamp from its future
    const now = (await chainTime(signer)) - 1;
    const prices: FeedPrice[] = [];
    for (const a of cfg.assets) {
      try {
        const o = await readPrice(a.source, cfg.httpTimeoutMs);
        const time = o.time === null ? now : Math.min(o.time, now);
        if (now - time > maxAge) {
          log('source_stale', { asset: a.assetId, age_secs: now - time });
          continue;
        }
        prices.push({ asset_id: a.assetId, price: o.price, publish_time: time });
      } catch (e) {
        // one broken source must not stop the others
        log('source_failed', { asset: a.assetId, error: String(e) });
      }
    }
    for (let i = 0; i < prices.length; i += MAX_FEED_BATCH) {
      const batch = prices.slice(i, i + MAX_FEED_BATCH);
      try {
        await retry(cfg.retries, 500, 'feed', () => publish(batch));
      } catch {
        // the oracle checks the whole batch first: one refused price (an asset this feeder
        // does not source, a move it blocks) must not hold back the others
        for (const p of batch) {
          await publish([p]).catch((e) => log('feed_refused', { asset: p.asset_id, error: String(e) }));
        }
      }
    }
  });
}

if (require.main === module) {
  runFeeder(readConfig<FeederConfig>(process.argv), mnemonicFrom('FEEDER_MNEMONIC')).catch((e) => {
    log('fatal', { error: String(e) });
    process.exit(1);
  });
}
