/**
 * `policy validate FILE… [--tools FILE | --gateway-id ID]`: every problem with file:line (stdout); exit 2 when any is
 * an error. With --gateway-id the schema is the deployed gateway's (its targets' tools, ARN and authorizer type).
 */
import { EXIT } from '../../../core/errors.js';
import type { Outcome } from '../../command.js';
import type { Io } from '../../io.js';
import type { ReadGatewayModel } from '../../../core/policy/validate.js';
import type { ValidateOptions } from './options.js';

export async function validateCommand(io: Io, files: string[], opts: ValidateOptions): Promise<Outcome> {
  const mode = opts.validationMode;
  const { parseData, readText, formatDiagnostic } = await import('../../../core/policy/load.js');
  const { validateFiles } = await import('../../../core/policy/validate.js');
  const { resolve } = await import('node:path');
  const tools = opts.tools
    ? { doc: parseData(await readText(resolve(io.ctx.cwd, opts.tools), 'tools file'), opts.tools), file: opts.tools }
    : undefined;
  let deployed: ReadGatewayModel | undefined;
  if (opts.gatewayId) {
    const { readGateway } = await import('./gateway.js');
    const { gatewayPolicyContext } = await import('../../../core/policy/gateway.js');
    const read = await readGateway(io, opts.gatewayId, false);
    const ctx = gatewayPolicyContext(read, { policies: [], ...(tools ? { tools } : {}), uses: [] });
    const covered = new Set(ctx.gateway.targets.map((t) => t.name));
    const unlisted = read.unlisted.filter((t) => !covered.has(t));
    if (unlisted.length)
      io.ui.note(
        `the tools of ${unlisted.join(', ')} are the gateway's catalogue, not in the control plane: policies ` +
          'naming them are checked for syntax and scope only (pass --tools FILE, the gateway tools/list)',
      );
    deployed = { gateway: ctx.gateway, unlisted };
  }
  const r = await validateFiles(files, {
    cwd: io.ctx.cwd,
    mode,
    ...(tools ? { tools } : {}),
    ...(opts.gatewayArn ? { gatewayArn: opts.gatewayArn } : {}),
    ...(deployed ? { deployed } : {}),
  });
  if (!r.schemaChecked)
    io.ui.note('no --tools or --gateway-id: only parse and scope checks ran (the schema needs the tools)');
  const summary =
    `${r.policies} polic${r.policies === 1 ? 'y' : 'ies'} in ` +
    `${r.files.length} file${r.files.length === 1 ? '' : 's'}: ` +
    `${r.errors} error${r.errors === 1 ? '' : 's'}, ${r.warnings} warning${r.warnings === 1 ? '' : 's'}`;
  return {
    exitCode: r.errors ? EXIT.USAGE : EXIT.OK,
    json: r,
    human: () => {
      for (const d of r.diagnostics) io.out.line(formatDiagnostic(d));
      io.out.line(summary);
    },
  };
}
