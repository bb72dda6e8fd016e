/**
 * The README section's scenario examples are valid scenarios (parsed exactly as `smoke` parses files), and the
 * workflow example is valid YAML naming only examples that exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { expect, it } from 'vitest';
import { parseScenario } from '../../src/core/smoke/parse.js';

const doc = readFileSync('docs/readme/smoke-demo.md', 'utf8');
const yamlBlocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

it('every scenario in the smoke README section parses', () => {
  const scenarios = yamlBlocks.filter((b) => /^steps:/m.test(b));
  expect(scenarios.length).toBeGreaterThan(0);
  for (const text of scenarios) {
    const s = parseScenario(text, 'README');
    expect(s.steps.length).toBeGreaterThan(0);
  }
});

it('the GitHub Actions workflow is valid YAML and runs the shipped examples', () => {
  const wf = yamlBlocks.find((b) => b.includes('jobs:'));
  expect(wf).toBeDefined();
  const parsed = parse(wf!) as { jobs: { smoke: { steps: Array<{ run?: string }> } } };
  const runs = parsed.jobs.smoke.steps.flatMap((s) => (s.run ? [s.run] : []));
  const files = runs.flatMap((r) => [...r.matchAll(/node_modules\/agentcore-auth\/(examples\/\S+\.yaml)/g)].map((m) => m[1]!));
  expect(files).toEqual(['examples/inbound.yaml', 'examples/outbound.yaml']);
  for (const f of files) expect(existsSync(f)).toBe(true);
  // Every SMOKE_* variable the examples read is set by the workflow.
  const used = new Set(files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/\$\{env:(SMOKE_[A-Z0-9_]+)/g)].map((m) => m[1]!)));
  for (const v of used) expect(wf).toContain(`${v}:`);
});
