// The keeper's other duties on a localnet, again with nobody calling the contracts: it
// auto-deleverages a perps market whose traders' unrealized profit exceeds the pool's limit,
// settles an expired option board one page per tick (one account per page here, two
// accounts), and refreshes the oracle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VaultClient } from '../generated/Vault.client';
import { PerpsClient, PerpsQueryClient } from '../generated/Perps.client';
import { OptionsClient, OptionsQueryClient } from '../generated/Options.client';
import { attr, blocks, bot, chain, configureMarket, deployment, marketParams, mnemonic, signer, startFeeder, U, until } from './setup';
import { chainTime } from '../bots/common';
import type { KeeperConfig } from '../bots/keeper';

const ASSET = 'DUTYATOM';
const MARKET = 'DUTYATOM-PERP';

test('the keeper deleverages, settles page by page and refreshes on its own', { timeout: 400_000 }, async (t) => {
  const d = deployment();
  const owner = await signer('deployer');
  const feeder = await signer('feeder3');
  // ADL once the traders' unrealized profit on this market exceeds 5 USDC
  await configureMarket(d, owner, ASSET, MARKET, [feeder.addr], 1, { ...marketParams(), max_pool_exposure: (5n * U).toString() });
  const feed = await startFeeder(d, 'feeder3', ASSET, '10');
  const dir = feed.dir;
  const keeperLog: string[] = [];
  const procs: ChildProcess[] = [feed.proc];
  try {
    await blocks(owner, 2);

    // a board expiring in a minute: trading closes 10 s before, TWAP over the last 10 s
    const options = new OptionsClient(owner.client, owner.addr, d.options);
    const optionsQ = new OptionsQueryClient(owner.client, d.options);
    const cfg = await optionsQ.config();
    await options.updateConfig({ params: { ...cfg.params, trading_cutoff_secs: 10, twap_window_secs: 10, max_price_age_secs: 60 } });
    const expiry = (await chainTime(owner)) + 60;
    const boardId = Number(
      attr(
        await options.createBoard({
          assetId: ASSET,
          expiry,
          baseIv: '0.6',
          capPrice: '20',
          multiplier: U.toString(),
          strikes: [{ strike: '10', skew: '1' }],
        }),
        'board_id',
      ),
    );
    const board = await optionsQ.board({ boardId });
    const callId = board.strikes[0].call_series_id;

    // two option holders (two settlement pages of one account), one perps long
    const holders = [];
    for (const name of ['trader1', 'trader3']) {
      const s = await signer(name);
      const v = new VaultClient(s.client, s.addr, d.vault);
      const accountId = Number(attr(await v.createAccount(), 'account_id'));
      await v.deposit({ accountId }, 'auto', undefined, [{ denom: 'uusdc', amount: (1_000n * U).toString() }]);
      await new OptionsClient(s.client, s.addr, d.options).buy({ accountId, seriesId: callId, amount: '2', maxCost: (10n * U).toString() });
      holders.push({ s, accountId });
    }
    const long = holders[0];
    await new PerpsClient(long.s.client, long.s.addr, d.perps).submitOrder({
      accountId: long.accountId,
      marketId: MARKET,
      sizeDelta: '50',
      acceptablePrice: '10.5',
      reduceOnly: false,
    });

    const keeperCfg: KeeperConfig = {
      ...chain(),
      vault: d.vault,
      perps: d.perps,
      options: d.options,
      oracle: d.oracle,
      intervalMs: 1_000,
      accountsPerTick: 50,
      settleLimit: 1,
      refreshAssets: [ASSET],
      adlMarkets: [MARKET],
    };
    writeFileSync(join(dir, 'keeper.json'), JSON.stringify(keeperCfg));
    procs.push(bot('keeper', join(dir, 'keeper.json'), 'KEEPER_MNEMONIC', mnemonic('keeper'), keeperLog));
    await until('the keeper refreshes the oracle', 60, async () => keeperLog.some((l) => l.includes('"refreshed"')));
    assert.ok(!keeperLog.some((l) => l.includes('"deleveraged"')), 'no ADL while under the limit');

    // the price rises 20 %: the long's profit (≈ 100 USDC) is far over the 5 USDC limit
    feed.setPrice('12');
    const perpsQ = new PerpsQueryClient(owner.client, d.perps);
    await until('the keeper deleverages the market', 90, async () =>
      keeperLog.some((l) => l.includes('"deleveraged"') && l.includes(`"accountId":${long.accountId}`)),
    );
    const ranking = await perpsQ.adlRanking({ marketId: MARKET, limit: 10 });
    const pos = await perpsQ.position({ accountId: long.accountId, marketId: MARKET });
    const size = pos.position ? Number(pos.position.size) : 0;
    assert.ok(size < 50, `the long was reduced (size ${size})`);
    assert.equal(ranking.over_limit, false, `exposure back within the limit (${ranking.exposure})`);

    // after expiry the keeper settles the board, one account per page
    const pagesOf = () => keeperLog.filter((l) => l.includes('"settled_page"') && l.includes(`"boardId":${boardId}`)).length;
    // the keeper logs a page once its transaction is in a block, so wait for both signs
    await until('the board is settled', 180, async () => (await optionsQ.board({ boardId })).status === 'settled' && pagesOf() >= 2);
    const pages = pagesOf();
    assert.ok(pages >= 2, `settled in pages (${pages})`);
    t.diagnostic(`keeper: deleveraged account ${long.accountId} 50 -> ${size} (exposure ${ranking.exposure}), board ${boardId} settled in ${pages} pages`);
  } finally {
    for (const p of procs) p.kill('SIGTERM');
  }
});
