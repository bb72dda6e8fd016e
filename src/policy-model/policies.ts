/**
 * Policy text → policies. A file (or a CreatePolicy statement) may hold several Cedar policies; each becomes one
 * PolicySource with its line, named by its `@id("…")` annotation or `<file>#<n>`. Parse errors come back as
 * diagnostics with file:line:column (Cedar reports byte offsets; they are turned into lines here).
 */
import { basename } from 'node:path';
import { cedar, type DetailedError } from './cedar.js';
import type { PolicySource } from './model.js';

export interface PolicyDiagnostic {
  severity: 'error' | 'warning';
  message: string;
  help?: string;
  file?: string;
  line?: number;
  column?: number;
  policyId?: string;
  policyName?: string;
  /** What found it: the parser, the schema validator, AgentCore's rules, or the (emulated) analyzer. */
  source: 'parse' | 'schema' | 'agentcore' | 'analysis';
}

/** 1-based line and column of a UTF-8 byte offset in a text. */
export function lineColumnAt(text: string, byteOffset: number): { line: number; column: number } {
  const before = Buffer.from(text, 'utf8').subarray(0, Math.max(0, byteOffset)).toString('utf8');
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 };
}

/** A Cedar error as diagnostics placed in `text` (which starts at `startLine` of `file`). */
export function diagnosticsOf(
  errors: readonly DetailedError[],
  where: { text: string; file?: string; startLine?: number; policy?: PolicySource },
  severity: 'error' | 'warning',
  source: PolicyDiagnostic['source'],
): PolicyDiagnostic[] {
  return errors.map((e) => {
    const loc = e.sourceLocations?.[0];
    const at = loc ? lineColumnAt(where.text, loc.start) : undefined;
    const line = at ? (where.startLine ?? 1) + at.line - 1 : where.startLine;
    const label = loc?.label ? ` (${loc.label})` : '';
    return {
      severity,
      message: `${e.message}${label}`,
      ...(e.help ? { help: e.help } : {}),
      ...(where.file ? { file: where.file } : {}),
      ...(line !== undefined ? { line } : {}),
      ...(at && (at.line > 1 || !where.policy) ? { column: at.column } : {}),
      ...(where.policy ? { policyId: where.policy.id, policyName: where.policy.name } : {}),
      source,
    };
  });
}

export interface ParsedPolicies {
  policies: PolicySource[];
  diagnostics: PolicyDiagnostic[];
}

const ID_ANNOTATION = /^\s*@id\s*\(\s*"((?:[^"\\]|\\.)*)"\s*\)/;

/**
 * Split a Cedar text into its policies. `file` names them in messages and ids (`refund.cedar#2`); `idPrefix`
 * replaces the file's base name in generated ids. Templates (`?principal`) are refused: AgentCore has none.
 */
export function parsePolicyText(
  text: string,
  opts: { file?: string; idPrefix?: string; enforcementMode?: PolicySource['enforcementMode'] } = {},
): ParsedPolicies {
  const parts = cedar().policySetTextToParts(text);
  if (parts.type === 'failure')
    return {
      policies: [],
      diagnostics: diagnosticsOf(parts.errors, { text, ...(opts.file ? { file: opts.file } : {}) }, 'error', 'parse'),
    };
  const diagnostics: PolicyDiagnostic[] = [];
  if (parts.policy_templates.length)
    diagnostics.push({
      severity: 'error',
      message: 'policy templates (?principal / ?resource slots) are not supported by AgentCore Policy',
      ...(opts.file ? { file: opts.file } : {}),
      source: 'agentcore',
    });
  const prefix = opts.idPrefix ?? (opts.file ? basename(opts.file) : 'policy');
  let cursor = 0;
  const policies = sourceOrder(parts.policies).map((statement, i) => {
    const at = text.indexOf(statement, cursor);
    if (at >= 0) cursor = at + statement.length;
    const line = at >= 0 ? text.slice(0, at).split('\n').length : undefined;
    const annotated = ID_ANNOTATION.exec(statement)?.[1];
    const id = annotated ? JSON.parse(`"${annotated}"`) : `${prefix}#${i + 1}`;
    return {
      id,
      name: id,
      statement,
      ...(opts.enforcementMode ? { enforcementMode: opts.enforcementMode } : {}),
      ...(opts.file ? { file: opts.file } : {}),
      ...(line !== undefined ? { line } : {}),
    } satisfies PolicySource;
  });
  return { policies, diagnostics };
}

/**
 * policySetTextToParts returns the policies sorted by their generated ids (`policy0`, `policy1`, `policy10`, …, as
 * strings): put them back in source order.
 */
function sourceOrder(parts: readonly string[]): string[] {
  const ids = parts.map((_, i) => `policy${i}`).sort();
  const out: string[] = new Array(parts.length);
  ids.forEach((id, k) => {
    out[Number(id.slice('policy'.length))] = parts[k]!;
  });
  return out;
}

/** Policies of several texts as one set: ids must be unique across them. */
export function mergePolicies(sets: readonly ParsedPolicies[]): ParsedPolicies {
  const policies: PolicySource[] = [];
  const diagnostics: PolicyDiagnostic[] = sets.flatMap((s) => s.diagnostics);
  const seen = new Map<string, PolicySource>();
  for (const p of sets.flatMap((s) => s.policies)) {
    const first = seen.get(p.id);
    if (first) {
      diagnostics.push({
        severity: 'error',
        message: `duplicate policy id "${p.id}" (also at ${where(first)})`,
        ...(p.file ? { file: p.file } : {}),
        ...(p.line !== undefined ? { line: p.line } : {}),
        source: 'agentcore',
      });
      continue;
    }
    seen.set(p.id, p);
    policies.push(p);
  }
  return { policies, diagnostics };
}

/** `file:line` of a policy (or its id when it has no file). */
export function where(p: Pick<PolicySource, 'id' | 'file' | 'line'>): string {
  if (!p.file) return p.id;
  return p.line !== undefined ? `${p.file}:${p.line}` : p.file;
}
