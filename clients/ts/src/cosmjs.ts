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
