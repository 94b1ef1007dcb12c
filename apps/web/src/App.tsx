// The reference app: connect Keplr, create an account and deposit, trade a perp with a
// preview, buy an option from the chain, LP deposit and withdrawal request; account health,
// pool figures and the circuit breaker's status beside every screen.
import { useCallback, useEffect, useState } from 'react';
import {
  accountHealth,
  AccountHealth,
  ChainRow,
  CircuitBreakerQueryClient,
  OptionsClient,
  OptionsQueryClient,
  optionsChain,
  OrderPreview,
  PerpsClient,
  PerpsQueryClient,
  perpsOrderPreview,
  poolFigures,
  PoolFigures,
  querying,
  signing,
  VaultClient,
  VaultQueryClient,
} from '@bulwark/client';
import { AppConfig, attr, Connection, connectKeplr, loadConfig, toBase, units } from './chain';

type Tab = 'account' | 'perps' | 'options' | 'lp';

interface Breaker {
  level: string;
  blocked: string[];
}

export function App() {
  const [cfg, setCfg] = useState<AppConfig>();
  const [conn, setConn] = useState<Connection>();
  const [tab, setTab] = useState<Tab>('account');
  const [accountId, setAccountId] = useState<number>();
  const [health, setHealth] = useState<AccountHealth>();
  const [pool, setPool] = useState<PoolFigures>();
  const [breaker, setBreaker] = useState<Breaker>();
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    loadConfig().then(setCfg, (e) => setStatus(String(e)));
  }, []);

  const q = conn && cfg ? querying(conn.client) : undefined;
  const vaultQ = q && cfg ? new VaultQueryClient(q, cfg.vault) : undefined;

  const [panelErrors, setPanelErrors] = useState<Record<string, string>>({});

  // every panel on its own: one failing query (a market's stale price) blanks only its panel
  const refresh = useCallback(async () => {
    if (!conn || !cfg) return;
    const qc = querying(conn.client);
    const vq = new VaultQueryClient(qc, cfg.vault);
    const errors: Record<string, string> = {};
    const panel = async (name: string, f: () => Promise<void>) => {
      try {
        await f();
      } catch (e) {
        errors[name] = String(e);
      }
    };
    await panel('pool', async () => setPool(await poolFigures(vq)));
    await panel('breaker', async () => {
      const mode = await new CircuitBreakerQueryClient(qc, cfg.circuitBreaker).effectiveMode({
        contractAddr: cfg.perps,
        marketId: cfg.marketId,
      });
      setBreaker({ level: mode.level, blocked: mode.blocked_actions });
    });
    await panel('health', async () => {
      const mine = await vq.accountsByOwner({ owner: conn.address, limit: 1 });
      if (mine.length > 0) {
        setAccountId(mine[0].account_id);
        setHealth(await accountHealth(vq, mine[0].account_id));
      }
    });
    setPanelErrors(errors);
  }, [conn, cfg]);

  useEffect(() => {
    refresh().catch((e) => setStatus(String(e)));
  }, [refresh]);

  /** Runs one transaction, then refreshes every figure. */
  const run = async (label: string, f: () => Promise<string | void>) => {
    setBusy(true);
    setStatus(`${label}…`);
    try {
      const detail = await f();
      setStatus(`${label}: done${detail ? ` (${detail})` : ''}`);
      await refresh();
    } catch (e) {
      setStatus(`${label} failed: ${String(e)}`);
    } finally {
      setBusy(false);
    }
  };

  if (!cfg) return <p className="status">{status || 'loading…'}</p>;
  const d = cfg.settlementDecimals;
  const vault = conn ? new VaultClient(signing(conn.client), conn.address, cfg.vault) : undefined;

  return (
    <>
      <header>
        <h1>Bulwark</h1>
        {conn ? (
          <span data-testid="address">{conn.address}</span>
        ) : (
          <button data-testid="connect" onClick={() => connectKeplr(cfg).then(setConn, (e) => setStatus(String(e)))}>
            Connect Keplr
          </button>
        )}
        <nav>
          {(['account', 'perps', 'options', 'lp'] as Tab[]).map((t) => (
            <button key={t} data-testid={`tab-${t}`} className={`tab ${tab === t ? 'active' : ''}`} onClick={() => setTab(t)}>
              {t === 'lp' ? 'LP' : t[0].toUpperCase() + t.slice(1)}
            </button>
          ))}
        </nav>
      </header>
      <main>
        <div>
          {tab === 'account' && (
            <AccountScreen
              cfg={cfg}
              accountId={accountId}
              disabled={!vault || busy}
              onCreate={() => run('create account', async () => `account ${attr(await vault!.createAccount(), 'account_id')}`)}
              onDeposit={(amount) =>
                run('deposit', async () => {
                  await vault!.deposit({ accountId: accountId! }, 'auto', undefined, [
                    { denom: cfg.settlementDenom, amount: toBase(amount, d).toString() },
                  ]);
                })
              }
            />
          )}
          {tab === 'perps' && conn && accountId !== undefined && vaultQ && (
            <PerpsScreen cfg={cfg} conn={conn} accountId={accountId} vaultQ={vaultQ} disabled={busy} run={run} />
          )}
          {tab === 'options' && conn && accountId !== undefined && (
            <OptionsScreen cfg={cfg} conn={conn} accountId={accountId} disabled={busy} run={run} />
          )}
          {tab === 'lp' && conn && vault && vaultQ && <LpScreen cfg={cfg} conn={conn} vault={vault} vaultQ={vaultQ} disabled={busy} run={run} />}
          {tab !== 'account' && (!conn || accountId === undefined) && <section>Connect and create an account first.</section>}
          <p className="status" data-testid="status">{status}</p>
        </div>
        <aside>
          <section data-testid="health">
            <h2>Account {accountId ?? '—'}</h2>
            {health ? (
              <dl>
                <dt>Equity</dt>
                <dd data-testid="equity">{units(health.equity, d)}</dd>
                <dt>Maintenance</dt>
                <dd>{units(health.maintenance, d)}</dd>
                <dt>Initial</dt>
                <dd>{units(health.initial, d)}</dd>
                <dt>Margin available</dt>
                <dd>{units(health.marginAvailable, d)}</dd>
                <dt>Health</dt>
                <dd data-testid="health-value" className={health.liquidatable ? 'bad' : 'ok'}>
                  {health.health === null ? '∞' : Number(health.health).toFixed(3)}
                </dd>
              </dl>
            ) : (
              <p>{panelErrors.health ? `unavailable: ${panelErrors.health}` : 'No account yet.'}</p>
            )}
          </section>
          <section data-testid="breaker">
            <h2>Circuit breaker</h2>
            {breaker ? (
              <dl>
                <dt>Level</dt>
                <dd data-testid="breaker-level" className={breaker.level === 'normal' ? 'ok' : 'bad'}>
                  {breaker.level}
                </dd>
                <dt>Blocked</dt>
                <dd>{breaker.blocked.length ? breaker.blocked.join(', ') : 'nothing'}</dd>
              </dl>
            ) : (
              <p>{panelErrors.breaker ? `unavailable: ${panelErrors.breaker}` : '—'}</p>
            )}
          </section>
          <section data-testid="pool">
            <h2>LP pool</h2>
            {pool ? (
              <dl>
                <dt>Assets</dt>
                <dd>{units(pool.assets, d)}</dd>
                <dt>NAV</dt>
                <dd>{units(pool.nav, d)}</dd>
                <dt>Share price</dt>
                <dd>{Number(pool.sharePrice).toFixed(6)}</dd>
                <dt>Utilization</dt>
                <dd>{(Number(pool.utilization) * 100).toFixed(2)} %</dd>
                <dt>Insurance</dt>
                <dd>{units(pool.insurance, d)}</dd>
              </dl>
            ) : (
              <p>{panelErrors.pool ? `unavailable: ${panelErrors.pool}` : '—'}</p>
            )}
          </section>
        </aside>
      </main>
    </>
  );
}

