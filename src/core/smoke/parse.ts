/**
 * Scenario parser: YAML or JSON (JSON is YAML 1.2) → Scenario, with every error naming its line. The `yaml`
 * package's document nodes carry source ranges; a LineCounter turns offsets into line numbers.
 */
import { parseDuration } from '../duration.js';
import { createRequire } from 'node:module';
import type { Document, LineCounter, Node as YamlNode } from 'yaml';
import { AgentcoreAuthError } from '../errors.js';
import {
  STEP_KINDS,
  STEP_KIND_NAMES,
  Tpl,
  type Expectation,
  type AccessOutcome,
  type PathCheck,
  type Scenario,
  type Step,
  type StepKind,
  type TValue,
} from './schema.js';
import { parseTemplate, splitPath, stepRefs, TemplateSyntaxError, type Template } from './template.js';

/** `yaml` (84 CommonJS files), loaded when a scenario text is parsed, not for a scenario built in code (the demo). */
const load = createRequire(import.meta.url);
let yamlModule: typeof import('yaml') | undefined;
// Memoised: require() resolves its argument on every call, and toLNode asks once per node (an alias bomb has 10^5).
const yaml = (): typeof import('yaml') => (yamlModule ??= load('yaml'));

/** A located node: what the parser walks instead of raw YAML nodes. */
type LNode =
  | { kind: 'map'; line: number; entries: Array<{ key: string; keyLine: number; value: LNode }> }
  | { kind: 'seq'; line: number; items: LNode[] }
  | { kind: 'scalar'; line: number; value: string | number | boolean | null };

export interface ScenarioIssue {
  line: number;
  message: string;
}

export class ScenarioErrors {
  readonly issues: ScenarioIssue[] = [];
  add(line: number, message: string): void {
    this.issues.push({ line, message });
  }
}

