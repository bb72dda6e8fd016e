/** `policy validate FILE… [--tools FILE]`: every problem with file:line (stdout); exit 2 when any is an error. */
import { EXIT } from '../../../core/errors.js';
import type { Outcome } from '../../command.js';
import type { Io } from '../../io.js';
import type { ValidateOptions } from './options.js';

export async function validateCommand(io: Io, files: string[], opts: ValidateOptions): Promise<Outcome> {
  const mode = opts.validationMode;
  const { parseData, readText, formatDiagnostic } = await import('../../../core/policy/load.js');
  const { validateFiles } = await import('../../../core/policy/validate.js');
  const { resolve } = await import('node:path');
  const tools = opts.tools
    ? { doc: parseData(await readText(resolve(io.ctx.cwd, opts.tools), 'tools file'), opts.tools), file: opts.tools }
    : undefined;
  const r = await validateFiles(files, {
    cwd: io.ctx.cwd,
    mode,
    ...(tools ? { tools } : {}),
    ...(opts.gatewayArn ? { gatewayArn: opts.gatewayArn } : {}),
  });
  if (!r.schemaChecked) io.ui.note('no --tools: only parse and scope checks ran (the schema needs the tools)');
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
