// What the keeper and the feeder share: configuration from a JSON file with the signing key
// from the environment, a CosmJS signing client, structured log lines, retries.
import { readFileSync } from 'node:fs';
import { SigningCosmWasmClient } from '@cosmjs/cosmwasm';
import { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { GasPrice } from '@cosmjs/stargate';
import { signing } from '../cosmjs';
import type { ISigningCosmWasmClient } from '../generated/baseClient';

export interface ChainSettings {
  /** CometBFT RPC endpoint. */
  rpc: string;
  /** e.g. "0.0025ustake". */
  gasPrice: string;
  /** Bech32 prefix of the chain's addresses. */
  prefix: string;
  /** Gas limit = simulated gas × this. */
  gasMultiplier: number;
}

export function readConfig<T>(argv: string[]): T {
  const i = argv.indexOf('--config');
  if (i < 0 || !argv[i + 1]) throw new Error('usage: --config FILE');
  return JSON.parse(readFileSync(argv[i + 1], 'utf8')) as T;
}

export function mnemonicFrom(envName: string): string {
  const m = process.env[envName];
  if (!m) throw new Error(`${envName} is not set (the bot's signing key)`);
  return m;
}

export interface Signer {
  raw: SigningCosmWasmClient;
  client: ISigningCosmWasmClient;
  addr: string;
}

export async function connect(chain: ChainSettings, mnemonic: string): Promise<Signer> {
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: chain.prefix });
  const [account] = await wallet.getAccounts();
  const raw = await SigningCosmWasmClient.connectWithSigner(chain.rpc, wallet, {
    gasPrice: GasPrice.fromString(chain.gasPrice),
  });
  return { raw, client: signing(raw), addr: account.address };
}

/** One JSON object per line on stdout: what the bot did, for operators and tests. */
export function log(event: string, fields: Record<string, unknown> = {}): void {
  const replacer = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);
  process.stdout.write(JSON.stringify({ t: new Date().toISOString(), event, ...fields }, replacer) + '\n');
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `f` up to `attempts` (≥ 1) times, waiting `baseMs`, 2·`baseMs`, … between attempts;
 *  rethrows the last error. */
export async function retry<T>(attempts: number, baseMs: number, what: string, f: () => Promise<T>): Promise<T> {
  const n = Math.max(1, attempts);
  for (let i = 0; ; i++) {
    try {
      return await f();
    } catch (e) {
      log('retry', { what, attempt: i + 1, of: n, error: String(e) });
      if (i + 1 >= n) throw e;
      await sleep(baseMs * 2 ** i);
    }
  }
}

/** The latest block's time in seconds. */
export async function chainTime(s: Signer): Promise<number> {
  const block = await s.raw.getBlock();
  return Math.floor(new Date(block.header.time).getTime() / 1000);
}

/** Waits until the chain is `n` blocks past its current height. */
export async function waitBlocks(s: Signer, n: number): Promise<void> {
  const h = await s.raw.getHeight();
  while ((await s.raw.getHeight()) < h + n) await sleep(200);
}

/** Runs `tick` every `intervalMs` until SIGINT/SIGTERM; a failing tick is logged, never fatal. */
export async function loop(name: string, intervalMs: number, tick: () => Promise<void>): Promise<void> {
  let stop = false;
  const halt = () => {
    stop = true;
  };
  process.on('SIGINT', halt);
  process.on('SIGTERM', halt);
  log('start', { bot: name });
  while (!stop) {
    try {
      await tick();
    } catch (e) {
      log('tick_failed', { bot: name, error: String(e) });
    }
    await sleep(intervalMs);
  }
  log('stop', { bot: name });
}