const STEP_KEYS = new Set(['id', 'name', 'env', 'needs', 'timeout', 'expect', ...STEP_KIND_NAMES]);
const TOP_KEYS = new Set(['version', 'name', 'description', 'env', 'timeout', 'steps']);
const EXPECT_KEYS = new Set([
  'outcome',
  'exitCode',
  'status',
  'error',
  'contains',
  'notContains',
  'json',
  'claims',
  'claimsFrom',
  'maxDuration',
]);
const ID = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** Parse a scenario file's text. Throws ERR_INPUT (exit 2) naming `file:line` for every problem found. */
export function parseScenario(text: string, file: string): Scenario {
  const { LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  const errors = new ScenarioErrors();
  // JSON is parsed as YAML 1.2, but its errors are named for the format the file is written in.
  const format = scenarioFormat(file, text);
  for (const e of doc.errors) {
    const message = /Maximum call stack size exceeded/.test(e.message) ? TOO_DEEP : e.message.split('\n')[0];
    errors.add(e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line, `${format}: ${message}`);
  }
  if (errors.issues.length) throw scenarioError(file, errors);
  let root: LNode;
  try {
    root = toLNode(doc.contents as YamlNode | null, lineCounter, doc);
  } catch (e) {
    if (!(e instanceof TooDeep)) throw e;
    errors.add(e.line, `${format}: ${TOO_DEEP}`);
    throw scenarioError(file, errors);
  }
  const scenario = buildScenario(root, file, errors);
  if (errors.issues.length) throw scenarioError(file, errors);
  return scenario;
}

/**
 * A scenario built in code (plain objects, arrays and scalars, as a parsed file would give them): checked by the same
 * rules as a file. It has no lines: every issue names line 1.
 */
export function scenarioFromValue(value: unknown, file: string): Scenario {
  const errors = new ScenarioErrors();
  const scenario = buildScenario(valueToLNode(value), file, errors);
  if (errors.issues.length) throw scenarioError(file, errors);
  return scenario;
}

function valueToLNode(v: unknown): LNode {
  const line = 1;
  if (Array.isArray(v)) return { kind: 'seq', line, items: v.map(valueToLNode) };
  if (v !== null && typeof v === 'object')
    return {
      kind: 'map',
      line,
      entries: Object.entries(v).map(([key, value]) => ({ key, keyLine: line, value: valueToLNode(value) })),
    };
  if (v === null || v === undefined) return { kind: 'scalar', line, value: null };
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
    return { kind: 'scalar', line, value: v };
  return { kind: 'scalar', line, value: String(v) };
}

function scenarioError(file: string, errors: ScenarioErrors): AgentcoreAuthError {
  const issues = [...errors.issues].sort((a, b) => a.line - b.line);
  const first = issues[0]!;
  const more = issues.slice(1, 10).map((i) => `\n  ${file}:${i.line}: ${i.message}`);
  const rest = issues.length > 10 ? `\n  …and ${issues.length - 10} more` : '';
  return new AgentcoreAuthError('ERR_INPUT', `${file}:${first.line}: ${first.message}${more.join('')}${rest}`, {
    hint: 'See the scenario format: agentcore-auth help scenarios, or start from one of the files in examples/.',
    details: { file, issues },
  });
}

/** Lists and maps inside each other: a real scenario needs about 6 levels; thousands overflow the parser's stack. */
const MAX_NESTING = 64;
const TOO_DEEP = `nested too deeply (more than ${MAX_NESTING} levels of lists and maps)`;

class TooDeep extends Error {
  constructor(readonly line: number) {
    super(TOO_DEEP);
  }
}

/** The format a scenario is written in: JSON by its extension or its first character (`{`, `[`), else YAML. */
function scenarioFormat(file: string, text: string): 'JSON' | 'YAML' {
  return /\.json$/i.test(file) || /^\s*[[{]/.test(text) ? 'JSON' : 'YAML';
}

/** Nodes a scenario may expand to (aliases included): a real file has hundreds; an alias bomb has billions. */
const MAX_SCENARIO_NODES = 100_000;

function toLNode(
  node: YamlNode | null | undefined,
  lc: LineCounter,
  doc: Document,
  depth = 0,
  budget = { nodes: MAX_SCENARIO_NODES },
): LNode {
  const line = node?.range ? lc.linePos(node.range[0]).line : 1;
  if (depth > MAX_NESTING) throw new TooDeep(line);
  if (--budget.nodes < 0) {
    throw new AgentcoreAuthError(
      'ERR_INPUT',
      `the scenario expands to more than ${MAX_SCENARIO_NODES} values (aliases repeated inside aliases?)`,
      {
        hint: 'Use YAML anchors and aliases for shared values, not nested repetition.',
      },
    );
  }
  if (!node) return { kind: 'scalar', line, value: null };
  // `*anchor` stands for the anchored node (depth-limited: an alias cannot contain itself usefully).
  const { isAlias, isMap, isScalar, isSeq } = yaml();
  if (isAlias(node)) {
    const target = depth < 20 ? (node.resolve(doc) as YamlNode | undefined) : undefined;
    const resolved = toLNode(target, lc, doc, depth + 1, budget);
    return target ? resolved : { kind: 'scalar', line, value: null };
  }
  if (isMap(node)) {
    const merged: Array<{ key: string; keyLine: number; value: LNode }> = [];
    const entries: Array<{ key: string; keyLine: number; value: LNode }> = [];
    for (const pair of node.items) {
      const keyNode = pair.key as YamlNode | null;
      const keyLine = keyNode?.range ? lc.linePos(keyNode.range[0]).line : line;
      // `<<: *defaults` (or a list of them): the merge key copies the anchored mapping's entries.
      if (isScalar(keyNode) && (keyNode.value === '<<' || typeof keyNode.value === 'symbol')) {
        const v = toLNode(pair.value as YamlNode | null, lc, doc, depth + 1, budget);
        for (const m of v.kind === 'seq' ? v.items : [v]) if (m.kind === 'map') merged.push(...m.entries);
        continue;
      }
      const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
      const value = toLNode(pair.value as YamlNode | null, lc, doc, depth + 1, budget);
      if (!pair.value) value.line = keyLine;
      entries.push({ key, keyLine, value });
    }
    const own = new Set(entries.map((e) => e.key));
    return { kind: 'map', line, entries: [...merged.filter((e) => !own.has(e.key)), ...entries] };
  }
  if (isSeq(node))
    return { kind: 'seq', line, items: node.items.map((n) => toLNode(n as YamlNode, lc, doc, depth + 1, budget)) };
  if (isScalar(node)) {
    const v = node.value;
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
      return { kind: 'scalar', line, value: v };
    return { kind: 'scalar', line, value: String(v) };
  }
  return { kind: 'scalar', line, value: null };
}

function describe(n: LNode): string {
  if (n.kind === 'map') return 'a mapping';
  if (n.kind === 'seq') return 'a list';
  return n.value === null ? 'empty' : `${typeof n.value} ${JSON.stringify(n.value)}`;
}

function suggest(key: string, known: Iterable<string>): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best && bestD <= Math.max(2, Math.floor(key.length / 3)) ? ` (did you mean "${best}"?)` : '';
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

function template(source: string, line: number, where: string, errors: ScenarioErrors): Tpl {
  try {
    return new Tpl(parseTemplate(source), line);
  } catch (e) {
    if (e instanceof TemplateSyntaxError) {
      errors.add(line, `${where}: ${e.message}`);
      return new Tpl({ parts: [{ kind: 'text', text: source }], source } satisfies Template, line);
    }
    throw e;
  }
}

function textTpl(text: string, line: number): Tpl {
  return new Tpl({ parts: [{ kind: 'text', text }], source: text }, line);
}

/** A YAML value → TValue (strings become templates). */
function tvalue(n: LNode, where: string, errors: ScenarioErrors): TValue {
  if (n.kind === 'scalar') return typeof n.value === 'string' ? template(n.value, n.line, where, errors) : n.value;
  if (n.kind === 'seq') return n.items.map((item, i) => tvalue(item, `${where}[${i}]`, errors));
  const out: Record<string, TValue> = {};
  for (const e of n.entries) out[e.key] = tvalue(e.value, `${where}.${e.key}`, errors);
  return out;
}

function duration(n: LNode, where: string, errors: ScenarioErrors): number | undefined {
  const ms = n.kind === 'scalar' ? parseDuration(n.value) : undefined;
  if (ms === undefined) errors.add(n.line, `${where} must be a duration such as 500ms, 2s or 1m (got ${describe(n)})`);
  return ms;
}

function envBlock(n: LNode, where: string, errors: ScenarioErrors): Record<string, TValue> {
  const out: Record<string, TValue> = {};
  if (n.kind !== 'map') {
    errors.add(n.line, `${where} must be a mapping of NAME: value (got ${describe(n)})`);
    return out;
  }
  for (const e of n.entries) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(e.key))
      errors.add(e.keyLine, `${where}: "${e.key}" is not an environment variable name`);
    if (e.value.kind !== 'scalar' || e.value.value === null) {
      errors.add(e.value.line, `${where}.${e.key} must be a string, number or boolean (got ${describe(e.value)})`);
      continue;
    }
    out[e.key] =
      typeof e.value.value === 'string'
        ? template(e.value.value, e.value.line, `${where}.${e.key}`, errors)
        : textTpl(String(e.value.value), e.value.line);
  }
  return out;
}

function buildScenario(root: LNode, file: string, errors: ScenarioErrors): Scenario {
  const scenario: Scenario = { file, name: file, env: {}, steps: [] };
  if (root.kind !== 'map') {
    errors.add(root.line, `a scenario is a mapping with a "steps:" list (got ${describe(root)})`);
    return scenario;
  }
  let stepsNode: LNode | undefined;
  for (const e of root.entries) {
    const v = e.value;
    switch (e.key) {
      case 'version':
        if (!(v.kind === 'scalar' && (v.value === 1 || v.value === '1')))
          errors.add(v.line, `version must be 1 (got ${describe(v)})`);
        break;
      case 'name':
      case 'description':
        if (v.kind !== 'scalar' || typeof v.value !== 'string')
          errors.add(v.line, `${e.key} must be a string (got ${describe(v)})`);
        else if (e.key === 'name') scenario.name = v.value;
        else scenario.description = v.value;
        break;
      case 'env':
        scenario.env = envBlock(v, 'env', errors);
        break;
      case 'timeout': {
        const ms = duration(v, 'timeout', errors);
        if (ms !== undefined) scenario.timeoutMs = ms;
        break;
      }
      case 'steps':
        stepsNode = v;
        break;
      default:
        // `x-…` keys hold anchors for the steps to reuse (`x-login: &login {…}` … `login: *login`).
        if (e.key.startsWith('x-')) break;
        errors.add(
          e.keyLine,
          `unknown key "${e.key}" at the top level${suggest(e.key, TOP_KEYS)}; expected one ` +
            `of ${[...TOP_KEYS].join(', ')} (or x-… for anchors)`,
        );
    }
  }
  if (!stepsNode) {
    errors.add(root.line, `missing "steps:" (a list of steps, each with one of: ${STEP_KIND_NAMES.join(', ')})`);
    return scenario;
  }
  if (stepsNode.kind !== 'seq' || stepsNode.items.length === 0) {
    errors.add(
      stepsNode.line,
      `steps must be a non-empty list (got ${stepsNode.kind === 'seq' ? 'an empty list' : describe(stepsNode)})`,
    );
    return scenario;
  }
  const seen = new Map<string, number>();
  const kindCount = new Map<string, number>();
  stepsNode.items.forEach((item, index) => {
    const step = buildStep(item, index, errors, seen, kindCount);
    if (step) scenario.steps.push(step);
  });
  return scenario;
}

function buildStep(
  n: LNode,
  index: number,
  errors: ScenarioErrors,
  seen: Map<string, number>,
  kindCount: Map<string, number>,
): Step | undefined {
  const at = `steps[${index}]`;
  if (n.kind !== 'map') {
    errors.add(n.line, `${at} must be a mapping with one of ${STEP_KIND_NAMES.join(', ')} (got ${describe(n)})`);
    return undefined;
  }
  const kinds = n.entries.filter((e) => (STEP_KIND_NAMES as string[]).includes(e.key));
  for (const e of n.entries) {
    if (!STEP_KEYS.has(e.key)) errors.add(e.keyLine, `${at}: unknown key "${e.key}"${suggest(e.key, STEP_KEYS)}`);
  }
  if (kinds.length !== 1) {
    errors.add(
      kinds[1]?.keyLine ?? n.line,
      kinds.length === 0
        ? `${at} says nothing to run: give it one of ${STEP_KIND_NAMES.join(', ')}`
        : `${at} has ${kinds.length} commands (${kinds.map((k) => k.key).join(', ')}); a step runs exactly one`,
    );
    return undefined;
  }
  const kindEntry = kinds[0]!;
  const kind = kindEntry.key as StepKind;
  const count = (kindCount.get(kind) ?? 0) + 1;
  kindCount.set(kind, count);
  const get = (key: string) => n.entries.find((e) => e.key === key);

  let id = count === 1 ? kind : `${kind}-${count}`;
  const idEntry = get('id');
  if (idEntry) {
    const v = idEntry.value;
    if (v.kind !== 'scalar' || typeof v.value !== 'string' || !ID.test(v.value)) {
      errors.add(
        v.line,
        `${at}.id must be a name of letters, digits, - and _ starting with a letter (got ${describe(v)})`,
      );
    } else id = v.value;
  }
  const where = `step "${id}"`;
  if (seen.has(id))
    errors.add(
      idEntry?.value.line ?? n.line,
      `${where}: the id is already used by the step on ` +
        `line ${seen.get(id)}${idEntry ? '' : '; give one of them another id'}`,
    );
  else seen.set(id, n.line);

  const step: Step = {
    id,
    kind,
    line: n.line,
    options: {},
    args: [],
    env: {},
    needs: [],
    expect: emptyExpectation(n.line),
  };

  const nameEntry = get('name');
  if (nameEntry) {
    if (nameEntry.value.kind !== 'scalar' || typeof nameEntry.value.value !== 'string')
      errors.add(nameEntry.value.line, `${where}: name must be a string`);
    else step.name = nameEntry.value.value;
  }

  // The command and its options.
  const spec = STEP_KINDS[kind];
  const body = kindEntry.value;
  if (kind === 'run') {
    if (
      body.kind !== 'seq' ||
      body.items.length === 0 ||
      body.items.some((i) => i.kind !== 'scalar' || i.value === null)
    ) {
      errors.add(
        body.line,
        `${where}: run must be a list of command-line words, for example [token, decode, ` +
          `"\${steps.login.accessToken}"]`,
      );
    } else {
      step.args = body.items.map((i, k) => {
        const value = (i as { value: string | number | boolean }).value;
        return typeof value === 'string'
          ? template(value, i.line, `${where}.run[${k}]`, errors)
          : textTpl(String(value), i.line);
      });
    }
  } else if (body.kind === 'scalar' && typeof body.value === 'string' && spec.positionals.length > 0) {
    step.args = [template(body.value, body.line, `${where}.${kind}`, errors)];
  } else if (body.kind === 'scalar' && body.value === null) {
    // `login:` with no options (everything from the environment)
  } else if (body.kind !== 'map') {
    errors.add(
      body.line,
      `${where}: ${kind} must be a mapping of options${
        spec.positionals.length ? ` or the ${spec.positionals[0]} as a string` : ''
      } (got ${describe(body)})`,
    );
  } else {
    const positional: Record<string, TValue> = {};
    for (const e of body.entries) {
      if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(e.key)) {
        errors.add(
          e.keyLine,
          `${where}: "${e.key}" is not an option name (write options as in the command line without the ` +
            `dashes, e.g. user-id or userId)`,
        );
        continue;
      }
      const value = tvalue(e.value, `${where}.${kind}.${e.key}`, errors);
      if ((spec.positionals as readonly string[]).includes(e.key)) positional[e.key] = value;
      else if (e.key === 'args') {
        if (!Array.isArray(value)) errors.add(e.value.line, `${where}: args must be a list of positional arguments`);
        else step.args.push(...value);
      } else step.options[e.key] = { value, line: e.keyLine };
    }
    // Positionals in their documented order; a later one needs the earlier ones.
    const ordered: TValue[] = [];
    for (const p of spec.positionals) {
      if (p in positional) ordered.push(positional[p]!);
      else if (
        (spec.positionals as readonly string[])
          .slice(spec.positionals.indexOf(p as never) + 1)
          .some((q) => q in positional)
      ) {
        errors.add(
          body.line,
          `${where}: ${spec.positionals.filter((q) => q in positional).join(', ')} given without ${p}`,
        );
        break;
      } else break;
    }
    step.args = [...ordered, ...step.args];
  }

  const envEntry = get('env');
  if (envEntry) step.env = envBlock(envEntry.value, `${where}.env`, errors);

  const needsEntry = get('needs');
  if (needsEntry) {
    const v = needsEntry.value;
    const list = v.kind === 'seq' ? v.items : [v];
    for (const item of list) {
      if (item.kind !== 'scalar' || typeof item.value !== 'string')
        errors.add(item.line, `${where}: needs must be a step id or a list of step ids`);
      else step.needs.push(item.value);
    }
  }

  const timeoutEntry = get('timeout');
  if (timeoutEntry) {
    const ms = duration(timeoutEntry.value, `${where}.timeout`, errors);
    if (ms !== undefined) step.timeoutMs = ms;
  }

  const expectEntry = get('expect');
  if (expectEntry) step.expect = buildExpectation(expectEntry.value, where, errors);

  // Dependencies: every ${steps.X…} must name an earlier step.
  const refs = new Map<string, number>();
  collectRefs(step, refs);
  for (const need of step.needs) if (!refs.has(need)) refs.set(need, needsEntry?.value.line ?? n.line);
  for (const [ref, line] of refs) {
    if (ref === id)
      errors.add(line, `${where} refers to itself (\${steps.${ref}…}); a step can only read the steps before it`);
    else if (!seen.has(ref))
      errors.add(line, `${where} refers to step "${ref}", which is not defined before it${suggest(ref, seen.keys())}`);
  }
  step.needs = [...refs.keys()].filter((r) => r !== id);
  return step;
}

