/**
 * Third-party counterparts started once for the whole run (see ../shared/docs/test-counterparts.md): cognito-local in
 * a child process and oidc-provider in this process. Connection data reaches the tests through `inject()`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startCognitoLocal } from './fixtures/cognito-local.js';
import { startOidcProvider } from './fixtures/oidc-provider.js';

/**
 * Redirect URIs registered at the oidc-provider client. The client is native (RFC 8252 §7.3), so the provider accepts
 * any port on them: the loopback servers in tests bind port 0 and no two test runs share a port.
 */
export const OIDC_REDIRECT_URIS = ['http://127.0.0.1/callback', 'http://localhost/callback'];

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Every temp dir a test makes (homes, caches, config files, cognito-local's data) lands under one root that is
  // removed at the end: the workers and the processes they spawn inherit TMPDIR, which os.tmpdir() reads.
  const runTmp = mkdtempSync(join(tmpdir(), 'aca-test-run-'));
  process.env.TMPDIR = runTmp;
  const [cognito, oidc] = await Promise.all([
    startCognitoLocal(),
    startOidcProvider({ redirectUris: OIDC_REDIRECT_URIS }),
  ]);
  project.provide('cognito', {
    endpoint: cognito.endpoint,
    poolId: cognito.poolId,
    issuer: cognito.issuer,
    discoveryUrl: cognito.discoveryUrl,
    jwksUri: cognito.jwksUri,
  });
  project.provide('oidc', {
    issuer: oidc.issuer,
    discoveryUrl: oidc.discoveryUrl,
    clientId: oidc.clientId,
    clientSecret: oidc.clientSecret,
    resource: oidc.resource,
    redirectUris: OIDC_REDIRECT_URIS,
  });
  return async () => {
    await Promise.all([oidc.close(), cognito.stop()]);
    rmSync(runTmp, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    cognito: { endpoint: string; poolId: string; issuer: string; discoveryUrl: string; jwksUri: string };
    oidc: {
      issuer: string;
      discoveryUrl: string;
      clientId: string;
      clientSecret: string;
      resource: string;
      redirectUris: string[];
    };
  }
}
