// Generates src/generated/ from the committed contract schemas (schema/*.json) with
// @cosmwasm/ts-codegen. `--check` generates into a temporary directory and fails when the
// committed files differ (the test command runs it, so a message change without a
// regenerated client fails CI).
import { mkdtempSync, mkdirSync, copyFileSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import codegenModule from '@cosmwasm/ts-codegen';

const codegen = codegenModule.default ?? codegenModule;
const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..');
const schemaDir = join(pkg, '..', '..', 'schema');
const check = process.argv.includes('--check');

// schema/bulwark-circuit-breaker.json -> CircuitBreaker
const pascal = (s) => s.replace(/^bulwark-/, '').split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('');

const work = mkdtempSync(join(tmpdir(), 'bulwark-codegen-'));
const contracts = readdirSync(schemaDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => {
    const name = pascal(f.replace(/\.json$/, ''));
    const dir = join(work, 'schema', name);
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(schemaDir, f), join(dir, f));
    return { name, dir };
  });

const outPath = check ? join(work, 'out') : join(pkg, 'src', 'generated');
if (!check) rmSync(outPath, { recursive: true, force: true });
await codegen({
  contracts,
  outPath,
  options: {
    bundle: { enabled: false },
    types: { enabled: true },
    client: { enabled: true },
    messageComposer: { enabled: true },
    reactQuery: { enabled: false },
    recoil: { enabled: false },
  },
});

if (check) {
  const committed = join(pkg, 'src', 'generated');
  const files = (d) => (existsSync(d) ? readdirSync(d).sort() : []);
  const a = files(committed);
  const b = files(outPath);
  const differ = a.length !== b.length || a.some((f, i) => f !== b[i]) ||
    b.some((f) => readFileSync(join(committed, f), 'utf8') !== readFileSync(join(outPath, f), 'utf8'));
  rmSync(work, { recursive: true, force: true });
  if (differ) {
    console.error('clients/ts/src/generated is out of date: run `npm run codegen -w clients/ts` and commit it');
    process.exit(1);
  }
  console.log('clients/ts/src/generated matches schema/');
} else {
  rmSync(work, { recursive: true, force: true });
}
