/**
 * What the identity functions need from a run, as a structural type: the CLI's `Io` satisfies it as is (core/ does
 * not import cli/). Tests may build one by hand. Nothing here prints: steps report through the plan runner's events.
 */
import type { AwsClients } from '../aws.js';

export interface IdentityIo {
  ctx: {
    now(): number;
    sleep(ms: number, signal?: AbortSignal): Promise<void>;
    signal: AbortSignal;
    openBrowser(url: string): Promise<void>;
  };
  aws: Pick<AwsClients, 'agentcore' | 'control' | 'region'>;
  secrets: { add(...values: Array<string | undefined | null>): void };
}
