// The keeper bot. Every interval, with bounded work per tick:
// * finds new accounts (ids are sequential from 1), reads their health and liquidates every
//   liquidatable one (again while it stays liquidatable, as a close factor may require);
// * settles expired option boards page by page, past accounts whose payout fails;
// * refreshes the oracle's configured assets (pull sources, TWAPs);
// * auto-deleverages a perps market whose exposure is over its limit, best-ranked target first.
//   KEEPER_MNEMONIC=… node dist/bots/keeper.js --config keeper.json
import { VaultClient } from '../generated/Vault.client';
import { PerpsClient, PerpsQueryClient } from '../generated/Perps.client';
import { OptionsClient } from '../generated/Options.client';
import { OracleClient } from '../generated/Oracle.client';
import { ChainSettings, chainTime, connect, log, loop, mnemonicFrom, readConfig, waitBlocks } from './common';
import { toAtomics } from '../fixed';

export interface KeeperConfig extends ChainSettings {
  vault: string;
  perps?: string;
  options?: string;
  oracle?: string;
  intervalMs: number;
  /** Accounts whose health is read per tick, round robin; 0: every known account. */
  accountsPerTick: number;
  /** Health queries in flight at once (default 8). */
  healthConcurrency?: number;
  /** Accounts settled per `Settle` page (≤ the options contract's MAX_SETTLE_LIMIT). */
  settleLimit: number;
  /** Assets passed to the oracle's `Refresh`; empty: no refresh. */
  refreshAssets: string[];
  /** Perps markets watched for ADL. */
  adlMarkets: string[];
}

/** Whether an error is a stale account sequence (a previous tx not yet committed). */
const sequenceMismatch = (e: unknown) => /account sequence mismatch|incorrect account sequence/i.test(String(e));

export class Keeper {
  private nextAccountId = 1;
  private accounts: number[] = [];
  private cursor = 0;
  /** Per settling board: the account id after which the next `Settle` page starts (past
   *  accounts whose payout fails, so one cannot block the others). */
  private settleAfter = new Map<number, number | undefined>();
  /** Boards below this id are all settled (the `Boards` scan resumes here). */
  private boardsFrom: number | undefined;
  liquidations = 0;

  constructor(
    private cfg: KeeperConfig,
    private vault: VaultClient,
    private perps: PerpsClient | undefined,
    private options: OptionsClient | undefined,
    private oracle: OracleClient | undefined,
    private now: () => Promise<number>,
    private nextBlock: () => Promise<void>,
  ) {}

