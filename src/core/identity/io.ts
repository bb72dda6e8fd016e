/**
 * What the identity functions need from a run, as a structural type: the CLI's `Io` satisfies it as is (core/ does
 * not import cli/). Tests may build one by hand.
 */
import type { AwsClients } from '../aws.js';

export interface TimelineUi {
  readonly c: {
    green(s: string): string;
    red(s: string): string;
    yellow(s: string): string;
    dim(s: string): string;
    cyan(s: string): string;
    bold(s: string): string;
  };
  step(n: number, total: number, text: string): void;
  info(text: string): void;
  note(text: string): void;
  warn(text: string): void;
  line(text?: string): void;
}

export interface IdentityIo {
  ctx: {
    now(): number;
    sleep(ms: number, signal?: AbortSignal): Promise<void>;
    signal: AbortSignal;
    openBrowser(url: string): Promise<void>;
  };
  aws: Pick<AwsClients, 'agentcore' | 'control' | 'region'>;
  ui: TimelineUi;
  secrets: { add(...values: Array<string | undefined | null>): void };
  globals: { showSecrets: boolean; quiet?: boolean };
}
