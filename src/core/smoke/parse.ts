/**
 * Scenario parser: YAML or JSON (JSON is YAML 1.2) → Scenario, with every error naming its line. The `yaml`
 * package's document nodes carry source ranges; a LineCounter turns offsets into line numbers (nodes.ts). A step is
 * read by step.ts, its expectation by expectation.ts, values and templates by read.ts.
 */
import { AgentcoreAuthError } from '../errors.js';
import { scenarioFormat, TOO_DEEP, TooDeep, toLNode, valueToLNode, yaml, type LNode } from './nodes.js';
import { describe, duration, envBlock, ScenarioErrors, suggest } from './read.js';
import { STEP_KIND_NAMES, type Scenario } from './schema.js';
import { buildStep, type StepsSoFar } from './step.js';
import type { Node as YamlNode } from 'yaml';

export { emptyExpectation } from './expectation.js';
export { ScenarioErrors, type ScenarioIssue } from './read.js';

const TOP_KEYS = new Set(['version', 'name', 'description', 'env', 'timeout', 'steps']);

/** Parse a scenario file's text. Throws ERR_INPUT (exit 2) naming `file:line` for every problem found. */
export function parseScenario(text: string, file: string): Scenario {
  const { LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    merge: true,
    // The library's own warnings (an unknown tag or directive) would go to process warnings, not to this report.
    logLevel: 'error',
  });
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

function buildScenario(root: LNode, file: string, errors: ScenarioErrors): Scenario {
  const scenario: Scenario = { file, name: file, env: {}, steps: [] };
  if (root.kind !== 'map') {
    errors.add(root.line, `a scenario is a mapping with a "steps:" list (got ${describe(root)})`);
    return scenario;
  }
  let stepsNode: LNode | undefined;
  for (const e of root.entries) {
    if (e.key === 'steps') stepsNode = e.value;
    else readTopLevel(scenario, e, errors);
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
  const sofar: StepsSoFar = { seen: new Map(), kindCount: new Map() };
  stepsNode.items.forEach((item, index) => {
    const step = buildStep(item, index, errors, sofar);
    if (step) scenario.steps.push(step);
  });
  return scenario;
}

/** version, name, description, env, timeout; `x-…` keys hold anchors for the steps to reuse. */
function readTopLevel(
  scenario: Scenario,
  e: Extract<LNode, { kind: 'map' }>['entries'][number],
  errors: ScenarioErrors,
): void {
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