function AccountScreen(props: {
  cfg: AppConfig;
  accountId: number | undefined;
  disabled: boolean;
  onCreate: () => void;
  onDeposit: (amount: string) => void;
}) {
  const [amount, setAmount] = useState('1000');
  return (
    <section>
      <h2>Margin account</h2>
      {props.accountId === undefined ? (
        <button data-testid="create-account" disabled={props.disabled} onClick={props.onCreate}>
          Create account
        </button>
      ) : (
        <p data-testid="account-id">Account {props.accountId}</p>
      )}
      <p>
        Deposit <input data-testid="deposit-amount" value={amount} onChange={(e) => setAmount(e.target.value)} /> USDC{' '}
        <button data-testid="deposit" disabled={props.disabled || props.accountId === undefined} onClick={() => props.onDeposit(amount)}>
          Deposit
        </button>
      </p>
    </section>
  );
}

type Run = (label: string, f: () => Promise<string | void>) => Promise<void>;

function PerpsScreen(props: { cfg: AppConfig; conn: Connection; accountId: number; vaultQ: VaultQueryClient; disabled: boolean; run: Run }) {
  const { cfg, conn, accountId } = props;
  const [size, setSizeInput] = useState('10');
  // a preview belongs to one size: editing the size or any transaction discards it
  const [preview, setPreview] = useState<{ size: string; figures: OrderPreview }>();
  const setSize = (v: string) => {
    setSizeInput(v);
    setPreview(undefined);
  };
  const [position, setPosition] = useState<string>();
  const [positionSize, setPositionSize] = useState<string>();
  const perpsQ = new PerpsQueryClient(querying(conn.client), cfg.perps);
  const perps = new PerpsClient(signing(conn.client), conn.address, cfg.perps);
  const d = cfg.settlementDecimals;

  const loadPosition = useCallback(async () => {
    const p = await new PerpsQueryClient(querying(conn.client), cfg.perps).position({ accountId, marketId: cfg.marketId });
    setPosition(p.position ? `${p.position.size} @ ${Number(p.position.entry_price).toFixed(4)}` : 'none');
    setPositionSize(p.position ? p.position.size : undefined);
  }, [conn, cfg, accountId]);
  useEffect(() => {
    loadPosition().catch(() => setPosition('unavailable'));
  }, [loadPosition]);

  const slippage = (p: OrderPreview, buy: boolean) => (Number(p.fillPrice) * (buy ? 1.02 : 0.98)).toFixed(6);
  return (
    <section>
      <h2>{cfg.marketId}</h2>
      <p data-testid="position">Position: {position}</p>
      <p>
        Size <input data-testid="size" value={size} onChange={(e) => setSize(e.target.value)} />{' '}
        <button
          data-testid="preview"
          disabled={props.disabled}
          onClick={() =>
            props.run('preview', async () => {
              setPreview({ size, figures: await perpsOrderPreview({ vault: props.vaultQ, perps: perpsQ }, accountId, cfg.marketId, size) });
            })
          }
        >
          Preview
        </button>{' '}
        <button
          data-testid="open"
          disabled={props.disabled || !preview || !preview.figures.acceptable}
          onClick={() =>
            props.run('order', async () => {
              const p = preview!;
              await perps.submitOrder({
                accountId,
                marketId: cfg.marketId,
                sizeDelta: p.size,
                acceptablePrice: slippage(p.figures, !p.size.startsWith('-')),
                reduceOnly: false,
              });
              setPreview(undefined);
              await loadPosition();
            })
          }
        >
          Submit order
        </button>{' '}
        <button
          data-testid="close"
          disabled={props.disabled || positionSize === undefined}
          onClick={() =>
            props.run('close', async () => {
              // quote the close itself: its fill price carries its own price impact
              const open = positionSize!;
              const closing = open.startsWith('-') ? open.slice(1) : `-${open}`;
              const q = await perpsQ.quote({ accountId, marketId: cfg.marketId, sizeDelta: closing });
              const long = !open.startsWith('-');
              await perps.closePosition({
                accountId,
                marketId: cfg.marketId,
                acceptablePrice: (Number(q.fill_price) * (long ? 0.98 : 1.02)).toFixed(6),
              });
              setPreview(undefined);
              await loadPosition();
            })
          }
        >
          Close position
        </button>
      </p>
      {preview && (
        <dl data-testid="preview-figures">
          <dt>Fill price</dt>
          <dd>{Number(preview.figures.fillPrice).toFixed(6)}</dd>
          <dt>Price impact</dt>
          <dd>{(Number(preview.figures.priceImpact) * 100).toFixed(4)} %</dd>
          <dt>Fee</dt>
          <dd>{units(preview.figures.fee, d)}</dd>
          <dt>Resulting size</dt>
          <dd>{preview.figures.resultingSize}</dd>
          <dt>Maintenance after</dt>
          <dd data-testid="preview-maintenance">{units(preview.figures.maintenanceAfter, d)}</dd>
          <dt>Health after</dt>
          <dd data-testid="preview-health">{preview.figures.healthAfter === null ? '∞' : Number(preview.figures.healthAfter).toFixed(3)}</dd>
          <dt>Accepted</dt>
          <dd className={preview.figures.acceptable ? 'ok' : 'bad'}>{preview.figures.acceptable ? 'yes' : 'no: below initial margin'}</dd>
        </dl>
      )}
    </section>
  );
}

