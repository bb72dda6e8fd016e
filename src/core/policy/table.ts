/**
 * `policy test FILE`: a table of cases (YAML or JSON, schema in examples/policy-test.schema.json) run offline against
 * Cedar policy files:
 *
 *   policies: [shop.cedar]          # paths relative to the test file
 *   tools: tools.json               # optional (a file or an inline tools list); inferred from the inputs otherwise
 *   gatewayArn: arn:…:gateway/…     # optional when the policies name one gateway
 *   authorizerType: CUSTOM_JWT      # or AWS_IAM (default: from the callers)
 *   gateway: shop-abcdefghij        # instead of (or with) the above: a deployed gateway's id; its engine's policies
 *                                   # (unless policies: is given), its tools (tools: fills in the targets whose
 *                                   # tools the control plane does not hold), ARN and authorizer type, read from
 *                                   # the control plane (the local stack or AWS): the run is then no longer offline
 *   cases:
 *     - name: support refunds 100
 *       claims: {sub: alice, role: support}     # or token: <JWT> | iam: <principal ARN>
 *       tool: RefundTool___process_refund
 *       input: {amount: 100}
 *       expect: allow                           # allow | deny
 *       determining: [refund-small]             # optional: exactly these policies decide (ids or names)
 *
 * Every problem in the file (unknown key, unknown tool, input outside the tool's schema, claims without sub) is
 * ERR_INPUT naming file:line, found before any case runs.
 */
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type { Caller } from '../../policy-model/index.js';
import { AgentcoreAuthError, isAgentcoreAuthError } from '../errors.js';
import { callerFromClaims, callerFromIamArn, callerFromToken, principalFor } from './caller.js';
import { checkToolCall, compileContext } from './check.js';
import type { GatewayPolicyRead } from './gateway.js';
import { loadPolicyFiles, parseData, policyContext, readText, type PolicyContext } from './load.js';

export interface PolicyTestCase {
  name: string;
  line: number;
  caller: Caller;
  tool: string;
  input: unknown;
  expect: 'allow' | 'deny';
  determining?: string[];
}

export interface PolicyTestResult {
  name: string;
  line: number;
  tool: string;
  expect: 'allow' | 'deny';
  got: 'allow' | 'deny';
  pass: boolean;
  /** Why it failed (decision or determining policies). */
  reason?: string;
  determining: string[];
  errors: string[];
  micros: number;
}

export interface PolicyTestRun {
  file: string;
  name: string;
  results: PolicyTestResult[];
  passed: number;
  failed: number;
  notes: string[];
}

/** The keys of a table and of a case (examples/policy-test.schema.json names the same: a test compares them). */
export const TOP_KEYS = [
  '$schema',
  'name',
  'description',
  'policies',
  'tools',
  'gatewayArn',
  'authorizerType',
  'gateway',
  'cases',
];
export const CASE_KEYS = ['name', 'description', 'claims', 'token', 'iam', 'tool', 'input', 'expect', 'determining'];
type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => !!v && typeof v === 'object' && !Array.isArray(v);

class Issues {
  readonly list: Array<{ line: number; message: string }> = [];
  add(line: number, message: string) {
    this.list.push({ line, message });
  }
  throwIfAny(file: string) {
    if (!this.list.length) return;
    const sorted = [...this.list].sort((a, b) => a.line - b.line);
    const shown = sorted.slice(0, 20).map((i) => `${file}:${i.line}: ${i.message}`);
    if (sorted.length > 20) shown.push(`…and ${sorted.length - 20} more`);
    throw new AgentcoreAuthError('ERR_INPUT', shown.join('\n'), {
      hint: 'See the policy test format: agentcore-auth help policy-tests (schema: examples/policy-test.schema.json).',
      details: { file, issues: sorted },
    });
  }
}

/**
 * The line of each element of the top-level `"cases"` array of a JSON text (a scan of strings and brackets: the
 * yaml parser would give the same lines, at ~100x the cost on a 1,000-case table).
 */
function jsonCaseLines(text: string): number[] {
  const lines: number[] = [];
  let depth = 0;
  let line = 1;
  let lastString = '';
  let inCases = false;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') line++;
    if (/\s/.test(c)) continue;
    if (expectElement && c !== ']') {
      lines.push(line);
      expectElement = false;
    }
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      lastString = text.slice(start + 1, i);
      continue;
    }
    if (c === '[' || c === '{') {
      depth++;
      if (c === '[' && depth === 2 && lastString === 'cases') {
        inCases = true;
        expectElement = true;
      }
    } else if (c === ']' || c === '}') {
      if (depth === 2 && inCases) inCases = false;
      depth--;
    } else if (c === ',' && inCases && depth === 2) expectElement = true;
  }
  return lines;
}

