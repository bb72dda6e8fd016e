/**
 * `policy check`: flags → caller, policies, tools → one decision (core/policy/check.ts) → exit 0 allow, 4 deny. The
 * policies and tools are a deployed gateway's (--gateway-id, read from the control plane) or files (offline).
 */
import { Chalk } from 'chalk';
import { EXIT, usageError } from '../../../core/errors.js';
import type { Caller } from '../../../policy-model/index.js';
import type { Outcome } from '../../command.js';
import type { Io } from '../../io.js';
import { colorEnabled } from '../../render/ui.js';
import type { CheckOptions } from './options.js';

async function callerOf(io: Io, opts: CheckOptions) {
  const { callerFromClaims, callerFromIamArn, callerFromToken } = await import('../../../core/policy/caller.js');
  const given = [
    opts.bearerToken !== undefined && '--bearer-token',
    opts.bearer !== undefined && '--bearer',
    opts.claims !== undefined && '--claims',
    opts.iamArn !== undefined && '--iam-arn',
  ].filter(Boolean);
  // Two callers are refused while the options parse (conflicts in options.ts).
  if (!given.length)
    throw usageError('no caller', 'Pass one of --bearer-token JWT, --bearer [NAME], --claims JSON or --iam-arn ARN.');
  if (opts.idToken && opts.bearer === undefined) throw usageError('--id-token goes with --bearer [NAME]');
  if (opts.claims !== undefined) return callerFromClaims(opts.claims, '--claims');
  if (opts.iamArn !== undefined) return callerFromIamArn(opts.iamArn);
  const { resolveBearer } = await import('../../bearer.js');
  const r = await resolveBearer(
    io,
    opts.bearerToken !== undefined ? { bearerToken: opts.bearerToken } : { bearer: opts.bearer! },
    { use: opts.idToken ? 'id' : 'access' },
  );
  const from = r.source === 'flag' ? '--bearer-token' : r.source === 'stdin' ? '--bearer-token - (stdin)' : r.source;
  io.ui.note(`caller: the claims of the token from ${from} (decoded, not verified)`);
  return callerFromToken(r.token);
}

/** The decision context: a deployed gateway (--gateway-id) or files (--policy-file, --tools, --gateway-arn). */
async function contextOf(io: Io, opts: CheckOptions, caller: Caller) {
  const load = await import('../../../core/policy/load.js');
  const { resolve } = await import('node:path');
  const files = opts.policyFile ?? [];
  const tools = opts.tools
    ? {
        doc: load.parseData(await load.readText(resolve(io.ctx.cwd, opts.tools), 'tools file'), opts.tools),
        file: opts.tools,
      }
    : undefined;
  const uses = [{ tool: opts.tool, input: opts.input }];
  if (opts.gatewayId) {
    const { readGateway } = await import('./gateway.js');
    const { gatewayPolicyContext } = await import('../../../core/policy/gateway.js');
    const read = await readGateway(io, opts.gatewayId, !files.length);
    const policies = files.length ? (await load.loadPolicyFiles(files, io.ctx.cwd)).policies : undefined;
    return {
      read,
      ctx: gatewayPolicyContext(read, { ...(policies ? { policies } : {}), ...(tools ? { tools } : {}), uses }),
    };
  }
  if (!files.length)
    throw usageError(
      'no policies to decide with',
      'Pass --gateway-id ID (a deployed gateway) or --policy-file FILE (Cedar policies, offline).',
    );
  const ctx = load.policyContext({
    policies: await load.loadPolicyFiles(files, io.ctx.cwd),
    ...(tools ? { tools } : {}),
    uses,
    ...(opts.gatewayArn ? { gatewayArn: opts.gatewayArn } : {}),
    ...(caller.kind === 'iam' ? { authorizerType: 'AWS_IAM' } : {}),
  });
  return { ctx };
}

export async function checkCommand(io: Io, opts: CheckOptions): Promise<Outcome> {
  const caller = await callerOf(io, opts);
  const { compileContext, decide, renderCheck } = await import('../../../core/policy/check.js');
  const { ctx, read } = await contextOf(io, opts, caller);
  for (const n of ctx.notes) io.ui.note(n);
  const decided = decide(ctx, compileContext(ctx), { caller, tool: opts.tool, input: opts.input });
  const result = read
    ? {
        ...decided,
        gatewayId: read.gatewayId,
        ...(read.engine && !opts.policyFile?.length ? { engine: read.engine } : {}),
        ...(read.engine ? { mode: read.engine.mode } : {}),
      }
    : decided;
  const c = new Chalk({ level: colorEnabled(io.ctx.stdout, io.ctx.env, io.globals.color) ? 1 : 0 });
  return {
    exitCode: result.decision === 'allow' ? EXIT.OK : EXIT.AUTH,
    json: result,
    human: () => {
      for (const line of renderCheck(result, (ok, t) => (ok ? c.green.bold(t) : c.red.bold(t)))) io.out.line(line);
    },
  };
}