function OptionsScreen(props: { cfg: AppConfig; conn: Connection; accountId: number; disabled: boolean; run: Run }) {
  const { cfg, conn, accountId } = props;
  const [rows, setRows] = useState<ChainRow[]>();
  const d = cfg.settlementDecimals;
  useEffect(() => {
    optionsChain(new OptionsQueryClient(querying(conn.client), cfg.options), cfg.boardId, '1').then(setRows, () => setRows([]));
  }, [conn, cfg]);
  const options = new OptionsClient(signing(conn.client), conn.address, cfg.options);
  return (
    <section>
      <h2>Options — board {cfg.boardId}</h2>
      <table data-testid="chain">
        <thead>
          <tr>
            <th>Series</th>
            <th>Bid</th>
            <th>Ask</th>
            <th>Vol</th>
            <th>Delta</th>
            <th>Gamma</th>
            <th>Vega</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {(rows ?? []).map((r) => (
            <tr key={r.seriesId}>
              <td>
                {r.strike} {r.type}
              </td>
              <td>{units(r.bid, d)}</td>
              <td>{units(r.ask, d)}</td>
              <td>{(Number(r.vol) * 100).toFixed(1)} %</td>
              <td>{Number(r.delta).toFixed(3)}</td>
              <td>{Number(r.gamma).toFixed(4)}</td>
              <td>{Number(r.vega).toFixed(4)}</td>
              <td>
                <button
                  data-testid={`buy-${r.seriesId}`}
                  disabled={props.disabled}
                  onClick={() =>
                    props.run('buy option', async () => {
                      await options.buy({ accountId, seriesId: r.seriesId, amount: '1', maxCost: (r.ask + r.ask / 20n).toString() });
                      return `${r.strike} ${r.type}`;
                    })
                  }
                >
                  Buy 1
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function LpScreen(props: { cfg: AppConfig; conn: Connection; vault: VaultClient; vaultQ: VaultQueryClient; disabled: boolean; run: Run }) {
  const { cfg, conn, vault, vaultQ } = props;
  const [amount, setAmount] = useState('5000');
  const [shares, setShares] = useState<string>();
  const [pending, setPending] = useState<string>();
  const load = useCallback(async () => {
    const p = await vaultQ.lpPosition({ lp: conn.address });
    setShares(p.shares);
    setPending(p.pending ? `${p.pending.shares} shares, ready at ${new Date(Number(BigInt(p.pending.ready_at) / 1_000_000n)).toISOString()}` : 'none');
  }, [conn, vaultQ]);
  useEffect(() => {
    load().catch(() => setShares('unavailable'));
  }, [load]);
  return (
    <section>
      <h2>Liquidity</h2>
      <p data-testid="lp-shares">Shares: {shares}</p>
      <p data-testid="lp-pending">Withdrawal request: {pending}</p>
      <p>
        Deposit <input data-testid="lp-amount" value={amount} onChange={(e) => setAmount(e.target.value)} /> USDC{' '}
        <button
          data-testid="lp-deposit"
          disabled={props.disabled}
          onClick={() =>
            props.run('LP deposit', async () => {
              await vault.lpDeposit({}, 'auto', undefined, [
                { denom: cfg.settlementDenom, amount: toBase(amount, cfg.settlementDecimals).toString() },
              ]);
              await load();
            })
          }
        >
          Deposit
        </button>{' '}
        <button
          data-testid="lp-request"
          disabled={props.disabled || !shares || shares === '0'}
          onClick={() =>
            props.run('withdrawal request', async () => {
              const half = (BigInt(shares!) / 2n).toString();
              await vault.requestLpWithdraw({ shares: half });
              await load();
              return `${half} shares`;
            })
          }
        >
          Request withdrawal of half
        </button>
      </p>
    </section>
  );
}