/** The file's value and the line of each case (JSON directly; YAML through the yaml parser's positions). */
function parseTable(text: string, file: string, issues: Issues): { value: unknown; caseLines: number[] } {
  try {
    const value = JSON.parse(text) as unknown;
    return { value, caseLines: jsonCaseLines(text) };
  } catch {
    // not JSON: YAML (which reports its own syntax errors with lines)
  }
  const y = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  const lc = new y.LineCounter();
  const doc = y.parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  for (const e of doc.errors) issues.add(lc.linePos(e.pos[0]).line, `YAML: ${e.message.split('\n')[0]}`);
  issues.throwIfAny(file);
  const cases = doc.get('cases', true) as { items?: Array<{ range?: [number, number, number] }> } | undefined;
  const caseLines = (cases?.items ?? []).map((n) => (n?.range ? lc.linePos(n.range[0]).line : 1));
  return { value: doc.toJS({ maxAliasCount: 1000 }), caseLines };
}

function callerOf(c: Raw, line: number, issues: Issues): Caller | undefined {
  const given = (['claims', 'token', 'iam'] as const).filter((k) => c[k] !== undefined);
  if (given.length !== 1) {
    issues.add(line, `a case needs exactly one of claims, token or iam (got ${given.join(', ') || 'none'})`);
    return undefined;
  }
  try {
    if (given[0] === 'claims') return callerFromClaims(c.claims, 'claims');
    if (typeof c[given[0]!] !== 'string') throw new Error(`${given[0]} must be a string`);
    const caller = given[0] === 'token' ? callerFromToken(c.token as string) : callerFromIamArn(c.iam as string);
    principalFor(caller);
    return caller;
  } catch (e) {
    issues.add(line, (e as Error).message);
    return undefined;
  }
}

function caseOf(c: unknown, i: number, line: number, issues: Issues): PolicyTestCase | undefined {
  if (!isObj(c)) return void issues.add(line, `cases[${i}] must be a mapping`);
  for (const k of Object.keys(c))
    if (!CASE_KEYS.includes(k))
      issues.add(line, `cases[${i}]: unknown key "${k}" (expected one of: ${CASE_KEYS.join(', ')})`);
  const caller = callerOf(c, line, issues);
  if (typeof c.tool !== 'string' || !c.tool) issues.add(line, `cases[${i}]: tool: required (<target>___<tool>)`);
  if (c.expect !== 'allow' && c.expect !== 'deny') issues.add(line, `cases[${i}]: expect: must be allow or deny`);
  if (c.input !== undefined && !isObj(c.input))
    issues.add(line, `cases[${i}]: input: must be a mapping (the arguments)`);
  const det = c.determining;
  if (det !== undefined && !(Array.isArray(det) && det.every((d) => typeof d === 'string')))
    issues.add(line, `cases[${i}]: determining: must be a list of policy ids`);
  if (!caller || typeof c.tool !== 'string' || (c.expect !== 'allow' && c.expect !== 'deny')) return undefined;
  return {
    name: typeof c.name === 'string' && c.name ? c.name : `case ${i + 1} (line ${line})`,
    line,
    caller,
    tool: c.tool,
    input: c.input ?? {},
    expect: c.expect,
    ...(Array.isArray(det) ? { determining: det as string[] } : {}),
  };
}

export interface LoadedTable {
  file: string;
  name: string;
  ctx: PolicyContext;
  cases: PolicyTestCase[];
}

/** How a table's `gateway:` is read (the CLI's control-plane client); absent, `gateway:` is refused. */
export type GatewayReader = (gatewayId: string, policies: boolean) => Promise<GatewayPolicyRead>;

function checkTop(value: Raw, issues: Issues): string[] | undefined {
  for (const k of Object.keys(value)) if (!TOP_KEYS.includes(k)) issues.add(1, `unknown key "${k}"`);
  const gateway = value.gateway;
  if (gateway !== undefined && (typeof gateway !== 'string' || !gateway))
    issues.add(1, 'gateway: must be a gateway id (its engine, tools and ARN are read from the control plane)');
  if (gateway !== undefined)
    for (const k of ['gatewayArn', 'authorizerType'])
      if (value[k] !== undefined) issues.add(1, `${k}: comes from the gateway (gateway: ${String(gateway)})`);
  const files = typeof value.policies === 'string' ? [value.policies] : value.policies;
  const given = files !== undefined;
  if (
    (given || gateway === undefined) &&
    (!Array.isArray(files) || !files.length || !files.every((f) => typeof f === 'string'))
  )
    issues.add(1, 'policies: required without gateway:, a Cedar file or a list of them (relative to this file)');
  if (!Array.isArray(value.cases) || !value.cases.length) issues.add(1, 'cases: required, a non-empty list');
  return given ? (files as string[]) : undefined;
}

