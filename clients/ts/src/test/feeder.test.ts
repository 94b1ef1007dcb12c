// The feeder's sources: prices are validated and carry the age of their source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPrice } from '../bots/feeder';

test('a file source carries its modification time; bad prices are refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'feeder-test-'));
  const f = join(dir, 'prices.json');
  writeFileSync(f, JSON.stringify({ ATOM: '10.5', ZERO: '0', NEG: '-1', NUM: 7, BAD: 'x' }));
  const old = Math.floor(Date.now() / 1000) - 3_600;
  utimesSync(f, old, old);
  const o = await readPrice({ kind: 'file', path: f, key: 'ATOM' });
  assert.equal(o.price, '10.5');
  assert.equal(o.time, old);
  assert.equal((await readPrice({ kind: 'file', path: f, key: 'NUM' })).price, '7');
  for (const key of ['ZERO', 'NEG', 'BAD', 'MISSING']) {
    await assert.rejects(readPrice({ kind: 'file', path: f, key }), /not a positive price/);
  }
  assert.deepEqual(await readPrice({ kind: 'fixed', price: '1' }), { price: '1', time: null });
  await assert.rejects(readPrice({ kind: 'fixed', price: '0.000' }), /not a positive price/);
});
