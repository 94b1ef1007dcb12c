// The bots end to end on a localnet: the feeder publishes a simulated feed (a local file),
// a trader opens a leveraged long, the feed crashes, and the keeper — a separate process that
// nobody calls — liquidates the account. Both bots run as they would in production:
// `node dist/bots/<bot>.js --config FILE` with the key in the environment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VaultClient, VaultQueryClient } from '../generated/Vault.client';
import { PerpsClient, PerpsQueryClient } from '../generated/Perps.client';
import { attr, blocks, bot, chain, configureMarket, deployment, mnemonic, signer, startFeeder, U, until } from './setup';
import type { KeeperConfig } from '../bots/keeper';

const ASSET = 'BOTATOM';
const MARKET = 'BOTATOM-PERP';

test('the keeper liquidates a crash with nobody calling it', { timeout: 300_000 }, async (t) => {
  const d = deployment();
  const owner = await signer('deployer');
  const feeder = await signer('feeder2');
  const trader = await signer('trader2');
  const keeper = await signer('keeper');
  await configureMarket(d, owner, ASSET, MARKET, [feeder.addr], 1);

  const feed = await startFeeder(d, 'feeder2', ASSET, '10');
  const dir = feed.dir;
  const keeperCfg: KeeperConfig = {
    ...chain(),
    vault: d.vault,
    perps: d.perps,
    options: d.options,
    oracle: d.oracle,
    intervalMs: 1_000,
    accountsPerTick: 50,
    settleLimit: 10,
    refreshAssets: [],
    adlMarkets: [MARKET],
  };
  writeFileSync(join(dir, 'keeper.json'), JSON.stringify(keeperCfg));
  const keeperLog: string[] = [];
  let keeperProc: ChildProcess | undefined;
  try {
    const vaultQ = new VaultQueryClient(owner.client, d.vault);
    const perpsQ = new PerpsQueryClient(owner.client, d.perps);
    await blocks(owner, 2);

    // a 10x-ish long: 1,000 USDC margin, 250 at 10
    const tv = new VaultClient(trader.client, trader.addr, d.vault);
    const accountId = Number(attr(await tv.createAccount(), 'account_id'));
    await tv.deposit({ accountId }, 'auto', undefined, [{ denom: 'uusdc', amount: (1_000n * U).toString() }]);
    await new PerpsClient(trader.client, trader.addr, d.perps).submitOrder({
      accountId,
      marketId: MARKET,
      sizeDelta: '250',
      acceptablePrice: '10.5',
      reduceOnly: false,
    });
    const before = await vaultQ.health({ accountId });
    assert.equal(before.liquidatable, false);

    keeperProc = bot('keeper', join(dir, 'keeper.json'), 'KEEPER_MNEMONIC', mnemonic('keeper'), keeperLog);
    await until('the keeper discovers the account', 60, async () =>
      keeperLog.some((l) => l.includes('"account_found"') && l.includes(`"accountId":${accountId}`)),
    );
    assert.ok(!keeperLog.some((l) => l.includes('"liquidated"')), 'a healthy account is left alone');
    const keeperUsdc = BigInt((await keeper.raw.getBalance(keeper.addr, 'uusdc')).amount);

    // the crash: the feeder publishes it, the keeper liquidates on its own
    feed.setPrice('7');
    await until('the keeper liquidates', 90, async () =>
      keeperLog.some((l) => l.includes('"liquidated"') && l.includes(`"accountId":${accountId}`)),
    );
    const pos = await perpsQ.position({ accountId, marketId: MARKET });
    const size = pos.position ? Number(pos.position.size) : 0;
    assert.ok(size < 250, `position reduced (size ${size})`);
    const bonus = BigInt((await keeper.raw.getBalance(keeper.addr, 'uusdc')).amount) - keeperUsdc;
    assert.ok(bonus > 0n, `the keeper earned its bonus (${bonus})`);
    t.diagnostic(`keeper: liquidated account ${accountId} after the crash to 7, size 250 -> ${size}, bonus ${bonus} uusdc`);
  } finally {
    feed.proc.kill('SIGTERM');
    keeperProc?.kill('SIGTERM');
  }
});
