/**
 * The hint table's entries for Amazon Cognito's messages (sign-in, tokens, MFA, triggers, setup's pools and
 * domains): where each comes from, its cause and its fix. How each is recognised is in src/wire.ts (SERVICE_ERRORS).
 */
export const COGNITO_HINTS = [
  {
    id: 'cognito-secret-hash-missing',
    source: 'Cognito InitiateAuth (NotAuthorizedException)',
    cause: 'The app client has a client secret, so every call must carry SECRET_HASH.',
    fix:
      'Pass the client secret (--client-secret, --client-secret-stdin or AGENTCORE_AUTH_CLIENT_SECRET); ' +
      'agentcore-auth computes SECRET_HASH.',
    example:
      'NotAuthorizedException: Client 1example23456789 is configured with secret but SECRET_HASH was not received',
  },
  {
    id: 'cognito-secret-hash-wrong',
    source: 'Cognito (NotAuthorizedException)',
    cause: 'SECRET_HASH did not verify: wrong client secret, or a username that differs from the one used in the hash.',
    fix: 'Check --client-secret for this --client-id; sign in with the exact username (not an alias).',
    example: 'NotAuthorizedException: Unable to verify secret hash for client 1example23456789',
  },
  {
    id: 'cognito-user-password-not-enabled',
    source: 'Cognito InitiateAuth (InvalidParameterException)',
    cause: 'The app client does not allow the USER_PASSWORD_AUTH flow.',
    fix:
      'Enable ALLOW_USER_PASSWORD_AUTH in the app client (ExplicitAuthFlows), or use --auth-flow ' +
      'authorization-code.',
    example: 'InvalidParameterException: USER_PASSWORD_AUTH flow not enabled for this client',
  },
  {
    id: 'cognito-incorrect-password',
    source: 'Cognito (NotAuthorizedException)',
    cause: 'Wrong password, or an unknown user in a pool that hides user existence.',
    fix: 'Check the username and password (and that the user pool and client are the right ones).',
    example: 'NotAuthorizedException: Incorrect username or password.',
  },
  {
    id: 'cognito-user-not-found',
    source: 'Cognito (UserNotFoundException)',
    cause: 'No user with that username in this user pool.',
    fix: 'Check --username and that --client-id belongs to the intended user pool.',
    example: 'UserNotFoundException: User does not exist.',
  },
  {
    id: 'cognito-refresh-expired',
    source: 'Cognito (NotAuthorizedException)',
    cause: 'The cached refresh token is no longer valid.',
    fix: 'Log in again with `agentcore-auth login`.',
    example: 'NotAuthorizedException: Refresh Token has expired',
  },
  {
    id: 'cognito-refresh-revoked',
    source: 'Cognito (NotAuthorizedException)',
    cause:
      'The refresh token was revoked: the user was signed out everywhere (GlobalSignOut, AdminUserGlobalSignOut) ' +
      'or the token itself was revoked (RevokeToken, /oauth2/revoke).',
    fix: 'Log in again with `agentcore-auth login` (the same --save-as name replaces the cached entry).',
    example: 'NotAuthorizedException: Refresh Token has been revoked',
  },
  {
    id: 'cognito-access-revoked',
    source: 'Cognito (NotAuthorizedException)',
    cause: 'The access token belongs to a sign-in that was signed out (GlobalSignOut) or revoked (RevokeToken).',
    fix: 'Log in again; resource servers that only check the JWT may still accept the old token until it expires.',
    example: 'NotAuthorizedException: Access Token has been revoked',
  },
  {
    id: 'cognito-mfa-code-mismatch',
    source: 'Cognito RespondToAuthChallenge / VerifySoftwareToken',
    cause: 'The authenticator code did not match (wrong secret, a code already expired, or a clock off by > 30 s).',
    fix:
      'Use the current code (--mfa-code), or give the authenticator secret in AGENTCORE_AUTH_TOTP_SECRET or with ' +
      '--totp-secret-stdin so login computes it; check the machine clock.',
    example: 'CodeMismatchException: Invalid code or auth state for the user.',
  },
  {
    id: 'cognito-user-disabled',
    source: 'Cognito (NotAuthorizedException)',
    cause: 'An administrator disabled this user (AdminDisableUser).',
    fix: 'Enable the user again (aws cognito-idp admin-enable-user …) or sign in as another user.',
    example: 'NotAuthorizedException: User is disabled.',
  },
  {
    id: 'cognito-filter-parse',
    source: 'Cognito ListUsers (InvalidParameterException)',
    cause:
      'The Filter is not `attribute = "value"` or `attribute ^= "value"` on a searchable attribute (username, ' +
      'email, phone_number, name, given_name, family_name, preferred_username, cognito:user_status, status, sub).',
    fix:
      'Quote the value with double quotes, e.g. --filter \'email ^= "alice"\'; ' +
      'custom attributes are not searchable.',
    example: 'InvalidParameterException: Error while parsing filter.',
  },
  {
    id: 'cognito-group-not-found',
    source: 'Cognito (ResourceNotFoundException)',
    cause: 'No group of that name in this user pool (group names are case-sensitive).',
    fix: 'Create it first (aws cognito-idp create-group …) or check the name with list-groups.',
    example: 'ResourceNotFoundException: Group not found.',
  },
  {
    id: 'cognito-trigger-unreachable',
    source: 'Cognito Lambda trigger (UnexpectedLambdaException)',
    cause:
      'Cognito could not invoke the pool\u2019s Lambda trigger (not found, no permission, timed out, unreachable).',
    fix:
      'Check the trigger ARN in the pool\u2019s LambdaConfig; on the local stack, serve it with ' +
      '`agentcore-auth local --lambda ARN=http://127.0.0.1:PORT` and make sure that endpoint answers.',
    example:
      'UnexpectedLambdaException: PreTokenGeneration invocation failed due to error ' +
      'Socket timeout while invoking Lambda function.',
  },
  {
    id: 'cognito-trigger-bad-answer',
    source: 'Cognito Lambda trigger (InvalidLambdaResponseException / UserLambdaValidationException)',
    cause: 'The trigger threw, or answered something that is not the event with its `response` filled in.',
    fix:
      'Return the event object with `response.claimsOverrideDetails` (V1_0) or ' +
      '`response.claimsAndScopeOverrideDetails` (V2_0/V3_0); see the trigger\u2019s logs for the error it threw.',
    example: 'InvalidLambdaResponseException: Unrecognizable lambda output',
  },
  {
    id: 'cognito-domain-taken',
    source: 'Amazon Cognito CreateUserPoolDomain (InvalidParameterException)',
    cause:
      'Hosted-UI domain prefixes are unique per region across every AWS account: this prefix belongs to ' +
      'another user pool (maybe one of yours).',
    fix:
      '`agentcore-auth setup` retries with a new random suffix (5 attempts); if it still fails, run it ' +
      'again or choose another --name. By hand: pick another prefix.',
    example: 'InvalidParameterException: Domain already associated with another user pool.',
  },
  {
    id: 'cognito-pool-has-domain',
    source: 'Amazon Cognito DeleteUserPool (InvalidParameterException)',
    cause: 'A user pool with a hosted-UI domain cannot be deleted until the domain is.',
    fix:
      '`agentcore-auth teardown --name NAME` deletes the domain first. By hand: aws cognito-idp ' +
      'delete-user-pool-domain --domain <prefix> --user-pool-id <pool>, then delete the pool.',
    example:
      'InvalidParameterException: User pool cannot be deleted. It has a domain configured that should be ' +
      'deleted first.',
  },
  {
    id: 'cognito-limit-exceeded',
    source: 'Amazon Cognito (LimitExceededException)',
    cause:
      'A Cognito quota was hit: resources per account or per pool (user pools, app clients, resource servers, ' +
      'domains) or, on sign-in and password calls, the attempt limit for a user.',
    fix:
      'For setup: delete unused pools (`agentcore-auth teardown --name NAME` for ones setup made) or ask ' +
      'for more in Service Quotas (Amazon Cognito User Pools). For sign-in: wait a few minutes before trying ' +
      'again.',
    example: 'LimitExceededException: Attempt limit exceeded, please try after some time.',
  },
] as const;
