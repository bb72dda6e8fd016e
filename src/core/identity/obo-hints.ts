/**
 * The hint table's entries for on-behalf-of token exchange (GetResourceOauth2Token ON_BEHALF_OF_TOKEN_EXCHANGE): the
 * refusals of AgentCore and of the provider's token endpoint it relays. AgentCore's own wording for these is
 * UNVERIFIED (agentcore-gateway.md §5, §9): how each is recognised (src/wire.ts SERVICE_ERRORS, before the generic
 * OAuth and token-expiry entries) keys on the OAuth error codes and the RFC 8693 / 7523 parameter names the provider's
 * text carries, which real IdPs use too (Auth0: "Invalid subject_token_type").
 */
const SOURCE = 'AgentCore Identity, on-behalf-of (GetResourceOauth2Token, 400 ValidationException)';

export const OBO_HINTS = [
  {
    id: 'obo-needs-jwt',
    source: SOURCE,
    cause:
      "On-behalf-of exchanges the user's JWT, which only GetWorkloadAccessTokenForJWT binds in the workload token. " +
      'A token for a user id (ForUserId, or a Runtime called with SigV4 + X-Amzn-Bedrock-AgentCore-Runtime-User-Id) ' +
      'or for no user has nothing to exchange.',
    fix:
      'exchange --flow on-behalf-of with --user-token <jwt> or --bearer [NAME]; call the agent with a bearer token ' +
      '(its inbound JWT becomes the subject), not SigV4 + user id.',
    example:
      'ValidationException: ON_BEHALF_OF_TOKEN_EXCHANGE needs a workload access token obtained with ' +
      "GetWorkloadAccessTokenForJWT: the user's JWT bound in it is the subject token",
  },
  {
    id: 'obo-not-configured',
    source: SOURCE,
    cause:
      'The credential provider has no onBehalfOfTokenExchangeConfig, so AgentCore does not know which grant to use.',
    fix:
      'UpdateOauth2CredentialProvider with customOauth2ProviderConfig.onBehalfOfTokenExchangeConfig ' +
      '({grantType: TOKEN_EXCHANGE, tokenExchangeGrantTypeConfig: {actorTokenContent: M2M}} or ' +
      '{grantType: JWT_AUTHORIZATION_GRANT}); `agentcore-auth doctor --provider NAME` checks it.',
    example:
      "Credential provider 'my-idp' is not configured for on-behalf-of token exchange " +
      '(customOauth2ProviderConfig.onBehalfOfTokenExchangeConfig)',
  },
  {
    id: 'obo-subject-expired',
    source: 'the provider, relayed by AgentCore Identity (on-behalf-of)',
    cause:
      "The user's JWT was valid when the workload token was minted but expired before the provider saw it: the " +
      'provider checks the subject token again, with its own clock.',
    fix: 'Get a fresh user token (agentcore-auth login, or let --bearer refresh the cached one) and exchange again.',
    example: 'On-behalf-of token exchange failed at the credential provider: invalid_grant (subject_token has expired)',
  },
  {
    id: 'obo-subject-untrusted',
    source: 'the provider, relayed by AgentCore Identity (on-behalf-of)',
    cause:
      "AgentCore accepted the user's JWT for the workload token, but the provider does not trust the IdP that " +
      'issued it: each side keeps its own list of trusted issuers.',
    fix:
      "Configure the provider to accept tokens of that issuer (its token-exchange trust policy / the user pool's " +
      'discovery URL), or sign the user in at an IdP the provider trusts.',
    example:
      'On-behalf-of token exchange failed at the credential provider: invalid_grant (subject_token issuer ' +
      'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc is not trusted by this provider)',
  },
  {
    id: 'obo-subject-signature',
    source: 'the provider, relayed by AgentCore Identity (on-behalf-of)',
    cause: "The subject token's signature does not verify with its issuer's keys: altered, or signed by another key.",
    fix: 'Use the token exactly as the IdP issued it (agentcore-auth token decode shows its issuer and key id).',
    example: 'invalid_grant: subject_token signature is invalid',
  },
  {
    id: 'obo-subject-token-type',
    source: 'the provider (token exchange)',
    cause:
      'The provider does not take the subject token as …:token-type:jwt, the type AgentCore sends by default ' +
      '(Auth0 and Okta want …:access_token).',
    fix:
      'Override it: --custom-param subject_token_type=urn:ietf:params:oauth:token-type:access_token (the same ' +
      'customParameters entry works from the agent, and on a Gateway target).',
    example: 'invalid_request: Invalid subject_token_type',
  },
  {
    id: 'obo-invalid-client',
    source: 'the provider, relayed by AgentCore Identity (on-behalf-of)',
    cause:
      "The provider refused the client's authentication: the method differs from the one registered there, the " +
      'secret is wrong, the PRIVATE_KEY_JWT key is not registered (or the kid differs), or the AWS IAM web ' +
      'identity is not federated to the client.',
    fix:
      "Compare clientAuthenticationMethod with the provider's registration (`agentcore-auth doctor --provider " +
      "NAME` checks it against token_endpoint_auth_methods_supported); for PRIVATE_KEY_JWT register the KMS key's " +
      'public key (kms get-public-key) and set its kid in privateKeyJwtConfig.additionalHeaderClaims.',
    example:
      'On-behalf-of token exchange failed at the credential provider: invalid_client (client authentication failed)',
  },
  {
    id: 'obo-invalid-target',
    source: 'the provider, relayed by AgentCore Identity (on-behalf-of)',
    cause: 'The provider does not know the requested audience or resource.',
    fix: "Use --audience/--resource values the provider's API registration has (audiences, resources).",
    example: 'On-behalf-of token exchange failed at the credential provider: invalid_target (unknown audience x)',
  },
  {
    id: 'obo-actor',
    source: 'AgentCore Identity, on-behalf-of with actorTokenContent M2M',
    cause:
      'The client-credentials call for the actor token failed: the client may not use client_credentials, or ' +
      'actorTokenScopes are not granted to it.',
    fix: 'Allow the client the client_credentials grant and the actorTokenScopes at the provider, or use NONE.',
    example: 'The actor token (client credentials) could not be obtained: invalid_scope (requested scope is invalid)',
  },
] as const;
