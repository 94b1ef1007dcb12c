// The keeper bot. Every interval, with bounded work per tick:
// * finds new accounts (ids are sequential from 1) and liquidates every liquidatable one;
// * settles expired option boards page by page;
// * refreshes the oracle's configured assets (pull sources, TWAPs);
// * auto-deleverages a perps market whose exposure is over its limit, best-ranked target first.
//   KEEPER_MNEMONIC=… node dist/bots/keeper.js --config keeper.json
import { VaultClient } from '../generated/Vault.client';
import { PerpsClient, PerpsQueryClient } from '../generated/Perps.client';
import { OptionsClient } from '../generated/Options.client';
import { OracleClient } from '../generated/Oracle.client';
import { ChainSettings, chainTime, connect, log, loop, mnemonicFrom, readConfig } from './common';

export interface KeeperConfig extends ChainSettings {
  vault: string;
  perps?: string;
  options?: string;
  oracle?: string;
  intervalMs: number;
  /** Accounts whose health is read per tick (round robin over all known accounts). */
  accountsPerTick: number;
  /** Accounts settled per `Settle` page (≤ the options contract's MAX_SETTLE_LIMIT). */
  settleLimit: number;
  /** Assets passed to the oracle's `Refresh`; empty: no refresh. */
  refreshAssets: string[];
  /** Perps markets watched for ADL. */
  adlMarkets: string[];
}

export class Keeper {
  private nextAccountId = 1;
  private accounts: number[] = [];
  private cursor = 0;
  readonly liquidated: number[] = [];

  constructor(
    private cfg: KeeperConfig,
    private vault: VaultClient,
    private perps: PerpsClient | undefined,
    private options: OptionsClient | undefined,
    private oracle: OracleClient | undefined,
    private now: () => Promise<number>,
  ) {}

  /** Account ids are sequential: probe the next ones until one does not exist yet. */
  async discover(max = 50): Promise<void> {
    for (let i = 0; i < max; i++) {
      try {
        await this.vault.account({ accountId: this.nextAccountId });
      } catch {
        return;
      }
      this.accounts.push(this.nextAccountId);
      log('account_found', { accountId: this.nextAccountId });
      this.nextAccountId += 1;
    }
  }

  async liquidate(): Promise<void> {
    const n = Math.min(this.cfg.accountsPerTick, this.accounts.length);
    for (let i = 0; i < n; i++) {
      const accountId = this.accounts[this.cursor % this.accounts.length];
      this.cursor += 1;
      try {
        const h = await this.vault.health({ accountId });
        if (!h.liquidatable) continue;
        const r = await this.vault.liquidate({ accountId }, this.cfg.gasMultiplier);
        this.liquidated.push(accountId);
        log('liquidated', { accountId, health: h.health, height: r.height, gas: r.gasUsed });
      } catch (e) {
        log('liquidate_failed', { accountId, error: String(e) });
      }
    }
  }

  async settle(): Promise<void> {
    if (!this.options) return;
    const now = await this.now();
    let startAfter: number | undefined;
    for (let page = 0; page < 10; page++) {
      const { boards } = await this.options.boards({ startAfter, limit: 20 });
      for (const b of boards) {
        if (b.status === 'settled' || b.expiry > now) continue;
        // one page per board per tick; the contract walks accounts after `start_after`
        try {
          const r = await this.options.settle({ boardId: b.board_id, limit: this.cfg.settleLimit }, this.cfg.gasMultiplier);
          log('settled_page', { boardId: b.board_id, height: r.height, gas: r.gasUsed });
        } catch (e) {
          log('settle_failed', { boardId: b.board_id, error: String(e) });
        }
      }
      if (boards.length < 20) return;
      startAfter = boards[boards.length - 1].board_id;
    }
  }

  async refresh(): Promise<void> {
    if (!this.oracle || this.cfg.refreshAssets.length === 0) return;
    try {
      const r = await this.oracle.refresh({ assets: this.cfg.refreshAssets }, this.cfg.gasMultiplier);
      log('refreshed', { assets: this.cfg.refreshAssets, height: r.height });
    } catch (e) {
      log('refresh_failed', { error: String(e) });
    }
  }

  async adl(): Promise<void> {
    if (!this.perps) return;
    const q: PerpsQueryClient = this.perps;
    for (const marketId of this.cfg.adlMarkets) {
      // merge every page's ranking; deleverage the best target while over the limit
      let best: { accountId: number; size: string; score: string } | undefined;
      let over = false;
      let startAfter: number | undefined;
      for (let page = 0; page < 20; page++) {
        const r = await q.adlRanking({ marketId, startAfter, limit: 50 });
        over = r.over_limit;
        if (!over) break;
        for (const c of r.candidates) {
          if (c.adl_score.startsWith('-') || c.adl_score === '0') continue;
          if (!best || Number(c.adl_score) > Number(best.score)) {
            best = { accountId: c.account_id, size: c.size.replace(/^-/, ''), score: c.adl_score };
          }
        }
        if (r.next_start_after == null) break;
        startAfter = r.next_start_after;
      }
      if (!over || !best) continue;
      try {
        const r = await this.perps.deleverage({ marketId, accountId: best.accountId, size: best.size }, this.cfg.gasMultiplier);
        log('deleveraged', { marketId, accountId: best.accountId, height: r.height });
      } catch (e) {
        log('deleverage_failed', { marketId, accountId: best.accountId, error: String(e) });
      }
    }
  }

  async tick(): Promise<void> {
    await this.discover();
    await this.refresh();
    await this.liquidate();
    await this.settle();
    await this.adl();
  }
}

export async function runKeeper(cfg: KeeperConfig, mnemonic: string): Promise<void> {
  const s = await connect(cfg, mnemonic);
  const keeper = new Keeper(
    cfg,
    new VaultClient(s.client, s.addr, cfg.vault),
    cfg.perps ? new PerpsClient(s.client, s.addr, cfg.perps) : undefined,
    cfg.options ? new OptionsClient(s.client, s.addr, cfg.options) : undefined,
    cfg.oracle ? new OracleClient(s.client, s.addr, cfg.oracle) : undefined,
    () => chainTime(s),
  );
  await loop('keeper', cfg.intervalMs, () => keeper.tick());
}


if (require.main === module) {
  runKeeper(readConfig<KeeperConfig>(process.argv), mnemonicFrom('KEEPER_MNEMONIC')).catch((e) => {
    log('fatal', { error: String(e) });
    process.exit(1);
  });
}
