/**
 * The local stack's AgentCore Policy state: policy engines, their policies, and the compiled (preparsed) policy set a
 * gateway evaluates. Statuses move as the service's do, without timers: a create answers CREATING (202) and the
 * record has already settled (ACTIVE or CREATE_FAILED with statusReasons), which every later read shows; a delete
 * answers DELETING and the record is gone.
 *
 * The gateway side (issue 23) plugs in here:
 *   store.gatewaysFor = (engineArn) => GatewayModel[]   the gateways whose policyEngineConfiguration names the engine
 *                                                       (their schema validates CreatePolicy/UpdatePolicy); set it
 *                                                       before seedPolicyEngines runs (stack.ts)
 *   store.compiled(engineArnOrId, gateway)              → CompiledPolicies | undefined, for every tools/call and
 *                                                       tools/list: `.authorize({caller, tool, input})`, `.listable()`
 *                                                       (gateway/data/policy.ts makes both calls)
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  compilePolicies,
  type CompiledPolicies,
  type GatewayModel,
  type PolicySource,
} from '../../policy-model/index.js';

export type ResourceStatus =
  | 'CREATING'
  | 'ACTIVE'
  | 'UPDATING'
  | 'DELETING'
  | 'CREATE_FAILED'
  | 'UPDATE_FAILED'
  | 'DELETE_FAILED';
export type EnforcementMode = 'ACTIVE' | 'LOG_ONLY';
export type ValidationMode = 'FAIL_ON_ANY_FINDINGS' | 'IGNORE_ALL_FINDINGS';

export interface EngineRecord {
  policyEngineId: string;
  name: string;
  policyEngineArn: string;
  description?: string;
  encryptionKeyArn?: string;
  tags: Record<string, string>;
  createdAt: number;
  updatedAt: number;
  status: ResourceStatus;
  statusReasons: string[];
  clientToken?: string;
}

export interface PolicyRecord {
  policyId: string;
  name: string;
  policyEngineId: string;
  policyArn: string;
  description?: string;
  /** The statement as last given (shown by Get/List, even when it failed validation). */
  statement: string;
  /** The statement in effect (the last one that validated; undefined while none has). */
  effective?: string;
  enforcementMode: EnforcementMode;
  createdAt: number;
  updatedAt: number;
  status: ResourceStatus;
  statusReasons: string[];
  clientToken?: string;
}

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `<name>-<10 of [a-z0-9]>`, the services' id format (random, or derived from a seed for config-declared ones). */
export function resourceId(name: string, seed?: string): string {
  const bytes = seed ? createHash('sha256').update(seed).digest() : randomBytes(10);
  let suffix = '';
  for (let i = 0; i < 10; i++) suffix += ID_ALPHABET[bytes[i]! % ID_ALPHABET.length];
  return `${name}-${suffix}`;
}

export class PolicyStore {
  readonly engines = new Map<string, EngineRecord>();
  /** engine id → policy id → policy, in creation order. */
  readonly policies = new Map<string, Map<string, PolicyRecord>>();
  /** The gateways associated with an engine (set by the gateway half; none until then). */
  gatewaysFor: (engineArn: string) => GatewayModel[] = () => [];
  private readonly versions = new Map<string, number>();
  /** engine id + gateway ARN → the set compiled for that gateway's current tools and the engine's version. */
  private readonly compiledCache = new Map<string, { version: number; gateway: string; set: CompiledPolicies }>();
  private readonly gatewayKeys = new WeakMap<GatewayModel, string>();

  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {}

  engineArn(id: string): string {
    return `arn:aws:bedrock-agentcore:${this.region}:${this.accountId}:policy-engine/${id}`;
  }

  policyArn(engineId: string, policyId: string): string {
    return `${this.engineArn(engineId)}/policy/${policyId}`;
  }

  /** An engine by id or ARN (this account and region). */
  engine(idOrArn: string): EngineRecord | undefined {
    const prefix = this.engineArn('');
    return this.engines.get(idOrArn.startsWith(prefix) ? idOrArn.slice(prefix.length) : idOrArn);
  }

  policiesOf(engineId: string): Map<string, PolicyRecord> {
    return this.policies.get(engineId) ?? this.policies.set(engineId, new Map()).get(engineId)!;
  }

  /** Every policy of the account (policy names are unique within it). */
  allPolicies(): PolicyRecord[] {
    return [...this.policies.values()].flatMap((m) => [...m.values()]);
  }

  /** Called after every change to an engine's policies: compiled sets are rebuilt on next use. */
  touch(engineId: string): void {
    this.versions.set(engineId, (this.versions.get(engineId) ?? 0) + 1);
  }

  /** A deleted engine: its compiled sets go. */
  forget(engineId: string): void {
    this.versions.delete(engineId);
    this.policies.delete(engineId);
    for (const key of [...this.compiledCache.keys()])
      if (key.startsWith(`${engineId}\n`)) this.compiledCache.delete(key);
  }

  /** The policies in effect, as the evaluator takes them. */
  sources(engineId: string): PolicySource[] {
    return [...this.policiesOf(engineId).values()]
      .filter((p) => p.effective !== undefined)
      .map((p) => ({ id: p.policyId, name: p.name, statement: p.effective!, enforcementMode: p.enforcementMode }));
  }

  /**
   * The engine's policies compiled for one gateway (preparsed once per change of either). Keep passing the same
   * GatewayModel object while the gateway's targets are unchanged: its content fingerprint is computed once.
   */
  compiled(engineArnOrId: string, gateway: GatewayModel): CompiledPolicies | undefined {
    const engine = this.engine(engineArnOrId);
    if (!engine || engine.status === 'CREATE_FAILED') return undefined;
    let gw = this.gatewayKeys.get(gateway);
    if (gw === undefined) {
      gw = createHash('sha256').update(JSON.stringify(gateway)).digest('base64url');
      this.gatewayKeys.set(gateway, gw);
    }
    const key = `${engine.policyEngineId}\n${gateway.arn}`;
    const version = this.versions.get(engine.policyEngineId) ?? 0;
    const hit = this.compiledCache.get(key);
    if (hit && hit.version === version && hit.gateway === gw) return hit.set;
    const set = compilePolicies({ gateway, policies: this.sources(engine.policyEngineId) });
    this.compiledCache.set(key, { version, gateway: gw, set });
    return set;
  }
}
