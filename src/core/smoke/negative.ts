/**
 * `smoke --negative`: for every invoke step, two built-in checks run the same invocation the wrong way and expect a
 * denial (exit 4, or HTTP 401/403):
 * - no-token: no credentials at all (`--auth none`: neither a bearer token nor a SigV4 signature);
 * - wrong-mode: the other inbound mode (a bearer JWT to a SigV4 agent, SigV4 to an OAuth agent).
 * An agent that accepts either has an authorizer that is not doing its job.
 */
import { emptyExpectation } from './parse.js';
import { kebab } from './runner.js';
import { Tpl, type Scenario, type Step, type TValue } from './schema.js';

const BEARER_FLAGS = ['bearer-token', 'bearer', 'id-token'];
const SIGV4_FLAGS = ['user-id'];

/**
 * A structurally valid JWT that no issuer signed (alg none): enough to put the request on the bearer path, where an
 * agent configured for SigV4 answers with the authorization method mismatch.
 */
export const UNSIGNED_PROBE_JWT =
  'eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhZ2VudGNvcmUtYXV0aC1zbW9rZS1uZWdhdGl2ZSIsImlzcyI6Imh0dHBzOi8vaW52YWxpZC5leGFtcGxlIn0.bm90LXNpZ25lZA';

function text(value: string, line: number): Tpl {
  return new Tpl({ parts: [{ kind: 'text', text: value }], source: value }, line);
}

function literal(v: TValue): string | undefined {
  if (v instanceof Tpl && v.template.parts.every((p) => p.kind === 'text')) return v.template.parts.map((p) => (p.kind === 'text' ? p.text : '')).join('');
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
    if (step.kind !== 'invoke' || step.derivedFrom) continue;
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
    steps.push(derive('no-token', { ...base, auth: { value: text('none', step.line), line: step.line } }));
    const userId = Object.entries(step.options).find(([k]) => kebab(k) === 'user-id');
    steps.push(
      derive(
        'wrong-mode',
        mode === 'bearer'
          ? {
              ...base,
              auth: { value: text('sigv4', step.line), line: step.line },
              'user-id': userId ? userId[1] : { value: text('agentcore-auth-smoke-negative', step.line), line: step.line },
            }
          : { ...base, auth: { value: text('bearer', step.line), line: step.line }, 'bearer-token': { value: text(UNSIGNED_PROBE_JWT, step.line), line: step.line } },
      ),
    );
  }
  return { ...scenario, steps };
}
