/**
 * The CI smoke tests guide (docs/guides/ci-smoke-tests.md) and the scenario format page (`help scenarios`): their
 * scenario examples are valid scenarios (parsed exactly as `smoke` parses files), and the guide's workflow example is
 * valid YAML naming only examples that exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { expect, it } from 'vitest';
import { parseScenario } from '../../src/core/smoke/parse.js';

const doc =
  readFileSync('docs/guides/ci-smoke-tests.md', 'utf8') + readFileSync('src/cli/manual/topics/scenarios.md', 'utf8');
const yamlBlocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

it('every scenario in the guide and the format page parses', () => {
  const scenarios = yamlBlocks.filter((b) => /^steps:/m.test(b));
  expect(scenarios.length).toBeGreaterThanOrEqual(2); // one in each
  for (const text of scenarios) {
    const s = parseScenario(text, 'docs');
    expect(s.steps.length).toBeGreaterThan(0);
  }
});

it('the GitHub Actions workflow is valid YAML and runs the shipped examples', () => {
  const wf = yamlBlocks.find((b) => b.includes('jobs:'));
  expect(wf).toBeDefined();
  const parsed = parse(wf!) as { jobs: { smoke: { steps: Array<{ run?: string }> } } };
  const runs = parsed.jobs.smoke.steps.flatMap((s) => (s.run ? [s.run] : []));
  const files = runs.flatMap((r) =>
    [...r.matchAll(/node_modules\/agentcore-auth\/(examples\/\S+\.yaml)/g)].map((m) => m[1]!),
  );
  expect(files).toEqual(['examples/inbound.yaml', 'examples/outbound.yaml']);
  for (const f of files) expect(existsSync(f)).toBe(true);
  // Every SMOKE_* variable the examples read is set by the workflow.
  const used = new Set(
    files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/\$\{env:(SMOKE_[A-Z0-9_]+)/g)].map((m) => m[1]!)),
  );
  for (const v of used) expect(wf).toContain(`${v}:`);
});

it(
  'examples/scenario.schema.json (for editors) names exactly the step commands and expectations the parser ' + 'knows',
  async () => {
    const { STEP_KIND_NAMES } = await import('../../src/core/smoke/schema.js');
    const schema = JSON.parse(readFileSync('examples/scenario.schema.json', 'utf8')) as {
      properties: Record<string, unknown>;
      definitions: {
        step: { properties: Record<string, unknown>; oneOf: Array<{ required: string[] }> };
        expect: { oneOf: [unknown, { properties: Record<string, unknown> }] };
      };
    };
    const kinds = schema.definitions.step.oneOf.map((o) => o.required[0]);
    expect(kinds).toEqual(STEP_KIND_NAMES);
    expect(Object.keys(schema.definitions.step.properties).sort()).toEqual(
      ['env', 'expect', 'id', 'name', 'needs', 'timeout', ...STEP_KIND_NAMES].sort(),
    );
    expect(Object.keys(schema.definitions.expect.oneOf[1].properties)).toEqual([
      'outcome',
      'exitCode',
      'status',
      'error',
      'contains',
      'notContains',
      'json',
      'claims',
      'claimsFrom',
      'maxDuration',
    ]);
    expect(Object.keys(schema.properties)).toEqual(['version', 'name', 'description', 'timeout', 'env', 'steps']);
    // Each shipped example declares it and parses.
    for (const f of ['examples/inbound.yaml', 'examples/outbound.yaml']) {
      const text = readFileSync(f, 'utf8');
      expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./scenario.schema.json');
      expect(parseScenario(text, f).steps.length).toBeGreaterThan(0);
    }
  },
);
