/**
 * Outbound identity: workload access tokens, resource tokens (M2M, USER_FEDERATION with polling), API keys, the
 * workload identity's return URLs, and the 3LO return-URL server with session binding.
 */
export * from './binding.js';
export * from './on-behalf-of.js';
export type { IdentityIo } from './io.js';
export * from './resource.js';
export * from './return-sessions.js';
export * from './return-urls.js';
export * from './complete-session.js';
export * from './consent.js';
export * from './exchange.js';
export * from './return-listener.js';
export * from './user-federation.js';
export * from './workload.js';
export { escapeHtml } from './html.js';
