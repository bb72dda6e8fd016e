/**
 * agentcore-auth as a library, for CI scripts that prefer code to a shell. Named exports from core/ and the emulator.
 */
export { AgentcoreAuthError, ERROR_CODES, EXIT, type ErrorCode } from './core/errors.js';
export { HINTS, findHint, type HintEntry } from './core/hints.js';
export { decodeJwtUnverified, describeToken, tokenScopes } from './core/jwt.js';
export { maskSecret, fingerprint } from './core/redact.js';
export { resolveEndpointOverride, serviceBaseUrl } from './core/aws.js';
export { runCli } from './cli/run.js';
export { startLocalStack, type LocalStack, type LocalStackOptions, type StackConfig } from './emulator/stack.js';
