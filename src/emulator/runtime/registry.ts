/**
 * The agent runtimes of the stack as the control plane sees them: each runtime's versions (the inbound configuration
 * an invocation is checked against, plus what the control plane stores and shows: role, artifact, network, lifecycle,
 * environment), its endpoints (DEFAULT follows the latest version; a named endpoint serves the version it points at)
 * and its timestamps. Seeded from the config's agents at start; CreateAgentRuntime / UpdateAgentRuntime /
 * DeleteAgentRuntime change it while the stack runs, and the next invocation sees the change.
 *
 * `agents` is the live list LocalStack.agents exposes: the latest configuration of every runtime, in creation order.
 * Transitions are immediate locally: a runtime is READY as soon as CreateAgentRuntime or UpdateAgentRuntime answers.
 */
import type { AgentConfig } from './config.js';

/** What the control plane stores beside the inbound configuration (shown by GetAgentRuntime, no local effect). */
export interface RuntimeDetails {
  roleArn: string;
  agentRuntimeArtifact: Record<string, unknown>;
  networkConfiguration: Record<string, unknown>;
  lifecycleConfiguration: { idleRuntimeSessionTimeout: number; maxLifetime: number };
  environmentVariables?: Record<string, string>;
  filesystemConfigurations?: unknown[];
  metadataConfiguration?: Record<string, unknown>;
  capacityProviderConfiguration?: Record<string, unknown>;
  platformVersion?: string;
}

export interface RuntimeVersion {
  version: string;
  agent: AgentConfig;
  details: RuntimeDetails;
  /** Epoch ms. */
  createdAt: number;
}

export interface RuntimeEndpoint {
  name: string;
  id: string;
  description?: string;
  liveVersion: string;
  targetVersion: string;
  createdAt: number;
  lastUpdatedAt: number;
}

export const DEFAULT_ENDPOINT = 'DEFAULT';
/** AgentCore's defaults (LifecycleConfiguration doc): 900 s idle, 8 h lifetime. */
export const DEFAULT_LIFECYCLE = { idleRuntimeSessionTimeout: 900, maxLifetime: 28800 } as const;

export class RuntimeEntry {
  /** The latest version's configuration: what DEFAULT serves (read on every invocation, so a plain field). */
  agent: AgentConfig;
  latest: RuntimeVersion;
  /** Session idle timeout in ms (the latest version's lifecycleConfiguration). */
  idleMs: number;
  lastUpdatedAt: number;
  readonly versions = new Map<string, RuntimeVersion>();
  readonly endpoints = new Map<string, RuntimeEndpoint>();

  constructor(
    first: RuntimeVersion,
    readonly arn: string,
    readonly tags: Record<string, string>,
  ) {
    this.agent = first.agent;
    this.latest = first;
    this.idleMs = first.details.lifecycleConfiguration.idleRuntimeSessionTimeout * 1000;
    this.lastUpdatedAt = first.createdAt;
    this.versions.set(first.version, first);
    this.endpoints.set(DEFAULT_ENDPOINT, {
      name: DEFAULT_ENDPOINT,
      id: DEFAULT_ENDPOINT,
      liveVersion: first.version,
      targetVersion: first.version,
      createdAt: first.createdAt,
      lastUpdatedAt: first.createdAt,
    });
  }

  get id(): string {
    return this.agent.id;
  }

  get createdAt(): number {
    return this.endpoints.get(DEFAULT_ENDPOINT)!.createdAt;
  }

  /** The configuration an endpoint (the invocation's qualifier) serves; undefined for an unknown endpoint. */
  served(qualifier: string): AgentConfig | undefined {
    if (qualifier === DEFAULT_ENDPOINT) return this.agent;
    const e = this.endpoints.get(qualifier);
    return e ? this.versions.get(e.liveVersion)?.agent : undefined;
  }

  /** A new version; DEFAULT moves to it, named endpoints stay where they point. */
  addVersion(agent: AgentConfig, details: RuntimeDetails, at: number): RuntimeVersion {
    const version = String(Math.max(...[...this.versions.keys()].map(Number)) + 1);
    const v: RuntimeVersion = { version, agent, details, createdAt: at };
    this.versions.set(version, v);
    this.agent = agent;
    this.latest = v;
    this.idleMs = details.lifecycleConfiguration.idleRuntimeSessionTimeout * 1000;
    this.lastUpdatedAt = at;
    const d = this.endpoints.get(DEFAULT_ENDPOINT)!;
    d.liveVersion = d.targetVersion = version;
    d.lastUpdatedAt = at;
    return v;
  }

  /** Endpoints that serve a version. */
  endpointsOn(version: string): string[] {
    return [...this.endpoints.values()].filter((e) => e.liveVersion === version).map((e) => e.name);
  }
}

export interface RegistryOptions {
  arnOf(id: string): string;
  now(): number;
  /** The stored details of a runtime that came from the config file (no control-plane call made it). */
  seededDetails(agent: AgentConfig): RuntimeDetails;
}

export class RuntimeRegistry {
  readonly #byId = new Map<string, RuntimeEntry>();

  /** `agents`: the live list (LocalStack.agents), updated in place. */
  constructor(
    readonly agents: AgentConfig[],
    private readonly options: RegistryOptions,
  ) {
    const at = options.now();
    for (const a of agents) this.#add(a, options.seededDetails(a), {}, at);
  }

  get(id: string): RuntimeEntry | undefined {
    return this.#byId.get(id);
  }

  byName(name: string): RuntimeEntry | undefined {
    for (const e of this.#byId.values()) if (e.agent.name === name) return e;
    return undefined;
  }

  /** Every runtime, oldest first. */
  entries(): RuntimeEntry[] {
    return [...this.#byId.values()];
  }

  create(agent: AgentConfig, details: RuntimeDetails, tags: Record<string, string>): RuntimeEntry {
    this.agents.push(agent);
    return this.#add(agent, details, tags, this.options.now());
  }

  update(entry: RuntimeEntry, agent: AgentConfig, details: RuntimeDetails): RuntimeVersion {
    const i = this.agents.indexOf(entry.agent);
    if (i >= 0) this.agents[i] = agent;
    return entry.addVersion(agent, details, this.options.now());
  }

  remove(entry: RuntimeEntry): void {
    this.#byId.delete(entry.id);
    const i = this.agents.indexOf(entry.agent);
    if (i >= 0) this.agents.splice(i, 1);
  }

  #add(agent: AgentConfig, details: RuntimeDetails, tags: Record<string, string>, at: number): RuntimeEntry {
    const entry = new RuntimeEntry({ version: '1', agent, details, createdAt: at }, this.options.arnOf(agent.id), tags);
    this.#byId.set(agent.id, entry);
    return entry;
  }
}
