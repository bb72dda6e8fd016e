/**
 * src/policy-model/ is shared by core/, cli/ and emulator/ (like src/wire.ts): it imports none of them, and it loads
 * the Cedar engine (a 4 MB WebAssembly module) only when something is evaluated, never on import.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { expect, it } from 'vitest';

const dir = resolve('src/policy-model');

it('imports nothing from core/, cli/ or emulator/ (any import form)', () => {
  const outside: string[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
    for (const spec of ts.preProcessFile(readFileSync(join(dir, f), 'utf8'), true, true).importedFiles) {
      if (!spec.fileName.startsWith('.')) continue;
      const target = relative(resolve('src'), resolve(dir, spec.fileName));
      if (!target.startsWith('policy-model')) outside.push(`${f} → src/${target}`);
    }
  }
  expect(outside).toEqual([]);
});

it('loads the Cedar engine on the first evaluation, not on import', async () => {
  const model = await import('../../src/policy-model/index.js');
  expect(model.cedarLoaded()).toBe(false);
  model.denialText([]);
  model.claimsToTags({ sub: 'a' });
  expect(model.cedarLoaded()).toBe(false);
  model.parsePolicyText('permit(principal, action, resource);');
  expect(model.cedarLoaded()).toBe(true);
});
