/**
 * The credential-provider vendors: which oauth2ProviderConfigInput member configures each, and the endpoints AgentCore
 * fills in for the included vendors that need no discovery URL from the caller.
 */
import type { ProviderEndpoints } from '../../state.js';

/** Known endpoints of the included vendors (what AgentCore fills in for them). */
export const VENDOR_DISCOVERY: Record<string, { discoveryUrl?: string; metadata?: ProviderEndpoints }> = {
  GoogleOauth2: { discoveryUrl: 'https://accounts.google.com/.well-known/openid-configuration' },
  SlackOauth2: { discoveryUrl: 'https://slack.com/.well-known/openid-configuration' },
  SalesforceOauth2: { discoveryUrl: 'https://login.salesforce.com/.well-known/openid-configuration' },
  LinkedinOauth2: { discoveryUrl: 'https://www.linkedin.com/oauth/.well-known/openid-configuration' },
  GithubOauth2: {
    metadata: {
      issuer: 'https://github.com',
      authorizationEndpoint: 'https://github.com/login/oauth/authorize',
      tokenEndpoint: 'https://github.com/login/oauth/access_token',
    },
  },
  AtlassianOauth2: {
    metadata: {
      issuer: 'https://auth.atlassian.com',
      authorizationEndpoint: 'https://auth.atlassian.com/authorize',
      tokenEndpoint: 'https://auth.atlassian.com/oauth/token',
    },
  },
};

export function microsoftDiscovery(tenantId?: string): string {
  return `https://login.microsoftonline.com/${tenantId ?? 'common'}/v2.0/.well-known/openid-configuration`;
}

/** Vendor → the oauth2ProviderConfigInput member that configures it (others use includedOauth2ProviderConfig). */
const CONFIG_KEY: Record<string, string> = {
  CustomOauth2: 'customOauth2ProviderConfig',
  GoogleOauth2: 'googleOauth2ProviderConfig',
  GithubOauth2: 'githubOauth2ProviderConfig',
  SlackOauth2: 'slackOauth2ProviderConfig',
  SalesforceOauth2: 'salesforceOauth2ProviderConfig',
  MicrosoftOauth2: 'microsoftOauth2ProviderConfig',
  AtlassianOauth2: 'atlassianOauth2ProviderConfig',
  LinkedinOauth2: 'linkedinOauth2ProviderConfig',
};

/** The oauth2ProviderConfigInput/Output member for a vendor. */
export function configKeyFor(vendor: string): string {
  return CONFIG_KEY[vendor] ?? 'includedOauth2ProviderConfig';
}
