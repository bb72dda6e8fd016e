/**
 * What the gateway half needs from the rest of the stack (stack.ts builds it), and the seam for the policy engine.
 */
import type { CompiledPolicies, GatewayModel } from '../../policy-model/index.js';
import type { Lambdas } from '../lambda.js';
import type { JwtAuthorizer } from '../runtime/jwt-authorizer.js';
import type { EmuRequest } from '../server.js';
import type { SigV4Result, StackCredentials } from '../sigv4.js';
import type { StackState } from '../state.js';
import type { GatewayConfig } from './config.js';

export type { PolicyPrincipal } from './model.js';

/**
 * The policy engines the gateway evaluates with (src/emulator/policy/store.ts, PolicyStore): the gateway sets
 * `gatewaysFor` (the gateways naming an engine, whose tools validate its policies) and asks `compiled(engine,
 * gateway)` for every tools/call and tools/list.
 */
export interface PolicyEngines {
  engine(idOrArn: string): { status: string } | undefined;
  compiled(engineArnOrId: string, gateway: GatewayModel): CompiledPolicies | undefined;
  gatewaysFor: (engineArn: string) => GatewayModel[];
}

export interface GatewayDeps {
  /** The stack's origin, e.g. `http://127.0.0.1:4566`. */
  baseUrl: string;
  region: string;
  accountId: string;
  /** The stack's credentials: the gateway's role signs with them (GATEWAY_IAM_ROLE) and calls Identity with them. */
  credentials: StackCredentials;
  verifySigV4(req: EmuRequest, service?: string): Promise<SigV4Result>;
  /** A workload access token for the gateway's own workload identity (for a user id, a user JWT, or itself). */
  mintWorkloadAccessToken(input: {
    workloadName: string;
    userId?: string;
    userToken?: string;
  }): string | Promise<string>;
  /** Workload identities (each gateway has one) and the credential providers doctor-style checks read. */
  state: Pick<StackState, 'putWorkloadIdentity' | 'workloadIdentities' | 'oauth2Providers' | 'apiKeyProviders'>;
  /** The gateways of the config file (or the seeded one), created when the stack starts. */
  gateways: GatewayConfig[];
  userPool: { discoveryUrl: string };
  authorizer?: JwtAuthorizer;
  lambdas?: Lambdas;
  policy?: PolicyEngines;
  log?: (line: string) => void;
  now?: () => number;
}
