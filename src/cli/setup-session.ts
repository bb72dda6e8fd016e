/**
 * What `setup` and `teardown` share at the CLI level: the run's region, the step timeline,
 * the dependencies core/setup/run.ts takes, and one way to turn a failed step into the error the user sees.
 */
import type { Io } from './io.js';
import type { SetupDeps, SetupResult } from '../core/setup/run.js';

export interface SetupSession {
  deps: SetupDeps;
  region: string;
  /** Rethrows `e` as the user sees it: a failed step names the step, the AWS error and the clean-up (and, with --json, carries the steps). */
  fail(e: unknown, partial?: SetupResult): never;
}

export async function openSetupSession(
  io: Io,
  command: 'setup' | 'teardown',
  name: string,
  plannedSteps: number,
  headline: (region: string) => string,
): Promise<SetupSession> {
  const run = await import('../core/setup/run.js');
  const report = await import('../core/setup/report.js');
  const { AgentcoreAuthError } = await import('../core/errors.js');
  const { Timeline } = await import('../core/identity/timeline.js');
  const { serviceBaseUrl, requireRegion } = await import('../core/aws.js');
  const region = requireRegion(io.aws.region());
  const cognito = await io.aws.cognito(region);
  io.ui.info(headline(region));
  const timeline = new Timeline(io.ui, () => io.ctx.now(), plannedSteps);
  const deps: SetupDeps = {
    cognito,
    control: () => io.aws.control(region),
    region,
    cognitoBaseUrl: serviceBaseUrl(io.ctx.env, 'cognito', region, io.globals.endpointUrl),
    timeline,
    ui: io.ui,
    secrets: io.secrets,
    randomId: () => io.ctx.randomId(),
    signal: io.ctx.signal,
  };
  const fail = (e: unknown, partial?: SetupResult): never => {
    if (e instanceof run.StepFailure) {
      const err = report.setupFailure(e, command, name, partial);
      if (io.globals.json) err.details.steps = timeline.steps;
      throw err;
    }
    if (e instanceof AgentcoreAuthError && io.globals.json) e.details.steps = timeline.steps;
    throw e;
  };
  return { deps, region, fail };
}
