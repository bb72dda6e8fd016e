/** Gateway half of the local stack. Placeholder (routes nothing) until the runtime half replaces it. */
import type { Handler } from '../server.js';
import type { RuntimeDeps } from '../stack.js';

export function createGatewayHandler(_deps: RuntimeDeps): Handler {
  return async () => false;
}
