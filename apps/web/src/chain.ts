// The app's connection: the deployment it talks to (public/config.json, written per network)
// and a CosmJS signing client over Keplr's offline signer.
import { SigningCosmWasmClient } from '@cosmjs/cosmwasm';
import { GasPrice } from '@cosmjs/stargate';
import type { OfflineSigner } from '@cosmjs/proto-signing';

export interface AppConfig {
  chainId: string;
  rpc: string;
  gasPrice: string;
  settlementDenom: string;
  settlementDecimals: number;
  vault: string;
  perps: string;
  options: string;
  oracle: string;
  circuitBreaker: string;
  marketId: string;
  boardId: number;
}

/** The part of Keplr's injected API the app uses (window.keplr). */
export interface KeplrLike {
  enable(chainId: string): Promise<void>;
  getOfflineSigner(chainId: string): OfflineSigner;
}

declare global {
  interface Window {
    keplr?: KeplrLike;
  }
}

export async function loadConfig(): Promise<AppConfig> {
  const r = await fetch('/config.json');
  if (!r.ok) throw new Error(`config.json: HTTP ${r.status}`);
  return (await r.json()) as AppConfig;
}

export interface Connection {
  client: SigningCosmWasmClient;
  address: string;
}

export async function connectKeplr(cfg: AppConfig): Promise<Connection> {
  const keplr = window.keplr;
  if (!keplr) throw new Error('Keplr is not installed');
  await keplr.enable(cfg.chainId);
  const signer = keplr.getOfflineSigner(cfg.chainId);
  const [account] = await signer.getAccounts();
  const client = await SigningCosmWasmClient.connectWithSigner(cfg.rpc, signer, {
    gasPrice: GasPrice.fromString(cfg.gasPrice),
  });
  return { client, address: account.address };
}

/** Base units → a display amount ("1234.5"). */
export function units(amount: bigint | string, decimals: number): string {
  const v = typeof amount === 'bigint' ? amount : BigInt(amount);
  const neg = v < 0n;
  const a = neg ? -v : v;
  const scale = 10n ** BigInt(decimals);
  const frac = (a % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${a / scale}${frac ? '.' + frac : ''}`;
}

/** A display amount → base units; throws on anything but a plain non-negative decimal. */
export function toBase(display: string, decimals: number): bigint {
  if (!/^\d+(\.\d+)?$/.test(display.trim())) throw new Error(`not an amount: ${display}`);
  const [w, f = ''] = display.trim().split('.');
  if (f.length > decimals) throw new Error(`at most ${decimals} decimals`);
  return BigInt(w) * 10n ** BigInt(decimals) + BigInt((f + '0'.repeat(decimals)).slice(0, decimals));
}

/** The first attribute `key` of a transaction's events. */
export function attr(result: { events: readonly { attributes: readonly { key: string; value: string }[] }[] }, key: string): string | undefined {
  for (const e of result.events) for (const a of e.attributes) if (a.key === key) return a.value;
  return undefined;
}
