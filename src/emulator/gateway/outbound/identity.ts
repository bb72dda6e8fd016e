/**
 * The gateway as a client of AgentCore Identity, the way the service uses it (agentcore-gateway.md §2.4): a workload
 * access token for the gateway's own workload identity (for the caller's JWT, for a user id, or for itself), then
 * GetResourceOauth2Token or GetResourceApiKey on the data plane over HTTP with the gateway's credentials. The token
 * vault, the providers and the consent sessions are the identity emulator's; nothing here keeps a token of its own.
 */
import { agentcoreSdk } from '../../../sdk.js';
import { WatCache } from '../../runtime/deps.js';
import type { GatewayDeps } from '../deps.js';
import type { GatewayRecord } from '../model.js';
import { claimsOf } from '../util.js';

type Sdk = typeof import('@aws-sdk/client-bedrock-agentcore');

/** Whom a workload token is for: the caller's JWT, a user id (target-level consent), or the gateway itself. */
export type WatSubject = { userToken: string } | { userId: string } | Record<string, never>;

export type OAuthOutcome =
  | { kind: 'token'; accessToken: string }
  | { kind: 'consent'; authorizationUrl: string; sessionUri?: string };

export interface OAuthRequest {
  providerName: string;
  scopes: string[];
  flow: 'M2M' | 'USER_FEDERATION' | 'ON_BEHALF_OF_TOKEN_EXCHANGE';
  subject: WatSubject;
  returnUrl?: string;
  forceAuthentication?: boolean;
  customParameters?: Record<string, string>;
}

export class IdentityClient {
  readonly #wats = new WatCache();
  #sdk?: { mod: Sdk; client: InstanceType<Sdk['BedrockAgentCoreClient']> };

  constructor(
    private readonly deps: Pick<GatewayDeps, 'baseUrl' | 'region' | 'credentials' | 'mintWorkloadAccessToken'>,
  ) {}

  #client() {
    if (!this.#sdk) {
      const mod = agentcoreSdk();
      this.#sdk = {
        mod,
        client: new mod.BedrockAgentCoreClient({
          endpoint: this.deps.baseUrl,
          region: this.deps.region,
          credentials: this.deps.credentials,
          maxAttempts: 1,
        }),
      };
    }
    return this.#sdk;
  }

  /** The gateway's workload access token for a subject (reused until shortly before the caller's JWT expires). */
  async workloadToken(g: GatewayRecord, subject: WatSubject): Promise<string> {
    const mint = (i: { workloadName: string; userId?: string; userToken?: string }) =>
      this.deps.mintWorkloadAccessToken(i);
    if ('userToken' in subject) {
      const exp = claimsOf(subject.userToken)?.exp;
      return this.#wats.get(
        { workloadName: g.workloadName, userToken: subject.userToken },
        mint,
        typeof exp === 'number' ? exp * 1000 : undefined,
      );
    }
    // A user id, or the gateway itself (keyed by an id no caller can use: user ids never contain NUL).
    const userId = 'userId' in subject ? subject.userId : '\u0000gateway';
    return this.#wats.get({ workloadName: g.workloadName, userId }, () =>
      mint('userId' in subject ? { workloadName: g.workloadName, userId } : { workloadName: g.workloadName }),
    );
  }

  async oauthToken(g: GatewayRecord, r: OAuthRequest): Promise<OAuthOutcome> {
    const workloadIdentityToken = await this.workloadToken(g, r.subject);
    const { mod, client } = this.#client();
    const out = await client.send(
      new mod.GetResourceOauth2TokenCommand({
        workloadIdentityToken,
        resourceCredentialProviderName: r.providerName,
        scopes: r.scopes,
        oauth2Flow: r.flow,
        ...(r.returnUrl ? { resourceOauth2ReturnUrl: r.returnUrl } : {}),
        ...(r.forceAuthentication ? { forceAuthentication: true } : {}),
        ...(r.customParameters ? { customParameters: r.customParameters } : {}),
      }),
    );
    if (out.accessToken) return { kind: 'token', accessToken: out.accessToken };
    if (out.authorizationUrl)
      return {
        kind: 'consent',
        authorizationUrl: out.authorizationUrl,
        ...(out.sessionUri ? { sessionUri: out.sessionUri } : {}),
      };
    throw new Error(`GetResourceOauth2Token returned neither a token nor an authorization URL`);
  }

  async apiKey(g: GatewayRecord, providerName: string): Promise<string> {
    const workloadIdentityToken = await this.workloadToken(g, {});
    const { mod, client } = this.#client();
    const out = await client.send(
      new mod.GetResourceApiKeyCommand({ workloadIdentityToken, resourceCredentialProviderName: providerName }),
    );
    if (!out.apiKey) throw new Error('GetResourceApiKey returned no apiKey');
    return out.apiKey;
  }

  close(): void {
    this.#sdk?.client.destroy();
  }
}
