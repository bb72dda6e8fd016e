/** What the data-plane operations look up first: the workload identity, the workload access token, the provider. */
import { MESSAGES } from '../../../wire.js';
import { ApiError, notFound, validationMessage } from '../../api/errors.js';
import type { OAuth2Provider, WatInfo, WorkloadIdentity } from '../../state.js';
import type { IdentityCtx } from '../context.js';

/** A workload identity callers may mint tokens for (not one a runtime or gateway owns). */
export function callableWorkload(ctx: IdentityCtx, name: string): WorkloadIdentity {
  const w = ctx.state.workloadIdentities.get(name);
  // UNVERIFIED: AWS's text for an unknown workload identity.
  if (!w) throw notFound(`Workload identity '${name}' not found`);
  if (w.linkedTo) throw validationMessage(MESSAGES.workloadLinkedToService);
  return w;
}

export function watFor(ctx: IdentityCtx, token: string): WatInfo {
  const info = ctx.state.resolveWat(token);
  // UNVERIFIED: what AWS answers for an unknown or expired workload access token (the official CLI reads
  // UnauthorizedException as "WAT expired").
  if (!info) throw new ApiError(401, 'UnauthorizedException', 'The workload access token is invalid or has expired');
  if (!ctx.state.workloadIdentities.has(info.workloadName))
    throw notFound(`Workload identity '${info.workloadName}' not found`);
  return info;
}

export function oauth2ProviderFor(ctx: IdentityCtx, name: string): OAuth2Provider {
  const p = ctx.state.oauth2Providers.get(name);
  if (!p) throw notFound(MESSAGES.providerNotFound);
  return p;
}
