/**
 * The command registry: names and one-line summaries are known up front; a command's module (its options and its
 * action) is imported only when that command runs or its help is asked for. Command modules import heavy libraries
 * (AWS SDK, openid-client, the emulator) only inside their actions.
 */
import type { Command } from 'commander';
import type { CliRun } from './command.js';

export interface CommandModule {
  register(program: Command, run: CliRun): void;
}

export interface RegistryEntry {
  name: string;
  summary: string;
  aliases?: string[];
  load(): Promise<CommandModule>;
}

export const REGISTRY: readonly RegistryEntry[] = [
  {
    name: 'login',
    summary: 'mint a user token (Cognito or any OIDC provider) and cache it',
    load: () => import('./commands/login/index.js'),
  },
  { name: 'token', summary: 'decode, list, print and clear cached tokens', load: () => import('./commands/token.js') },
  {
    name: 'logout',
    summary: 'remove cached tokens (alias of `token clear`)',
    load: () => import('./commands/logout.js'),
  },
  {
    name: 'invoke',
    summary: 'call a Runtime agent with SigV4 (+ user id) or a bearer token',
    load: () => import('./commands/invoke.js'),
  },
  {
    name: 'mcp',
    summary: 'MCP over a Gateway or a Runtime agent: initialize, list and call tools',
    load: () => import('./commands/mcp.js'),
  },
  {
    name: 'exchange',
    summary: 'workload token → resource token or API key, step by step',
    load: () => import('./commands/exchange.js'),
  },
  {
    name: 'callback',
    summary: 'loopback return-URL server that completes 3LO sessions',
    load: () => import('./commands/callback.js'),
  },
  {
    name: 'verify',
    summary: "predict a JWT authorizer's verdict on a token",
    load: () => import('./commands/verify.js'),
  },
  {
    name: 'doctor',
    summary: 'check an agent, workload identity or credential provider setup',
    load: () => import('./commands/doctor.js'),
  },
  {
    name: 'explain',
    summary: 'cause and fix of an AgentCore / Cognito / OAuth error message',
    load: () => import('./commands/explain.js'),
  },
  {
    name: 'local',
    summary: 'run the embedded local AgentCore stack (identity, runtime, gateway, IdP)',
    load: () => import('./commands/local.js'),
  },
  {
    name: 'policy',
    summary: 'AgentCore Policy: check a tool call, test a table of cases, validate Cedar (offline or a gateway)',
    load: () => import('./commands/policy/index.js'),
  },
  {
    name: 'smoke',
    summary: 'run a CI scenario file of login/invoke/exchange/verify steps',
    load: () => import('./commands/smoke.js'),
  },
  {
    name: 'setup',
    summary: 'create a Cognito pool, app clients, a test user (+ AgentCore identity)',
    load: () => import('./commands/setup.js'),
  },
  {
    name: 'teardown',
    summary: 'delete what `setup --name NAME` created (by tag and exact name)',
    load: () => import('./commands/teardown.js'),
  },
  { name: 'demo', summary: 'every flow on the embedded stack, narrated', load: () => import('./commands/demo.js') },
  {
    name: 'completion',
    summary: 'print a shell completion script (bash, zsh, fish)',
    load: () => import('./commands/completion.js'),
  },
];

/** Global options that take a value (so the scanner skips their value). */
const VALUE_GLOBALS = new Set(['--region', '--profile', '--endpoint-url']);

/** The command named on the command line, if any (`help X` names X). */
export function findCommandName(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return undefined;
    if (a.startsWith('-')) {
      if (VALUE_GLOBALS.has(a)) i++;
      continue;
    }
    if (a === 'help') return argv[i + 1];
    return a;
  }
  return undefined;
}

export function findEntry(name: string | undefined): RegistryEntry | undefined {
  if (!name) return undefined;
  return REGISTRY.find((e) => e.name === name || e.aliases?.includes(name));
}
