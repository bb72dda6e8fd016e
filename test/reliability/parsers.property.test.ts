/**
 * Bad input, property-based (fast-check): every parser of user input — runtime ARNs and ids, JWTs, -H headers,
 * --custom-claim, session/user ids, payload files, smoke scenario files, local-stack config files, durations,
 * Retry-After, the redactors, the explain matcher — either accepts the input or throws an AgentcoreAuthError with exit
 * code 2 (never a TypeError, never exit 1). The same holds through the CLI, in-process: exit 0 or 2 (or the documented
 * codes of a command that went on to run), `error:` on stderr, never `internal error`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentcoreAuthError } from '../../src/core/errors.js';
import { parseRetryAfter } from '../../src/core/http.js';
import { decodeJwtUnverified } from '../../src/core/jwt.js';
import { findHint } from '../../src/core/hints.js';
import { redactBody, redactForm, redactUrl } from '../../src/core/redact.js';
import { parseCustomClaim } from '../../src/core/authorizer-prediction/config.js';
import { checkRuntimeUserId, checkSessionId, parseCustomHeaders } from '../../src/core/runtime/request.js';
import { resolveTarget } from '../../src/core/runtime/target.js';
import { parseDuration } from '../../src/core/duration.js';
import { parseScenario } from '../../src/core/smoke/parse.js';
import { CONFIG_SECTIONS, ConfigError, parseConfig } from '../../src/emulator/config.js';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { stackLoginArgs } from '../fixtures/stack-users.js';
import { createTestContext, runCommand } from '../helpers/context.js';

// --domain needs no discovery, so the loopback server really binds: port 0 (a port the OS picks), never the CLI's
// default 53682 that another run could hold.
const PROPERTY_REDIRECT = 'http://127.0.0.1:0/callback';

const RUNS = 300;
const dir = mkdtempSync(join(tmpdir(), 'aca-rel-parsers-'));

/** Accepts, or throws an AgentcoreAuthError with exit code 2 and a message. */
function acceptsOrExit2(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof AgentcoreAuthError))
      throw new Error(`not an AgentcoreAuthError: ${(e as Error)?.stack ?? String(e)}`);
    expect(e.exitCode).toBe(2);
    expect(e.message.length).toBeGreaterThan(0);
  }
}
async function acceptsOrExit2Async(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (!(e instanceof AgentcoreAuthError))
      throw new Error(`not an AgentcoreAuthError: ${(e as Error)?.stack ?? String(e)}`);
    expect(e.exitCode).toBe(2);
  }
}

