/**
 * Which runtime to call: a full ARN (region and account taken from it), a runtime id with an account id, or an agent
 * name looked up in a project file of the working directory (read only, never written).
 */
import { inputError, usageError } from '../errors.js';
import { PATTERNS } from '../../wire.js';
import { findProjectAgent, type ProjectAgent } from './project.js';

export interface RuntimeTarget {
  /** What goes into the path label: the full ARN, or the bare runtime id (then `accountId` goes into the query). */
  pathLabel: string;
  /** The full ARN when known (given, or built from id + account + region). */
  arn?: string;
  runtimeId: string;
  /** Query `accountId`: only when the path label is a bare runtime id. */
  accountId?: string;
  /** Region carried by the ARN (wins over flags and env; a call elsewhere could never succeed). */
  region?: string;
  qualifier: string;
  /** Where the target came from, for the narrative. */
  source: string;
  name?: string;
}

export interface TargetOptions {
  accountId?: string;
  qualifier?: string;
  cwd: string;
}

export interface ParsedArn {
  partition: string;
  region: string;
  accountId: string;
  runtimeId: string;
}

const ARN_PARTS =
  /^arn:(aws[a-z-]*):bedrock-agentcore:([a-z0-9-]+):([0-9]{12}):runtime\/([A-Za-z][A-Za-z0-9_]{0,99}-[A-Za-z0-9]{10})$/;

export function parseRuntimeArn(arn: string): ParsedArn | undefined {
  const m = ARN_PARTS.exec(arn.trim());
  if (!m) return undefined;
  return { partition: m[1]!, region: m[2]!, accountId: m[3]!, runtimeId: m[4]! };
}

/** Runtime ids are `<runtimeName>-<10 alphanumerics>`; names alone are `[A-Za-z][A-Za-z0-9_]{0,47}` (no dash). */
export function isRuntimeId(value: string): boolean {
  return PATTERNS.runtimeId.test(value);
}

export async function resolveTarget(ref: string, options: TargetOptions): Promise<RuntimeTarget> {
  const value = ref.trim();
  const qualifier = options.qualifier?.trim() || 'DEFAULT';
  if (options.accountId !== undefined && !PATTERNS.accountId.test(options.accountId)) {
    throw usageError(`--account-id must be 12 digits, got "${options.accountId}"`);
  }
  if (!value)
    throw usageError(
      'no agent given',
      'Pass an agent runtime ARN, a runtime id with --account-id, or an agent name from your project file.',
    );

  if (value.startsWith('arn:')) {
    const parsed = parseRuntimeArn(value);
    if (!parsed) {
      throw inputError(
        `not an AgentCore runtime ARN: ${value}`,
        'Expected arn:aws:bedrock-agentcore:<region>:<account>:runtime/<name>-<10 chars>, as printed by ' +
          'GetAgentRuntime / the deploy output.',
      );
    }
    if (options.accountId && options.accountId !== parsed.accountId) {
      throw usageError(
        `--account-id ${options.accountId} contradicts the ARN's account ${parsed.accountId}`,
        'Drop --account-id: a full ARN carries its account.',
      );
    }
    return {
      pathLabel: value,
      arn: value,
      runtimeId: parsed.runtimeId,
      region: parsed.region,
      qualifier,
      source: 'ARN',
    };
  }

  if (isRuntimeId(value)) {
    if (!options.accountId) {
      throw usageError(
        `a runtime id (${value}) needs --account-id`,
        'The service finds a runtime by id only together with its account. Pass --account-id 123456789012, or ' +
          'the full runtime ARN.',
      );
    }
    return { pathLabel: value, runtimeId: value, accountId: options.accountId, qualifier, source: 'runtime id' };
  }

  const found = await findProjectAgent(options.cwd, value);
  return fromProject(found, qualifier, options.accountId);
}

function fromProject(found: ProjectAgent, qualifier: string, accountId: string | undefined): RuntimeTarget {
  if (found.arn) {
    const parsed = parseRuntimeArn(found.arn);
    if (!parsed) throw inputError(`${found.file}: agent "${found.name}" has an invalid runtime ARN: ${found.arn}`);
    return {
      pathLabel: found.arn,
      arn: found.arn,
      runtimeId: parsed.runtimeId,
      region: parsed.region,
      qualifier,
      source: found.file,
      name: found.name,
    };
  }
  const acct = accountId ?? found.accountId;
  if (!found.runtimeId || !acct) {
    throw inputError(
      `${found.file}: agent "${found.name}" has no runtime ARN (is it deployed?)`,
      'Deploy it first, or pass the runtime ARN.',
    );
  }
  return {
    pathLabel: found.runtimeId,
    runtimeId: found.runtimeId,
    accountId: acct,
    ...(found.region ? { region: found.region } : {}),
    qualifier,
    source: found.file,
    name: found.name,
  };
}
