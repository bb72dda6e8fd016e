/**
 * Keep-alive under a late event loop. A client reads the stack's answer, keeps the connection in its pool and sends
 * its next request on it. When the client's event loop read that answer late (a loaded machine; here the client
 * shares the stack's process, as in every in-process test), the stack must still answer that next request, not reset
 * the connection: threelo.test.ts's 50 users failed with "TimeoutError: socket hang up" (the SDK's name for
 * ECONNRESET) on a machine loaded to a few percent of a CPU.
 *
 * The moment is made exactly: Node's server with its default keep-alive (`Keep-Alive: timeout=5`) dropped an idle
 * connection 6 s after the answer was written; a Node client drops it from its pool 4 s after reading the answer
 * (the hint, less 1 s). Blocking the loop for 2.5 s between the two puts the client's deadline after the server's,
 * and the next request goes out in the same turn of the loop as the server's deadline.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { GetWorkloadAccessTokenCommand } from '@aws-sdk/client-bedrock-agentcore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { clientsFor } from '../emulator/helpers.js';

/** When Node's server, with its default keep-alive, dropped an idle connection (ms after the answer). */
const SERVER_DEADLINE = 5_000 + 1_000;
/** How late the client reads the answer: more than the 2 s between the server's deadline and the client's. */
const LATE = 2_500;

/** Blocks this thread (the event loop) without spinning, as a busy machine would. */
const block = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({});
});
afterAll(() => stack?.close());

describe('the local stack and a client whose event loop runs late', () => {
  it('answers the request sent on a pooled connection at the moment an idle deadline would drop it', async () => {
    const { data } = clientsFor(stack); // the SDK client as the tests use it: maxAttempts 1, keep-alive
    const call = () => data.send(new GetWorkloadAccessTokenCommand({ workloadName: 'local-workload' }));
    await call(); // the connection is in the client's pool
    const port = Number(new URL(stack.url).port);
    const next = new Promise<unknown>((resolve, reject) => {
      const onFinish = (message: unknown) => {
        if ((message as { socket: { localPort?: number } }).socket.localPort !== port) return;
        unsubscribe('http.server.response.finish', onFinish);
        // After the server has set its deadline for this connection (in the same callback), before the client reads.
        process.nextTick(() => {
          // the loop skips a turn across the deadline, so the deadline and the next request share one turn
          setTimeout(() => block(30), SERVER_DEADLINE - 10);
          setTimeout(() => call().then(resolve, reject), SERVER_DEADLINE + 1);
          block(LATE);
        });
      };
      subscribe('http.server.response.finish', onFinish);
    });
    await call();
    await expect(next).resolves.toMatchObject({ workloadAccessToken: expect.any(String) });
  });
});
