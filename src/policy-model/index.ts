/**
 * AgentCore Policy's Cedar model, shared by the CLI (core/, cli/) and the local stack (emulator/), like src/wire.ts:
 * it holds AgentCore's facts and the one evaluation of them, and imports nothing from core/, cli/ or emulator/.
 * The Cedar engine (WebAssembly) loads on the first call that needs it, never on import.
 */
export * from './model.js';
export * from './schema.js';
export * from './principal.js';
export * from './input.js';
export * from './policies.js';
export * from './engine.js';
export * from './scope.js';
export * from './validate.js';
export { cedarLoaded } from './cedar.js';
