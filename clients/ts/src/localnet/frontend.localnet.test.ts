// Against a wasmd localnet (scripts/test runs it; by hand: scripts/chain start, then
// `bulwark-chain deploy --localnet --out F` and BULWARK_DEPLOYMENT=F BULWARK_RPC=… BULWARK_KEYS=…
// npm run test:localnet -w clients/ts). The deployer still owns the contracts, so the test
// configures a market through the generated clients, then checks the frontend figures against
// what the contracts do: the order preview against the trade's real outcome, the options chain
// against a real purchase, the pool figures against the LP's deposit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VaultClient, VaultQueryClient } from '../generated/Vault.client';
import { PerpsClient, PerpsQueryClient } from '../generated/Perps.client';
import { OptionsClient, OptionsQueryClient } from '../generated/Options.client';
import { accountHealth, liquidationPrice, optionsChain, perpsOrderPreview, poolFigures } from '../frontend';
import { toAtomics } from '../fixed';
import { attr, configureMarket, deployment, feedAll, signer, U } from './setup';
import { chainTime } from '../bots/common';

const ASSET = 'TSATOM';
const MARKET = 'TSATOM-PERP';

test('frontend figures agree with the contracts on a localnet', { timeout: 300_000 }, async (t) => {
  const d = deployment();
  const deployer = await signer('deployer');
  const feeders = await Promise.all(['feeder1', 'feeder2', 'feeder3'].map((n) => signer(n)));
  const trader = await signer('trader3');
  const lp = await signer('lp2');

  const vaultQ = new VaultQueryClient(deployer.client, d.vault);
  const perpsQ = new PerpsQueryClient(deployer.client, d.perps);
  const optionsQ = new OptionsQueryClient(deployer.client, d.options);

  // --- a market of our own, configured through the generated clients (deployer = owner)
  await configureMarket(d, deployer, ASSET, MARKET, feeders.map((f) => f.addr), 2);
  const feed = (price: string) => feedAll(d, feeders, ASSET, price);
  await feed('10');

  // --- LP pool figures follow a deposit exactly
  const before = await poolFigures(vaultQ);
  await new VaultClient(lp.client, lp.addr, d.vault).lpDeposit({}, 'auto', undefined, [
    { denom: 'uusdc', amount: (200_000n * U).toString() },
  ]);
  const after = await poolFigures(vaultQ);
  assert.equal(after.assets - before.assets, 200_000n * U);
  assert.ok(after.totalShares > before.totalShares);

  // --- an account, its health, and a perps order preview against the real trade
  const trader_ = new VaultClient(trader.client, trader.addr, d.vault);
  const created = await trader_.createAccount();
  const accountId = Number(attr(created, 'account_id'));
  await trader_.deposit({ accountId }, 'auto', undefined, [{ denom: 'uusdc', amount: (2_000n * U).toString() }]);
  const h0 = await accountHealth(vaultQ, accountId);
  assert.equal(h0.equity, 2_000n * U);
  assert.equal(h0.health, null);

  await feed('10');
  const preview = await perpsOrderPreview({ vault: vaultQ, perps: perpsQ }, accountId, MARKET, '50');
  assert.ok(preview.increasesRisk && preview.acceptable);
  assert.ok(toAtomics(preview.fillPrice) >= toAtomics(preview.oraclePrice), 'a buy pays the skew premium');
  await new PerpsClient(trader.client, trader.addr, d.perps).submitOrder({
    accountId,
    marketId: MARKET,
    sizeDelta: '50',
    acceptablePrice: '10.5',
    reduceOnly: false,
  });
  const h1 = await accountHealth(vaultQ, accountId);
  assert.equal(h1.maintenance, preview.maintenanceAfter, 'previewed maintenance = the vault’s');
  assert.equal(h1.initial, preview.initialAfter, 'previewed initial = the vault’s');
  // equity differs only by funding accrued in the seconds between preview and trade
  const drift = h1.equity - preview.equityAfter;
  t.diagnostic(
    `preview +50: fill ${preview.fillPrice} (impact ${preview.priceImpact}), fee ${preview.fee}, maintenance ${preview.maintenanceAfter} / initial ${preview.initialAfter} (vault after: ${h1.maintenance} / ${h1.initial}), equity ${preview.equityAfter} (vault after: ${h1.equity}), health ${preview.healthAfter}`,
  );
  assert.ok(drift < 1_000n && drift > -1_000n, `equity ${h1.equity} vs preview ${preview.equityAfter}`);
  const spot = (await perpsQ.quote({ accountId, marketId: MARKET, sizeDelta: '0.1' })).oracle_price;
  // 2,000 USDC backing a 500 USDC long: even a price of zero leaves equity above maintenance
  assert.equal(liquidationPrice(h1.equity, h1.maintenance, 0n, spot, '50', 6), null);
  // ten times the size on the same equity liquidates below the spot
  const liq = liquidationPrice(h1.equity, h1.maintenance * 10n, 0n, spot, '500', 6);
  assert.ok(liq !== null && toAtomics(liq) < toAtomics(spot), `a leveraged long liquidates below the spot (${liq})`);

  // --- an options chain, and a purchase at its ask
  const now = await chainTime(deployer);
  const options = new OptionsClient(deployer.client, deployer.addr, d.options);
  const created2 = await options.createBoard({
    assetId: ASSET,
    expiry: now + 86_400,
    baseIv: '0.6',
    capPrice: '20',
    multiplier: U.toString(),
    strikes: ['9', '10', '11'].map((strike) => ({ strike, skew: '1' })),
  });
  const boardId = Number(attr(created2, 'board_id'));
  await feed('10');
  const chain = await optionsChain(optionsQ, boardId, '1');
  assert.equal(chain.length, 6);
  for (const row of chain) {
    assert.ok(row.ask > row.bid, `${row.type} ${row.strike}: ask ${row.ask} > bid ${row.bid}`);
    const delta = toAtomics(row.delta);
    assert.ok(row.type === 'call' ? delta > 0n : delta < 0n, `${row.type} delta ${row.delta}`);
  }
  const atm = chain.find((r) => r.type === 'call' && r.strike === '10');
  assert.ok(atm);
  const cash0 = (await vaultQ.account({ accountId })).settlement_balance;
  await new OptionsClient(trader.client, trader.addr, d.options).buy({
    accountId,
    seriesId: atm.seriesId,
    amount: '1',
    maxCost: (atm.ask + atm.ask / 20n).toString(),
  });
  const paid = BigInt(cash0) - BigInt((await vaultQ.account({ accountId })).settlement_balance);
  // the quote moves only with the seconds of decay between quote and trade
  const gap = paid > atm.ask ? paid - atm.ask : atm.ask - paid;
  t.diagnostic(`options: 10 call ask ${atm.ask} bid ${atm.bid} delta ${atm.delta}; paid ${paid}`);
  assert.ok(gap * 100n <= atm.ask, `paid ${paid} for an ask of ${atm.ask}`);
});
