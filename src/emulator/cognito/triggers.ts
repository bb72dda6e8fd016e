/**
 * The pre-token-generation trigger (`LambdaConfig.PreTokenGenerationConfig` or the older `PreTokenGeneration`),
 * invoked through the stack's `--lambda ARN=URL` endpoints (src/emulator/lambda.ts) with Cognito's event, and its
 * answer applied to the token drafts:
 *
 *   V1_0  claimsOverrideDetails{claimsToAddOrOverride (strings), claimsToSuppress, groupOverrideDetails}: ID token
 *         claims; the group override replaces `cognito:groups` in both tokens
 *   V2_0  claimsAndScopeOverrideDetails{idTokenGeneration, accessTokenGeneration{…, scopesToAdd, scopesToSuppress},
 *         groupOverrideDetails}: both tokens of user sign-ins; values may be any JSON
 *   V3_0  as V2_0, and also for client-credentials access tokens (TokenGeneration_ClientCredentials)
 *
 * Claims Cognito does not let a trigger change are left alone (the developer guide's list; whether the service then
 * fails or ignores them is UNVERIFIED). A claim both suppressed and overridden is suppressed (documented).
 * Failures as Cognito names them: the endpoint unreachable → UnexpectedLambdaException, the function threw →
 * UserLambdaValidationException, an answer that is not JSON or not the event → InvalidLambdaResponseException.
 */
import type { EmuContext } from '../context.js';
import { cognitoError } from './errors.js';
import type { Pool, TriggerVersion } from './pools.js';

export type TriggerSource =
  | 'TokenGeneration_Authentication'
  | 'TokenGeneration_HostedAuth'
  | 'TokenGeneration_NewPasswordChallenge'
  | 'TokenGeneration_RefreshTokens'
  | 'TokenGeneration_ClientCredentials';

/** What a trigger may change, before the tokens are signed. */
export interface TokenDraft {
  id: Record<string, unknown>;
  access: Record<string, unknown>;
  /** `cognito:groups` (both tokens); undefined = the claim is left out. */
  groups: string[] | undefined;
  roles: string[];
  preferredRole?: string;
  scopes: string[];
}

export interface TriggerInput {
  source: TriggerSource;
  clientId: string;
  userName: string;
  userAttributes: Record<string, string>;
  clientMetadata?: Record<string, string> | undefined;
}

const FIXED = [
  'acr',
  'amr',
  'aud',
  'at_hash',
  'auth_time',
  'azp',
  'cognito:username',
  'exp',
  'iat',
  'identities',
  'iss',
  'jti',
  'nbf',
  'nonce',
  'origin_jti',
  'sub',
  'token_use',
  'event_id',
  'cognito:groups',
  'cognito:roles',
  'cognito:preferred_role',
];
const FIXED_ACCESS = [...FIXED, 'client_id', 'scope', 'username', 'version'];

export function triggerOf(pool: Pool): { arn: string; version: TriggerVersion } | undefined {
  const cfg = pool.lambdaConfig.PreTokenGenerationConfig as { LambdaArn?: string; LambdaVersion?: string } | undefined;
  if (cfg?.LambdaArn) return { arn: cfg.LambdaArn, version: (cfg.LambdaVersion as TriggerVersion) ?? 'V1_0' };
  const v1 = pool.lambdaConfig.PreTokenGeneration;
  return typeof v1 === 'string' && v1 ? { arn: v1, version: 'V1_0' } : undefined;
}

/** Runs the pool's trigger (if any, and if its version covers this kind of token); returns the changed draft. */
export async function preTokenGeneration(
  emu: EmuContext,
  pool: Pool,
  input: TriggerInput,
  draft: TokenDraft,
): Promise<TokenDraft> {
  const trigger = triggerOf(pool);
  if (!trigger) return draft;
  const m2m = input.source === 'TokenGeneration_ClientCredentials';
  if (m2m && trigger.version !== 'V3_0') return draft;
  const event = eventFor(emu, pool, trigger.version, input, draft);
  const result = await emu.lambdas.invoke(trigger.arn, event);
  if (!result.ok) {
    if (result.failure === 'function-error')
      throw cognitoError('UserLambdaValidationException', `PreTokenGeneration failed with error ${result.message}.`);
    if (result.failure === 'invalid-response')
      throw cognitoError('InvalidLambdaResponseException', 'Invalid lambda function output : Invalid JSON');
    throw cognitoError(
      'UnexpectedLambdaException',
      `PreTokenGeneration invocation failed due to error ${result.message}.`,
    );
  }
  return applyResponse(trigger.version, result.payload, draft, m2m);
}

