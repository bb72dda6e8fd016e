/** Predicting AgentCore's customJWTAuthorizer: configuration, IdP conventions, the checks, control-plane reads. */
export * from './config.js';
export * from './idp.js';
export * from './predict.js';
export * from './remote.js';
