/**
 * Unit tests of src/core/runtime: target resolution, project files, header rules, SSE, answer rendering, curl,
 * failures.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AgentcoreAuthError } from '../../src/core/errors.js';
import { classifyFailure, parseErrorBody } from '../../src/core/runtime/failures.js';
import { parseMcpBody } from '../../src/core/runtime/mcp.js';
import { renderAnswer } from '../../src/core/runtime/output.js';
import {
  checkSessionId,
  invocationUrl,
  newSessionId,
  parseCustomHeaders,
  toCurl,
  type InvokeSpec,
} from '../../src/core/runtime/request.js';
import { parseSse, SseParser } from '../../src/core/runtime/sse.js';
import { resolveTarget } from '../../src/core/runtime/target.js';

const ARN = 'arn:aws:bedrock-agentcore:eu-west-1:123456789012:runtime/my_agent-abcDEF1234';
const tmp = () => mkdtempSync(join(tmpdir(), 'aca-rt-'));

async function rejects(p: Promise<unknown>, code: string, text: RegExp): Promise<AgentcoreAuthError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AgentcoreAuthError);
    expect((e as AgentcoreAuthError).code).toBe(code);
    expect((e as AgentcoreAuthError).message).toMatch(text);
    return e as AgentcoreAuthError;
  }
  throw new Error('expected a rejection');
}

describe('resolveTarget', () => {
  it('a full ARN: region and account from it, DEFAULT qualifier', async () => {
    const t = await resolveTarget(ARN, { cwd: tmp() });
    expect(t).toMatchObject({
      pathLabel: ARN,
      arn: ARN,
      runtimeId: 'my_agent-abcDEF1234',
      region: 'eu-west-1',
      qualifier: 'DEFAULT',
    });
    expect(t.accountId).toBeUndefined();
  });

  it('a runtime id needs --account-id, then goes into the query', async () => {
    await rejects(resolveTarget('my_agent-abcDEF1234', { cwd: tmp() }), 'ERR_USAGE', /needs --account-id/);
    const t = await resolveTarget('my_agent-abcDEF1234', { cwd: tmp(), accountId: '123456789012', qualifier: 'prod' });
    expect(invocationUrl('https://x', t)).toBe(
      'https://x/runtimes/my_agent-abcDEF1234/invocations?accountId=123456789012&qualifier=prod',
    );
  });

  it('malformed ARNs, bad account ids and contradictions are refused', async () => {
    await rejects(
      resolveTarget('arn:aws:bedrock-agentcore:us-east-1:123:runtime/x', { cwd: tmp() }),
      'ERR_INPUT',
      /not an AgentCore runtime ARN/,
    );
    await rejects(resolveTarget(ARN, { cwd: tmp(), accountId: '12' }), 'ERR_USAGE', /12 digits/);
    await rejects(
      resolveTarget(ARN, { cwd: tmp(), accountId: '999999999999' }),
      'ERR_USAGE',
      /contradicts the ARN's account/,
    );
  });

  it('an agent name without project files says what to pass', async () => {
    await rejects(resolveTarget('my_agent', { cwd: tmp() }), 'ERR_INPUT', /no project file here/);
  });

  it('.bedrock_agentcore.yaml (starter toolkit): agent_arn by agent name', async () => {
    const dir = tmp();
    writeFileSync(
      join(dir, '.bedrock_agentcore.yaml'),
      `default_agent: my_agent\nagents:\n  my_agent:\n    name: my_agent\n    aws:\n      account: ` +
        `'123456789012'\n      region: eu-west-1\n    bedrock_agentcore:\n      agent_id: ` +
        `my_agent-abcDEF1234\n      agent_arn: ${ARN}\n  other:\n    name: other\n    ` +
        `bedrock_agentcore:\n      agent_id: null\n      agent_arn: null\n`,
    );
    const t = await resolveTarget('my_agent', { cwd: dir });
    expect(t).toMatchObject({ arn: ARN, region: 'eu-west-1', source: '.bedrock_agentcore.yaml', name: 'my_agent' });
    await rejects(resolveTarget('other', { cwd: dir }), 'ERR_INPUT', /has no runtime ARN \(is it deployed\?\)/);
    await rejects(resolveTarget('ghost', { cwd: dir }), 'ERR_INPUT', /no agent named "ghost".*/);
  });

  it('agentcore/.cli/deployed-state.json (agentcore CLI): targets.*.resources.runtimes.<name>.runtimeArn', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'agentcore', '.cli'), { recursive: true });
    writeFileSync(
      join(dir, 'agentcore', '.cli', 'deployed-state.json'),
      JSON.stringify({
        targets: {
          default: { resources: { runtimes: { MyAgent: { runtimeArn: ARN, runtimeId: 'my_agent-abcDEF1234' } } } },
        },
      }),
    );
    const t = await resolveTarget('MyAgent', { cwd: dir, qualifier: 'live' });
    expect(t).toMatchObject({ arn: ARN, qualifier: 'live', source: join('agentcore', '.cli', 'deployed-state.json') });
  });

  it('an unreadable project file is an input error naming the file', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'agentcore', '.cli'), { recursive: true });
    writeFileSync(join(dir, 'agentcore', '.cli', 'deployed-state.json'), '{ nope');
    await rejects(resolveTarget('x', { cwd: dir }), 'ERR_INPUT', /cannot read agentcore\/\.cli\/deployed-state\.json/);
  });
});