const b64u = (s: string) => Buffer.from(s).toString('base64url');
/** Strings that look more or less like JWTs: real base64url JSON parts, broken parts, wrong counts. */
const arbJwtish = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc
    .tuple(fc.json(), fc.json(), fc.string({ maxLength: 40 }))
    .map(([h, p, sig]) => `${b64u(h)}.${b64u(p)}.${b64u(sig)}`),
  fc.tuple(fc.jsonValue(), fc.string()).map(([p, sig]) => `eyJhbGciOiJSUzI1NiJ9.${b64u(JSON.stringify(p))}.${sig}`),
  fc.array(fc.base64String({ maxLength: 30 }), { maxLength: 6 }).map((parts) => parts.join('.')),
  fc.tuple(fc.string(), fc.string()).map(([a, b]) => `eyJ${a}.eyJ${b}.x`),
);
const arbArnish = fc.oneof(
  fc.string({ maxLength: 120 }),
  fc
    .tuple(
      fc.constantFrom('aws', 'aws-cn', 'aws-us-gov', 'awz', ''),
      fc.constantFrom('us-east-1', 'eu-west-1', '', 'US-EAST-1'),
      fc.stringMatching(/^[0-9]{10,13}$/),
      fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}-[A-Za-z0-9]{8,11}$/),
    )
    .map(([p, r, a, id]) => `arn:${p}:bedrock-agentcore:${r}:${a}:runtime/${id}`),
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,20}(-[A-Za-z0-9]{10})?$/),
);
const arbHeader = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.tuple(fc.string({ maxLength: 30 }), fc.string({ maxLength: 60 })).map(([n, v]) => `${n}:${v}`),
  fc
    .tuple(
      fc.constantFrom(
        'Authorization',
        'x-amz-date',
        'X-Amzn-Bedrock-AgentCore-Runtime-Custom-',
        'tenant',
        'Mcp-Session-Id',
        'host',
      ),
      fc.string(),
    )
    .map(([n, v]) => `${n}:${v}`),
);
const arbClaim = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc
    .tuple(
      fc.string({ maxLength: 20 }),
      fc.constantFrom('EQUALS', 'CONTAINS', 'CONTAINS_ANY', 'equals', 'IN'),
      fc.string({ maxLength: 30 }),
    )
    .map(([n, o, v]) => `${n}:${o}:${v}`),
);
/** YAML/JSON-ish documents: random structures with the right top-level keys, and raw text. */
const arbScenarioText = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.jsonValue({ maxDepth: 4 }).map((v) => toYaml(v)),
  fc
    .record({
      name: fc.option(fc.jsonValue({ maxDepth: 1 })),
      steps: fc.array(
        fc.dictionary(
          fc.constantFrom(
            'id',
            'name',
            'login',
            'verify',
            'invoke',
            'explain',
            'run',
            'expect',
            'timeout',
            'bogus',
            'needs',
          ),
          fc.jsonValue({ maxDepth: 2 }),
          { maxKeys: 4 },
        ),
        { maxLength: 4 },
      ),
      timeout: fc.option(fc.oneof(fc.string(), fc.integer())),
    })
    .map((v) => toYaml(v)),
);
const arbConfig = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(fc.constantFrom(...CONFIG_SECTIONS, 'other'), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }),
);

describe('core parsers (fast-check)', () => {
  it(`JWT decode (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(arbJwtish, (s) => acceptsOrExit2(() => decodeJwtUnverified(s))),
      { numRuns: RUNS },
    );
  });
  it(`runtime ARN / id / name resolution (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        arbArnish,
        fc.option(fc.stringMatching(/^[0-9a-z]{0,13}$/), { nil: undefined }),
        async (ref, accountId) =>
          acceptsOrExit2Async(() =>
            resolveTarget(ref, { cwd: dir, ...(accountId !== undefined ? { accountId } : {}) }),
          ),
      ),
      { numRuns: RUNS },
    );
  });
  it(`-H name:value (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.array(arbHeader, { maxLength: 3 }), (hs) => acceptsOrExit2(() => parseCustomHeaders(hs))),
      { numRuns: RUNS },
    );
  });
  it(`--custom-claim name:OP:value (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(arbClaim, (s) => acceptsOrExit2(() => parseCustomClaim(s))),
      { numRuns: RUNS },
    );
  });
  it(
    `--custom-claim on a long colon-heavy input ends (no catastrophic backtracking: that would outlast the ` + `test)`,
    () => {
      acceptsOrExit2(() => parseCustomClaim(`${'a:'.repeat(20_000)}EQUAL`));
    },
  );
  it(`--session-id / --user-id (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        acceptsOrExit2(() => checkSessionId(s));
        acceptsOrExit2(() => checkRuntimeUserId(s));
      }),
      { numRuns: RUNS },
    );
  });
  it(`smoke scenario files (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(arbScenarioText, (text) => acceptsOrExit2(() => parseScenario(text, 'fuzz.yaml'))),
      { numRuns: RUNS },
    );
  });
  it('smoke scenario: a YAML alias bomb is refused, exit 2 (expanded, its 9^10 nodes would outlast the test)', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...Array.from(
        { length: 9 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} ` +
          `[${Array(9)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(',')}]`,
      ),
      'steps: *j',
    ].join('\n');
    expect(() => parseScenario(bomb, 'bomb.yaml')).toThrow(AgentcoreAuthError);
  });
  it(`durations (${RUNS} runs): a number of ms or undefined, never NaN`, () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 20 }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null)),
        (v) => {
          let out: number | undefined;
          try {
            out = parseDuration(v as string);
          } catch (e) {
            if (!(e instanceof AgentcoreAuthError)) throw e;
            return;
          }
          if (out !== undefined) expect(Number.isNaN(out)).toBe(false);
        },
      ),
      { numRuns: RUNS },
    );
  });
  it(`local-stack config (${RUNS} runs): parsed or a ConfigError naming a field`, () => {
    fc.assert(
      fc.property(arbConfig, (raw) => {
        try {
          parseConfig(raw);
        } catch (e) {
          if (!(e instanceof ConfigError)) throw new Error(`not a ConfigError: ${(e as Error)?.stack}`);
          expect(e.field.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: RUNS },
    );
  });
  it(`Retry-After (${RUNS} runs): milliseconds ≥ 0 or undefined`, () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 40 }),
          fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
          fc.integer().map(String),
          fc.double().map(String),
        ),
        (v) => {
          const ms = parseRetryAfter(v, 1_700_000_000_000);
          if (ms !== undefined) {
            expect(Number.isNaN(ms)).toBe(false);
            expect(ms).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
  it(`redactors and the explain matcher never throw (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200 }),
        fc.option(fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain')),
        (s, ct) => {
          redactForm(s);
          redactUrl(s);
          redactUrl(`https://h/p?${s}`);
          redactBody(s, ct ?? undefined);
          findHint({ message: s });
          findHint({ name: s, status: 400 });
        },
      ),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Through the CLI

let stack: LocalStack;
let env: Record<string, string>;
const SIGV4 = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/sigv4_agent-local00001';
const CLI_RUNS = 60;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  env = { ...stack.env };
});
afterAll(async () => {
  await stack?.close();
});

