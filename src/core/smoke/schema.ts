/**
 * The smoke scenario model. A scenario is a list of steps; each step runs one agentcore-auth command (its options
 * come from the step) and checks expectations on what the command did. See `agentcore-auth help scenarios`
 * (docs/reference/scenarios.md) for the file format.
 */
import type { Template } from './template.js';

/** A string value that may hold `${…}` variables, with the line it came from. */
export class Tpl {
  constructor(
    readonly template: Template,
    readonly line: number,
  ) {}
}

/** A scenario value: strings are templates, everything else is plain YAML/JSON. */
export type TValue = Tpl | number | boolean | null | TValue[] | { [key: string]: TValue };

export const STEP_KINDS = {
  login: { command: ['login'], positionals: [] },
  invoke: { command: ['invoke'], positionals: ['agent', 'payload'] },
  mcp: { command: ['mcp'], positionals: [] },
  exchange: { command: ['exchange'], positionals: [] },
  verify: { command: ['verify'], positionals: ['token'] },
  callback: { command: ['callback'], positionals: [] },
  doctor: { command: ['doctor'], positionals: [] },
  explain: { command: ['explain'], positionals: ['message'] },
  /** `policy check`: an offline AgentCore Policy decision; allow = exit 0, deny = exit 4 (the outcome check). */
  policy: { command: ['policy', 'check'], positionals: [] },
  /** Any agentcore-auth command line, as a list: `run: [token, decode, "${steps.login.accessToken}"]`. */
  run: { command: [], positionals: [] },
} as const satisfies Record<string, { command: readonly string[]; positionals: readonly string[] }>;

export type StepKind = keyof typeof STEP_KINDS;
export const STEP_KIND_NAMES = Object.keys(STEP_KINDS) as StepKind[];

export type AccessOutcome = 'allow' | 'deny';

export interface PathCheck {
  path: string[];
  pathText: string;
  value: TValue;
  line: number;
}

export interface Expectation {
  line: number;
  /** allow = exit 0 and no HTTP error status; deny = exit 4 or HTTP 401/403. Default: allow, unless another check
   * already says what should happen (exitCode, status, error). */
  outcome?: AccessOutcome;
  exitCode?: number;
  status?: number[];
  /** An error code (ERR_AUTH) or error name (AccessDeniedException, NotAuthorizedException, invalid_grant). */
  error?: TValue;
  contains: TValue[];
  notContains: TValue[];
  json: PathCheck[];
  claims: PathCheck[];
  /** Which output field holds the token whose claims are checked (default: the first JWT in the output). */
  claimsFrom?: string[];
  maxDurationMs?: number;
}

export interface Step {
  id: string;
  /** A human title (defaults to the command line). */
  name?: string;
  kind: StepKind;
  line: number;
  /** Options → `--kebab-case` flags (for `run`: empty). */
  options: Record<string, { value: TValue; line: number }>;
  /** Positional arguments after the command words (for `run`: the whole command line). */
  args: TValue[];
  env: Record<string, TValue>;
  /** Steps that must finish first: `needs:` plus every `${steps.<id>…}` this step reads. */
  needs: string[];
  timeoutMs?: number;
  expect: Expectation;
  /** Built-in negative check this step was derived from (`--negative`). */
  derivedFrom?: { step: string; check: 'no-token' | 'wrong-mode' };
}

export interface Scenario {
  file: string;
  name: string;
  description?: string;
  env: Record<string, TValue>;
  timeoutMs?: number;
  steps: Step[];
}
