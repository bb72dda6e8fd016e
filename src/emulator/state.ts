/**
 * In-memory state of the local stack. Nothing is persisted; a restart starts from the config again.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { SESSION_URI_PREFIX } from '../wire.js';

export interface WorkloadIdentity {
  name: string;
  arn: string;
  allowedResourceOauth2ReturnUrls: string[];
  tags: Record<string, string>;
  createdTime: number;
  lastUpdatedTime: number;
  /** Set for identities a runtime or gateway owns: callers may not mint tokens for them. */
  linkedTo?: 'runtime' | 'gateway';
}

export interface ProviderEndpoints {
  issuer?: string;
  authorizationEndpoint?: string;
  tokenEndpoint: string;
}

export interface OAuth2Provider {
  name: string;
  arn: string;
  vendor: string;
  /** `https://…/identities/oauth2/callback/{callbackId}` on the stack. */
  callbackUrl: string;
  callbackId: string;
  clientId: string;
  clientSecret?: string;
  clientSecretArn: string;
  /** Exactly what was given as oauth2ProviderConfigInput (echoed, minus secrets, as the output). */
  configInput: Record<string, unknown>;
  /** The member name of oauth2ProviderConfigInput (customOauth2ProviderConfig, googleOauth2ProviderConfig, …). */
  configKey: string;
  discoveryUrl?: string;
  metadata?: ProviderEndpoints;
  /** Resolved lazily from discoveryUrl. */
  resolved?: ProviderEndpoints;
  /** How the stack authenticates at the provider's token endpoint (clientAuthenticationMethod). */
  clientAuth: ClientAuthentication;
  /** onBehalfOfTokenExchangeConfig: how ON_BEHALF_OF_TOKEN_EXCHANGE is done at this provider. */
  onBehalfOf?: OnBehalfOfConfig;
  tags: Record<string, string>;
  createdTime: number;
  lastUpdatedTime: number;
}

/** clientAuthenticationMethod with what it needs (privateKeyJwtConfig for PRIVATE_KEY_JWT). */
export type ClientAuthentication =
  | { method: 'CLIENT_SECRET_BASIC' | 'CLIENT_SECRET_POST' | 'AWS_IAM_ID_TOKEN_JWT' }
  | {
      method: 'PRIVATE_KEY_JWT';
      kmsKeyArn: string;
      signingAlgorithm: 'RS256' | 'PS256' | 'ES256';
      additionalHeaderClaims: Record<string, string>;
      additionalPayloadClaims: Record<string, string>;
    };

export interface OnBehalfOfConfig {
  grantType: 'TOKEN_EXCHANGE' | 'JWT_AUTHORIZATION_GRANT';
  /** TOKEN_EXCHANGE only: what the stack sends as actor_token. */
  actorTokenContent?: 'M2M' | 'AWS_IAM_ID_TOKEN_JWT' | 'NONE';
  actorTokenScopes?: string[];
}

export interface ApiKeyProvider {
  name: string;
  arn: string;
  apiKey: string;
  secretArn: string;
  tags: Record<string, string>;
  createdTime: number;
  lastUpdatedTime: number;
}

/** What an opaque workload access token stands for (never leaves the stack). */
export interface WatInfo {
  workloadName: string;
  userId?: string;
  userToken?: string;
  /** Who the user is: `id:<userId>` or `jwt:<iss>#<sub>`; absent for a workload acting for itself. */
  userKey?: string;
  issuedAt: number;
  expiresAt: number;
}

export type UserIdentifier = { userId: string } | { userToken: string };

export interface OAuthSession {
  sessionUri: string;
  workloadName: string;
  providerName: string;
  userKey: string;
  /** The exact artifact that produced the WAT that started the flow (the binding rule compares against it). */
  identifier: UserIdentifier;
  scopes: string[];
  returnUrl: string;
  customState?: string;
  customParameters: Record<string, string>;
  /** RFC 8707 resource indicators passed to the provider. */
  resources?: string[];
  /** Audiences passed to the provider as `audience` parameters (mapping UNVERIFIED). */
  audiences?: string[];
  /** Internal `state` sent to the provider. */
  state: string;
  codeVerifier: string;
  createdAt: number;
  expiresAt: number;
  status: 'IN_PROGRESS' | 'FAILED' | 'AUTHORIZED' | 'COMPLETED';
  /** Provider token obtained at the callback, released to the vault by CompleteResourceTokenAuth. */
  pending?: VaultEntry;
  failure?: string;
}

export interface VaultEntry {
  accessToken: string;
  refreshToken?: string;
  /** epoch ms; undefined = no expiry known. */
  expiresAt?: number;
  scopes: string[];
}

