/**
 * The Cognito user pools API's request shapes, as the model (Amazon Cognito API Reference, cognito-idp 2016-04-18)
 * constrains them. Checked by awsJsonService before a handler runs, in Cognito's words ("1 validation error detected:
 * Value 'x' at 'clientId' failed to satisfy constraint: …", InvalidParameterException).
 */
import { bool, doc, enumOf, int, list, map, req, str, struct, type Rule } from '../api/index.js';

const UNICODE_NAME = /[\p{L}\p{M}\p{S}\p{N}\p{P}]+/u;
export const T = {
  userPoolId: str({ min: 1, max: 55, pattern: /[\w-]+_[0-9a-zA-Z]+/ }),
  clientId: str({ min: 1, max: 128, pattern: /[\w+]+/ }),
  clientSecret: str({ min: 1, max: 64, pattern: /[\w+]+/ }),
  username: str({ min: 1, max: 128, pattern: UNICODE_NAME }),
  password: str({ max: 256, pattern: /[\S]+/ }),
  secretHash: str({ min: 1, max: 128, pattern: /[\w+=/]+/ }),
  code: str({ min: 1, max: 2048, pattern: /[\S]+/ }),
  groupName: str({ min: 1, max: 128, pattern: UNICODE_NAME }),
  description: str({ max: 2048 }),
  arn: str({
    min: 20,
    max: 2048,
    pattern: /arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?/,
  }),
  precedence: int({ min: 0 }),
  queryLimit: int({ min: 0, max: 60 }),
  nextToken: str({ min: 1, pattern: /[\S]+/ }),
  attributeName: str({ min: 1, max: 32, pattern: UNICODE_NAME }),
  attributeValue: str({ max: 2048 }),
  token: str({ pattern: /[A-Za-z0-9-_=.]+/ }),
  session: str({ min: 20, max: 2048 }),
  totpCode: str({ min: 6, max: 6, pattern: /[0-9]+/ }),
  poolName: str({ min: 1, max: 128, pattern: /[\w\s+=,.@-]+/ }),
  clientName: str({ min: 1, max: 128, pattern: /[\w\s+=,.@-]+/ }),
  resourceServerId: str({ min: 1, max: 256, pattern: /[\x21\x23-\x5B\x5D-\x7E]+/ }),
  resourceServerName: str({ min: 1, max: 256, pattern: /[\w\s+=,.@-]+/ }),
  scope: str({ min: 1, max: 256, pattern: /[\x21\x23-\x5B\x5D-\x7E]+/ }),
  redirectUrl: str({ min: 1, max: 1024, pattern: UNICODE_NAME }),
  domain: str({ min: 1, max: 63 }),
  metadata: map(str(), {}),
};