describe('headers and session ids', () => {
  it('custom headers get the prefix unless they have it', () => {
    expect(parseCustomHeaders(['tenant: acme', 'X-Amzn-Bedrock-AgentCore-Runtime-Custom-Region:eu'])).toEqual([
      ['X-Amzn-Bedrock-AgentCore-Runtime-Custom-tenant', 'acme'],
      ['X-Amzn-Bedrock-AgentCore-Runtime-Custom-Region', 'eu'],
    ]);
  });

  it.each([
    ['Authorization: Bearer x', /reserved header/, /--bearer-token/],
    ['x-amzn-bedrock-agentcore-runtime-user-id:a', /reserved header/, /--user-id/],
    ['X-Amzn-Bedrock-AgentCore-Runtime-Session-Id:a', /reserved header/, /--session-id/],
    ['Mcp-Session-Id:1', /reserved header/, /--mcp/],
    ['traceparent:00-x', /reserved header/, /--traceparent/],
    ['X-Amzn-Trace-Id:Root=1', /reserved header/, /--trace-id/],
    ['x-amz-security-token:t', /reserved header/, /computed for each request/],
    ['Content-Type:text/plain', /reserved header/, /--content-type/],
    ['x-amz-foo:1', /reserved for AWS/, /custom prefix/],
    ['novalue', /expected name:value/, /Example/],
    ['bad name:1', /not a valid header name/, undefined],
  ])('refuses -H %s', (h, msg, hint) => {
    let err: AgentcoreAuthError | undefined;
    try {
      parseCustomHeaders([h]);
    } catch (e) {
      err = e as AgentcoreAuthError;
    }
    expect(err?.code).toBe('ERR_USAGE');
    expect(err?.message).toMatch(msg);
    if (hint) expect(err?.hint).toMatch(hint);
  });

  it('limits: value ≤ 4096 chars, ≤ 20 headers, no duplicates, no line breaks', () => {
    expect(() => parseCustomHeaders([`a:${'x'.repeat(4097)}`])).toThrow(/at most 4096/);
    expect(() => parseCustomHeaders(Array.from({ length: 21 }, (_, i) => `h${i}:v`))).toThrow(/at most 20/);
    expect(() => parseCustomHeaders(['a:1', 'A:2'])).toThrow(/given twice/);
    expect(() => parseCustomHeaders(['a:1\r\nx: y'])).toThrow(/line breaks/);
  });

  it('generated session ids satisfy 33–256 and are unique', () => {
    const ids = new Set(Array.from({ length: 50 }, () => newSessionId()));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(checkSessionId(id)).toBe(id);
    expect(() => checkSessionId('x'.repeat(32))).toThrow(/33–256/);
    expect(() => checkSessionId('x'.repeat(257))).toThrow(/33–256/);
  });
});

describe('SSE parser', () => {
  it('parses events, multi-line data, comments, event names and ids', () => {
    expect(parseSse(': hello\n\nevent: token\nid: 7\ndata: a\ndata: b\n\ndata: {"x":1}\n\n')).toEqual([
      { event: 'token', id: '7', data: 'a\nb' },
      { id: '7', data: '{"x":1}' },
    ]);
  });

  it('any chunking yields the same events (CRLF split across chunks included)', () => {
    const text =
      'data: one\r\n\r\nevent: e\r\ndata: two\r\ndata: 2\r\n\r\ndata: {"json":true}\n\ndata: last-no-blank-line';
    const whole = parseSse(text);
    expect(whole.map((e) => e.data)).toEqual(['one', 'two\n2', '{"json":true}', 'last-no-blank-line']);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 8 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const p = new SseParser();
        const got = [];
        let prev = 0;
        for (const c of [...points, text.length]) {
          got.push(...p.push(text.slice(prev, c)));
          prev = c;
        }
        got.push(...p.end());
        expect(got).toEqual(whole);
      }),
    );
  });
});

