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
import { keyField } from '../config-fields.js';
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

/** A field-named config problem (config.ts turns it into its ConfigError). */
export class PolicyConfigError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${path}: ${detail}`);
    this.name = 'PolicyConfigError';
  }
}

type Raw = Record<string, unknown>;
const NAME = /^[A-Za-z][A-Za-z0-9_]{0,47}$/;

function obj(v: unknown, path: string): Raw {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new PolicyConfigError(path, 'must be a mapping (object)');
  return v as Raw;
}

function known(o: Raw, path: string, keys: string[]): void {
  for (const k of Object.keys(o))
    if (!keys.includes(k))
      throw new PolicyConfigError(keyField(path, k), `unknown key (expected one of: ${keys.join(', ')})`);
}

function text(v: unknown, path: string, opts: { pattern?: RegExp; patternText?: string; optional?: boolean } = {}) {
  if (v === undefined && opts.optional) return undefined;
  if (typeof v !== 'string' || !v) throw new PolicyConfigError(path, 'required non-empty string');
  if (opts.pattern && !opts.pattern.test(v)) throw new PolicyConfigError(path, `must match ${opts.patternText}`);
  return v;
}

function oneOf<T extends string>(v: unknown, path: string, values: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !values.includes(v as T))
    throw new PolicyConfigError(path, `must be one of ${values.join(', ')}`);
  return v as T;
}

const NAME_TEXT = 'a letter, then letters, digits or _ (at most 48; no hyphen)';

function parsePolicy(v: unknown, path: string): PolicyConfig {
  const o = obj(v, path);
  known(o, path, ['name', 'statement', 'description', 'enforcementMode', 'validationMode']);
  const statement = text(o.statement, `${path}.statement`)!;
  const parsed = parsePolicyText(statement);
  const bad = parsed.diagnostics.find((d) => d.severity === 'error');
  if (bad) throw new PolicyConfigError(`${path}.statement`, `line ${bad.line ?? 1}: ${bad.message}`);
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
  if (!Array.isArray(v)) throw new PolicyConfigError(path, 'must be a list');
  const names = new Set<string>();
  return v.map((e, i) => {
    const f = `${path}[${i}]`;
    const o = obj(e, f);
    known(o, f, ['name', 'description', 'policies']);
    const name = text(o.name, `${f}.name`, { pattern: NAME, patternText: NAME_TEXT })!;
    if (names.has(name)) throw new PolicyConfigError(`${f}.name`, `duplicate "${name}"`);
    names.add(name);
    const description = text(o.description, `${f}.description`, { optional: true });
    if (o.policies !== undefined && !Array.isArray(o.policies))
      throw new PolicyConfigError(`${f}.policies`, 'must be a list');
    const policies = ((o.policies as unknown[] | undefined) ?? []).map((p, j) => parsePolicy(p, `${f}.policies[${j}]`));
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