const attributes = list(struct({ Name: req(T.attributeName), Value: T.attributeValue }));
const userInPool = { UserPoolId: req(T.userPoolId), Username: req(T.username) };
const tags = map(str({ max: 256 }), { key: str({ min: 1, max: 128 }), max: 50 });
const mfaConfiguration = enumOf(['OFF', 'ON', 'OPTIONAL']);
const passwordPolicy = struct({
  MinimumLength: int({ min: 6, max: 99 }),
  RequireUppercase: bool(),
  RequireLowercase: bool(),
  RequireNumbers: bool(),
  RequireSymbols: bool(),
  TemporaryPasswordValidityDays: int({ min: 0, max: 365 }),
});
const lambdaConfig = struct({
  PreTokenGeneration: T.arn,
  PreTokenGenerationConfig: struct({
    LambdaVersion: req(enumOf(['V1_0', 'V2_0', 'V3_0'])),
    LambdaArn: req(T.arn),
  }),
});
const schemaAttribute = struct({
  Name: str({ min: 1, max: 20, pattern: UNICODE_NAME }),
  AttributeDataType: enumOf(['String', 'Number', 'DateTime', 'Boolean']),
  DeveloperOnlyAttribute: bool(),
  Mutable: bool(),
  Required: bool(),
});
const AUTH_FLOWS = [
  'USER_SRP_AUTH',
  'REFRESH_TOKEN_AUTH',
  'REFRESH_TOKEN',
  'CUSTOM_AUTH',
  'ADMIN_NO_SRP_AUTH',
  'USER_PASSWORD_AUTH',
  'ADMIN_USER_PASSWORD_AUTH',
  'USER_AUTH',
];
const CHALLENGES = [
  'SMS_MFA',
  'EMAIL_OTP',
  'SOFTWARE_TOKEN_MFA',
  'SELECT_MFA_TYPE',
  'MFA_SETUP',
  'PASSWORD_VERIFIER',
  'CUSTOM_CHALLENGE',
  'SELECT_CHALLENGE',
  'DEVICE_SRP_AUTH',
  'DEVICE_PASSWORD_VERIFIER',
  'ADMIN_NO_SRP_AUTH',
  'NEW_PASSWORD_REQUIRED',
  'SMS_OTP',
  'PASSWORD',
  'WEB_AUTHN',
  'PASSWORD_SRP',
];
export const EXPLICIT_AUTH_FLOWS = [
  'ADMIN_NO_SRP_AUTH',
  'CUSTOM_AUTH_FLOW_ONLY',
  'USER_PASSWORD_AUTH',
  'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  'ALLOW_CUSTOM_AUTH',
  'ALLOW_USER_PASSWORD_AUTH',
  'ALLOW_USER_SRP_AUTH',
  'ALLOW_REFRESH_TOKEN_AUTH',
  'ALLOW_USER_AUTH',
];
const unit = enumOf(['seconds', 'minutes', 'hours', 'days']);
const clientSettings = {
  ClientName: T.clientName,
  RefreshTokenValidity: int({ min: 0, max: 315360000 }),
  AccessTokenValidity: int({ min: 1, max: 86400 }),
  IdTokenValidity: int({ min: 1, max: 86400 }),
  TokenValidityUnits: struct({ AccessToken: unit, IdToken: unit, RefreshToken: unit }),
  ExplicitAuthFlows: list(enumOf(EXPLICIT_AUTH_FLOWS)),
  SupportedIdentityProviders: list(str({ min: 1, max: 32 })),
  CallbackURLs: list(T.redirectUrl, { max: 100 }),
  LogoutURLs: list(T.redirectUrl, { max: 100 }),
  DefaultRedirectURI: T.redirectUrl,
  AllowedOAuthFlows: list(enumOf(['code', 'implicit', 'client_credentials']), { max: 3 }),
  AllowedOAuthScopes: list(T.scope, { max: 50 }),
  AllowedOAuthFlowsUserPoolClient: bool(),
  PreventUserExistenceErrors: enumOf(['LEGACY', 'ENABLED']),
  EnableTokenRevocation: bool(),
  EnablePropagateAdditionalUserContextData: bool(),
  AuthSessionValidity: int({ min: 3, max: 15 }),
};
const poolSettings = {
  Policies: struct({ PasswordPolicy: passwordPolicy }),
  DeletionProtection: enumOf(['ACTIVE', 'INACTIVE']),
  LambdaConfig: lambdaConfig,
  MfaConfiguration: mfaConfiguration,
  UserPoolTags: tags,
  AutoVerifiedAttributes: list(enumOf(['phone_number', 'email'])),
  UserPoolTier: enumOf(['LITE', 'ESSENTIALS', 'PLUS']),
};