  /** Account ids are sequential: probe the next ones until one does not exist yet. */
  async discover(max = 1_000): Promise<void> {
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

  /** Sends one transaction; a stale sequence gets one retry after the next block. */
  private async send<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      if (!sequenceMismatch(e)) throw e;
      await this.nextBlock();
      return f();
    }
  }

  /** Reads `accountsPerTick` healths (all accounts when 0), `healthConcurrency` at a time,
   *  and liquidates each liquidatable account until it no longer is (a close factor may need
   *  several rounds; at most 5 per tick). */
  async liquidate(): Promise<void> {
    const n = this.cfg.accountsPerTick > 0 ? Math.min(this.cfg.accountsPerTick, this.accounts.length) : this.accounts.length;
    const batch: number[] = [];
    for (let i = 0; i < n; i++) batch.push(this.accounts[(this.cursor + i) % this.accounts.length]);
    this.cursor = this.accounts.length ? (this.cursor + n) % this.accounts.length : 0;
    const due: { accountId: number; health: string | null | undefined }[] = [];
    const width = Math.max(1, this.cfg.healthConcurrency ?? 8);
    for (let i = 0; i < batch.length; i += width) {
      await Promise.all(
        batch.slice(i, i + width).map(async (accountId) => {
          try {
            const h = await this.vault.health({ accountId });
            if (h.liquidatable) due.push({ accountId, health: h.health });
          } catch (e) {
            log('health_failed', { accountId, error: String(e) });
          }
        }),
      );
    }
    for (const { accountId, health } of due) {
      for (let round = 0; round < 5; round++) {
        try {
          const r = await this.send(() => this.vault.liquidate({ accountId }, this.cfg.gasMultiplier));
          this.liquidations += 1;
          log('liquidated', { accountId, health, round, height: r.height, gas: r.gasUsed });
          if (!(await this.vault.health({ accountId })).liquidatable) break;
        } catch (e) {
          log('liquidate_failed', { accountId, round, error: String(e) });
          break;
        }
      }
    }
  }

  async settle(): Promise<void> {
    if (!this.options) return;
    const now = await this.now();
    let startAfter = this.boardsFrom;
    let allSettledSoFar = true;
    for (let page = 0; page < 10; page++) {
      const { boards } = await this.options.boards({ startAfter, limit: 20 });
      for (const b of boards) {
        if (b.status === 'settled') {
          if (allSettledSoFar) this.boardsFrom = b.board_id;
          this.settleAfter.delete(b.board_id);
          continue;
        }
        allSettledSoFar = false;
        if (b.expiry > now) continue;
        await this.settlePage(b.board_id);
      }
      if (boards.length < 20) return;
      startAfter = boards[boards.length - 1].board_id;
    }
  }

  /** One `Settle` page of a board. If it fails, the first account after the cursor is the
   *  blocker (a payout the vault refuses): the cursor moves past one known account id per
   *  tick, so the others are paid; past the last account it starts over. */
  private async settlePage(boardId: number): Promise<void> {
    const after = this.settleAfter.get(boardId);
    try {
      const r = await this.send(() =>
        this.options!.settle({ boardId, startAfter: after, limit: this.cfg.settleLimit }, this.cfg.gasMultiplier),
      );
      log('settled_page', { boardId, startAfter: after ?? null, height: r.height, gas: r.gasUsed });
    } catch (e) {
      const next = this.accounts.find((id) => after === undefined || id > after);
      this.settleAfter.set(boardId, next);
      log('settle_failed', { boardId, startAfter: after ?? null, nextStartAfter: next ?? null, error: String(e) });
    }
  }

  async refresh(): Promise<void> {
    if (!this.oracle || this.cfg.refreshAssets.length === 0) return;
    // the oracle takes at most 16 assets per Refresh
    for (let i = 0; i < this.cfg.refreshAssets.length; i += 16) {
      const assets = this.cfg.refreshAssets.slice(i, i + 16);
      try {
        const r = await this.send(() => this.oracle!.refresh({ assets }, this.cfg.gasMultiplier));
        log('refreshed', { assets, height: r.height });
      } catch (e) {
        log('refresh_failed', { assets, error: String(e) });
      }
    }
  }

  async adl(): Promise<void> {
    if (!this.perps) return;
    const q: PerpsQueryClient = this.perps;
    for (const marketId of this.cfg.adlMarkets) {
      try {
        await this.adlMarket(q, marketId);
      } catch (e) {
        log('adl_failed', { marketId, error: String(e) });
      }
    }
  }

  /** Merges the ranking's pages and deleverages the best profitable target while the market
   *  is over its limit (the contract closes no more than brings it back). */
  private async adlMarket(q: PerpsQueryClient, marketId: string): Promise<void> {
    let best: { accountId: number; size: string; score: bigint } | undefined;
    let startAfter: number | undefined;
    for (let page = 0; page < 200; page++) {
      const r = await q.adlRanking({ marketId, startAfter, limit: 50 });
      if (!r.over_limit) return;
      for (const c of r.candidates) {
        const score = toAtomics(c.adl_score);
        if (score <= 0n) continue;
        if (!best || score > best.score) best = { accountId: c.account_id, size: c.size.replace(/^-/, ''), score };
      }
      if (r.next_start_after == null) break;
      startAfter = r.next_start_after;
    }
    if (!best) return;
    const target = best;
    const r = await this.send(() =>
      this.perps!.deleverage({ marketId, accountId: target.accountId, size: target.size }, this.cfg.gasMultiplier),
    );
    log('deleveraged', { marketId, accountId: target.accountId, height: r.height });
  }

  /** Every duty on its own: one failing (a query, a market) never skips the others. */
  async tick(): Promise<void> {
    const duties: [string, () => Promise<void>][] = [
      ['discover', () => this.discover()],
      ['refresh', () => this.refresh()],
      ['liquidate', () => this.liquidate()],
      ['settle', () => this.settle()],
      ['adl', () => this.adl()],
    ];
    for (const [name, duty] of duties) {
      try {
        await duty();
      } catch (e) {
        log('duty_failed', { duty: name, error: String(e) });
      }
    }
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
    () => waitBlocks(s, 1),
  );
  await loop('keeper', cfg.intervalMs, () => keeper.tick());
}


if (require.main === module) {
  runKeeper(readConfig<KeeperConfig>(process.argv), mnemonicFrom('KEEPER_MNEMONIC')).catch((e) => {
    log('fatal', { error: String(e) });
    process.exit(1);
  });
}
