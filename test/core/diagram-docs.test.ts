/**
 * The 3LO diagram (the README's picture, the troubleshooting guide's Mermaid block) and the examples/ GitHub Actions
 * workflow: the committed SVG is what our renderer draws from the committed Mermaid source, which is the block in
 * docs/guides/troubleshooting.md; the workflow runs smoke with --junit and --html and uploads exactly those two files.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseMermaid, toMermaid } from '../../src/core/diagram/sequence.js';
import { renderSvg } from '../../src/core/diagram/svg.js';

const read = (p: string) => readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8');

describe('the 3LO diagram', () => {
  const source = read('docs/diagrams/three-legged.mmd');
  const diagram = parseMermaid(source);

  it('the troubleshooting guide shows the committed source between the markers; guide and README the picture', () => {
    const guide = read('docs/guides/troubleshooting.md');
    const block =
      /<!-- diagram:three-legged:start[^>]*-->\n```mermaid\n([\s\S]*?)```\n<!-- diagram:three-legged:end -->/.exec(
        guide,
      );
    expect(block).not.toBeNull();
    expect(block![1]).toBe(source);
    expect(guide).toContain('](../diagrams/three-legged.svg)');
    expect(read('README.md')).toContain('](docs/diagrams/three-legged.svg)');
  });

  it('is a 3LO flow: browser, return URL, CompleteResourceTokenAuth, the resource token as a fingerprint', () => {
    expect(toMermaid(diagram)).toBe(source);
    expect(diagram.participants.map((p) => p.label)).toEqual(
      expect.arrayContaining(['User/Browser', 'agentcore-auth', 'AgentCore Identity', 'Token vault / provider']),
    );
    const labels = diagram.events.map((e) => e.lines.join(' '));
    const order = [
      /^GetWorkloadAccessTokenForUserId/,
      /^open AgentCore authorization URL$/,
      /^redirect to the return URL/,
      /^CompleteResourceTokenAuth · SigV4 · userId alice$/,
      /^200 · accessToken sha256:[0-9a-f]{8}$/,
    ];
    const at = order.map((re) => labels.findIndex((l) => re.test(l)));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(source).not.toMatch(/eyJ[A-Za-z0-9_-]{5,}\./);
  });

  it("the committed SVG is our renderer's drawing of that source (regenerate: scripts/render-flow-diagram.mjs)", () => {
    expect(read('docs/diagrams/three-legged.svg')).toBe(
      `${renderSvg(diagram, { title: '3LO (USER_FEDERATION) as agentcore-auth demo ran it' })}\n`,
    );
  });
});

describe('examples/github-actions-smoke.yml', () => {
  const wf = parse(read('examples/github-actions-smoke.yml')) as {
    jobs: Record<string, { steps: Array<{ run?: string; uses?: string; with?: { path?: string } }> }>;
  };
  const steps = Object.values(wf.jobs)[0]!.steps;

  it('runs smoke with --junit and --html and uploads both, even after a failure', () => {
    const smoke = steps.find((s) => s.run?.includes('agentcore-auth smoke'))!.run!;
    const junit = /--junit (\S+)/.exec(smoke)?.[1];
    const html = /--html (\S+)/.exec(smoke)?.[1];
    expect(junit).toMatch(/\.xml$/);
    expect(html).toMatch(/\.html$/);
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))! as {
      if?: string;
      with: { path: string };
    };
    expect(upload.if).toContain('!cancelled()');
    expect(
      upload.with.path
        .trim()
        .split('\n')
        .map((l) => l.trim()),
    ).toEqual([junit, html]);
  });

  it('starts the local stack from the shipped config and reads its variables before smoke', () => {
    const i = steps.findIndex((s) => s.run?.includes('agentcore-auth local --config "$EXAMPLES/local-stack.yaml"'));
    const j = steps.findIndex((s) => s.run?.includes('source local.env'));
    expect(i).toBeGreaterThanOrEqual(0);
    expect(j).toBeGreaterThan(i);
  });
});