function collectRefs(step: Step, refs: Map<string, number>): void {
  const visit = (v: TValue | undefined): void => {
    if (v instanceof Tpl) {
      for (const r of stepRefs(v.template)) if (!refs.has(r)) refs.set(r, v.line);
    } else if (Array.isArray(v)) for (const x of v) visit(x);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) visit(x);
  };
  const e = step.expect;
  const values = [
    ...Object.values(step.options).map((o) => o.value),
    ...step.args,
    ...Object.values(step.env),
    e.error,
    ...e.contains,
    ...e.notContains,
    ...e.json.map((c) => c.value),
    ...e.claims.map((c) => c.value),
  ];
  for (const v of values) visit(v);
}

export function emptyExpectation(line: number): Expectation {
  return { line, contains: [], notContains: [], json: [], claims: [] };
}

function buildExpectation(n: LNode, where: string, errors: ScenarioErrors): Expectation {
  const ex = emptyExpectation(n.line);
  if (n.kind === 'scalar' && (n.value === 'allow' || n.value === 'deny')) {
    ex.outcome = n.value;
    return ex;
  }
  if (n.kind !== 'map') {
    errors.add(
      n.line,
      `${where}: expect must be allow, deny, or a mapping of checks (${[...EXPECT_KEYS].join(', ')}) ` +
        `(got ${describe(n)})`,
    );
    return ex;
  }
  for (const e of n.entries) {
    const v = e.value;
    const at = `${where}: expect.${e.key}`;
    switch (e.key) {
      case 'outcome':
        if (v.kind === 'scalar' && (v.value === 'allow' || v.value === 'deny')) ex.outcome = v.value as AccessOutcome;
        else errors.add(v.line, `${at} must be allow or deny (got ${describe(v)})`);
        break;
      case 'exitCode':
        if (v.kind === 'scalar' && typeof v.value === 'number' && Number.isInteger(v.value) && v.value >= 0)
          ex.exitCode = v.value;
        else errors.add(v.line, `${at} must be an exit code such as 0, 4 or 6 (got ${describe(v)})`);
        break;
      case 'status': {
        const items = v.kind === 'seq' ? v.items : [v];
        const codes: number[] = [];
        for (const i of items) {
          if (
            i.kind === 'scalar' &&
            typeof i.value === 'number' &&
            Number.isInteger(i.value) &&
            i.value >= 100 &&
            i.value <= 599
          )
            codes.push(i.value);
          else errors.add(i.line, `${at} must be an HTTP status (100-599) or a list of them (got ${describe(i)})`);
        }
        ex.status = codes;
        break;
      }
      case 'error':
        if (v.kind === 'scalar' && typeof v.value === 'string' && v.value)
          ex.error = template(v.value, v.line, at, errors);
        else
          errors.add(
            v.line,
            `${at} must be an error code (ERR_AUTH) or error name (AccessDeniedException) (got ${describe(v)})`,
          );
        break;
      case 'contains':
      case 'notContains': {
        const items = v.kind === 'seq' ? v.items : [v];
        for (const i of items) {
          if (i.kind === 'scalar' && i.value !== null && i.value !== '') {
            const tv =
              typeof i.value === 'string' ? template(i.value, i.line, at, errors) : textTpl(String(i.value), i.line);
            (e.key === 'contains' ? ex.contains : ex.notContains).push(tv);
          } else errors.add(i.line, `${at} must be a text or a list of texts (got ${describe(i)})`);
        }
        break;
      }
      case 'json':
      case 'claims': {
        if (v.kind !== 'map' || v.entries.length === 0) {
          errors.add(
            v.line,
            `${at} must be a mapping of ` +
              (e.key === 'json'
                ? 'path: expected value (e.g. "response.status: ok")'
                : 'claim: expected value (e.g. "token_use: access")') +
              ` (got ${describe(v)})`,
          );
          break;
        }
        for (const pe of v.entries) {
          let path: string[];
          try {
            path = e.key === 'claims' ? [pe.key] : splitPath(pe.key);
          } catch (err) {
            errors.add(pe.keyLine, `${at}: ${(err as Error).message}`);
            continue;
          }
          const check: PathCheck = {
            path,
            pathText: pe.key,
            value: tvalue(pe.value, `${at}.${pe.key}`, errors),
            line: pe.keyLine,
          };
          (e.key === 'json' ? ex.json : ex.claims).push(check);
        }
        break;
      }
      case 'claimsFrom':
        if (v.kind === 'scalar' && typeof v.value === 'string' && v.value) {
          try {
            ex.claimsFrom = splitPath(v.value);
          } catch (err) {
            errors.add(v.line, `${at}: ${(err as Error).message}`);
          }
        } else errors.add(v.line, `${at} must be the output field that holds the token, e.g. accessToken`);
        break;
      case 'maxDuration': {
        const ms = duration(v, `${where}: expect.maxDuration`, errors);
        if (ms !== undefined) ex.maxDurationMs = ms;
        break;
      }
      default:
        errors.add(
          e.keyLine,
          `${where}: unknown expectation "${e.key}"${suggest(e.key, EXPECT_KEYS)}; expected one ` +
            `of ${[...EXPECT_KEYS].join(', ')}`,
        );
    }
  }
  return ex;
}
