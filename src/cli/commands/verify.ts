/**
 * `verify [TOKEN | - | --bearer NAME]`: predict AgentCore's customJWTAuthorizer verdict on a token, claim by claim,
 * against an authorizer given by flags or read from an agent runtime / gateway. Exit 0 when it would be accepted,
 * 4 when it would be rejected. The table and verdict are the command's data (stdout); warnings go to stderr.
 */
import { Chalk } from 'chalk';
import type { Command } from 'commander';
import type {
  AuthorizerConfig,
  AuthorizerCheck,
  Prediction,
  RemoteAuthorizer,
} from '../../core/authorizer-prediction/index.js';
import { EXIT, usageError } from '../../core/errors.js';
import { MESSAGES } from '../../wire.js';
import { defineAction, type CliRun } from '../command.js';
import { readStdin, retryWithNotes, type Io } from '../io.js';
import { addOptions, flag, HTTP_URL, list, optionalValue, repeated, value, type OptionsOf } from '../options.js';
import { colorEnabled, visibleLength } from '../render/ui.js';

const VERIFY_OPTIONS = {
  bearer: optionalValue('--bearer [name]', 'use a cached login (default entry when NAME is omitted)'),
  idToken: flag('--id-token', 'with --bearer: check the cached ID token instead of the access token'),
  discoveryUrl: value(
    '--discovery-url <url>',
    "the authorizer's discoveryUrl (…/.well-known/openid-configuration)",
    HTTP_URL,
  ),
  allowedAudience: list('--allowed-audience <list>', 'allowedAudience (comma-separated, repeatable)'),
  allowedClients: list('--allowed-clients <list>', 'allowedClients (comma-separated, repeatable)'),
  allowedScopes: list('--allowed-scopes <list>', 'allowedScopes (comma-separated, repeatable)'),
  customClaim: repeated(
    '--custom-claim <name:OP:value>',
    'customClaims rule; OP is EQUALS, CONTAINS or CONTAINS_ANY (value list a,b); repeatable',
  ),
  agentArn: value(
    '--agent-arn <arn>',
    'read the authorizer from this agent runtime (GetAgentRuntime); flags override its fields',
  ),
  gatewayId: value(
    '--gateway-id <id>',
    'read the authorizer from this gateway (GetGateway); flags override its fields',
  ),
};

type VerifyOptions = OptionsOf<typeof VERIFY_OPTIONS>;

export function register(program: Command, run: CliRun): void {
  const cmd = program
    .command('verify')
    .summary("predict a JWT authorizer's verdict on a token")
    .description(
      "Check a JWT as AgentCore's customJWTAuthorizer would: discovery + JWKS, iss, signature, exp (warning " +
        'within 60 s), nbf, aud, client_id, scope and custom claims. Exit 0: would be accepted; 4: would be ' +
        'rejected.',
    )
    .argument('[token]', 'the JWT, or - to read it from stdin');
  addOptions(cmd, VERIFY_OPTIONS)
    .addHelpText(
      'after',
      `
Examples:
  agentcore-auth verify --bearer --agent-arn arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/myAgent-AbCdEf1234
  agentcore-auth verify "$TOKEN" --discovery-url ` +
        `https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC/.well-known/openid-configuration ` +
        `--allowed-clients 4abc…
  pbpaste | agentcore-auth verify - --discovery-url … --allowed-audience api://my-api --custom-claim ` +
        `groups:CONTAINS:admins`,
    )
    .action(defineAction(run, (io, token: string | undefined, opts: VerifyOptions) => verify(io, token, opts)));
}

async function verify(io: Io, tokenArg: string | undefined, opts: VerifyOptions) {
  const { parseCustomClaim, predictAuthorizer, authorizerFromAgent, authorizerFromGateway } = await import(
    '../../core/authorizer-prediction/index.js'
  );

  const flags = authorizerFlags(opts, parseCustomClaim);
  let remote: RemoteAuthorizer | undefined;

  // The token (read before any network call so that usage errors come first).
  const token = await readToken(io, tokenArg, opts);
  io.secrets.add(token);

  if (opts.agentArn) remote = await authorizerFromAgent(io.aws, opts.agentArn);
  else if (opts.gatewayId) remote = await authorizerFromGateway(io.aws, opts.gatewayId);

  const overridden = Object.keys(flags);
  if (remote && remote.mode !== 'jwt') return methodVerdict(io, remote);
  const config: AuthorizerConfig = { ...(remote?.config ?? { discoveryUrl: '' }), ...flags };
  if (remote && overridden.length)
    io.ui.note(`flags override the ${remote.label} authorizer's ${overridden.join(', ')}`);

  const fetch = await retryingFetch(io);
  const prediction = await predictAuthorizer(token, config, {
    fetch,
    now: () => io.ctx.now(),
    target: opts.gatewayId ? 'gateway' : 'runtime',
  });
  for (const w of prediction.warnings) io.ui.warn(w);
  const source = remote
    ? {
        kind: remote.label.split(' ')[0],
        name: remote.label.replace(/^\S+ /, ''),
        ...(remote.arn ? { arn: remote.arn } : {}),
        region: remote.region,
      }
    : { kind: 'flags' };

  return {
    exitCode: prediction.accepted ? EXIT.OK : EXIT.AUTH,
    json: toJson(prediction, config, source),
    human: () => renderHuman(io, prediction, config, remote),
  };
}