/** The principal types of an offline table: its authorizerType, else those of its cases' callers. */
function offlineCallers(value: Raw, cases: readonly PolicyTestCase[]) {
  if (typeof value.authorizerType === 'string') return { authorizerType: value.authorizerType };
  const kinds = new Set(cases.map((c) => c.caller.kind));
  if (kinds.size === 2) return { principalTypes: ['OAuthUser', 'IamEntity'] as Array<'OAuthUser' | 'IamEntity'> };
  return kinds.has('iam') ? { authorizerType: 'AWS_IAM' } : {};
}

/**
 * Read a test table, its policy files and tools (and, with `gateway:`, the gateway through `readGateway`);
 * ERR_INPUT for any problem in the file (with lines).
 */
export async function loadPolicyTest(path: string, cwd: string, readGateway?: GatewayReader): Promise<LoadedTable> {
  const full = resolve(cwd, path);
  const base = dirname(full);
  const issues = new Issues();
  const { value, caseLines } = parseTable(await readText(full, 'policy test file'), path, issues);
  if (!isObj(value)) throw new AgentcoreAuthError('ERR_INPUT', `${path}: the test file must be a mapping with cases:`);
  const files = checkTop(value, issues);
  issues.throwIfAny(path);
  const cases = (value.cases as unknown[])
    .map((c, i) => caseOf(c, i, caseLines[i] ?? 1, issues))
    .filter((c): c is PolicyTestCase => !!c);
  issues.throwIfAny(path);
  const tools = await toolsOf(value.tools, base, path);
  const policies = files ? await loadPolicyFiles(files, base) : undefined;
  const name = typeof value.name === 'string' ? value.name : path;
  if (typeof value.gateway === 'string') {
    if (!readGateway) throw new AgentcoreAuthError('ERR_USAGE', `${path}: gateway: needs the control plane`);
    const { gatewayPolicyContext } = await import('./gateway.js');
    const read = await readGateway(value.gateway, !policies);
    const ctx = gatewayPolicyContext(read, {
      ...(policies ? { policies: policies.policies } : {}),
      ...(tools ? { tools } : {}),
      uses: cases,
    });
    return { file: path, name, ctx, cases };
  }
  const ctx = policyContext({
    policies: policies!,
    ...(tools ? { tools } : {}),
    uses: cases,
    ...(typeof value.gatewayArn === 'string' ? { gatewayArn: value.gatewayArn } : {}),
    ...offlineCallers(value, cases),
  });
  return { file: path, name, ctx, cases };
}

async function toolsOf(v: unknown, base: string, file: string): Promise<{ doc: unknown; file: string } | undefined> {
  if (v === undefined) return undefined;
  if (typeof v === 'string') {
    const full = resolve(base, v);
    return { doc: parseData(await readText(full, 'tools file'), v), file: v };
  }
  return { doc: v, file: `${file} (tools:)` };
}

/**
 * Exactly the expected policies decided: each expected entry names one determining policy by id or by name (a
 * deployed engine's policies have generated ids, `<name>-<10 chars>`, so tables name them by name).
 */
function sameDeciders(expected: readonly string[], got: ReadonlyArray<{ id: string; name: string }>): boolean {
  if (expected.length !== got.length) return false;
  const left = [...got];
  for (const e of expected) {
    const i = left.findIndex((g) => g.id === e || g.name === e);
    if (i < 0) return false;
    left.splice(i, 1);
  }
  return true;
}

/** Run every case; the cases' tools and inputs are checked first (ERR_INPUT with the case's line). */
export function runPolicyTests(t: LoadedTable, clock: () => number = () => performance.now()): PolicyTestRun {
  const set = compileContext(t.ctx);
  const issues = new Issues();
  for (const c of t.cases) {
    try {
      checkToolCall(set, c.tool, c.input, `${c.name}: `);
    } catch (e) {
      if (!isAgentcoreAuthError(e)) throw e;
      issues.add(c.line, `${e.message}${e.hint ? ` (${e.hint})` : ''}`);
    }
  }
  issues.throwIfAny(t.file);
  const results = t.cases.map((c) => {
    const start = clock();
    const d = set.authorize({ caller: c.caller, tool: c.tool, input: c.input });
    const micros = Math.round((clock() - start) * 1000);
    const determining = d.determining.map((x) => x.id);
    let reason: string | undefined;
    if (d.decision !== c.expect) reason = `expected ${c.expect}, got ${d.decision}`;
    else if (c.determining && !sameDeciders(c.determining, d.determining))
      reason = `expected determining [${c.determining.join(', ')}], got [${determining.join(', ')}]`;
    return {
      name: c.name,
      line: c.line,
      tool: c.tool,
      expect: c.expect,
      got: d.decision,
      pass: !reason,
      ...(reason ? { reason } : {}),
      determining,
      errors: d.errors.map((e) => `${e.policyId ? `${e.policyId}: ` : ''}${e.message}`),
      micros,
    };
  });
  const passed = results.filter((r) => r.pass).length;
  return { file: t.file, name: t.name, results, passed, failed: results.length - passed, notes: t.ctx.notes };
}
