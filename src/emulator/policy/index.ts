/**
 * AgentCore Policy's control plane on the local stack (restJson1, SigV4 as bedrock-agentcore): policy engines,
 * policies, their summaries, and policy generation (refused). `createPolicyHandler(store, deps)` is mounted by
 * stack.ts; the state lives in store.ts, which the gateway reads to evaluate.
 */
import { restJsonService } from '../api/index.js';
import type { EmuRequest, Handler } from '../server.js';
import type { SigV4Result } from '../sigv4.js';
import { engineOperations } from './engines.js';
import { generationOperations } from './generations.js';
import { policyOperations } from './policies.js';
import type { PolicyStore } from './store.js';

export { PolicyStore } from './store.js';
export { parsePolicyEngines, seedPolicyEngines, type PolicyEngineConfig } from './config.js';

export function createPolicyHandler(
  store: PolicyStore,
  deps: { now(): number; verify(req: EmuRequest, service?: string): Promise<SigV4Result> },
): Handler {
  return restJsonService([...engineOperations, ...policyOperations, ...generationOperations], {
    verify: deps.verify,
    prefixes: ['/policy-engine'],
    ctx: { store, now: deps.now },
  });
}
