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

/** Display amounts and transaction attributes, as the client computes them. */
export { formatUnits as units, parseUnits as toBase, txAttr as attr } from '@bulwark/client';
