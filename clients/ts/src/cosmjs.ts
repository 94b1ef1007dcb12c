// Adapters from CosmJS clients (what Keplr's offline signer plugs into) to the generated
// clients' interfaces, so a frontend uses `new VaultClient(signing(client), sender, addr)`.
import type { CosmWasmClient, SigningCosmWasmClient } from '@cosmjs/cosmwasm';
import type { ICosmWasmClient, ISigningCosmWasmClient } from './generated/baseClient';

export function querying(client: CosmWasmClient): ICosmWasmClient {
  return { queryContractSmart: (addr: string, query: unknown) => client.queryContractSmart(addr, query) };
}

/** Executes with the fee given, or simulated gas ("auto", which needs the client's gasPrice). */
export function signing(client: SigningCosmWasmClient): ISigningCosmWasmClient {
  return {
    queryContractSmart: (addr: string, query: unknown) => client.queryContractSmart(addr, query),
    execute: (sender, contract, msg, fee, memo, funds) =>
      client.execute(sender, contract, msg, fee ?? 'auto', memo, funds),
  };
}

/** The first value of attribute `key` in a transaction's events (e.g. `account_id` of
 *  `CreateAccount`); undefined when absent. */
export function txAttr(
  result: { events: readonly { attributes: readonly { key: string; value: string }[] }[] },
  key: string,
): string | undefined {
  for (const e of result.events) for (const a of e.attributes) if (a.key === key) return a.value;
  return undefined;
}
