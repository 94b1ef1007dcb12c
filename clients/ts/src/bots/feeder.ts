// The feeder bot: every interval, reads each configured asset's price from its source and
// publishes them to the oracle in one `Feed`, with simulated gas, retries and the chain's time.
//   FEEDER_MNEMONIC=… node dist/bots/feeder.js --config feeder.json
import { readFileSync } from 'node:fs';
import { OracleClient } from '../generated/Oracle.client';
import type { FeedPrice } from '../generated/Oracle.types';
import { ChainSettings, chainTime, connect, log, loop, mnemonicFrom, readConfig, retry } from './common';

/** Where a price comes from. `file`: a JSON object of asset → price (a local simulated feed);
 *  `http`: a JSON document, the price at `path`; `fixed`: a constant. */
export type PriceSource =
  | { kind: 'file'; path: string; key: string }
  | { kind: 'http'; url: string; path: string[] }
  | { kind: 'fixed'; price: string };

export interface FeederConfig extends ChainSettings {
  oracle: string;
  intervalMs: number;
  retries: number;
  assets: { assetId: string; source: PriceSource }[];
}

const DECIMAL = /^\d+(\.\d{1,18})?$/;

export async function readPrice(source: PriceSource): Promise<string> {
  let v: unknown;
  switch (source.kind) {
    case 'fixed':
      v = source.price;
      break;
    case 'file':
      v = (JSON.parse(readFileSync(source.path, 'utf8')) as Record<string, unknown>)[source.key];
      break;
    case 'http': {
      const r = await fetch(source.url);
      if (!r.ok) throw new Error(`${source.url}: HTTP ${r.status}`);
      v = source.path.reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], await r.json());
      break;
    }
  }
  const s = typeof v === 'number' ? v.toString() : v;
  if (typeof s !== 'string' || !DECIMAL.test(s)) throw new Error(`not a price: ${JSON.stringify(v)}`);
  return s;
}

export async function runFeeder(cfg: FeederConfig, mnemonic: string): Promise<void> {
  const signer = await connect(cfg, mnemonic);
  const oracle = new OracleClient(signer.client, signer.addr, cfg.oracle);
  await loop('feeder', cfg.intervalMs, async () => {
    const prices: FeedPrice[] = [];
    for (const a of cfg.assets) {
      try {
        prices.push({ asset_id: a.assetId, price: await readPrice(a.source), publish_time: 0 });
      } catch (e) {
        // one broken source must not stop the others
        log('source_failed', { asset: a.assetId, error: String(e) });
      }
    }
    if (prices.length === 0) return;
    await retry(cfg.retries, 500, 'feed', async () => {
      // a second before the latest block: the simulation may still run at the previous
      // block's time and would refuse a timestamp from its future
      const now = (await chainTime(signer)) - 1;
      const r = await oracle.feed({ prices: prices.map((p) => ({ ...p, publish_time: now })) }, cfg.gasMultiplier);
      log('fed', { height: r.height, gas: r.gasUsed, prices: prices.map((p) => [p.asset_id, p.price]) });
    });
  });
}

if (require.main === module) {
  runFeeder(readConfig<FeederConfig>(process.argv), mnemonicFrom('FEEDER_MNEMONIC')).catch((e) => {
    log('fatal', { error: String(e) });
    process.exit(1);
  });
}
