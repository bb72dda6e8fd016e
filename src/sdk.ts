/**
 * The AWS SDK packages, loaded on first use with require(). They ship CommonJS bundles (dist-cjs/index.js, 190–380 KB
 * each, no "type" field); `import()` of such a file makes Node's ESM loader detect its format and lex it for export
 * names, and then do the same for every file it requires: about twice the CPU of require() (the three clients,
 * credential-providers and the HTTP handler: ≈ 470 ms by import(), ≈ 220 ms by require(), bench/demo.mjs). Both share
 * Node's module cache, so classes are the same objects whichever way a test or a caller loaded them. Shared by core/,
 * cli/ and emulator/ (like wire.ts); nothing else lives here.
 */
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

export const agentcoreSdk = (): typeof import('@aws-sdk/client-bedrock-agentcore') =>
  load('@aws-sdk/client-bedrock-agentcore');
export const controlSdk = (): typeof import('@aws-sdk/client-bedrock-agentcore-control') =>
  load('@aws-sdk/client-bedrock-agentcore-control');
export const cognitoSdk = (): typeof import('@aws-sdk/client-cognito-identity-provider') =>
  load('@aws-sdk/client-cognito-identity-provider');
export const credentialProvidersSdk = (): typeof import('@aws-sdk/credential-providers') =>
  load('@aws-sdk/credential-providers');
export const nodeHttpHandlerSdk = (): typeof import('@smithy/node-http-handler') => load('@smithy/node-http-handler');
export const signatureV4Sdk = (): typeof import('@smithy/signature-v4') => load('@smithy/signature-v4');
export const protocolHttpSdk = (): typeof import('@smithy/protocol-http') => load('@smithy/protocol-http');