/** The authorizer the flags describe (--discovery-url, --allowed-*, --custom-claim), or exit 2 when none is named. */
function authorizerFlags(
  opts: VerifyOptions,
  parseCustomClaim: (raw: string) => NonNullable<AuthorizerConfig['customClaims']>[number],
): Partial<AuthorizerConfig> {
  if (opts.agentArn && opts.gatewayId)
    throw usageError('--agent-arn and --gateway-id are exclusive', 'Verify against one authorizer at a time.');
  const flags: Partial<AuthorizerConfig> = {};
  if (opts.discoveryUrl) flags.discoveryUrl = opts.discoveryUrl;
  if (opts.allowedAudience?.length) flags.allowedAudience = opts.allowedAudience;
  if (opts.allowedClients?.length) flags.allowedClients = opts.allowedClients;
  if (opts.allowedScopes?.length) flags.allowedScopes = opts.allowedScopes;
  if (opts.customClaim?.length) flags.customClaims = opts.customClaim.map(parseCustomClaim);
  if (!opts.agentArn && !opts.gatewayId && !flags.discoveryUrl) {
    throw usageError(
      'no authorizer: pass --discovery-url (and --allowed-*), or --agent-arn / --gateway-id to read it from AgentCore',
      'e.g. agentcore-auth verify TOKEN --discovery-url ' +
        'https://cognito-idp.<region>.amazonaws.com/<pool>/.well-known/openid-configuration ' +
        '--allowed-clients <client id>',
    );
  }
  return flags;
}

/** A throttled or failing IdP (429/5xx, reset) is retried before its answer becomes the discovery/JWKS verdict. */
async function retryingFetch(io: Io): Promise<typeof io.fetch> {
  const { fetchWithRetry } = await import('../../core/http.js');
  return (input, init) =>
    fetchWithRetry(io.fetch, input instanceof Request ? input.url : input.toString(), init ?? {}, retryWithNotes(io));
}

async function readToken(io: Io, arg: string | undefined, opts: VerifyOptions): Promise<string> {
  if (arg !== undefined && opts.bearer !== undefined)
    throw usageError('pass the token as an argument or with --bearer, not both');
  if (opts.idToken && opts.bearer === undefined) throw usageError('--id-token goes with --bearer [NAME]');
  if (typeof opts.bearer === 'string' && opts.bearer.split('.').length === 3 && opts.bearer.length > 40) {
    throw usageError(
      '--bearer takes the name of a cached login, not a token',
      'Pass the token itself as the argument: agentcore-auth verify TOKEN … (or - to read it from stdin).',
    );
  }
  let token: string;
  if (opts.bearer !== undefined) {
    const { resolveBearer } = await import('../bearer.js');
    const resolved = await resolveBearer(io, { bearer: opts.bearer }, { use: opts.idToken ? 'id' : 'access' });
    token = resolved.token;
    io.ui.note(`token: ${resolved.source}`);
  } else if (arg === '-') {
    token = (await readStdin(io.ctx)).trim();
  } else if (arg !== undefined) {
    token = arg.trim();
  } else {
    throw usageError(
      'no token: pass it as an argument, - to read it from stdin, or --bearer [NAME] for a cached login',
    );
  }
  token = token.replace(/^Bearer\s+/i, '');
  if (!token)
    throw usageError('empty token', 'Pass a JWT as an argument, - to read it from stdin, or --bearer [NAME].');
  return token;
}

/** The agent / gateway does not take bearer tokens at all (or takes anything). */
function methodVerdict(io: Io, remote: RemoteAuthorizer) {
  if (remote.mode === 'none') {
    return {
      exitCode: EXIT.OK,
      json: {
        accepted: true,
        verdict: 'accepted',
        authorizer: { source: remote.label, mode: 'NONE' },
        checks: [],
        warnings: [`${remote.label} has no inbound authorization: any caller is accepted`],
      },
      human: () => {
        io.ui.warn(`${remote.label} has no inbound authorization (authorizerType NONE): any caller is accepted`);
        io.out.line('would be accepted');
      },
    };
  }
  const why =
    `${remote.label} has no customJWTAuthorizer: it takes IAM SigV4 only, so a bearer call gets ` +
    `403 "${MESSAGES.methodMismatch}"`;
  const fix = remote.label.startsWith('agent')
    ? 'invoke it with SigV4 (agentcore-auth invoke --auth sigv4, plus --user-id for a workload token), or add ' +
      'a customJWTAuthorizer to the agent'
    : 'call the gateway with SigV4, or configure authorizerType CUSTOM_JWT';
  const check: AuthorizerCheck = {
    claim: 'authorizer',
    status: 'fail',
    actual: 'bearer JWT',
    expected: 'SigV4 (IAM)',
    why,
    fix,
    response: { status: 403, message: MESSAGES.methodMismatch, confirmed: true },
  };
  return {
    exitCode: EXIT.AUTH,
    json: {
      accepted: false,
      verdict: 'rejected',
      rejected: pick(check),
      authorizer: { source: remote.label, mode: 'SIGV4', ...(remote.arn ? { arn: remote.arn } : {}) },
      checks: [check],
      warnings: [],
    },
    human: () => {
      io.out.line(`would be rejected: authorizer — ${why} — ${fix}`);
    },
  };
}

