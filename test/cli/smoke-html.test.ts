/**
 * `smoke --html FILE` and `smoke --diagram FILE|-`, run in-process against the local stack started with
 * examples/local-stack.yaml: the report holds every step with its verdict, masked trace and inline SVG diagram, fetches
 * nothing, and shows a hostile error message as text; the combined diagram parses back with one section per step.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMermaid } from '../../src/core/diagram/sequence.js';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { parseXml, type XmlElement } from '../fixtures/xml.js';
import { runCommand } from '../helpers/context.js';

let stack: LocalStack;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aca-smoke-html-'));
  stack = await startLocalStack({ port: 0, configFile: 'examples/local-stack.yaml' });
});
afterAll(async () => {
  await stack?.close();
});

const run = (argv: string[], stdin?: string) =>
  runCommand(argv, { env: { ...stack.env }, cwd: process.cwd(), ...(stdin !== undefined ? { stdin } : {}) });
const JWT_SHAPED = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/;

function texts(el: XmlElement): string[] {
  const out: string[] = [];
  const walk = (e: XmlElement) => {
    if (e.name === 'text') out.push(e.text);
    e.children.forEach(walk);
  };
  walk(el);
  return out;
}

describe('smoke --html and --diagram', () => {
  it(
    'inbound.yaml --negative: one report with every step, its verdict, masked trace and diagram; JUnit beside ' + 'it',
    async () => {
      const html = join(dir, 'report', 'smoke.html');
      const junit = join(dir, 'report', 'smoke.xml');
      const r = await run(['smoke', 'examples/inbound.yaml', '--negative', '--junit', junit, '--html', html]);
      if (r.code !== 0) console.log(r.stdout, r.stderr);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(`HTML report: ${html}`);
      parseXml(readFileSync(junit, 'utf8'));
      const page = readFileSync(html, 'utf8');

      // Nothing in the page can make a request.
      expect(page).toContain(
        `content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"`,
      );
      expect(page).not.toMatch(/<script|<img|<link|<iframe|<object|<embed|@import|url\(|\ssrc=/i);
      for (const m of page.matchAll(/href="([^"]*)"/g)) expect(m[1]).toMatch(/^#step-/);
      // No token in full: only masked (eyJhbG…[n chars]) or fingerprints.
      expect(page).not.toMatch(JWT_SHAPED);
      expect(page).toContain('all expectations met');

      const ids = [
        'login',
        'bearer',
        'bearer-no-token',
        'bearer-wrong-mode',
        'id-token',
        'sigv4-to-oauth-agent',
        'sigv4',
        'sigv4-wrong-mode',
        'verify',
      ];
      const sections = [...page.matchAll(/<section class="step s-(\w+)" id="(step-1-\d+)">([\s\S]*?)<\/section>/g)];
      expect(sections.map((m) => [m[1], /<h3>.*?<\/span> ([\w-]+)/.exec(m[3]!)![1]])).toEqual(
        ids.map((id) => ['pass', id]),
      );
      const byId = new Map(sections.map((m) => [/<h3>.*?<\/span> ([\w-]+)/.exec(m[3]!)![1]!, m[3]!]));

      // Each step's diagram is an inline SVG with the calls it made.
      const svgOf = (id: string) => parseXml(/<svg[\s\S]*?<\/svg>/.exec(byId.get(id)!)![0]);
      expect(texts(svgOf('login'))).toEqual(
        expect.arrayContaining(['agentcore-auth', 'Cognito/IdP', expect.stringMatching(/^InitiateAuth/)]),
      );
      const bearer = texts(svgOf('bearer'));
      expect(bearer).toEqual(
        expect.arrayContaining([
          'AgentCore Runtime',
          'Agent',
          expect.stringMatching(/^InvokeAgentRuntime · Bearer sha256:[0-9a-f]{8}$/),
          '200',
        ]),
      );
      const refused = texts(svgOf('sigv4-to-oauth-agent'));
      expect(refused).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^InvokeAgentRuntime · SigV4/),
          '403 AccessDeniedException',
          expect.stringMatching(/^refused: Authorization method mismatch/),
        ]),
      );
      expect(refused).not.toContain('Agent');
      // The masked trace: the HTTP exchanges as --verbose prints them, the bearer token masked.
      expect(byId.get('bearer')).toMatch(
        new RegExp(
          /<summary>trace \(secrets masked\)<\/summary><pre>→ POST http:\/\/127\.0\.0\.1:/.source +
            /\d+\/runtimes\/[\s\S]*authorization: Bearer eyJ\w{3}…\[\d+ chars\]/.source,
        ),
      );
      // And the Mermaid source beside each diagram.
      expect(byId.get('sigv4')).toContain('<summary>Mermaid source</summary><pre>sequenceDiagram');
    },
  );

  it('a hostile error message is shown as text, in the verdict, the error and the diagram', async () => {
    const hostile = `<img src=x onerror=alert(1)><script>alert(2)</script>`;
    const scenario = JSON.stringify({
      name: 'hostile',
      steps: [
        {
          id: 'hostile',
          invoke: {
            agent: `arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/${hostile}`,
            payload: '{}',
            'user-id': 'alice',
          },
          expect: 'allow',
        },
      ],
    });
    const html = join(dir, 'hostile.html');
    const r = await run(['smoke', '-', '--html', html], scenario);
    expect(r.code).not.toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<script');
    expect(page).not.toMatch(/<[a-z][^>]*\son[a-z]+=/i);
    const svg = /<svg[\s\S]*?<\/svg>/.exec(page);
    if (svg) parseXml(svg[0]); // well-formed: the message is text inside it
  });

  it('--diagram FILE: every step of the run in one diagram, a note introducing each', async () => {
    const file = join(dir, 'outbound.mmd');
    const r = await run(['smoke', 'examples/outbound.yaml', '--diagram', file]);
    expect(r.code).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(JWT_SHAPED);
    expect(text).not.toContain('sk-local-example-api-key');
    const d = parseMermaid(text);
    expect(d.participants.map((p) => p.label)).toEqual(
      expect.arrayContaining(['agentcore-auth', 'Cognito/IdP', 'AgentCore Identity']),
    );
    const intros = d.events
      .filter((e) => e.kind === 'note' && e.over.length === 2 && /^step /.test(e.lines[0]!))
      .map((e) => e.lines[0]);
    expect(intros).toEqual(
      ['login', 'workload-for-user-id', 'workload-for-jwt', 'm2m', 'api-key', 'unknown-provider'].map(
        (id) => `step ${id} — passed`,
      ),
    );
    const labels = d.events.flatMap((e) => (e.kind === 'message' ? [e.lines.join(' ')] : []));
    expect(labels).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^GetResourceApiKey/),
        expect.stringMatching(/^200 · apiKey sha256:[0-9a-f]{8}$/),
      ]),
    );
  });

  it('--html - and --diagram - with --json are usage errors (exit 2)', async () => {
    expect((await run(['smoke', 'examples/outbound.yaml', '--html', '-'])).code).toBe(2);
    const r = await run(['smoke', 'examples/outbound.yaml', '--diagram', '-', '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--diagram - and --json both write to stdout');
  });
});
