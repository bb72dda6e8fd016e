/**
 * The gateways and targets of the stack, and their lifecycles: a create or update answers with CREATING / UPDATING
 * and the record is READY once its work is done (at once for a gateway; for a target once its tool catalogue is
 * read — an MCP server's handshake and tools/list, a Lambda's or OpenAPI target's schema). A catalogue that cannot be
 * read leaves the target FAILED with the reason, as the service does; an authorization-code MCP server without a
 * static schema waits in CREATE_PENDING_AUTH for its consent.
 */
import { conflict, notFound, validationMessage } from '../api/errors.js';
import type { GatewayDeps } from './deps.js';
import {
  type CatalogTool,
  type CredentialProviderConfiguration,
  type GatewayRecord,
  type GatewaySpec,
  type TargetRecord,
  type TargetSpec,
  gatewayArnOf,
  newGatewayId,
  newTargetId,
} from './model.js';

/** What reading a target's catalogue came to. */
export type CatalogueResult =
  | { ok: true; tools: CatalogTool[] }
  | { ok: false; reason: string }
  | { ok: false; pendingAuth: { authorizationUrl: string; userId: string } };

export type CatalogueReader = (g: GatewayRecord, t: TargetRecord) => Promise<CatalogueResult>;

/** Quota: targets per gateway (AgentCore quotas page: 100 targets per gateway; UNVERIFIED locally). */
const MAX_TARGETS = 100;

export class GatewayStore {
  readonly #byId = new Map<string, GatewayRecord>();
  readonly #pending = new Set<Promise<void>>();
  readonly #now: () => number;
  /** Set once the target drivers exist (index.ts); reads a target's tool catalogue. */
  catalogue: CatalogueReader = async () => ({ ok: true, tools: [] });

  constructor(private readonly deps: Pick<GatewayDeps, 'baseUrl' | 'region' | 'accountId' | 'state' | 'now'>) {
    this.#now = deps.now ?? Date.now;
  }

