// A mock of Keplr's injected API for the browser test: window.keplr signing with a test
// mnemonic (CosmJS's HD wallet, the same keys as the localnet's genesis accounts). The test
// injects this script, after `window.__bulwarkMockKeplr = { mnemonic, chainId, prefix }`,
// before the app loads; the app cannot tell it from the extension for what it uses.
import { DirectSecp256k1HdWallet, OfflineDirectSigner } from '@cosmjs/proto-signing';

interface MockSettings {
  mnemonic: string;
  chainId: string;
  prefix: string;
}

declare global {
  interface Window {
    __bulwarkMockKeplr?: MockSettings;
  }
}

const settings = window.__bulwarkMockKeplr;
if (!settings) throw new Error('mock Keplr: window.__bulwarkMockKeplr is not set');
const wallet = DirectSecp256k1HdWallet.fromMnemonic(settings.mnemonic, { prefix: settings.prefix });
const enabled = new Set<string>();

function checkChain(chainId: string): void {
  if (chainId !== settings!.chainId) throw new Error(`mock Keplr: unknown chain ${chainId}`);
}

const signer = (chainId: string): OfflineDirectSigner => ({
  getAccounts: async () => {
    checkChain(chainId);
    if (!enabled.has(chainId)) throw new Error('mock Keplr: call enable() first');
    return (await wallet).getAccounts();
  },
  signDirect: async (address, doc) => {
    checkChain(chainId);
    return (await wallet).signDirect(address, doc);
  },
});

(window as unknown as { keplr: unknown }).keplr = {
  enable: async (chainId: string) => {
    checkChain(chainId);
    enabled.add(chainId);
  },
  getOfflineSigner: signer,
  getOfflineSignerAuto: async (chainId: string) => signer(chainId),
  getKey: async (chainId: string) => {
    checkChain(chainId);
    const [a] = await (await wallet).getAccounts();
    return { name: 'bulwark-test', algo: a.algo, pubKey: a.pubkey, bech32Address: a.address, isNanoLedger: false };
  },
};
