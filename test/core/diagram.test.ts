/**
 * core/diagram: the sequence model, its Mermaid text (emitted and parsed back), the SVG renderer, and the diagram
 * built from HttpExchange records. Structural assertions only: the Mermaid is parsed back, the SVG is parsed as XML.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HttpExchange } from '../../src/core/http.js';
import { fingerprint } from '../../src/core/redact.js';
import {
  mermaidText,
  withoutControls,
  parseMermaid,
  toMermaid,
  wrap,
  type SequenceDiagram,
} from '../../src/core/diagram/sequence.js';
import { renderSvg, textCells } from '../../src/core/diagram/svg.js';
import { classifyExchange, sequenceFromTrace, TraceRecorder, type TraceEntry } from '../../src/core/diagram/trace.js';
import { parseXml, type XmlElement } from '../fixtures/xml.js';

function all(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    if (e.name === name) out.push(e);
    e.children.forEach(walk);
  };
  walk(el);
  return out;
}

const HOSTILE = `</text><script>alert(1)</script> & "x" 'y' \`z\` ; # %% --> end\nNote over a: b`;

const sample: SequenceDiagram = {
  participants: [
    { id: 'cli', label: 'agentcore-auth' },
    { id: 'runtime', label: 'AgentCore Runtime' },
    { id: 'agent', label: 'Agent' },
  ],
  events: [
    {
      kind: 'message',
      from: 'cli',
      to: 'runtime',
      lines: ['InvokeAgentRuntime · SigV4 · user id alice'],
      line: 'solid',
      end: 'arrow',
    },
    { kind: 'message', from: 'runtime', to: 'cli', lines: ['403 AccessDeniedException'], line: 'dotted', end: 'cross' },
    {
      kind: 'note',
      placement: 'over',
      over: ['cli', 'runtime'],
      lines: ['refused: Authorization method mismatch', HOSTILE],
    },
    { kind: 'message', from: 'cli', to: 'cli', lines: ['self call'], line: 'solid', end: 'open' },
    { kind: 'message', from: 'runtime', to: 'agent', lines: ['async'], line: 'dotted', end: 'async' },
  ],
};

describe('Mermaid text', () => {
  it('escapes what Mermaid would read as syntax, and parses back to the same diagram', () => {
    const text = toMermaid(sample);
    expect(text.split('\n')[0]).toBe('sequenceDiagram');
    // Nothing of the hostile text survives as syntax: one line per event, no raw ; # < > in labels.
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(1 + sample.participants.length + sample.events.length);
    for (const l of lines.slice(1)) {
      const label = l
        .replace(/^[^:]*:?/, '')
        .replace(/<br\/>/g, '')
        .replace(/#(\d+|lt|gt|amp);/g, '');
      expect(label).not.toMatch(/[;#<>]/);
    }
    const back = parseMermaid(text);
    expect(back.participants).toEqual(sample.participants);
    expect(back.events).toEqual(
      sample.events.map((e) => ({ ...e, lines: e.lines.map((l) => withoutControls(l).trim()) })),
    );
  });

  it('round-trips any label text (property)', () => {
    const ids = fc.constantFrom('a', 'cli', 'runtime', 'x1', 'Agent_2');
    const label = fc.string({ maxLength: 30 });
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            from: ids,
            to: ids,
            text: fc.array(label, { minLength: 1, maxLength: 3 }),
            dotted: fc.boolean(),
            end: fc.constantFrom('arrow', 'cross', 'open', 'async' as const),
          }),
          { maxLength: 6 },
        ),
        (msgs) => {
          const used = [...new Set(msgs.flatMap((m) => [m.from, m.to]))];
          const d: SequenceDiagram = {
            participants: used.map((id) => ({ id, label: `P ${id}` })),
            events: msgs.map((m) => ({
              kind: 'message',
              from: m.from,
              to: m.to,
              lines: m.text,
              line: m.dotted ? 'dotted' : 'solid',
              end: m.end,
            })),
          };
          const back = parseMermaid(toMermaid(d));
          expect(back.participants).toEqual(d.participants);
          expect(back.events).toEqual(
            d.events.map((e) => ({ ...e, lines: e.lines.map((l) => withoutControls(l).trim()) })),
          );
        },
      ),
    );
  });

  it('refuses what it cannot draw, naming the line', () => {
    expect(() => parseMermaid('sequenceDiagram\n  A->>B: hi\n  loop every minute\n  end')).toThrow(
      /line 3: not supported/,
    );
    expect(() => parseMermaid('graph TD\n A-->B')).toThrow(/line 1: expected "sequenceDiagram"/);
    expect(() => parseMermaid('')).toThrow(/empty diagram/);
    expect(() => parseMermaid('sequenceDiagram\n A->>+B: hi')).toThrow(/activations/);
  });

  it('a label starting with wrap: stays text (Mermaid reads wrap:/nowrap: as a directive)', () => {
    const d: SequenceDiagram = {
      participants: [{ id: 'a', label: 'A' }],
      events: [{ kind: 'message', from: 'a', to: 'a', lines: ['nowrap: x'], line: 'solid', end: 'arrow' }],
    };
    expect(toMermaid(d)).toContain('a->>a: nowrap#58; x');
    expect(parseMermaid(toMermaid(d))).toEqual(d);
  });

  it('mermaidText turns syntax characters into entity codes', () => {
    expect(mermaidText('a;b#c<d>e&f')).toBe('a#59;b#35;c#lt;d#gt;e#amp;f');
    expect(mermaidText('line\nbreak\u001b[31m')).toBe('line break [31m');
  });

  it('wrap breaks at spaces and cuts long words', () => {
    expect(wrap('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrap('x'.repeat(10), 4)).toEqual(['xxxx', 'xxxx', 'xx']);
  });
});

describe('SVG renderer', () => {
  const svg = renderSvg(sample, { title: `diagram ${HOSTILE}` });
  const root = parseXml(svg);

  it('is well-formed SVG with no script, no link and no id', () => {
    expect(root.name).toBe('svg');
    expect(root.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(all(root, 'script')).toHaveLength(0);
    expect(svg).not.toMatch(/<script|href=|url\(|\sid=|\son[a-z]+=/i);
    expect(all(root, 'title')[0]!.text).toBe(`diagram ${withoutControls(HOSTILE)}`);
  });

  it('draws each participant twice (top and bottom), one lifeline each, every label as text', () => {
    const texts = all(root, 'text').map((t) => t.text);
    for (const p of sample.participants) expect(texts.filter((t) => t === p.label)).toHaveLength(2);
    const lifelines = all(root, 'line').filter((l) => l.attrs['stroke-dasharray'] === '4 4');
    expect(lifelines).toHaveLength(sample.participants.length);
    for (const e of sample.events) for (const l of e.lines) expect(texts).toContain(withoutControls(l));
    // The hostile text is text, not markup.
    expect(texts).toContain(HOSTILE.replace('\n', ' '));
  });

  it('draws refusals as red crosses and dotted answers as dashed lines', () => {
    const crossPaths = all(root, 'path').filter((p) => p.attrs['stroke-width'] === '2');
    expect(crossPaths).toHaveLength(1);
    expect(crossPaths[0]!.attrs.stroke).toBe('#cf222e');
    const dashed = all(root, 'line').filter((l) => l.attrs['stroke-dasharray'] === '6 4');
    expect(dashed).toHaveLength(2);
    expect(all(root, 'polygon')).toHaveLength(1); // the one solid arrow head
    expect(all(root, 'rect').filter((r) => r.attrs.fill === '#fff8c5')).toHaveLength(1); // the note
  });

  it('leaves room for every message label between its two lifelines', () => {
    const d = parseMermaid(
      'sequenceDiagram\n participant a as A\n participant b as B\n participant c as C\n a->>c: short\n b->>c: ' +
        'a rather long label that needs the lifelines of b and c to move apart\n c-->>a: 200',
    );
    const s = parseXml(renderSvg(d));
    const xs = all(s, 'line')
      .filter((l) => l.attrs['stroke-dasharray'] === '4 4')
      .map((l) => Number(l.attrs.x1));
    const long = 'a rather long label that needs the lifelines of b and c to move apart';
    expect(xs[2]! - xs[1]!).toBeGreaterThanOrEqual(textCells(long) * 8);
    const width = Number(s.attrs.width);
    expect(width).toBeGreaterThan(xs[2]!);
  });

  it('refuses an event naming an undeclared participant', () => {
    expect(() =>
      renderSvg({
        participants: [{ id: 'a', label: 'A' }],
        events: [{ kind: 'message', from: 'a', to: 'b', lines: ['x'], line: 'solid', end: 'arrow' }],
      }),
    ).toThrow(/unknown participant "b"/);
  });
});

// --- diagram from the trace -----------------------------------------------------------------------------------

const JWT_CLAIMS = Buffer.from(JSON.stringify({ sub: 'alice', token_use: 'access' })).toString('base64url');
const JWT = `eyJhbGciOiJSUzI1NiJ9.${JWT_CLAIMS}.c2lnbmF0dXJlLXNpZ25hdHVyZQ`;
const WAT = 'wat-AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA';
const RESOURCE = 'resource-token-0123456789abcdef0123456789';

let nextId = 1;
function ex(p: Partial<HttpExchange> & { url: string }): HttpExchange {
  return { id: nextId++, method: 'POST', requestHeaders: {}, ...p };
}
const http = (exchange: HttpExchange): TraceEntry => ({ kind: 'http', exchange });
const stack = 'http://127.0.0.1:4000';
const sigv4 = {
  authorization:
    'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/bedrock-agentcore/aws4_request, SignedHeaders=host, ' +
    'Signature=abc',
};

describe('diagram from the trace', () => {
  it('classifies SDK calls, raw OAuth calls, runtime and gateway calls', () => {
    expect(
      classifyExchange(
        ex({ url: `${stack}/`, requestHeaders: { 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth' } }),
      ),
    ).toEqual({ to: 'idp', operation: 'InitiateAuth' });
    expect(
      classifyExchange(
        ex({ url: `${stack}/identities/GetWorkloadAccessTokenForJWT`, label: 'GetWorkloadAccessTokenForJWT' }),
      ),
    ).toEqual({ to: 'identity', operation: 'GetWorkloadAccessTokenForJWT' });
    expect(classifyExchange(ex({ url: `${stack}/runtimes/abc/`, method: 'GET', label: 'GetAgentRuntime' }))).toEqual({
      to: 'control',
      operation: 'GetAgentRuntime',
    });
    expect(
      classifyExchange(
        ex({
          url: `${stack}/runtimes/arn%3Aaws/invocations?qualifier=DEFAULT`,
          requestBody: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
        }),
      ),
    ).toEqual({ to: 'runtime', operation: 'InvokeAgentRuntime · tools/list' });
    expect(
      classifyExchange(
        ex({
          url: `${stack}/gateways/gw1/mcp`,
          requestBody: '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"weather"}}',
        }),
      ),
    ).toEqual({ to: 'gateway', operation: 'POST tools/call weather' });
    expect(
      classifyExchange(ex({ url: `${stack}/oauth2/token`, requestBody: 'grant_type=authorization_code&code=abc' })),
    ).toEqual({ to: 'idp', operation: 'token (authorization_code)' });
    expect(
      classifyExchange(ex({ url: `${stack}/us-east-1_x/.well-known/openid-configuration`, method: 'GET' })),
    ).toEqual({ to: 'idp', operation: 'OIDC discovery' });
  });

  it('draws the SigV4-to-JWT mismatch as a refusal, with fingerprints only', () => {
    const refused = ex({
      url: `${stack}/runtimes/arn/invocations`,
      label: 'InvokeAgentRuntime',
      requestHeaders: { ...sigv4, 'x-amzn-bedrock-agentcore-runtime-user-id': 'alice' },
      status: 403,
      error:
        'AccessDeniedException: Authorization method mismatch. The agent is configured for a different ' +
        'authorization method than what was used in your request.',
    });
    const d = sequenceFromTrace([http(refused)], {
      error: { code: 'ERR_AUTH', message: 'Authorization method mismatch: the request used SigV4 (IAM), but …' },
    });
    const m = parseMermaid(toMermaid(d));
    expect(m.participants.map((p) => p.label)).toEqual(['agentcore-auth', 'AgentCore Runtime']);
    const [call, answer, note] = m.events;
    expect(call).toMatchObject({ kind: 'message', from: 'cli', to: 'runtime', end: 'arrow', line: 'solid' });
    expect(call!.lines.join(' ')).toContain('InvokeAgentRuntime · SigV4 · user id alice');
    expect(answer).toMatchObject({
      kind: 'message',
      from: 'runtime',
      to: 'cli',
      end: 'cross',
      line: 'dotted',
      lines: ['403 AccessDeniedException'],
    });
    expect(note).toMatchObject({ kind: 'note', over: ['cli', 'runtime'] });
    expect(note!.lines.join(' ')).toMatch(
      /refused: Authorization method mismatch — a SigV4 request to an agent that takes OAuth bearer tokens/,
    );
    expect(m.events).toHaveLength(3); // the run's error is that note, not a second one
    // No agent arrow: the runtime never forwarded the call.
    expect(m.participants.find((p) => p.id === 'agent')).toBeUndefined();
  });

  it('wraps a long answer after its separators, never leaving a "·" alone on a line', () => {
    const tokens = {
      AuthenticationResult: { AccessToken: JWT, RefreshToken: 'refresh-token-0123456789abcdef', IdToken: `${JWT}x` },
    };
    const login = ex({
      url: `${stack}/`,
      requestHeaders: { 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
      status: 200,
      responseBody: JSON.stringify(tokens),
    });
    const answer = parseMermaid(toMermaid(sequenceFromTrace([http(login)]))).events[1]!;
    expect(answer.kind).toBe('message');
    const lines = answer.lines;
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.join(' ')).toMatch(
      /^200 · AccessToken sha256:[0-9a-f]{8} · RefreshToken sha256:[0-9a-f]{8} · IdToken sha256:[0-9a-f]{8}$/,
    );
    for (const l of lines) expect(l.replace(/·/g, '').trim()).not.toBe('');
  });

  it('draws a bearer call that reached the agent, tokens as fingerprints', () => {
    const ok = ex({
      url: `${stack}/runtimes/arn/invocations`,
      requestHeaders: { authorization: `Bearer ${JWT}` },
      status: 200,
      responseHeaders: { 'content-type': 'text/event-stream' },
    });
    const text = toMermaid(sequenceFromTrace([http(ok)]));
    expect(text).not.toContain(JWT);
    expect(text).toContain(`Bearer ${fingerprint(JWT)}`);
    const m = parseMermaid(text);
    expect(m.events.map((e) => (e.kind === 'message' ? `${e.from}>${e.to}:${e.lines.join(' ')}` : 'note'))).toEqual([
      `cli>runtime:InvokeAgentRuntime · Bearer ${fingerprint(JWT)}`,
      'runtime>agent:invocation + workload access token',
      'agent>runtime:answer',
      'runtime>cli:200',
    ]);
  });

  it('draws the 3LO flow: authorization URL, browser, return URL, wrong-user completion refused', () => {
    const rec = new TraceRecorder();
    const wat = ex({
      url: `${stack}/identities/GetWorkloadAccessTokenForUserId`,
      label: 'GetWorkloadAccessTokenForUserId',
      requestHeaders: sigv4,
      requestBody: JSON.stringify({ workloadName: 'w', userId: 'alice' }),
    });
    rec.onExchange(wat, 'request');
    Object.assign(wat, { status: 200, responseBody: JSON.stringify({ workloadAccessToken: WAT }) });
    rec.onExchange(wat, 'response');
    const start = ex({
      url: `${stack}/identities/oauth2/token`,
      label: 'GetResourceOauth2Token',
      requestBody: JSON.stringify({
        workloadIdentityToken: WAT,
        resourceCredentialProviderName: 'github',
        oauth2Flow: 'USER_FEDERATION',
      }),
      status: 200,
      responseBody: JSON.stringify({
        authorizationUrl: 'https://x/authorize?request_uri=urn:secret',
        sessionUri: 'urn:ietf:params:oauth:request_uri:abc',
      }),
    });
    rec.onExchange(start, 'request');
    rec.browserOpened(`${stack}/identities/oauth2/authorize?request_uri=urn%3Asecret`);
    const complete = ex({
      url: `${stack}/identities/CompleteResourceTokenAuth`,
      label: 'CompleteResourceTokenAuth',
      requestBody: JSON.stringify({
        sessionUri: 'urn:ietf:params:oauth:request_uri:abc',
        userIdentifier: { userId: 'mallory' },
      }),
      status: 403,
      error: 'AccessDeniedException: Invalid or expired session',
    });
    rec.onExchange(complete, 'request');
    const d = sequenceFromTrace(rec.entries, {
      error: {
        code: 'ERR_AUTH',
        message:
          'session refused (AccessDeniedException: Invalid or expired session): started by user id alice, ' +
          'completed with user id mallory',
      },
    });
    const text = toMermaid(d);
    for (const secret of [WAT, 'urn:secret', 'urn%3Asecret']) expect(text).not.toContain(secret);
    const m = parseMermaid(text);
    expect(m.participants.map((p) => p.label)).toEqual([
      'User/Browser',
      'agentcore-auth',
      'AgentCore Identity',
      'Token vault / provider',
    ]);
    const flat = m.events.map((e) =>
      e.kind === 'message'
        ? `${e.from}>${e.to}${e.end === 'cross' ? 'x' : ''}:${e.lines.join(' ')}`
        : `note ${e.over.join(',')}:${e.lines.join(' ')}`,
    );
    expect(flat[0]).toBe('cli>identity:GetWorkloadAccessTokenForUserId · SigV4 · userId alice');
    expect(flat[1]).toBe(`identity>cli:200 · workloadAccessToken ${fingerprint(WAT)}`);
    expect(flat[2]).toBe(`cli>identity:GetResourceOauth2Token · workloadIdentityToken ${fingerprint(WAT)}`);
    expect(flat[3]).toBe('identity>cli:200 · authorizationUrl');
    expect(flat[4]).toBe('cli>user:open AgentCore authorization URL');
    expect(flat[5]).toMatch(/^note user,vault:sign-in and consent at the provider/);
    expect(flat[6]).toBe('user>cli:redirect to the return URL (session_id)');
    expect(flat[7]).toBe('cli>identity:CompleteResourceTokenAuth · userId mallory');
    expect(flat[8]).toBe('identity>clix:403 AccessDeniedException');
    expect(flat[9]).toMatch(
      /^note cli,identity:refused: session refused .* started by user id alice, completed with user id mallory$/,
    );
    expect(flat).toHaveLength(10);
  });

  it('merges retries and polls into one arrow with a count, and shows the token that came back', () => {
    const poll = () =>
      ex({
        url: `${stack}/identities/oauth2/token`,
        label: 'GetResourceOauth2Token',
        status: 200,
        responseBody: '{"authorizationUrl":"https://x"}',
      });
    const last = ex({
      url: `${stack}/identities/oauth2/token`,
      label: 'GetResourceOauth2Token',
      status: 200,
      responseBody: JSON.stringify({ accessToken: RESOURCE }),
    });
    const m = parseMermaid(toMermaid(sequenceFromTrace([http(poll()), http(poll()), http(poll()), http(last)])));
    const labels = m.events.map((e) => e.lines.join(' '));
    expect(labels).toEqual([
      'GetResourceOauth2Token ×3',
      '200 · authorizationUrl',
      'GetResourceOauth2Token',
      `200 · accessToken ${fingerprint(RESOURCE)}`,
    ]);
  });

  it('passes free text through the scrub, masks JWTs in it, and says when no call was made', () => {
    const d = sequenceFromTrace([], {
      error: { code: 'ERR_INPUT', message: `bad token ${JWT} with password hunter22` },
      scrub: (t) => t.replace('hunter22', '[masked]'),
    });
    const text = toMermaid(d);
    expect(text).not.toContain('hunter22');
    expect(text).not.toContain(JWT);
    expect(parseMermaid(text).events).toHaveLength(1);
    expect(toMermaid(sequenceFromTrace([]))).toMatch(/Note over cli: no call was made/);
  });

  it('a network failure is an answer that never came', () => {
    const m = parseMermaid(
      toMermaid(
        sequenceFromTrace([
          http(
            ex({
              url: 'http://127.0.0.1:1/oauth2/token',
              requestBody: 'grant_type=client_credentials',
              error: 'fetch failed',
            }),
          ),
        ]),
      ),
    );
    expect(m.events[1]).toMatchObject({ from: 'idp', to: 'cli', end: 'cross', lines: ['no answer: fetch failed'] });
  });
});
