/**
 * A credential provider definition turned into state, with its per-provider callback URL on the stack; used by the
 * control plane (Create/UpdateOauth2CredentialProvider) and by the seeded stack (mount.ts).
 */
import { randomUUID } from 'node:crypto';
import type { EmuContext } from '../../context.js';
import type { ClientAuthentication, OAuth2Provider, OnBehalfOfConfig, ProviderEndpoints } from '../../state.js';

export interface NewProvider {
  name: string;
  vendor: string;
  configKey: string;
  /** oauth2ProviderConfigInput's member as given, minus the secret (echoed as the output). */
  configInput: Record<string, unknown>;
  clientId: string;
  clientSecret?: string;
  discoveryUrl?: string;
  metadata?: ProviderEndpoints;
  clientAuth?: ClientAuthentication;
  onBehalfOf?: OnBehalfOfConfig;
  tags?: Record<string, string>;
}

export function putOAuth2Provider(ctx: EmuContext, p: NewProvider): OAuth2Provider {
  const t = Math.floor(ctx.now() / 1000);
  const callbackId = randomUUID();
  const provider: OAuth2Provider = {
    name: p.name,
    arn: ctx.state.oauth2ProviderArn(p.name),
    vendor: p.vendor,
    callbackId,
    callbackUrl: `${ctx.origin}/identities/oauth2/callback/${callbackId}`,
    clientId: p.clientId,
    ...(p.clientSecret !== undefined ? { clientSecret: p.clientSecret } : {}),
    clientSecretArn: ctx.state.secretArn('oauth2', p.name),
    configInput: p.configInput,
    configKey: p.configKey,
    ...(p.discoveryUrl ? { discoveryUrl: p.discoveryUrl } : {}),
    ...(p.metadata ? { metadata: p.metadata } : {}),
    clientAuth: p.clientAuth ?? { method: 'CLIENT_SECRET_BASIC' },
    ...(p.onBehalfOf ? { onBehalfOf: p.onBehalfOf } : {}),
    tags: p.tags ?? {},
    createdTime: t,
    lastUpdatedTime: t,
  };
  ctx.state.oauth2Providers.set(p.name, provider);
  return provider;
}

/** UpdateOauth2CredentialProvider: the new definition replaces the old; name, ARN, callback URL and tags stay. */
export function replaceOAuth2Provider(ctx: EmuContext, old: OAuth2Provider, p: NewProvider): OAuth2Provider {
  const { resolved: _resolved, clientSecret: _secret, discoveryUrl: _d, metadata: _m, onBehalfOf: _o, ...kept } = old;
  const next: OAuth2Provider = {
    ...kept,
    vendor: p.vendor,
    configKey: p.configKey,
    configInput: p.configInput,
    clientId: p.clientId,
    // A secret left out of the update keeps the stored one (clientSecret is optional on update: UNVERIFIED).
    ...((p.clientSecret ?? old.clientSecret) !== undefined
      ? { clientSecret: (p.clientSecret ?? old.clientSecret)! }
      : {}),
    ...(p.discoveryUrl ? { discoveryUrl: p.discoveryUrl } : {}),
    ...(p.metadata ? { metadata: p.metadata } : {}),
    clientAuth: p.clientAuth ?? { method: 'CLIENT_SECRET_BASIC' },
    ...(p.onBehalfOf ? { onBehalfOf: p.onBehalfOf } : {}),
    lastUpdatedTime: Math.floor(ctx.now() / 1000),
  };
  ctx.state.oauth2Providers.set(old.name, next);
  return next;
}
