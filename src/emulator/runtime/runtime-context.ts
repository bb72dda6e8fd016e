/**
 * What every runtime handler shares (data plane and control plane): the stack's deps, the runtime registry, the
 * sessions, the JWT authorizer, the workload-token cache, and the per-request memos of the invocation hot path.
 * Created once per stack by createRuntimeHandler; the handlers are plain functions of it.
 */
import { PATTERNS } from '../../wire.js';
import { memo } from '../token-map.js';
import type { CustomJwtAuthorizer } from './authorizer-config.js';
import { runtimeArn, workloadIdentityArn, type AgentConfig } from './config.js';
import { WatCache, type RuntimeHalfDeps } from './deps.js';
import type { InProcessAgent } from './forward.js';
import { createJwtAuthorizer, type JwtAuthorizer } from './jwt-authorizer.js';
import { DEFAULT_LIFECYCLE, RuntimeRegistry, type RuntimeDetails } from './registry.js';
import { SessionTable } from './sessions.js';

/** A JWT agent's authorizer with the discovery URL in effect (the stack's pool when the config omits it). */
export type EffectiveJwt = CustomJwtAuthorizer & { discoveryUrl: string };

export class RuntimeContext {
  readonly registry: RuntimeRegistry;
  readonly sessions = new SessionTable();
  readonly authorizer: JwtAuthorizer;
  readonly wats = new WatCache();
  /** Parsed query strings and decoded path labels, by raw text (callers repeat the same few); read-only, bounded. */
  readonly queryOf = memo((raw) => new URLSearchParams(raw), 256);
  /** undefined: not valid percent-encoding. */
  readonly labelOf = memo((raw): string | undefined => {
    try {
      return decodeURIComponent(raw);
    } catch {
      return undefined;
    }
  }, 256);
  /** A runtime ARN label → the ARN and, when it is this stack's region and account, the runtime id (memoised). */
  readonly arnLabelOf = memo((label): { arn: string; id?: string } | undefined => {
    const m = PATTERNS.runtimeArn.exec(label);
    if (!m) return undefined;
    return m[1] === this.deps.region && m[2] === this.deps.accountId ? { arn: label, id: m[3]! } : { arn: label };
  }, 256);
  /** The built-in sample agent, once started (at stack start, or by the first runtime made later that needs it). */
  sample: { url: string; agent: InProcessAgent } | undefined;
  #starting: Promise<{ url: string; agent: InProcessAgent } | undefined> | undefined;
  /**
   * Each JWT agent's settings with the discovery URL in effect, built once per settings object (not per request).
   * Keyed by that object, not by the agent: UpdateAgentRuntime replaces an agent's authorizerConfiguration while the
   * stack runs, and the next invocation is checked against the new one.
   */
  readonly #effective = new WeakMap<CustomJwtAuthorizer, EffectiveJwt>();
  /** CreateAgentRuntime / CreateAgentRuntimeEndpoint client tokens → what the first call answered (idempotency). */
  readonly clientTokens = new Map<string, unknown>();

  constructor(readonly deps: RuntimeHalfDeps) {
    this.authorizer = deps.authorizer ?? createJwtAuthorizer(deps.fetch ? { fetch: deps.fetch } : {});
    if (deps.sampleAgent && deps.sampleAgentUrl) this.sample = { url: deps.sampleAgentUrl, agent: deps.sampleAgent };
    this.registry = new RuntimeRegistry(deps.agents, {
      arnOf: (id) => this.arnOf(id),
      now: Date.now,
      seededDetails: (a) => this.seededDetails(a),
    });
  }

  arnOf(id: string): string {
    return runtimeArn(this.deps.region, this.deps.accountId, id);
  }

  workloadArnOf(agent: AgentConfig): string {
    return workloadIdentityArn(this.deps.region, this.deps.accountId, agent.workloadName);
  }

  discoveryOf(cfg: CustomJwtAuthorizer): string {
    return cfg.discoveryUrl ?? this.deps.userPool.discoveryUrl;
  }

  effectiveJwt(agent: AgentConfig): EffectiveJwt | undefined {
    const jwt = agent.authorizerConfiguration?.customJWTAuthorizer;
    if (!jwt) return undefined;
    let e = this.#effective.get(jwt);
    if (!e) {
      e = { ...jwt, discoveryUrl: this.discoveryOf(jwt) };
      this.#effective.set(jwt, e);
    }
    return e;
  }

  /** The PRM URL of a runtime endpoint (the resource_metadata of the 401 challenge). */
  metadataUrl(arn: string, qualifier: string): string {
    return (
      `${this.deps.baseUrl}/runtimes/${encodeURIComponent(arn)}/invocations/.well-known/oauth-protected-resource` +
      `?qualifier=${encodeURIComponent(qualifier)}`
    );
  }

  /** The built-in sample agent, started on first need when the stack did not start it. */
  sampleAgent(): Promise<{ url: string; agent: InProcessAgent } | undefined> {
    if (this.sample) return Promise.resolve(this.sample);
    const start = this.deps.startSampleAgent;
    if (!start) return Promise.resolve(undefined);
    this.#starting ??= start().then((s) => (this.sample = s));
    return this.#starting;
  }

  /** What GetAgentRuntime shows for a runtime from the config file (nothing was given through the control plane). */
  seededDetails(a: AgentConfig): RuntimeDetails {
    const { accountId, region } = this.deps;
    return {
      roleArn: `arn:aws:iam::${accountId}:role/AgentCoreLocalRuntimeRole`,
      agentRuntimeArtifact: {
        containerConfiguration: {
          containerUri:
            a.agentUrl ?? `${accountId}.dkr.ecr.${region}.amazonaws.com/agentcore-local/sample-agent:latest`,
        },
      },
      networkConfiguration: { networkMode: 'PUBLIC' },
      lifecycleConfiguration: { ...DEFAULT_LIFECYCLE },
    };
  }
}
