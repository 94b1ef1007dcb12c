// The reference app in Debian's chromium (playwright-core, no browser download) against a
// localnet deployment (scripts/test: BULWARK_DEPLOYMENT, BULWARK_RPC, BULWARK_KEYS,
// BULWARK_CHAIN_ID): connect through a mock Keplr, create an account, deposit, preview and
// open a perp, close it, buy an option, LP deposit and withdrawal request, with the health,
// breaker and pool panels checked; one screenshot per screen into docs/screenshots/.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const app = join(here, '..');
const root = join(app, '..', '..');
// the client's compiled localnet helpers (npm run build -w clients/ts)
const setup = require(join(root, 'clients/ts/dist/localnet/setup.js'));
const { OptionsClient } = require(join(root, 'clients/ts/dist/generated/Options.client.js'));
const { chainTime } = require(join(root, 'clients/ts/dist/bots/common.js'));

const env = (k) => {
  if (!process.env[k]) throw new Error(`${k} is not set (scripts/test sets it)`);
  return process.env[k];
};
const ASSET = 'WEBATOM';
const MARKET = 'WEBATOM-PERP';
const PORT = 4173;
const shots = join(root, 'docs', 'screenshots');

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
  console.log(`ok - ${what}`);
}

async function main() {
  const d = setup.deployment();
  const owner = await setup.signer('deployer');
  const feeders = await Promise.all(['feeder1', 'feeder2', 'feeder3'].map((n) => setup.signer(n)));
  await setup.configureMarket(d, owner, ASSET, MARKET, feeders.map((f) => f.addr), 2);
  const feed = (price) => setup.feedAll(d, feeders, ASSET, price);
  await feed('10');
  // a funded LP pool, so the pool panel and the perps' other side are real
  const lp = await setup.signer('lp1');
  const { VaultClient } = require(join(root, 'clients/ts/dist/generated/Vault.client.js'));
  await new VaultClient(lp.client, lp.addr, d.vault).lpDeposit({}, 'auto', undefined, [{ denom: 'uusdc', amount: '100000000000' }]);
  const board = await new OptionsClient(owner.client, owner.addr, d.options).createBoard({
    assetId: ASSET,
    expiry: (await chainTime(owner)) + 86_400,
    baseIv: '0.6',
    capPrice: '20',
    multiplier: '1000000',
    strikes: ['9', '10', '11'].map((strike) => ({ strike, skew: '1' })),
  });
  const boardId = Number(setup.attr(board, 'board_id'));

  writeFileSync(
    join(app, 'dist', 'config.json'),
    JSON.stringify({
      chainId: env('BULWARK_CHAIN_ID'),
      rpc: env('BULWARK_RPC'),
      gasPrice: '0.0025ustake',
      settlementDenom: 'uusdc',
      settlementDecimals: 6,
      vault: d.vault,
      perps: d.perps,
      options: d.options,
      oracle: d.oracle,
      circuitBreaker: d.circuit_breaker,
      marketId: MARKET,
      boardId,
    }),
  );
  const server = spawn(join(root, 'node_modules', '.bin', 'vite'), ['preview', '--port', String(PORT)], { cwd: app, stdio: 'ignore' });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${PORT}/config.json`)).ok) break;
      } catch {}
      if (i > 100) throw new Error('vite preview did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(
      `window.__bulwarkMockKeplr = ${JSON.stringify({ mnemonic: setup.mnemonic('trader1'), chainId: env('BULWARK_CHAIN_ID'), prefix: 'wasm' })};`,
    );
    await context.addInitScript({ path: join(app, 'dist-test', 'mock-keplr.js') });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.log(`page error: ${e}`));
    page.on('console', (m) => { if (m.type() === 'error') console.log(`console: ${m.text()}`); });
    const status = page.getByTestId('status');
    const done = async (label) => {
      await page.waitForFunction(
        (l) => {
          const t = document.querySelector('[data-testid=status]')?.textContent ?? '';
          return t.startsWith(`${l}: done`) || t.startsWith(`${l} failed`);
        },
        label,
        { timeout: 60_000 },
      );
      const text = await status.textContent();
      check(text.startsWith(`${label}: done`), `${label} (${text})`);
    };
    mkdirSync(shots, { recursive: true });

    await page.goto(`http://127.0.0.1:${PORT}/`);
    await page.getByTestId('connect').click();
    await page.getByTestId('address').waitFor().catch(async (e) => {
      throw new Error(`not connected: ${await status.textContent()} (${e})`);
    });
    check((await page.getByTestId('address').textContent()).startsWith('wasm1'), 'connected through Keplr');
    await page.getByTestId('breaker-level').waitFor().catch(async (e) => {
      throw new Error(`no breaker status: ${await status.textContent()} (${e})`);
    });
    check((await page.getByTestId('breaker-level').textContent()) === 'normal', 'breaker status shown: normal');

    // account: create and deposit
    await page.getByTestId('create-account').click();
    await done('create account');
    await page.getByTestId('deposit-amount').fill('5000');
    await page.getByTestId('deposit').click();
    await done('deposit');
    await page.waitForFunction(() => document.querySelector('[data-testid=equity]')?.textContent === '5000');
    check(true, 'equity shows the deposit: 5000');
    await page.screenshot({ path: join(shots, 'account.png') });

    // perps: preview, open, close
    await feed('10');
    await page.getByTestId('tab-perps').click();
    await page.getByTestId('size').fill('20');
    await page.getByTestId('preview').click();
    await done('preview');
    const previewed = await page.getByTestId('preview-maintenance').textContent();
    await page.getByTestId('open').click();
    await done('order');
    await page.waitForFunction(() => (document.querySelector('[data-testid=position]')?.textContent ?? '').includes('20 @'));
    check(true, 'position opened: 20');
    const h = await setup.signer('trader1');
    const { VaultQueryClient } = require(join(root, 'clients/ts/dist/generated/Vault.client.js'));
    const accounts = await new VaultQueryClient(h.client, d.vault).accountsByOwner({ owner: h.addr, limit: 1 });
    const vaultHealth = await new VaultQueryClient(h.client, d.vault).health({ accountId: accounts[0].account_id });
    check(
      Number(previewed) === Number(vaultHealth.maintenance_requirement) / 1e6,
      `previewed maintenance ${previewed} = the vault's ${Number(vaultHealth.maintenance_requirement) / 1e6}`,
    );
    await page.getByTestId('preview').click();
    await done('preview');
    await page.screenshot({ path: join(shots, 'perps.png') });
    await feed('10');
    await page.getByTestId('close').click();
    await done('close');
    await page.waitForFunction(() => (document.querySelector('[data-testid=position]')?.textContent ?? '').includes('none'));
    check(true, 'position closed');

    // options: the chain, and a purchase
    await feed('10');
    await page.getByTestId('tab-options').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=chain] tbody tr').length === 6);
    check(true, 'options chain: 6 series quoted');
    const buy = page.locator('[data-testid^=buy-]').nth(2);
    await buy.click();
    await done('buy option');
    await page.screenshot({ path: join(shots, 'options.png') });

    // LP: deposit and a withdrawal request
    await page.getByTestId('tab-lp').click();
    await page.getByTestId('lp-amount').fill('2000');
    await page.getByTestId('lp-deposit').click();
    await done('LP deposit');
    await page.getByTestId('lp-request').click();
    await done('withdrawal request');
    check((await page.getByTestId('lp-pending').textContent()).includes('shares, ready at'), 'withdrawal request shown');
    await page.screenshot({ path: join(shots, 'lp.png') });
    console.log('browser test passed');
  } finally {
    await browser.close();
    server.kill('SIGTERM');
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
