/**
 * `local --config`, property-based (fast-check), all the way to a running stack: random subsets and mutations of
 * examples/local-stack.yaml (sections and list items dropped, values replaced by other JSON values, duplicated,
 * emptied) either start a stack (stopped again at once: exit 130) or exit 2 with `Invalid config file …: <field>: …`
 * naming a field of the file. Never exit 1 (issue 12: a pool without `app-client` crashed while the stack started,
 * which the parse-only property in parsers.property.test.ts could not see). Stacks run in-process on port 0 and are
 * closed.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { createTestContext, runCommand } from '../helpers/context.js';
import { CONFIG_SECTIONS } from '../../src/emulator/config.js';

const RUNS = 30;
const dir = mkdtempSync(join(tmpdir(), 'aca-rel-local-config-'));
const example = parseYaml(readFileSync(new URL('../../examples/local-stack.yaml', import.meta.url), 'utf8')) as Record<
  string,
  unknown
>;
const TOP_LEVEL = CONFIG_SECTIONS;

/** After the section's name: `.name`, `[0]` or a JSON-quoted key `."a:b"` (config-fields.ts keyField), repeated. */
const FIELD_REST = String.raw`[.[](?:[^:"]|"(?:[^"\\]|\\.)*")*`;

type Path = Array<string | number>;
type Op = { kind: 'delete' | 'replace' | 'duplicate' | 'empty'; at: number; value: unknown };

/** Every path in the document (containers and leaves), in a stable order. */
function paths(v: unknown, at: Path = []): Path[] {
  const out: Path[] = at.length ? [at] : [];
  if (Array.isArray(v)) for (const [i, x] of v.entries()) out.push(...paths(x, [...at, i]));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

function apply(doc: Record<string, unknown>, op: Op): void {
  const all = paths(doc);
  if (!all.length) return;
  const path = all[op.at % all.length]!;
  const parent = path
    .slice(0, -1)
    .reduce<Record<string | number, unknown>>((o, k) => o[k] as Record<string | number, unknown>, doc) as Record<
    string | number,
    unknown
  > &
    unknown[];
  const key = path[path.length - 1]!;
  if (op.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else if (op.kind === 'replace') parent[key] = op.value;
  else if (op.kind === 'duplicate') {
    if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(parent[key as number]));
    else parent[key] = structuredClone(parent[key]);
  } else parent[key] = Array.isArray(parent[key]) ? [] : parent[key] && typeof parent[key] === 'object' ? {} : '';
}

/** Values a hand-edited YAML file plausibly holds where another was expected. */
const arbValue = fc.oneof(
  fc.constantFrom(
    null,
    '',
    'app-client',
    'cli-client',
    'us-east-1',
    'examplecliclient0000000000',
    0,
    -1,
    1.5,
    true,
    [],
    {},
  ),
  fc.string({ maxLength: 20 }),
  fc.jsonValue({ maxDepth: 2 }),
);
const arbOp: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom('delete', 'replace', 'duplicate', 'empty'),
  at: fc.nat(),
  value: arbValue,
});
/** Drops about one in five keys and list items below the top level (each path of the example has its own draw). */
function prune(doc: Record<string, unknown>, draws: number[]): void {
  const all = paths(doc).filter((p) => p.length > 1);
  // later paths first, so that list indices of earlier ones stay valid
  for (let i = all.length - 1; i >= 0; i--)
    if (draws[i % draws.length] === 0)
      apply(doc, { kind: 'delete', at: paths(doc).findIndex((p) => same(p, all[i]!)), value: null });
}
const same = (a: Path, b: Path) => a.length === b.length && a.every((x, i) => x === b[i]);

/** A subset of the example's sections, a subset of what is inside them, then up to 3 mutations anywhere. */
const arbConfig = fc
  .tuple(
    fc.subarray(Object.keys(example)),
    fc.array(fc.nat({ max: 4 }), { minLength: 64, maxLength: 64 }),
    fc.array(arbOp, { maxLength: 3 }),
  )
  .map(([keep, draws, ops]) => {
    const doc = structuredClone(Object.fromEntries(keep.map((k) => [k, example[k]])));
    prune(doc, draws);
    for (const op of ops) apply(doc, op);
    return doc;
  });
/** The config of issue 12 (a pool without `app-client`), always among the inputs. */
const issue12 = { userPool: { clients: [(example.userPool as { clients: unknown[] }).clients[1]] } };
/** Fast-check's find (seed -624764804): keys ":" and "", refused as `apiKeyProviders[0].:: unknown key …`. */
const colonKeys = { apiKeyProviders: [{ ':': false, '': [false, ''] }] };

async function untilSettled(read: () => string, done: Promise<unknown>): Promise<boolean> {
  let finished = false;
  void done.then(() => (finished = true));
  for (;;) {
    if (read().endsWith('}\n')) return true;
    if (finished) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('local --config <subset/mutation of examples/local-stack.yaml> (fast-check, in-process stacks)', () => {
  it(`${RUNS} runs: the stack starts (130 when stopped) or exit 2 naming the field; never exit 1`, async () => {
    let n = 0;
    let started = 0;
    await fc.assert(
      fc.asyncProperty(arbConfig, async (doc) => {
        const file = join(dir, `stack-${n++}.yaml`);
        const text = toYaml(doc);
        writeFileSync(file, text);
        const ac = new AbortController();
        const ctx = createTestContext({ signal: ac.signal });
        const run = runCommand(['local', '--json', '--port', '0', '--config', file], ctx);
        const up = await untilSettled(() => ctx.stdout.text(), run);
        ac.abort();
        const r = await run;
        const what = `config:\n${text}\n→ exit ${r.code}\n${r.stderr}`;
        expect(r.stderr, what).not.toContain('internal error');
        if (up) {
          started++;
          expect(r.code, what).toBe(130);
          return;
        }
        expect(r.code, what).toBe(2);
        // --json: the error is one JSON line on stderr
        const error = (JSON.parse(r.stderr.trim().split('\n').pop()!) as { error: { code: string; message: string } })
          .error;
        expect(error.code, what).toBe('ERR_CONFIG');
        expect(error.message.startsWith(`Invalid config file ${file}: `), what).toBe(true);
        const field = error.message.slice(`Invalid config file ${file}: `.length);
        // A key with a colon (or a space…) is quoted in the field: `apiKeyProviders[0].":": unknown key …`.
        expect(field, what).toMatch(new RegExp(`^(\\(config\\)|(${TOP_LEVEL.join('|')})(${FIELD_REST})?): \\S`));
      }),
      { numRuns: RUNS, examples: [[issue12], [colonKeys]] },
    );
    // Both outcomes are exercised: a property that never starts a stack would not test the start-up.
    expect(started).toBeGreaterThan(0);
    expect(started).toBeLessThan(RUNS);
  }, 120_000);
});