function eventFor(emu: EmuContext, pool: Pool, version: TriggerVersion, input: TriggerInput, draft: TokenDraft) {
  const v1 = version === 'V1_0';
  return {
    version: v1 ? '1' : version === 'V2_0' ? '2' : '3',
    triggerSource: input.source,
    region: emu.config.region,
    userPoolId: pool.id,
    userName: input.userName,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: input.clientId },
    request: {
      userAttributes: input.userAttributes,
      groupConfiguration: {
        groupsToOverride: draft.groups ?? [],
        iamRolesToOverride: draft.roles,
        preferredRole: draft.preferredRole ?? null,
      },
      ...(v1 ? {} : { scopes: draft.scopes }),
      ...(input.clientMetadata ? { clientMetadata: input.clientMetadata } : {}),
    },
    response: v1 ? { claimsOverrideDetails: null } : { claimsAndScopeOverrideDetails: null },
  };
}

const unrecognizable = () => cognitoError('InvalidLambdaResponseException', 'Unrecognizable lambda output');
const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function strings(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw unrecognizable();
  return v as string[];
}

function applyResponse(version: TriggerVersion, payload: unknown, draft: TokenDraft, m2m: boolean): TokenDraft {
  if (!isObject(payload) || !isObject(payload.response)) throw unrecognizable();
  const response = payload.response;
  const out: TokenDraft = { ...draft, id: { ...draft.id }, access: { ...draft.access }, scopes: [...draft.scopes] };
  if (version === 'V1_0') {
    const details = response.claimsOverrideDetails;
    if (details === undefined || details === null) return out;
    if (!isObject(details)) throw unrecognizable();
    if (!m2m) editClaims(out.id, details.claimsToAddOrOverride, details.claimsToSuppress, FIXED, true);
    applyGroups(out, details);
    return out;
  }
  const details = response.claimsAndScopeOverrideDetails;
  if (details === undefined || details === null) return out;
  if (!isObject(details)) throw unrecognizable();
  const id = details.idTokenGeneration;
  const access = details.accessTokenGeneration;
  if (
    (id !== undefined && id !== null && !isObject(id)) ||
    (access !== undefined && access !== null && !isObject(access))
  )
    throw unrecognizable();
  if (id && !m2m) editClaims(out.id, id.claimsToAddOrOverride, id.claimsToSuppress, FIXED, false);
  if (access) {
    editClaims(out.access, access.claimsToAddOrOverride, access.claimsToSuppress, FIXED_ACCESS, false);
    const drop = new Set(strings(access.scopesToSuppress));
    out.scopes = [...new Set([...out.scopes, ...strings(access.scopesToAdd)])].filter((s) => !drop.has(s));
  }
  applyGroups(out, details);
  return out;
}

function editClaims(target: Record<string, unknown>, add: unknown, suppress: unknown, fixed: string[], v1: boolean) {
  if (add !== undefined && add !== null) {
    if (!isObject(add)) throw unrecognizable();
    for (const [k, v] of Object.entries(add)) {
      if (v1 && typeof v !== 'string') throw unrecognizable();
      if (!fixed.includes(k)) target[k] = v;
    }
  }
  for (const k of strings(suppress)) if (!fixed.includes(k)) delete target[k];
}

function applyGroups(out: TokenDraft, details: Record<string, unknown>): void {
  if (!('groupOverrideDetails' in details)) return;
  const g = details.groupOverrideDetails;
  if (g === null || (isObject(g) && Object.keys(g).length === 0)) {
    out.groups = undefined;
    out.roles = [];
    delete out.preferredRole;
    return;
  }
  if (!isObject(g)) throw unrecognizable();
  const groups = strings(g.groupsToOverride);
  out.groups = groups.length ? groups : undefined;
  out.roles = strings(g.iamRolesToOverride);
  if (typeof g.preferredRole === 'string') out.preferredRole = g.preferredRole;
  else delete out.preferredRole;
}