async function* chunks(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const p of parts) yield new TextEncoder().encode(p);
}

describe('renderAnswer', () => {
  it('SSE, human: JSON strings join up as text, objects one per line (pretty on a TTY)', async () => {
    const out: string[] = [];
    const stats = await renderAnswer(chunks('data: "Hel', 'lo"\n\ndata: " world"\n\ndata: {"a":1}\n\n'), {
      mode: 'human',
      tty: false,
      contentType: 'text/event-stream',
      write: (t) => out.push(t),
    });
    expect(out.join('')).toBe('Hello world\n{"a":1}\n');
    expect(stats.events).toBe(3);
    const tty: string[] = [];
    await renderAnswer(chunks('data: {"a":1}\n\n'), {
      mode: 'human',
      tty: true,
      contentType: 'text/event-stream',
      write: (t) => tty.push(t),
    });
    expect(tty.join('')).toBe('{\n  "a": 1\n}\n');
  });

  it('events are written as they arrive, not at the end', async () => {
    const out: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    async function* slow() {
      yield new TextEncoder().encode('data: "first"\n\n');
      await gate;
      yield new TextEncoder().encode('data: "second"\n\n');
    }
    const done = renderAnswer(slow(), {
      mode: 'human',
      tty: false,
      contentType: 'text/event-stream',
      write: (t) => out.push(t),
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(out.join('')).toBe('first');
    release();
    await done;
    expect(out.join('')).toBe('firstsecond\n');
  });

  it('json mode: NDJSON events / body; raw mode: bytes as received', async () => {
    const j: string[] = [];
    await renderAnswer(chunks('event: m\ndata: {"a":1}\n\ndata: text\n\n'), {
      mode: 'json',
      tty: true,
      contentType: 'text/event-stream',
      write: (t) => j.push(t),
    });
    expect(
      j
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { type: 'event', event: 'm', data: { a: 1 } },
      { type: 'event', data: 'text' },
    ]);
    const b: string[] = [];
    await renderAnswer(chunks('{"x":', '2}'), {
      mode: 'json',
      tty: false,
      contentType: 'application/json',
      write: (t) => b.push(t),
    });
    expect(JSON.parse(b.join(''))).toEqual({ type: 'body', data: { x: 2 } });
    const r: string[] = [];
    await renderAnswer(chunks('data: 1\r\n\r\n'), {
      mode: 'raw',
      tty: true,
      contentType: 'text/event-stream',
      write: (t) => r.push(t),
    });
    expect(r.join('')).toBe('data: 1\r\n\r\n');
  });

  it('finds authorization URLs and the WAT-not-set message, even JSON-escaped in events', async () => {
    const url =
      'https://bedrock-agentcore.us-east-1.amazonaws.com/identities/oauth2/authorize?request_uri=' +
      'urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3AYWJj';
    const stats = await renderAnswer(
      chunks(
        `data: ${JSON.stringify(`Please open ${url}.`)}\n\n`,
        'data: "Workload access token has not been set. If invoking"\n\n',
      ),
      {
        mode: 'human',
        tty: false,
        contentType: 'text/event-stream',
        write: () => undefined,
      },
    );
    expect(stats.authorizationUrls).toEqual([url]);
    expect(stats.watNotSet).toBe(true);
  });
});

describe('toCurl', () => {
  const spec: InvokeSpec = {
    target: {
      pathLabel: ARN,
      arn: ARN,
      runtimeId: 'my_agent-abcDEF1234',
      region: 'eu-west-1',
      qualifier: 'DEFAULT',
      source: 'ARN',
    },
    region: 'eu-west-1',
    payload: new TextEncoder().encode(`{"prompt":"it's"}`),
    contentType: 'application/json',
    accept: 'application/json, text/event-stream',
    sessionId: 's'.repeat(40),
    customHeaders: [],
  };
  it('bearer: token masked unless showSecrets; payload shell-quoted', () => {
    const tok = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    const c = toCurl(spec, {
      inbound: { mode: 'bearer', token: tok },
      baseUrl: 'https://bedrock-agentcore.eu-west-1.amazonaws.com',
      showSecrets: false,
    });
    expect(c).toContain(
      "'https://bedrock-agentcore.eu-west-1.amazonaws.com/runtimes/" +
        'arn%3Aaws%3Abedrock-agentcore%3Aeu-west-1%3A123456789012%3Aruntime%2Fmy_agent-abcDEF1234/' +
        "invocations?qualifier=DEFAULT'",
    );
    expect(c).not.toContain(tok);
    expect(c).toContain('authorization: Bearer eyJhbG…[');
    expect(c).toContain(`--data-binary '{"prompt":"it'\\''s"}'`);
    expect(
      toCurl(spec, { inbound: { mode: 'bearer', token: tok }, baseUrl: 'https://h', showSecrets: true }),
    ).toContain(tok);
  });
  it('SigV4: curl signs at send time', () => {
    const c = toCurl(spec, {
      inbound: { mode: 'sigv4' },
      baseUrl: 'https://h',
      showSecrets: false,
      payloadFile: 'p.json',
    });
    expect(c).toContain('--aws-sigv4 aws:amz:eu-west-1:bedrock-agentcore');
    expect(c).toContain('--user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"');
    expect(c).toContain('--data-binary @p.json');
    // The runtime id and accountId, not the encoded ARN: curl's signature of an encoded path does not match AWS's.
    expect(c).toContain(
      "'https://h/runtimes/my_agent-abcDEF1234/invocations?accountId=123456789012&qualifier=DEFAULT'",
    );
    expect(c).not.toContain('x-amz-security-token'); // an empty one breaks curl's signature
    const withToken = toCurl(spec, {
      inbound: { mode: 'sigv4' },
      baseUrl: 'https://h',
      showSecrets: false,
      sessionToken: true,
    });
    expect(withToken).toContain('-H "x-amz-security-token: $AWS_SESSION_TOKEN"');
  });
});

describe('failures', () => {
  const target = {
    pathLabel: ARN,
    arn: ARN,
    runtimeId: 'my_agent-abcDEF1234',
    region: 'eu-west-1',
    qualifier: 'DEFAULT',
    source: 'ARN',
  };
  it('reads x-amzn-errortype + message, JSON-RPC 401 envelopes and AG-UI SSE errors', () => {
    expect(
      parseErrorBody(
        403,
        new Headers({ 'x-amzn-errortype': 'AccessDeniedException:http://internal' }),
        '{"message":"nope"}',
      ),
    ).toMatchObject({ status: 403, errorName: 'AccessDeniedException', message: 'nope' });
    expect(
      parseErrorBody(
        401,
        new Headers(),
        '{"jsonrpc":"2.0","error":{"code":-32001,"message":"Missing Authentication Token"},"id":"null"}',
      ),
    ).toMatchObject({ errorName: 'UnauthorizedException', message: 'Missing Authentication Token' });
    expect(
      parseErrorBody(
        401,
        new Headers(),
        'data: {"type":"RUN_ERROR","code":"UNAUTHORIZED","message":"Authentication required"}\n\n',
      ),
    ).toMatchObject({ message: 'Authentication required' });
  });
  it('method mismatch without the control plane: the other mode, deduced and said so', () => {
    const e = classifyFailure(
      {
        status: 403,
        errorName: 'AccessDeniedException',
        message:
          'Authorization method mismatch. The agent is configured for a different authorization method than ' +
          'what was used in your request. Check…',
      },
      {
        mode: 'bearer',
        userIdSent: false,
        target,
        region: 'eu-west-1',
        authInfoError: 'AccessDeniedException: no GetAgentRuntime',
      },
    );
    expect(e.code).toBe('ERR_AUTH');
    expect(e.message).toContain(
      'an agent accepts exactly one inbound mode, so it expects SigV4 (IAM) (could not confirm with ' +
        'GetAgentRuntime: AccessDeniedException: no GetAgentRuntime)',
    );
  });
});

describe('parseMcpBody', () => {
  it('JSON, batches and SSE', () => {
    expect(parseMcpBody('application/json', '{"jsonrpc":"2.0","id":1,"result":{}}')).toHaveLength(1);
    expect(
      parseMcpBody('application/json', '[{"jsonrpc":"2.0","id":1,"result":{}},{"jsonrpc":"2.0","method":"x"}]'),
    ).toHaveLength(2);
    expect(
      parseMcpBody(
        'text/event-stream',
        'event: message\ndata: {"jsonrpc":"2.0","id":2,"result":{"ok":1}}\n\ndata: ping\n\n',
      ),
    ).toEqual([{ jsonrpc: '2.0', id: 2, result: { ok: 1 } }]);
    expect(parseMcpBody('text/html', '<html>')).toEqual([]);
  });
});
