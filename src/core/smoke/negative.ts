/**
 * `smoke --negative`: built-in checks derived from every invoke step, each expecting a denial (exit 4, or HTTP
 * 401/403):
 * - no-token (bearer steps): the same call without the bearer token, SigV4-signed as a caller with AWS credentials
 *   but no token would send it (the check the AgentCore samples make);
 * - wrong-mode: the other inbound mode — SigV4 with a user id to an OAuth agent, or a bearer JWT (unsigned, from no
 *   issuer) to a SigV4 agent.
 * `invoke` always authenticates one way or the other, so a SigV4 step gets no "no credentials at all" check.
 * An agent that accepts any of these has an authorizer that is not doing its job.
 */
import { effectiveOutcome } from './expect.js';
import { emptyExpectation } from './parse.js';
import { kebab } from './invocation.js';
import { Tpl, type Scenario, type Step, type TValue } from './schema.js';

const BEARER_FLAGS = ['bearer-token', 'bearer', 'id-token'];
const SIGV4_FLAGS = ['user-id'];

/**
 * A structurally valid JWT that no issuer signed (alg none): enough to put the request on the bearer path, where an
 * agent configured for SigV4 answers with the authorization method mismatch.
 */
export const UNSIGNED_PROBE_JWT =
  'eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.' +
  'eyJzdWIiOiJhZ2VudGNvcmUtYXV0aC1zbW9rZS1uZWdhdGl2ZSIsImlzcyI6Imh0dHBzOi8vaW52YWxpZC5leGFtcGxlIn0.' +
  'bm90LXNpZ25lZA';

function text(value: string, line: number): Tpl {
  return new Tpl({ parts: [{ kind: 'text', text: value }], source: value }, line);
}

function literal(v: TValue): string | undefined {
  if (v instanceof Tpl && v.template.parts.every((p) => p.kind === 'text'))
    return v.template.parts.map((p) => (p.kind === 'text' ? p.text : '')).join('');
  return undefined;
}

/** The inbound mode an invoke step uses: explicit --auth, else bearer when it passes a token, else SigV4. */
export function inboundMode(step: Step): 'bearer' | 'sigv4' {
  const opts = new Map(Object.entries(step.options).map(([k, v]) => [kebab(k), v.value]));
  const auth = opts.get('auth');
  const a = auth !== undefined ? literal(auth) : undefined;
  if (a === 'bearer' || a === 'sigv4') return a;
  return BEARER_FLAGS.some((f) => opts.has(f) && opts.get(f) !== false && opts.get(f) !== null) ? 'bearer' : 'sigv4';
}

function withoutAuth(step: Step): Step['options'] {
  const out: Step['options'] = {};
  for (const [k, v] of Object.entries(step.options)) {
    const f = kebab(k);
    if (f === 'auth' || BEARER_FLAGS.includes(f) || SIGV4_FLAGS.includes(f)) continue;
    out[k] = v;
  }
  return out;
}

export function addNegativeChecks(scenario: Scenario): Scenario {
  const ids = new Set(scenario.steps.map((s) => s.id));
  const freshId = (base: string) => {
    let id = base;
    for (let n = 2; ids.has(id); n++) id = `${base}-${n}`;
    ids.add(id);
    return id;
  };
  const steps: Step[] = [];
  for (const step of scenario.steps) {
    steps.push(step);
    // Only calls that are meant to succeed: a step that expects a denial is a negative check already.
    if (step.kind !== 'invoke' || step.derivedFrom || effectiveOutcome(step.expect) !== 'allow') continue;
    const mode = inboundMode(step);
    const base = withoutAuth(step);
    const derive = (check: 'no-token' | 'wrong-mode', options: Step['options']): Step => ({
      id: freshId(`${step.id}-${check}`),
      kind: 'invoke',
      line: step.line,
      options,
      args: step.args,
      env: step.env,
      needs: step.needs,
      ...(step.timeoutMs !== undefined ? { timeoutMs: step.timeoutMs } : {}),
      expect: { ...emptyExpectation(step.line), outcome: 'deny' },
      derivedFrom: { step: step.id, check },
    });
    const userId = Object.entries(step.options).find(([k]) => kebab(k) === 'user-id');
    const opt = (value: string) => ({ value: text(value, step.line), line: step.line });
    if (mode === 'bearer') {
      steps.push(derive('no-token', { ...base, auth: opt('sigv4') }));
      steps.push(
        derive('wrong-mode', {
          ...base,
          auth: opt('sigv4'),
          'user-id': userId ? userId[1] : opt('agentcore-auth-smoke-negative'),
        }),
      );
    } else {
      steps.push(derive('wrong-mode', { ...base, auth: opt('bearer'), 'bearer-token': opt(UNSIGNED_PROBE_JWT) }));
    }
  }
  return { ...scenario, steps };
}
