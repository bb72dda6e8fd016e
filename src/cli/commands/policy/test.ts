/**
 * `policy test FILE [--junit FILE]`: the table of cases (core/policy/table.ts) → PASS/FAIL lines, exit 6 on a miss.
 * A table with `gateway:` reads that gateway from the control plane (./gateway.ts); others run offline.
 */
import { Chalk } from 'chalk';
import { AgentcoreAuthError, EXIT } from '../../../core/errors.js';
import type { Outcome } from '../../command.js';
import type { Io } from '../../io.js';
import { colorEnabled } from '../../render/ui.js';
import type { TestOptions } from './options.js';

export async function testCommand(io: Io, file: string, opts: TestOptions): Promise<Outcome> {
  const { loadPolicyTest, runPolicyTests } = await import('../../../core/policy/table.js');
  const { policyJunitXml, policyTestRecord, renderTable } = await import('../../../core/policy/report.js');
  const { readGateway } = await import('./gateway.js');
  const run = runPolicyTests(await loadPolicyTest(file, io.ctx.cwd, (id, policies) => readGateway(io, id, policies)));
  for (const n of run.notes) io.ui.note(n);
  if (opts.junit) {
    const { mkdir, writeFile } = await import('node:fs/promises');
    const { dirname, resolve } = await import('node:path');
    const target = resolve(io.ctx.cwd, opts.junit);
    try {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, policyJunitXml(run, new Date(io.ctx.now())));
    } catch (e) {
      throw new AgentcoreAuthError(
        'ERR_CONFIG',
        `cannot write the JUnit report to ${opts.junit}: ${(e as Error).message}`,
      );
    }
    io.ui.note(`JUnit report: ${opts.junit}`);
  }
  const c = new Chalk({ level: colorEnabled(io.ctx.stdout, io.ctx.env, io.globals.color) ? 1 : 0 });
  const paint = (kind: 'pass' | 'fail' | 'dim', t: string) =>
    kind === 'pass' ? c.green(t) : kind === 'fail' ? c.red.bold(t) : c.dim(t);
  return {
    exitCode: run.failed ? EXIT.EXPECTATION : EXIT.OK,
    json: policyTestRecord(run),
    human: () => {
      for (const line of renderTable(run, paint)) io.out.line(line);
    },
  };
}