/** Authorization URLs and their sessions are valid for 10 minutes (AWS: oauth2-authorization-url-session-binding). */
export const SESSION_TTL_MS = 10 * 60_000;
/** WAT lifetime: not documented (UNVERIFIED); one hour here. */
export const WAT_TTL_MS = 60 * 60_000;
/** At most this many live workload access tokens are remembered (oldest evicted first). */
export const MAX_WATS = 200_000;

export class StackState {
  readonly workloadIdentities = new Map<string, WorkloadIdentity>();
  readonly oauth2Providers = new Map<string, OAuth2Provider>();
  readonly apiKeyProviders = new Map<string, ApiKeyProvider>();
  readonly wats = new Map<string, WatInfo>();
  readonly sessions = new Map<string, OAuthSession>();
  /** internal provider `state` → sessionUri */
  readonly sessionsByState = new Map<string, string>();
  /** `${workload}\n${provider}\n${userKey}` → token */
  readonly vault = new Map<string, VaultEntry>();
  readonly tokenVault = {
    tokenVaultId: 'default',
    keyType: 'ServiceManagedKey' as 'ServiceManagedKey' | 'CustomerManagedKey',
    kmsKeyArn: undefined as string | undefined,
    lastModifiedDate: Math.floor(Date.now() / 1000),
  };

  constructor(
    readonly region: string,
    readonly accountId: string,
    private readonly now: () => number = Date.now,
  ) {}

  clock(): number {
    return this.now();
  }

  /** `arn:aws:bedrock-agentcore:<region>:<account>:` */
  private get prefix(): string {
    return `arn:aws:bedrock-agentcore:${this.region}:${this.accountId}:`;
  }
  workloadArn(name: string): string {
    return `${this.prefix}workload-identity-directory/default/workload-identity/${name}`;
  }
  oauth2ProviderArn(name: string): string {
    return `${this.prefix}token-vault/default/oauth2credentialprovider/${name}`;
  }
  apiKeyProviderArn(name: string): string {
    return `${this.prefix}token-vault/default/apikeycredentialprovider/${name}`;
  }
  secretArn(kind: 'oauth2' | 'apikey', name: string): string {
    const suffix = randomBytes(3).toString('hex').slice(0, 6);
    const secret = `secret:bedrock-agentcore-identity!default/${kind}/${name}-${suffix}`;
    return `arn:aws:secretsmanager:${this.region}:${this.accountId}:${secret}`;
  }

  /** Create (or replace) a workload identity; used by the control plane and by the runtime half for its agents. */
  putWorkloadIdentity(
    name: string,
    opts: {
      allowedResourceOauth2ReturnUrls?: string[];
      tags?: Record<string, string>;
      linkedTo?: 'runtime' | 'gateway';
    } = {},
  ): WorkloadIdentity {
    const t = Math.floor(this.now() / 1000);
    const w: WorkloadIdentity = {
      name,
      arn: this.workloadArn(name),
      allowedResourceOauth2ReturnUrls: opts.allowedResourceOauth2ReturnUrls ?? [],
      tags: opts.tags ?? {},
      createdTime: t,
      lastUpdatedTime: t,
      ...(opts.linkedTo ? { linkedTo: opts.linkedTo } : {}),
    };
    this.workloadIdentities.set(name, w);
    return w;
  }

  mintWat(info: Omit<WatInfo, 'issuedAt' | 'expiresAt'>): string {
    // Opaque, AWS-looking (`AgV4…`), unguessable; resolves only inside this stack.
    const token = `AgV4${randomBytes(96).toString('base64').replace(/=+$/, '')}`;
    const now = this.now();
    this.wats.set(token, { ...info, issuedAt: now, expiresAt: now + WAT_TTL_MS });
    // Bounded memory under load tests: the oldest tokens go first (Map keeps insertion order).
    if (this.wats.size > MAX_WATS)
      for (const k of this.wats.keys()) {
        this.wats.delete(k);
        if (this.wats.size <= MAX_WATS) break;
      }
    return token;
  }

  resolveWat(token: string): WatInfo | undefined {
    const info = this.wats.get(token);
    if (!info) return undefined;
    if (info.expiresAt <= this.now()) {
      this.wats.delete(token);
      return undefined;
    }
    return info;
  }

  newSessionUri(): string {
    // AWS: the unpadded base64 of a UUID string.
    return SESSION_URI_PREFIX + Buffer.from(randomUUID()).toString('base64').replace(/=+$/, '');
  }

  vaultKey(workloadName: string, providerName: string, userKey: string): string {
    return `${workloadName}\n${providerName}\n${userKey}`;
  }

  /** Drop expired sessions (called on access; keeps memory bounded under load). */
  sweep(): void {
    const now = this.now();
    for (const [uri, s] of this.sessions) {
      if (s.expiresAt + SESSION_TTL_MS < now) {
        this.sessions.delete(uri);
        this.sessionsByState.delete(s.state);
      }
    }
    for (const [t, w] of this.wats) if (w.expiresAt <= now) this.wats.delete(t);
  }
}
