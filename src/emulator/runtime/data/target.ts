/**
 * Which runtime endpoint a data-plane request is for: the path label (a runtime ARN, or a runtime id with the
 * `accountId` query) and the `qualifier` query (an endpoint name; DEFAULT when omitted), in AgentCore's wording.
 */
import { PATTERNS } from '../../../wire.js';
import { ApiError, notFound, validation, validationMessage } from '../../api/errors.js';
import type { EmuRequest } from '../../server.js';
import { runtimeArn, type AgentConfig } from '../config.js';
import type { RuntimeEntry } from '../registry.js';
import type { RuntimeContext } from '../runtime-context.js';

export interface Target {
  entry: RuntimeEntry;
  /** The configuration the endpoint serves (DEFAULT: the latest version). */
  agent: AgentConfig;
  arn: string;
  qualifier: string;
}

function runtimeIdOf(ctx: RuntimeContext, label: string, query: URLSearchParams): { arn: string; id?: string } {
  const byArn = ctx.arnLabelOf(label);
  if (byArn) return byArn;
  const { region, accountId } = ctx.deps;
  if (!PATTERNS.runtimeId.test(label))
    throw validationMessage(
      `${JSON.stringify(label)} is not a runtime ARN (arn:aws:bedrock-agentcore:<region>:<account>:runtime/<id>) ` +
        'or runtime ID (<name>-<10 characters>)',
    );
  const account = query.get('accountId');
  if (!account)
    throw new ApiError(
      400,
      'ValidationException',
      'accountId is required when agentRuntimeArn is a runtime ID rather than an ARN',
    );
  if (!PATTERNS.accountId.test(account))
    throw validation('accountId', 'Member must satisfy regular expression pattern: [0-9]{12}');
  const arn = runtimeArn(region, account, label);
  return account === accountId ? { arn, id: label } : { arn };
}

/** The path label + query → the endpoint's runtime and configuration; throws the service's error otherwise. */
export function resolveTarget(ctx: RuntimeContext, req: EmuRequest, label: string): Target {
  const query = ctx.queryOf(req.rawQuery);
  const qualifier = query.get('qualifier') ?? 'DEFAULT';
  const { arn, id } = runtimeIdOf(ctx, label, query);
  const entry = id ? ctx.registry.get(id) : undefined;
  if (!entry) {
    const ids = ctx.registry.agents.map((a) => a.id).join(', ');
    throw notFound(`No agent runtime ${arn} in this local stack (agents: ${ids})`);
  }
  const agent = entry.served(qualifier);
  if (!agent) {
    const names = [...entry.endpoints.keys()].join(', ');
    throw notFound(`No endpoint named '${qualifier}' for agent runtime ${arn} (its endpoints: ${names})`);
  }
  return { entry, agent, arn: entry.arn, qualifier };
}
