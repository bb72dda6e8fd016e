/**
 * `--gateway-id ID` (check, validate) and a test table's `gateway:`: the gateway read from the control plane with the
 * CLI's SDK client (core/policy/gateway.ts), in the run's region; what was read is narrated on stderr.
 */
import type { GatewayPolicyRead } from '../../../core/policy/gateway.js';
import type { Io } from '../../io.js';

export async function readGateway(io: Io, gatewayId: string, policies: boolean): Promise<GatewayPolicyRead> {
  const { requireRegion } = await import('../../../core/aws.js');
  const { readGatewayForPolicy } = await import('../../../core/policy/gateway.js');
  const region = requireRegion(io.aws.region());
  const read = await readGatewayForPolicy(await io.aws.control(region), gatewayId, {
    policies,
    region,
    signal: io.ctx.signal,
  });
  const engine = read.engine ? `policy engine ${read.engine.id} (${read.engine.mode})` : 'no policy engine';
  const tools = read.targets.reduce((n, t) => n + t.tools.length, 0);
  io.ui.note(
    `gateway ${gatewayId} (${read.authorizerType ?? '?'}): ${engine}, ` +
      `${tools} tool${tools === 1 ? '' : 's'} from the control plane` +
      (read.unlisted.length ? `, targets without listed tools: ${read.unlisted.join(', ')}` : ''),
  );
  return read;
}