  list(): GatewayRecord[] {
    return [...this.#byId.values()];
  }

  urlOf(g: Pick<GatewayRecord, 'gatewayId'>): string {
    return `${this.deps.baseUrl}/gateways/${g.gatewayId}/mcp`;
  }

  find(identifier: string): GatewayRecord | undefined {
    const id = identifier.startsWith('arn:') ? identifier.slice(identifier.lastIndexOf('/') + 1) : identifier;
    return this.#byId.get(id);
  }

  get(identifier: string): GatewayRecord {
    const g = this.find(identifier);
    // UNVERIFIED wording.
    if (!g) throw notFound(`Gateway not found: ${identifier}`);
    return g;
  }

  target(g: GatewayRecord, targetId: string): TargetRecord {
    const t = g.targets.find((x) => x.targetId === targetId);
    if (!t) throw notFound(`Target not found: ${targetId} (gateway ${g.gatewayId})`);
    return t;
  }

  create(spec: GatewaySpec, fixedId?: string): GatewayRecord {
    if (this.list().some((g) => g.name === spec.name)) throw conflict(`A gateway named ${spec.name} already exists`);
    const gatewayId = fixedId ?? newGatewayId(spec.name);
    if (this.#byId.has(gatewayId)) throw conflict(`A gateway with id ${gatewayId} already exists`);
    const t = this.#now();
    const g: GatewayRecord = {
      ...spec,
      gatewayId,
      gatewayArn: gatewayArnOf(this.deps.region, this.deps.accountId, gatewayId),
      status: 'CREATING',
      statusReasons: [],
      createdAt: t,
      updatedAt: t,
      workloadName: gatewayId,
      targets: [],
    };
    this.#byId.set(gatewayId, g);
    // AgentCore creates a workload identity for the gateway; callers may not mint tokens for it.
    this.deps.state.putWorkloadIdentity(g.workloadName, { allowedResourceOauth2ReturnUrls: [], linkedTo: 'gateway' });
    return g;
  }

  update(g: GatewayRecord, spec: GatewaySpec): void {
    for (const key of Object.keys(g) as Array<keyof GatewayRecord>)
      if (!RECORD_KEYS.has(key)) delete (g as Partial<GatewayRecord>)[key];
    Object.assign(g, spec, { status: 'UPDATING', statusReasons: [], updatedAt: this.#now() });
  }

  remove(g: GatewayRecord): void {
    // UNVERIFIED: the service refuses to delete a gateway that still has targets (as its console and toolkit suggest).
    if (g.targets.length)
      throw conflict(
        `Gateway ${g.gatewayId} has ${g.targets.length} target(s); delete them first (DeleteGatewayTarget)`,
      );
    this.#byId.delete(g.gatewayId);
    this.deps.state.workloadIdentities.delete(g.workloadName);
  }

  createTarget(
    g: GatewayRecord,
    spec: TargetSpec,
    creds: CredentialProviderConfiguration[],
    fixedId?: string,
  ): TargetRecord {
    if (g.targets.some((t) => t.name === spec.name))
      throw conflict(`A target named ${spec.name} already exists in gateway ${g.gatewayId}`);
    if (g.targets.length >= MAX_TARGETS)
      throw validationMessage(`A gateway can have at most ${MAX_TARGETS} targets`, 'ServiceQuotaExceeded');
    const t = this.#now();
    const target: TargetRecord = {
      ...spec,
      targetId: fixedId ?? newTargetId(),
      credentialProviderConfigurations: creds,
      status: 'CREATING',
      statusReasons: [],
      createdAt: t,
      updatedAt: t,
      tools: [],
    };
    g.targets.push(target);
    this.#registerReturnUrl(g, creds);
    return target;
  }

  updateTarget(g: GatewayRecord, t: TargetRecord, spec: TargetSpec, creds: CredentialProviderConfiguration[]): void {
    if (g.targets.some((x) => x !== t && x.name === spec.name))
      throw conflict(`A target named ${spec.name} already exists in gateway ${g.gatewayId}`);
    delete t.description;
    delete t.metadataConfiguration;
    delete t.authorizationData;
    Object.assign(t, spec, {
      credentialProviderConfigurations: creds,
      status: 'UPDATING',
      statusReasons: [],
      updatedAt: this.#now(),
    });
    this.#registerReturnUrl(g, creds);
  }

  removeTarget(g: GatewayRecord, t: TargetRecord): void {
    g.targets = g.targets.filter((x) => x !== t);
  }

  /**
   * Reads the target's catalogue in the background and settles its status: `working` is what it is meanwhile
   * (CREATING, UPDATING, SYNCHRONIZING); READY, FAILED / UPDATE_UNSUCCESSFUL / SYNCHRONIZE_UNSUCCESSFUL, or
   * *_PENDING_AUTH afterwards.
   */
  refresh(g: GatewayRecord, t: TargetRecord, working: 'CREATING' | 'UPDATING' | 'SYNCHRONIZING'): Promise<void> {
    t.status = working;
    const job = this.catalogue(g, t)
      .catch((e: unknown): CatalogueResult => ({ ok: false, reason: (e as Error).message }))
      .then((r) => {
        t.updatedAt = this.#now();
        if (r.ok) {
          t.tools = r.tools;
          t.status = 'READY';
          t.statusReasons = [];
          t.lastSynchronizedAt = this.#now();
          delete t.authorizationData;
        } else if ('pendingAuth' in r) {
          t.status = PENDING[working];
          t.authorizationData = { oauth2: r.pendingAuth };
        } else {
          t.status = FAILED[working];
          t.statusReasons = [r.reason];
        }
      });
    const tracked = job.finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
    return tracked;
  }

  /** Resolves once every catalogue read under way has settled (the stack awaits its config's targets). */
  async settled(): Promise<void> {
    while (this.#pending.size) await Promise.allSettled([...this.#pending]);
  }

  /** An authorization-code target's default return URL is registered on the gateway's workload identity. */
  #registerReturnUrl(g: GatewayRecord, creds: CredentialProviderConfiguration[]): void {
    const url = creds[0]?.credentialProvider?.oauthCredentialProvider?.defaultReturnUrl;
    const w = this.deps.state.workloadIdentities.get(g.workloadName);
    if (url && w && !w.allowedResourceOauth2ReturnUrls.includes(url)) w.allowedResourceOauth2ReturnUrls.push(url);
  }
}

const RECORD_KEYS = new Set<string>([
  'gatewayId',
  'gatewayArn',
  'status',
  'statusReasons',
  'createdAt',
  'updatedAt',
  'workloadName',
  'targets',
]);
const PENDING = {
  CREATING: 'CREATE_PENDING_AUTH',
  UPDATING: 'UPDATE_PENDING_AUTH',
  SYNCHRONIZING: 'SYNCHRONIZE_PENDING_AUTH',
} as const;
const FAILED = {
  CREATING: 'FAILED',
  UPDATING: 'UPDATE_UNSUCCESSFUL',
  SYNCHRONIZING: 'SYNCHRONIZE_UNSUCCESSFUL',
} as const;
