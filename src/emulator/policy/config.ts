/**
 * `policyEngines:` in a `local --config` file: engines and their Cedar policies, created when the stack starts as
 * CreatePolicyEngine / CreatePolicy would (same checks; a policy that does not validate is CREATE_FAILED and logged).
 * Ids are derived from the names, so a config's engine ARN is the same on every start.
 *
 *   policyEngines:
 *     - name: shop_policies
 *       description: optional
 *       policies:
 *         - name: refund_small
 *           statement: |
 *             permit(principal, action == AgentCore::Action::"RefundTool___process_refund",
 *                    resource == AgentCore::Gateway::"arn:…") when { context.input.amount < 500 };
 *           enforcementMode: ACTIVE | LOG_ONLY
 *           validationMode: FAIL_ON_ANY_FINDINGS | IGNORE_ALL_FINDINGS
 *           description: optional
 */
import { parsePolicyText } from '../../policy-model/index.js';
import { ApiError } from '../api/index.js';
import { ConfigError, known, list, obj } from '../config-fields.js';
import { createEngine } from './engines.js';
import { createPolicy } from './policies.js';
import { ENFORCEMENT_MODES, VALIDATION_MODES } from './shapes.js';
import { resourceId, type EnforcementMode, type PolicyStore, type ValidationMode } from './store.js';

export interface PolicyConfig {
  name: string;
  statement: string;
  description?: string;
  enforcementMode?: EnforcementMode;
  validationMode?: ValidationMode;
}

export interface PolicyEngineConfig {
  name: string;
  description?: string;
  policies: PolicyConfig[];
}

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,47}$/;

function text(v: unknown, path: string, opts: { pattern?: RegExp; patternText?: string; optional?: boolean } = {}) {
  if (v === undefined && opts.optional) return undefined;
  if (typeof v !== 'string' || !v) throw new ConfigError(path, 'required non-empty string');
  if (opts.pattern && !opts.pattern.test(v)) throw new ConfigError(path, `must match ${opts.patternText}`);
  return v;
}

function oneOf<T extends string>(v: unknown, path: string, values: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !values.includes(v as T))
    throw new ConfigError(path, `must be one of ${values.join(', ')}`);
  return v as T;
}

const NAME_TEXT = 'a letter, then letters, digits or _ (at most 48; no hyphen)';

function parsePolicy(v: unknown, path: string): PolicyConfig {
  const o = obj(v, path);
  known(o, path, ['name', 'statement', 'description', 'enforcementMode', 'validationMode']);
  const statement = text(o.statement, `${path}.statement`)!;
  const parsed = parsePolicyText(statement);
  const bad = parsed.diagnostics.find((d) => d.severity === 'error');
  if (bad) throw new ConfigError(`${path}.statement`, `line ${bad.line ?? 1}: ${bad.message}`);
  const description = text(o.description, `${path}.description`, { optional: true });
  const enforcementMode = oneOf(o.enforcementMode, `${path}.enforcementMode`, ENFORCEMENT_MODES);
  const validationMode = oneOf(o.validationMode, `${path}.validationMode`, VALIDATION_MODES);
  return {
    name: text(o.name, `${path}.name`, { pattern: NAME, patternText: NAME_TEXT })!,
    statement,
    ...(description ? { description } : {}),
    ...(enforcementMode ? { enforcementMode } : {}),
    ...(validationMode ? { validationMode } : {}),
  };
}

export function parsePolicyEngines(v: unknown, path: string): PolicyEngineConfig[] {
  const names = new Set<string>();
  return list(v, path).map((e, i) => {
    const f = `${path}[${i}]`;
    const o = obj(e, f);
    known(o, f, ['name', 'description', 'policies']);
    const name = text(o.name, `${f}.name`, { pattern: NAME, patternText: NAME_TEXT })!;
    if (names.has(name)) throw new ConfigError(`${f}.name`, `duplicate "${name}"`);
    names.add(name);
    const description = text(o.description, `${f}.description`, { optional: true });
    const policies = (o.policies === undefined ? [] : list(o.policies, `${f}.policies`)).map((p, j) =>
      parsePolicy(p, `${f}.policies[${j}]`),
    );
    return { name, ...(description ? { description } : {}), policies };
  });
}

/**
 * Create the configured engines and policies (call it once the gateway half has set `store.gatewaysFor`, so that
 * policies validate against the gateways' tools). A policy that fails is CREATE_FAILED; `log` gets one line for it.
 */
export function seedPolicyEngines(
  store: PolicyStore,
  engines: readonly PolicyEngineConfig[],
  now: number,
  log?: (line: string) => void,
): void {
  for (const cfg of engines) {
    const engine = createEngine(
      store,
      {
        name: cfg.name,
        ...(cfg.description ? { description: cfg.description } : {}),
        policyEngineId: resourceId(cfg.name, `engine:${cfg.name}`),
      },
      now,
    );
    engine.status = 'ACTIVE';
    for (const p of cfg.policies) {
      try {
        const { record } = createPolicy(
          store,
          engine,
          { ...p, definition: { cedar: { statement: p.statement } }, policyId: resourceId(p.name, `policy:${p.name}`) },
          now,
        );
        if (record.status === 'CREATE_FAILED')
          log?.(`policy ${p.name} (engine ${cfg.name}): CREATE_FAILED: ${record.statusReasons.join('; ')}`);
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        log?.(`policy ${p.name} (engine ${cfg.name}): ${e.message}`);
      }
    }
  }
}
