/**
 * src/policy-model/ is shared by core/, cli/ and emulator/ (like src/wire.ts): it imports none of them (only wire.ts,
 * where the service's texts live), and it loads
 * the Cedar engine (a 4 MB WebAssembly module) only when something is evaluated, never on import.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { expect, it } from 'vitest';

const dir = resolve('src/policy-model');

it('imports nothing from core/, cli/ or emulator/, only wire.ts (any import form)', () => {
  const outside: string[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
    for (const spec of ts.preProcessFile(readFileSync(join(dir, f), 'utf8'), true, true).importedFiles) {
      if (!spec.fileName.startsWith('.')) continue;
      const target = relative(resolve('src'), resolve(dir, spec.fileName));
      if (!target.startsWith('policy-model') && target !== 'wire.js') outside.push(`${f} → src/${target}`);
    }
  }
  expect(outside).toEqual([]);
});

it('loads the Cedar engine on the first evaluation, not on import (a fresh process, the built module)', () => {
  // A child process: this file's workers share their module cache with other test files (vitest isolate: false).
  const script = `
    import { createRequire } from 'node:module';
    const cache = createRequire(process.cwd() + '/').cache;
    const loaded = () => Object.keys(cache).some((k) => k.includes('cedar_wasm'));
    const m = await import('./dist/policy-model/index.js');
    m.denialText([]);
    m.claimsToTags({ sub: 'a' });
    const before = [loaded(), m.cedarLoaded()];
    m.parsePolicyText('permit(principal, action, resource);');
    console.log(JSON.stringify({ before, after: [loaded(), m.cedarLoaded()] }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: resolve('.'), encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual({ before: [false, false], after: [true, true] });
});
