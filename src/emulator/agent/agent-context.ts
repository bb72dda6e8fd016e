/**
 * What the sample agent's handlers share: its options, the AgentCore data-plane client it calls with a workload access
 * token (the real SDK pointed at the stack), and its counters. One per sample agent; the handlers are functions of it.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { createHash } from 'node:crypto';
import { agentcoreSdk } from '../../sdk.js';

export interface SampleAgentOptions {
  /** The stack's origin (data plane) for GetResourceOauth2Token / GetResourceApiKey. */
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Inside the stack only: who a workload access token stands for (a real agent cannot read a WAT). */
  resolveWorkloadAccessToken?: (
    token: string,
  ) => { workloadName: string; userId?: string; userToken?: string; userKey?: string } | undefined;
  host?: string;
  port?: number;
  /** Seconds between polls while waiting for consent (the AgentCore SDKs use 5). Default 1. */
  pollSeconds?: number;
  /** Longest wait for consent on a streamed token request (the SDKs use 600). Default 300. */
  maxWaitSeconds?: number;
}

/** One request to the container, transport-independent (the HTTP server and the runtime's in-process call share it). */
export interface AgentRequest {
  method: string;
  path: string;
  /** Lower-case names, as node:http gives them. */
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Where the answer goes: a ServerResponse fits. */
export interface AgentSink {
  writeHead(status: number, headers: OutgoingHttpHeaders): unknown;
  write(chunk: string): unknown;
  end(chunk?: string): unknown;
  /** True once the caller went away (a ServerResponse has `destroyed`): stop waiting for consent. */
  readonly destroyed?: boolean;
}

type Sdk = typeof import('@aws-sdk/client-bedrock-agentcore');

export class SampleAgentContext {
  readonly sdk: Sdk = agentcoreSdk();
  readonly client: InstanceType<Sdk['BedrockAgentCoreClient']>;
  readonly pollMs: number;
  readonly maxWait: number;
  /** Invocations answered so far. */
  invocations = 0;

  constructor(readonly options: SampleAgentOptions) {
    this.client = new this.sdk.BedrockAgentCoreClient({
      endpoint: options.endpoint,
      region: options.region,
      credentials: options.credentials,
      maxAttempts: 1,
    });
    this.pollMs = (options.pollSeconds ?? 1) * 1000;
    this.maxWait = options.maxWaitSeconds ?? 300;
  }
}

export function fingerprint(value: string): string {
  return `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 8)}`;
}

export function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Sends one JSON document. */
export function sendJsonTo(sink: AgentSink, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  sink.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  sink.end(text);
}
