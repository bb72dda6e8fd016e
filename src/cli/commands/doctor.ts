/**
 * `doctor`: a checklist of an AgentCore auth setup — credentials and region, endpoints, the agent runtime (exists,
 * READY, inbound mode and what a caller must send, Authorization in the header allowlist), the workload identity's
 * return URLs, the credential provider's status and callbackUrl, and the cached tokens (and whether the agent's
 * authorizer would accept each). Exit 0 when nothing fails, 4 when something does. Warnings do not fail.
 */
import { Chalk } from 'chalk';
import type { Command } from 'commander';
import { EXIT } from '../../core/errors.js';
import { addOptions, value, type OptionsOf } from '../options.js';
import { defineAction, type CliRun } from '../command.js';
import type { Io } from '../io.js';
import { colorEnabled } from '../render/ui.js';
import type { DoctorCheck, DoctorStatus } from '../../core/doctor/checks.js';

const DOCTOR_OPTIONS = {
  agentArn: value('--agent-arn <arn>', 'the agent runtime to check (ARN, or runtime id with --region)'),
  workloadName: value('--workload-name <name>', "the workload identity to check (default: the agent's)"),
  provider: value('--provider <name>', 'the OAuth2 (or API key) credential provider to check'),
  gatewayId: value('--gateway-id <id>', 'a gateway: inbound, targets and their credentials, Lambdas, policy engine'),
};

type DoctorOptions = OptionsOf<typeof DOCTOR_OPTIONS>;

export function register(program: Command, run: CliRun): void {
  const cmd = program
    .command('doctor')
    .summary('check an agent, workload identity or credential provider setup')
    .description(
      'A checklist of an AgentCore auth setup, each line ✓ / ✗ / ! with the fix: AWS region and credentials, ' +
        "endpoints, the agent runtime (READY, inbound mode, header allowlist), the workload identity's " +
        "return URLs, the credential provider's status and callbackUrl, and the cached tokens. Exit 0 when " +
        'nothing fails, 4 otherwise.',
    );
  addOptions(cmd, DOCTOR_OPTIONS)
    .addHelpText(
      'after',
      `
Examples:
  agentcore-auth doctor --agent-arn arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/myAgent-AbCdEf1234
  agentcore-auth doctor --workload-name my-app --provider github --region us-east-1
  agentcore-auth doctor --gateway-id my-gw-abc1234567`,
    )
    .action(defineAction(run, (io, opts: DoctorOptions) => doctor(io, opts)));
}

const SYMBOL: Record<DoctorStatus, string> = { pass: '✓', fail: '✗', warn: '!', skip: '–' };

async function doctor(io: Io, opts: DoctorOptions) {
  const { runDoctor } = await import('../../core/doctor/checks.js');
  const { cacheLocation } = await import('../bearer.js');
  const report = await runDoctor(
    {
      ...(opts.agentArn ? { agentArn: opts.agentArn } : {}),
      ...(opts.workloadName ? { workloadName: opts.workloadName } : {}),
      ...(opts.provider ? { provider: opts.provider } : {}),
      ...(opts.gatewayId ? { gatewayId: opts.gatewayId } : {}),
      ...(io.globals.region ? { regionFlag: io.globals.region } : {}),
      ...(io.globals.endpointUrl ? { endpointUrlFlag: io.globals.endpointUrl } : {}),
    },
    { aws: io.aws, fetch: io.http(10_000), env: io.ctx.env, cache: cacheLocation(io), now: () => io.ctx.now() },
  );
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  const warned = report.checks.filter((c) => c.status === 'warn').length;
  return {
    exitCode: report.ok ? EXIT.OK : EXIT.AUTH,
    json: {
      ok: report.ok,
      ...(report.ok ? {} : { code: 'ERR_CHECK_FAILED' }),
      failed,
      warnings: warned,
      checks: report.checks,
    },
    human: () => {
      const c = new Chalk({ level: colorEnabled(io.ctx.stdout, io.ctx.env, io.globals.color) ? 1 : 0 });
      for (const ch of report.checks) io.out.line(line(c, ch));
      io.out.line('');
      const summary = failed
        ? c.red(
            `${failed} check${failed === 1 ? '' : 's'} failed${
              warned ? `, ${warned} ` + `warning${warned === 1 ? '' : 's'}` : ''
            }`,
          )
        : warned
          ? c.yellow(`no check failed; ${warned} warning${warned === 1 ? '' : 's'}`)
          : c.green('all checks passed');
      io.out.line(summary);
    },
  };
}

function line(c: InstanceType<typeof Chalk>, ch: DoctorCheck): string {
  const sym =
    ch.status === 'pass'
      ? c.green(SYMBOL.pass)
      : ch.status === 'fail'
        ? c.red(SYMBOL.fail)
        : ch.status === 'warn'
          ? c.yellow(SYMBOL.warn)
          : c.dim(SYMBOL.skip);
  const parts = [`${sym} ${ch.label}`];
  if (ch.detail) parts.push(ch.status === 'skip' ? c.dim(ch.detail) : ch.detail);
  if (ch.fix && (ch.status === 'fail' || ch.status === 'warn')) parts.push(`fix: ${ch.fix}`);
  return parts.join(' — ');
}
