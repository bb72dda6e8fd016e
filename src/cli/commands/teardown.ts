/**
 * `teardown --name NAME`: delete exactly what `setup --name NAME` made (found by tag and exact name), in dependency
 * order: credential provider, workload identity, hosted-UI domain, user pool (with its clients, resource server and
 * users). Asks on a terminal; elsewhere it needs --yes. Logic: core/setup/run.ts.
 */
import type { Command } from 'commander';
import { addOptions, flag, required, value, type OptionsOf } from '../options.js';
import { defineAction, type Outcome, type CliRun } from '../command.js';
import { noPromptReason } from '../context.js';
import type { Io } from '../io.js';
import type { StepsJson } from '../plan-output.js';

const TEARDOWN_OPTIONS = {
  name: required(value('--name <name>', 'the NAME given to setup')),
  yes: flag('-y, --yes', 'delete without asking'),
  dryRun: flag('--dry-run', 'only list what would be deleted (read calls only)'),
};

type TeardownOptions = OptionsOf<typeof TEARDOWN_OPTIONS>;

export function register(program: Command, run: CliRun): void {
  const cmd = program
    .command('teardown')
    .summary('delete what `setup --name NAME` created (by tag and exact name)')
    .description(
      'Delete exactly what `setup --name NAME` created, found by the user pool tag agentcore-auth:setup=NAME ' +
        'and the exact names agentcore-auth-NAME (never by a pattern), in dependency order: OAuth2 ' +
        'credential provider, workload identity, hosted-UI domain, user pool (its app clients, resource ' +
        'server and users go with it). A pool with the same name but without the tag is left alone. Asks ' +
        'before deleting on a terminal; without a terminal (CI) it needs --yes.',
    );
  addOptions(cmd, TEARDOWN_OPTIONS)
    .addHelpText(
      'after',
      `
Examples:
  agentcore-auth teardown --name dev --dry-run
  agentcore-auth teardown --name dev --yes`,
    )
    .action(defineAction(run, (io: Io, opts: TeardownOptions) => teardown(io, opts)));
}

async function teardown(io: Io, opts: TeardownOptions): Promise<Outcome<TeardownJson>> {
  const { setupNames } = await import('../../core/setup/names.js');
  const names = setupNames(opts.name);
  const { usageError } = await import('../../core/errors.js');
  const noAsk = noPromptReason(io.ctx);
  if (!opts.yes && !opts.dryRun && noAsk) {
    throw usageError(
      `teardown deletes AWS resources: pass --yes to confirm (no prompt: ${noAsk})`,
      `See first what it would delete: agentcore-auth teardown --name ${names.name} --dry-run`,
    );
  }
  const td = await import('../../core/setup/teardown-plan.js');
  const report = await import('../../core/setup/report.js');
  const { openSetupSession } = await import('../setup-session.js');
  const { deps, region, fail } = await openSetupSession(
    io,
    'teardown',
    names.name,
    (region) => `${opts.dryRun ? 'Dry run (read calls only): ' : ''}teardown --name ${names.name} in ${region}`,
  );

  let found: Awaited<ReturnType<typeof td.planTeardown>>;
  try {
    found = await td.planTeardown(deps, names.name);
  } catch (e) {
    return fail(e);
  }
  const { plan } = found;
  notePlan(io, plan, names.name);
  const json = (deleting: StepsJson, cancelled = false): TeardownJson => ({
    name: plan.name,
    region: plan.region,
    dryRun: !!opts.dryRun,
    ...(cancelled ? { cancelled: true } : {}),
    items: plan.items.map((i) => ({ ...i, description: report.describeItem(i) })),
    ...(plan.ignoredPools.length ? { ignoredPools: plan.ignoredPools } : {}),
    ...(plan.unchecked.length ? { unchecked: plan.unchecked } : {}),
    steps: [...found.records, ...deleting],
  });
  const skip = await notDeleting(io, opts, plan, region, report.describeItem);
  if (skip) return { json: json(td.skipTeardown(deps, skip.reason), skip.cancelled), human: skip.human };
  let deleting: StepsJson;
  try {
    deleting = await td.runTeardown(deps, plan);
  } catch (e) {
    return fail(e, found.records);
  }
  return {
    json: json(deleting),
    human: () => {
      const removed = plan.items.filter((i) => i.status === 'deleted').length;
      io.ui.success(`teardown --name ${names.name}: removed ${removed} resource(s)`);
      for (const i of plan.items)
        io.out.line(`  ${i.status === 'deleted' ? 'deleted' : 'already gone'}  ${report.describeItem(i)}`);
    },
  };
}

type Plan = import('../../core/setup/types.js').TeardownPlan;
type Item = Plan['items'][number];

/** Resources teardown could not check, and pools of the same name it leaves alone. */
function notePlan(io: Io, plan: Plan, name: string): void {
  for (const u of plan.unchecked)
    io.ui.warn(
      `could not check ${u} (no permission?): if setup ran with --with-identity, delete it yourself or grant ` +
        'the permissions `agentcore-auth help iam` lists',
    );
  if (plan.ignoredPools.length)
    io.ui.note(
      `pools named agentcore-auth-${name} without the tag ${name}, left alone: ${plan.ignoredPools.join(', ')}`,
    );
}

/** Why nothing is deleted (nothing to remove, --dry-run, the prompt answered no), or undefined: go ahead. */
async function notDeleting(
  io: Io,
  opts: TeardownOptions,
  plan: Plan,
  region: string,
  describe: (i: Item) => string,
): Promise<{ reason: string; cancelled?: boolean; human: () => void } | undefined> {
  const listing = () => plan.items.map((i, k) => `  ${k + 1}. ${describe(i)}`);
  if (plan.items.length === 0) {
    return {
      reason: 'nothing to remove',
      human: () => io.ui.success(`nothing to remove: no resources of setup --name ${plan.name} in ${region}`),
    };
  }
  if (opts.dryRun) {
    return {
      reason: 'dry run: nothing is deleted',
      human: () => {
        io.ui.success(`dry run: teardown would delete, in this order (no write call was made):`);
        for (const l of listing()) io.out.line(l);
      },
    };
  }
  if (opts.yes) return undefined;
  io.ui.line('teardown will delete, in this order:');
  for (const l of listing()) io.ui.line(l);
  const answer = (await io.ctx.prompt(`Delete these ${plan.items.length} resources? [y/N] `)).trim().toLowerCase();
  if (answer === 'y' || answer === 'yes') return undefined;
  return {
    reason: 'cancelled: nothing was deleted',
    cancelled: true,
    human: () => io.ui.info('cancelled: nothing was deleted'),
  };
}

/** `teardown --json`. */
interface TeardownJson {
  name: string;
  region: string;
  dryRun: boolean;
  cancelled?: boolean;
  items: Array<import('../../core/setup/types.js').TeardownItem & { description: string }>;
  ignoredPools?: string[];
  unchecked?: string[];
  steps: StepsJson;
}