const S = {
  // user pools, tags, domains
  CreateUserPool: struct({ PoolName: req(T.poolName), ...poolSettings, Schema: list(schemaAttribute, { max: 50 }) }),
  UpdateUserPool: struct({ UserPoolId: req(T.userPoolId), PoolName: T.poolName, ...poolSettings }),
  DescribeUserPool: struct({ UserPoolId: req(T.userPoolId) }),
  DeleteUserPool: struct({ UserPoolId: req(T.userPoolId) }),
  ListUserPools: struct({ MaxResults: req(int({ min: 1, max: 60 })), NextToken: T.nextToken }),
  AddCustomAttributes: struct({
    UserPoolId: req(T.userPoolId),
    CustomAttributes: req(list(schemaAttribute, { min: 1, max: 25 })),
  }),
  TagResource: struct({ ResourceArn: req(T.arn), Tags: tags }),
  UntagResource: struct({ ResourceArn: req(T.arn), TagKeys: list(str({ min: 1, max: 128 })) }),
  ListTagsForResource: struct({ ResourceArn: req(T.arn) }),
  CreateUserPoolDomain: struct({ Domain: req(T.domain), UserPoolId: req(T.userPoolId), CustomDomainConfig: doc() }),
  DescribeUserPoolDomain: struct({ Domain: req(T.domain) }),
  DeleteUserPoolDomain: struct({ Domain: req(T.domain), UserPoolId: req(T.userPoolId) }),
  SetUserPoolMfaConfig: struct({
    UserPoolId: req(T.userPoolId),
    SoftwareTokenMfaConfiguration: struct({ Enabled: bool() }),
    SmsMfaConfiguration: doc(),
    EmailMfaConfiguration: doc(),
    WebAuthnConfiguration: doc(),
    MfaConfiguration: mfaConfiguration,
  }),
  GetUserPoolMfaConfig: struct({ UserPoolId: req(T.userPoolId) }),
  // app clients, resource servers
  CreateUserPoolClient: struct({
    UserPoolId: req(T.userPoolId),
    ...clientSettings,
    ClientName: req(T.clientName),
    GenerateSecret: bool(),
  }),
  UpdateUserPoolClient: struct({ UserPoolId: req(T.userPoolId), ClientId: req(T.clientId), ...clientSettings }),
  DescribeUserPoolClient: struct({ UserPoolId: req(T.userPoolId), ClientId: req(T.clientId) }),
  DeleteUserPoolClient: struct({ UserPoolId: req(T.userPoolId), ClientId: req(T.clientId) }),
  ListUserPoolClients: struct({
    UserPoolId: req(T.userPoolId),
    MaxResults: int({ min: 1, max: 60 }),
    NextToken: T.nextToken,
  }),
  CreateResourceServer: resourceServer(),
  UpdateResourceServer: resourceServer(),
  DescribeResourceServer: struct({ UserPoolId: req(T.userPoolId), Identifier: req(T.resourceServerId) }),
  DeleteResourceServer: struct({ UserPoolId: req(T.userPoolId), Identifier: req(T.resourceServerId) }),
  ListResourceServers: struct({
    UserPoolId: req(T.userPoolId),
    MaxResults: req(int({ min: 1, max: 50 })),
    NextToken: T.nextToken,
  }),
  // users
  AdminCreateUser: struct({
    ...userInPool,
    UserAttributes: attributes,
    ValidationData: attributes,
    TemporaryPassword: T.password,
    ForceAliasCreation: bool(),
    MessageAction: enumOf(['RESEND', 'SUPPRESS']),
    DesiredDeliveryMediums: list(enumOf(['SMS', 'EMAIL'])),
    ClientMetadata: T.metadata,
  }),
  AdminSetUserPassword: struct({ ...userInPool, Password: req(T.password), Permanent: bool() }),
  AdminGetUser: struct(userInPool),
  AdminDeleteUser: struct(userInPool),
  AdminDisableUser: struct(userInPool),
  AdminEnableUser: struct(userInPool),
  AdminConfirmSignUp: struct({ ...userInPool, ClientMetadata: T.metadata }),
  AdminUpdateUserAttributes: struct({ ...userInPool, UserAttributes: req(attributes), ClientMetadata: T.metadata }),
  AdminUserGlobalSignOut: struct(userInPool),
  ListUsers: struct({
    UserPoolId: req(T.userPoolId),
    AttributesToGet: list(T.attributeName),
    Limit: T.queryLimit,
    PaginationToken: T.nextToken,
    Filter: str({ max: 256 }),
  }),
  GetUser: struct({ AccessToken: req(T.token) }),
  GlobalSignOut: struct({ AccessToken: req(T.token) }),
  RevokeToken: struct({ Token: req(T.token), ClientId: req(T.clientId), ClientSecret: T.clientSecret }),
  SignUp: struct({
    ClientId: req(T.clientId),
    SecretHash: T.secretHash,
    Username: req(T.username),
    Password: T.password,
    UserAttributes: attributes,
    ValidationData: attributes,
    ClientMetadata: T.metadata,
  }),
  ConfirmSignUp: struct({
    ClientId: req(T.clientId),
    SecretHash: T.secretHash,
    Username: req(T.username),
    ConfirmationCode: req(T.code),
    ForceAliasCreation: bool(),
    ClientMetadata: T.metadata,
  }),
  ResendConfirmationCode: struct({
    ClientId: req(T.clientId),
    SecretHash: T.secretHash,
    Username: req(T.username),
    ClientMetadata: T.metadata,
  }),
  // groups
  CreateGroup: group(),
  UpdateGroup: group(),
  GetGroup: struct({ GroupName: req(T.groupName), UserPoolId: req(T.userPoolId) }),
  DeleteGroup: struct({ GroupName: req(T.groupName), UserPoolId: req(T.userPoolId) }),
  ListGroups: struct({ UserPoolId: req(T.userPoolId), Limit: T.queryLimit, NextToken: T.nextToken }),
  AdminAddUserToGroup: struct({ ...userInPool, GroupName: req(T.groupName) }),
  AdminRemoveUserFromGroup: struct({ ...userInPool, GroupName: req(T.groupName) }),
  AdminListGroupsForUser: struct({ ...userInPool, Limit: T.queryLimit, NextToken: T.nextToken }),
  ListUsersInGroup: struct({
    UserPoolId: req(T.userPoolId),
    GroupName: req(T.groupName),
    Limit: T.queryLimit,
    NextToken: T.nextToken,
  }),
  // sign-in
  InitiateAuth: struct({
    AuthFlow: req(enumOf(AUTH_FLOWS)),
    AuthParameters: map(str()),
    ClientMetadata: T.metadata,
    ClientId: req(T.clientId),
    Session: T.session,
  }),
  AdminInitiateAuth: struct({
    UserPoolId: req(T.userPoolId),
    ClientId: req(T.clientId),
    AuthFlow: req(enumOf(AUTH_FLOWS)),
    AuthParameters: map(str()),
    ClientMetadata: T.metadata,
  }),
  RespondToAuthChallenge: challengeResponse(false),
  AdminRespondToAuthChallenge: challengeResponse(true),
  // MFA
  AssociateSoftwareToken: struct({ AccessToken: T.token, Session: T.session }),
  VerifySoftwareToken: struct({
    AccessToken: T.token,
    Session: T.session,
    UserCode: req(T.totpCode),
    FriendlyDeviceName: str(),
  }),
  SetUserMFAPreference: struct({ ...mfaSettings(), AccessToken: req(T.token) }),
  AdminSetUserMFAPreference: struct({ ...mfaSettings(), ...userInPool }),
} satisfies Record<string, Rule>;

function resourceServer() {
  return struct({
    UserPoolId: req(T.userPoolId),
    Identifier: req(T.resourceServerId),
    Name: req(T.resourceServerName),
    Scopes: list(
      struct({
        ScopeName: req(str({ min: 1, max: 256, pattern: /[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+/ })),
        ScopeDescription: req(str({ min: 1, max: 256 })),
      }),
      { max: 100 },
    ),
  });
}

function group() {
  return struct({
    GroupName: req(T.groupName),
    UserPoolId: req(T.userPoolId),
    Description: T.description,
    RoleArn: T.arn,
    Precedence: T.precedence,
  });
}

function challengeResponse(admin: boolean) {
  return struct({
    ...(admin ? { UserPoolId: req(T.userPoolId) } : {}),
    ClientId: req(T.clientId),
    ChallengeName: req(enumOf(CHALLENGES)),
    Session: T.session,
    ChallengeResponses: map(str()),
    ClientMetadata: T.metadata,
  });
}

function mfaSettings() {
  const setting = struct({ Enabled: bool(), PreferredMfa: bool() });
  return { SMSMfaSettings: setting, SoftwareTokenMfaSettings: setting, EmailMfaSettings: setting };
}

export const SHAPES = S;