/** The rejection in --json: the failing check, plus the error code of the exit-codes table (exit 4). */
function pick(c: AuthorizerCheck) {
  return {
    code: 'ERR_VERIFY_REJECTED',
    claim: c.claim,
    why: c.why,
    fix: c.fix,
    ...(c.response ? { response: c.response } : {}),
  };
}

function toJson(p: Prediction, config: AuthorizerConfig, source: Record<string, unknown>) {
  return {
    accepted: p.accepted,
    verdict: p.accepted ? 'accepted' : 'rejected',
    ...(p.verdict ? { rejected: pick(p.verdict) } : {}),
    checks: p.checks,
    warnings: p.warnings,
    ...(p.token
      ? {
          token: {
            type: p.token.profile.label,
            idp: p.token.profile.idp,
            kind: p.token.profile.kind,
            iss: p.token.iss,
            sub: p.token.sub,
            exp: p.token.exp,
          },
        }
      : {}),
    authorizer: { source, mode: 'CUSTOM_JWT', ...config },
    discovery: p.discovery,
  };
}

const SYMBOL: Record<AuthorizerCheck['status'], string> = { pass: '✓', fail: '✗', warn: '!', skip: '–' };

function renderHuman(io: Io, p: Prediction, config: AuthorizerConfig, remote: RemoteAuthorizer | undefined): void {
  const c = new Chalk({ level: colorEnabled(io.ctx.stdout, io.ctx.env, io.globals.color) ? 1 : 0 });
  const paint = (s: AuthorizerCheck['status'], text: string) =>
    s === 'pass' ? c.green(text) : s === 'fail' ? c.red(text) : s === 'warn' ? c.yellow(text) : c.dim(text);
  const lines: string[] = [];
  lines.push(
    `${c.bold('authorizer')}  ${remote ? `${remote.label}${remote.arn ? ` (${remote.arn})` : ''}` : 'from flags'}`,
  );
  const rows: Array<[string, string | undefined]> = [
    ['discoveryUrl', config.discoveryUrl],
    ['allowedAudience', config.allowedAudience?.join(', ')],
    ['allowedClients', config.allowedClients?.join(', ')],
    ['allowedScopes', config.allowedScopes?.join(', ')],
    ['customClaims', config.customClaims?.map((r) => `${r.name}:${r.operator}:${r.values.join(',')}`).join('  ')],
  ];
  const kw = Math.max(...rows.filter((r) => r[1]).map((r) => r[0].length));
  for (const [k, v] of rows) if (v) lines.push(`  ${c.dim(k.padEnd(kw))}  ${v}`);
  lines.push('');
  const table = [
    ['check', '', 'token', 'authorizer'],
    ...p.checks.map((ch) => [ch.claim, SYMBOL[ch.status], ch.actual ?? '', ch.expected ?? '']),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...table.map((r) => visibleLength(r[i]!))));
  table.forEach((r, ri) => {
    const status = ri === 0 ? undefined : p.checks[ri - 1]!.status;
    const cells = r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell));
    if (status) cells[1] = paint(status, cells[1]!);
    const line = `  ${cells.join('  ')}`.trimEnd();
    lines.push(ri === 0 ? c.bold(line) : line);
  });
  lines.push('');
  if (p.accepted) {
    lines.push(c.green('would be accepted'));
  } else {
    const v = p.verdict!;
    lines.push(`${c.red('would be rejected:')} ${v.claim} — ${v.why} — ${v.fix}`);
    if (v.response) {
      const msg = v.response.message ? ` "${v.response.message}"` : ' (message not recorded)';
      lines.push(
        c.dim(
          `AgentCore answers ${v.response.status}${msg}` +
            (v.response.confirmed ? '' : ' — expected; not confirmed against the live service'),
        ),
      );
    }
    const more = p.checks.filter((x) => x.status === 'fail' && x !== p.verdict);
    if (more.length) {
      lines.push(`also failing (AgentCore names only the first):`);
      for (const ch of more) lines.push(`  ${c.red(ch.claim)} — ${ch.why} — ${ch.fix}`);
    }
  }
  for (const l of lines) io.out.line(l);
}
