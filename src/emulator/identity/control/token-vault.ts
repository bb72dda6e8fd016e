/**
 * The token vault (control plane): GetTokenVault and SetTokenVaultCMK. The local vault is in memory; a customer
 * managed key is recorded and reported, not used to encrypt anything.
 */
import type { GetTokenVaultRequest, SetTokenVaultCMKRequest } from '@aws-sdk/client-bedrock-agentcore-control';
import { notFound, validation } from '../../api/errors.js';
import { op } from '../../api/rest.js';
import type { IdentityCtx } from '../context.js';
import { CONTROL } from '../shapes.js';

function vault(ctx: IdentityCtx, id: string | undefined) {
  const v = ctx.state.tokenVault;
  if (id !== undefined && id !== v.tokenVaultId) throw notFound(`Token vault '${id}' not found`);
  return v;
}

function described(v: IdentityCtx['state']['tokenVault']) {
  return {
    tokenVaultId: v.tokenVaultId,
    kmsConfiguration: { keyType: v.keyType, ...(v.kmsKeyArn ? { kmsKeyArn: v.kmsKeyArn } : {}) },
    lastModifiedDate: v.lastModifiedDate,
  };
}

export const getTokenVault = op<IdentityCtx, GetTokenVaultRequest>({
  name: 'GetTokenVault',
  method: 'POST',
  path: '/identities/get-token-vault',
  input: CONTROL.GetTokenVault,
  handle: ({ ctx, body }) => described(vault(ctx, body.tokenVaultId)),
});

export const setTokenVaultCMK = op<IdentityCtx, SetTokenVaultCMKRequest>({
  name: 'SetTokenVaultCMK',
  method: 'POST',
  path: '/identities/set-token-vault-cmk',
  input: CONTROL.SetTokenVaultCMK,
  handle: ({ ctx, body }) => {
    const v = vault(ctx, body.tokenVaultId);
    const { keyType, kmsKeyArn } = body.kmsConfiguration!;
    // UNVERIFIED wording: a customer managed key needs its ARN; a service managed key takes none.
    if (keyType === 'CustomerManagedKey' && !kmsKeyArn)
      throw validation('kmsConfiguration.kmsKeyArn', 'Member must not be null');
    v.keyType = keyType!;
    v.kmsKeyArn = keyType === 'CustomerManagedKey' ? kmsKeyArn : undefined;
    v.lastModifiedDate = Math.floor(ctx.now() / 1000);
    return described(v);
  },
});
