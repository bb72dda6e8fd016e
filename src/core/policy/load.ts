/**
 * What an offline policy decision needs, read from files: the Cedar policies (`--policy-file`, a test table's
 * `policies:`), the gateway's tools (`--tools`, `tools:`) and its ARN (`--gateway-arn`, `gatewayArn:`, or the one
 * gateway the policies name). Every problem is ERR_INPUT (exit 2) naming file:line.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import {
  inferTargets,
  mergePolicies,
  parsePolicyText,
  policyHead,
  PolicyModelError,
  targetsFromToolsDocument,
  type GatewayModel,
  type ParsedPolicies,
  type PolicyDiagnostic,
  type PolicySource,
  type TargetSpec,
} from '../../policy-model/index.js';
import { AgentcoreAuthError, inputError, usageError } from '../errors.js';

/** The ARN used when no policy names a gateway and none is given (any ARN then behaves the same). */
export const PLACEHOLDER_GATEWAY_ARN = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/local-abcdefghij';

export interface PolicyContext {
  gateway: GatewayModel;
  policies: PolicySource[];
  /** What was assumed (inferred tools, placeholder ARN), for the narrative. */
  notes: string[];
}

export async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw inputError(
      `cannot read ${what} ${path}: ${code === 'ENOENT' ? 'no such file' : (code ?? (e as Error).message)}`,
      'Check the path (relative paths are read from the current directory, or from the test file for policy test).',
    );
  }
}

/** JSON, or YAML for .yaml/.yml files. */
export function parseData(text: string, file: string): unknown {
  try {
    if (/\.ya?ml$/i.test(file)) return (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(text);
    return JSON.parse(text);
  } catch (e) {
    throw inputError(`${file} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(e as Error).message}`);
  }
}

export function formatDiagnostic(d: PolicyDiagnostic, withSeverity = true): string {
  const at = d.file
    ? `${d.file}${d.line !== undefined ? `:${d.line}${d.column !== undefined ? `:${d.column}` : ''}` : ''}: `
    : '';
  return `${at}${withSeverity ? `${d.severity}: ` : ''}${d.message}${d.help ? ` (${d.help})` : ''}`;
}

/** A PolicyModelError (claims, tool, input…) as the CLI's input error. */
export function modelError(e: unknown): unknown {
  if (e instanceof PolicyModelError) return inputError(e.message, e.hint, e);
  return e;
}

/** Read and parse policy files; any parse error is ERR_INPUT listing file:line:column. */
export async function loadPolicyFiles(files: readonly string[], base: string): Promise<ParsedPolicies> {
  if (!files.length) throw usageError('no policy file', 'Pass --policy-file FILE (repeatable), Cedar policies.');
  const parsed = await Promise.all(
    files.map(async (f) => parsePolicyText(await readText(resolve(base, f), 'policy file'), { file: f })),
  );
  const merged = mergePolicies(parsed);
  const errors = merged.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length)
    throw new AgentcoreAuthError('ERR_INPUT', errors.map((d) => formatDiagnostic(d, false)).join('\n'), {
      hint: 'Fix the Cedar syntax at that line (`agentcore-auth policy validate FILE` lists every problem).',
      details: { diagnostics: errors },
    });
  return merged;
}

/** The targets of a tools document (a file's content, or inline in a test table). */
export function toolsFrom(doc: unknown, file: string): { targets: TargetSpec[]; authorizerType?: string } {
  try {
    return targetsFromToolsDocument(doc);
  } catch (e) {
    if (e instanceof PolicyModelError) throw inputError(`${file}: ${e.message}`, e.hint);
    throw e;
  }
}

/** The gateway ARNs the policies name (`resource == AgentCore::Gateway::"…"`). */
export function gatewayArnsOf(policies: readonly PolicySource[]): string[] {
  const arns = new Set<string>();
  for (const p of policies) {
    const r = policyHead(p.statement)?.resource;
    if (r?.op === '==' && r.type === 'AgentCore::Gateway') arns.add(r.id);
  }
  return [...arns];
}

export interface ContextInput {
  policies: ParsedPolicies;
  /** Parsed tools document and where it came from; undefined → inferred from `uses`. */
  tools?: { doc: unknown; file: string };
  uses: ReadonlyArray<{ tool: string; input: unknown }>;
  gatewayArn?: string;
  authorizerType?: string;
  principalTypes?: GatewayModel['principalTypes'];
}

export function policyContext(o: ContextInput): PolicyContext {
  const notes: string[] = [];
  let targets: TargetSpec[];
  let authorizerType = o.authorizerType;
  if (o.tools) {
    const t = toolsFrom(o.tools.doc, o.tools.file);
    targets = t.targets;
    authorizerType ??= t.authorizerType;
  } else {
    try {
      targets = inferTargets(o.uses);
    } catch (e) {
      throw modelError(e);
    }
    notes.push('no tools file: each tool input schema was inferred from the inputs given (pass --tools FILE)');
  }
  let arn = o.gatewayArn;
  if (!arn) {
    const named = gatewayArnsOf(o.policies.policies);
    if (named.length > 1)
      throw usageError(
        `the policies name ${named.length} gateways (${named.join(', ')}): say which one is called`,
        'Pass --gateway-arn ARN (gatewayArn: in a test file).',
      );
    arn = named[0] ?? PLACEHOLDER_GATEWAY_ARN;
    if (!named.length) notes.push(`no policy names a gateway: the request's resource is ${arn}`);
  }
  const gateway: GatewayModel = {
    arn,
    targets,
    ...(authorizerType ? { authorizerType } : {}),
    ...(o.principalTypes ? { principalTypes: o.principalTypes } : {}),
  };
  return { gateway, policies: o.policies.policies, notes };
}