function expectCleanFailure(r: { code: number; stderr: string }, allowed: number[], what: string) {
  expect(r.stderr, what).not.toContain('internal error');
  expect(allowed, `${what} → exit ${r.code}\n${r.stderr}`).toContain(r.code);
  if (r.code === 2) expect(r.stderr, what).toMatch(/^error: /m);
}

describe('CLI parsers (fast-check, in-process)', () => {
  it(`token decode <arbitrary> (${CLI_RUNS} runs): 0 or 2`, async () => {
    await fc.assert(
      fc.asyncProperty(
        arbJwtish.filter((s) => !s.startsWith('-') && s.trim() !== ''),
        async (s) => {
          const r = await runCommand(['token', 'decode', s], { env });
          expectCleanFailure(r, [0, 2], `token decode ${JSON.stringify(s)}`);
        },
      ),
      { numRuns: CLI_RUNS },
    );
  });

  it(`invoke <arbitrary agent> --dry-run (${CLI_RUNS} runs): 0 or 2`, async () => {
    await fc.assert(
      fc.asyncProperty(
        arbArnish.filter((s) => !s.startsWith('-')),
        async (agent) => {
          const r = await runCommand(['invoke', agent, '{}', '--user-id', 'alice', '--dry-run'], { env, cwd: dir });
          expectCleanFailure(r, [0, 2], `invoke ${JSON.stringify(agent)}`);
        },
      ),
      { numRuns: CLI_RUNS },
    );
  });

  it(`invoke -H <arbitrary> --dry-run (${CLI_RUNS} runs): 0 or 2`, async () => {
    await fc.assert(
      fc.asyncProperty(
        arbHeader.filter((s) => !s.startsWith('-')),
        async (h) => {
          const r = await runCommand(['invoke', SIGV4, '{}', '--user-id', 'alice', '-H', h, '--dry-run'], { env });
          expectCleanFailure(r, [0, 2], `-H ${JSON.stringify(h)}`);
        },
      ),
      { numRuns: CLI_RUNS },
    );
  });

  it(`invoke --payload-file <arbitrary bytes> --dry-run (${CLI_RUNS} runs): 0 or 2`, async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v))),
        ),
        fc.constantFrom('application/json', 'text/plain', undefined),
        async (bytes, ct) => {
          const file = join(dir, `payload-${n++}.bin`);
          writeFileSync(file, bytes);
          const r = await runCommand(
            [
              'invoke',
              SIGV4,
              '--payload-file',
              file,
              '--user-id',
              'alice',
              '--dry-run',
              ...(ct ? ['--content-type', ct] : []),
            ],
            { env },
          );
          expectCleanFailure(r, [0, 2], `payload ${Buffer.from(bytes).toString('hex').slice(0, 60)}`);
        },
      ),
      { numRuns: CLI_RUNS },
    );
    for (const bad of [join(dir, 'missing.json'), dir]) {
      const r = await runCommand(['invoke', SIGV4, '--payload-file', bad, '--user-id', 'alice', '--dry-run'], { env });
      expectCleanFailure(r, [2], `--payload-file ${bad}`);
      expect(r.code).toBe(2);
    }
  });

  it(
    `invoke --timeout / --session-id / --qualifier / --account-id <arbitrary> --dry-run (${CLI_RUNS} runs): ` +
      `0 or 2`,
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('--timeout', '--session-id', '--qualifier', '--account-id', '--content-type', '--accept'),
          fc.string({ maxLength: 60 }).filter((s) => !s.startsWith('-')),
          async (flag, v) => {
            const r = await runCommand(['invoke', SIGV4, '{}', '--user-id', 'alice', flag, v, '--dry-run'], { env });
            expectCleanFailure(r, [0, 2], `${flag} ${JSON.stringify(v)}`);
          },
        ),
        { numRuns: CLI_RUNS },
      );
    },
  );

  it(`verify --custom-claim <arbitrary> (${CLI_RUNS} runs): 2 for bad syntax, else the verdict (0/4)`, async () => {
    const token = (
      await runCommand(
        [
          'login',
          '--auth-flow',
          'client-credentials',
          '--token-endpoint',
          stack.userPool.tokenEndpoint,
          '--client-id',
          stack.userPool.clients[0]!.clientId,
          '--client-secret',
          stack.userPool.clients[0]!.clientSecret!,
          '--print',
          'access-token',
          '--no-cache',
        ],
        { env },
      )
    ).stdout.trim();
    expect(token).toMatch(/^eyJ/);
    await fc.assert(
      fc.asyncProperty(
        arbClaim.filter((s) => !s.startsWith('-')),
        async (claim) => {
          const r = await runCommand(
            ['verify', token, '--discovery-url', stack.userPool.discoveryUrl, '--custom-claim', claim],
            { env },
          );
          expectCleanFailure(r, [0, 2, 4], `--custom-claim ${JSON.stringify(claim)}`);
        },
      ),
      { numRuns: CLI_RUNS },
    );
  });

  it(`smoke <arbitrary scenario file> (${CLI_RUNS} runs): never exit 1`, async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(arbScenarioText, async (text) => {
        const file = join(dir, `scenario-${n++}.yaml`);
        writeFileSync(file, text);
        // unreachable endpoints: a scenario that happens to be valid fails fast instead of calling anything real
        const r = await runCommand(['smoke', file, '--timeout', '2s'], {
          env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_REGION: 'us-east-1' },
          cwd: dir,
        });
        expectCleanFailure(r, [0, 2, 3, 4, 5, 6], `smoke ${JSON.stringify(text.slice(0, 200))}`);
      }),
      { numRuns: CLI_RUNS },
    );
  });

  it(
    `local --config <arbitrary file> (${CLI_RUNS} runs): exit 2 naming the problem, or a valid config ` +
      `(interrupted before start: 130)`,
    async () => {
      let n = 0;
      const aborted = new AbortController();
      aborted.abort(Object.assign(new Error('interrupted by SIGINT'), { name: 'AbortError' }));
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            arbConfig.map((v) => [toYaml(v), 'yaml'] as const),
            arbConfig.map((v) => [JSON.stringify(v), 'json'] as const),
            fc.string({ maxLength: 200 }).map((s) => [s, 'yaml'] as const),
          ),
          async ([text, ext]) => {
            const file = join(dir, `config-${n++}.${ext}`);
            writeFileSync(file, text);
            const r = await runCommand(
              ['local', '--config', file],
              createTestContext({ env: {}, signal: aborted.signal }),
            );
            expectCleanFailure(r, [2, 130], `local --config ${JSON.stringify(text.slice(0, 200))}`);
            if (r.code === 2) expect(r.stderr).toContain(file);
          },
        ),
        { numRuns: CLI_RUNS },
      );
    },
  );

  // Arbitrary flag values, never a URL to a real host (the tests stay on loopback): no "://" in them.
  const arbValue = fc.string({ maxLength: 50 }).filter((v) => !v.startsWith('-') && !v.includes('://'));

  it(`exchange <flag> <arbitrary> (${CLI_RUNS} runs): 0/2/3/4, never 1`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '--scopes',
          '--custom-param',
          '--return-url',
          '--poll-interval',
          '--timeout',
          '--flow',
          '--provider',
          '--api-key-provider',
          '--user-id',
          '--resource',
          '--audience',
        ),
        arbValue,
        async (flag, v) => {
          const r = await runCommand(
            [
              'exchange',
              '--workload-name',
              'local-workload',
              '--user-id',
              'alice',
              ...(flag === '--provider' || flag === '--api-key-provider'
                ? []
                : ['--api-key-provider', 'local-api-key']),
              flag,
              v,
              '--timeout',
              flag === '--timeout' ? v : '2',
              '--no-browser',
            ],
            { env },
          );
          expectCleanFailure(r, [0, 2, 3, 4, 5], `exchange ${flag} ${JSON.stringify(v)}`);
        },
      ),
      { numRuns: CLI_RUNS },
    );
  });

  it(`callback --port/--path/--timeout <arbitrary> (${CLI_RUNS} runs): 2, or it serves and times out (5)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('--port', '--path', '--timeout', '--expect-state'),
        arbValue,
        async (flag, v) => {
          const argv = [
            'callback',
            '--user-id',
            'alice',
            '--port',
            flag === '--port' ? v : '0',
            '--timeout',
            flag === '--timeout' ? v : '0.05',
          ];
          if (flag === '--path' || flag === '--expect-state') argv.push(flag, v);
          const ac = new AbortController();
          const timer = setTimeout(
            () => ac.abort(Object.assign(new Error('interrupted by SIGINT'), { name: 'AbortError' })),
            500,
          );
          const r = await runCommand(argv, { env, signal: ac.signal });
          clearTimeout(timer);
          expectCleanFailure(r, [2, 5, 130], `callback ${flag} ${JSON.stringify(v)}`);
        },
      ),
      { numRuns: CLI_RUNS },
    );
  });

  it(`login <flag> <arbitrary> (${CLI_RUNS} runs): 0/2/3/4, never 1`, async () => {
    const app = stack.userPool.clients.find((c) => c.clientSecret)!;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '--scopes',
          '--timeout',
          '--redirect-uri',
          '--domain',
          '--user-pool-id',
          '--client-id',
          '--username',
          '--attribute',
          '--resource',
        ),
        arbValue,
        async (flag, v) => {
          const argv =
            flag === '--redirect-uri' || flag === '--domain'
              ? [
                  'login',
                  '--auth-flow',
                  'authorization-code',
                  '--client-id',
                  app.clientId,
                  '--no-cache',
                  '--timeout',
                  '0.2',
                  ...(flag === '--domain'
                    ? ['--redirect-uri', PROPERTY_REDIRECT]
                    : ['--discovery-url', stack.userPool.discoveryUrl]),
                  flag,
                  v,
                ]
              : [...stackLoginArgs(stack, 'alice', 'wrong-password'), '--no-cache', flag, v];
          const r = await runCommand(argv, { env, openBrowser: async () => undefined });
          expectCleanFailure(r, [0, 2, 3, 4, 5], `login ${flag} ${JSON.stringify(v)}`);
        },
      ),
      { numRuns: CLI_RUNS },
    );
  });

  const saveAs = `login --save-as / token print <arbitrary name> (${CLI_RUNS} runs)`;
  it(`${saveAs}: 0/2, never a path outside the cache`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .oneof(
            fc.string({ maxLength: 40 }),
            fc.constantFrom('../x', '..', '/etc/passwd', 'a/b', '.hidden', 'ok-name@x'),
          )
          .filter((s) => !s.startsWith('-') && s !== ''),
        async (name) => {
          const r = await runCommand(['token', 'print', name], { env });
          expectCleanFailure(r, [2], `token print ${JSON.stringify(name)}`);
        },
      ),
      { numRuns: CLI_RUNS },
    );
  });
});
