/**
 * GetWorkloadAccessToken, …ForUserId and …ForJWT: opaque workload access tokens bound to nothing, a user id (never
 * verified), or a user JWT verified against the issuers the stack trusts (signature, iss, exp).
 */
import type {
  GetWorkloadAccessTokenForJWTRequest,
  GetWorkloadAccessTokenForUserIdRequest,
  GetWorkloadAccessTokenRequest,
} from '@aws-sdk/client-bedrock-agentcore';
import { decodeJwt, type JWTPayload } from 'jose';
import { PATHS } from '../../../wire.js';
import { ApiError } from '../../api/errors.js';
import { op } from '../../api/rest.js';
import type { StackState } from '../../state.js';
import { JwtRejection, type IdentityCtx } from '../context.js';
import { DATA } from '../shapes.js';
import { callableWorkload } from './lookup.js';

/** AWS keys a JWT user on iss + sub. */
export function userKeyOfJwt(claims: JWTPayload): string {
  return `jwt:${String(claims.iss)}#${String(claims.sub ?? '')}`;
}

/**
 * A workload access token minted inside the stack (the runtime and gateway for their own workload identities): bound to
 * the caller's JWT (already verified by their authorizer; keyed on iss + sub), a user id, or nothing.
 */
export function mintInProcess(
  state: StackState,
  input: { workloadName: string; userId?: string; userToken?: string },
): string {
  const { workloadName, userId, userToken } = input;
  if (userToken !== undefined) {
    let userKey: string | undefined;
    try {
      userKey = userKeyOfJwt(decodeJwt(userToken));
    } catch {
      userKey = undefined;
    }
    return state.mintWat({ workloadName, userToken, ...(userKey ? { userKey } : {}) });
  }
  if (userId !== undefined) return state.mintWat({ workloadName, userId, userKey: `id:${userId}` });
  return state.mintWat({ workloadName });
}

export const getWorkloadAccessToken = op<IdentityCtx, GetWorkloadAccessTokenRequest>({
  name: 'GetWorkloadAccessToken',
  method: 'POST',
  path: PATHS.getWorkloadAccessToken,
  input: DATA.GetWorkloadAccessToken,
  handle: ({ ctx, body }) => {
    const w = callableWorkload(ctx, body.workloadName!);
    return { workloadAccessToken: ctx.state.mintWat({ workloadName: w.name }) };
  },
});

export const getWorkloadAccessTokenForUserId = op<IdentityCtx, GetWorkloadAccessTokenForUserIdRequest>({
  name: 'GetWorkloadAccessTokenForUserId',
  method: 'POST',
  path: PATHS.getWorkloadAccessTokenForUserId,
  input: DATA.GetWorkloadAccessTokenForUserId,
  handle: ({ ctx, body }) => {
    const w = callableWorkload(ctx, body.workloadName!);
    const userId = body.userId!;
    return { workloadAccessToken: ctx.state.mintWat({ workloadName: w.name, userId, userKey: `id:${userId}` }) };
  },
});

export const getWorkloadAccessTokenForJWT = op<IdentityCtx, GetWorkloadAccessTokenForJWTRequest>({
  name: 'GetWorkloadAccessTokenForJWT',
  method: 'POST',
  path: PATHS.getWorkloadAccessTokenForJwt,
  input: DATA.GetWorkloadAccessTokenForJWT,
  handle: async ({ ctx, body }) => {
    const w = callableWorkload(ctx, body.workloadName!);
    const userToken = body.userToken!;
    let claims: JWTPayload;
    try {
      claims = await ctx.verifyUserJwt(userToken);
    } catch (e) {
      // UNVERIFIED: AWS's status and text for a rejected JWT; UnauthorizedException is the model's
      // "JWT bearer token is invalid" error.
      const message = e instanceof JwtRejection ? e.message : 'The user token could not be validated';
      throw new ApiError(401, 'UnauthorizedException', message);
    }
    const userKey = userKeyOfJwt(claims);
    return { workloadAccessToken: ctx.state.mintWat({ workloadName: w.name, userToken, userKey }) };
  },
});
