/**
 * What `setup` and `teardown` share at the CLI level: the run's region, the dependencies their plans take (the step
 * events go to the run's renderer), and one way to turn a failed step into the error the user sees.
 */
import type { Io } from './io.js';
import type { SetupDeps } from '../core/setup/types.js';
import { withSteps } from './plan-output.js';

export interface SetupSession {
  deps: SetupDeps;
  region: string;
  /**
   * Rethrows `e` as the user sees it: a failed step names the step, the AWS error and the clean-up (and, with --json,
   * carries the steps: `before`, the steps of an earlier plan of the same run, then the failed plan's).
   */
  fail(e: unknown, before?: readonly import('../core/plan.js').StepRecord[]): never;
}

export async function openSetupSession(
  io: Io,
  command: 'setup' | 'teardown',
  name: string,
  headline: (region: string) => string,
): Promise<SetupSession> {
  const [{ StepFailure }, report, { serviceBaseUrl, requireRegion }] = await Promise.all([
    import('../core/setup/types.js'),
    import('../core/setup/report.js'),
    import('../core/aws.js'),
  ]);
  const region = requireRegion(io.aws.region());
  const cognito = await io.aws.cognito(region);
  io.ui.info(headline(region));
  const deps: SetupDeps = {
    cognito,
    control: () => io.aws.control(region),
    region,
    cognitoBaseUrl: serviceBaseUrl(io.ctx.env, 'cognito', region, io.globals.endpointUrl),
    secrets: io.secrets,
    randomId: () => io.ctx.randomId(),
    signal: io.ctx.signal,
    now: () => io.ctx.now(),
    emit: io.steps,
  };
  const fail = (e: unknown, before: readonly import('../core/plan.js').StepRecord[] = []): never => {
    if (e instanceof StepFailure) {
      throw withSteps(io, report.setupFailure(e, command, name, e.partial), [...before, ...e.records]);
    }
    throw withSteps(io, e, before);
  };
  return { deps, region, fail };
}
