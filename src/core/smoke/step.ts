/**
 * One scenario step from its located node: exactly one command (its options, positionals or run words), the id
 * (default: the command's name, numbered when repeated), name, env, needs, timeout, expectation, and the steps it
 * reads (every ${steps.X…} must name an earlier step).
 */
import { buildExpectation, emptyExpectation } from './expectation.js';
import type { LNode } from './nodes.js';
import { describe, duration, envBlock, suggest, template, textTpl, tvalue, type ScenarioErrors } from './read.js';
import { STEP_KINDS, STEP_KIND_NAMES, Tpl, type Step, type StepKind, type TValue } from './schema.js';
import { stepRefs } from './template.js';

type Entry = Extract<LNode, { kind: 'map' }>['entries'][number];

const STEP_KEYS = new Set(['id', 'name', 'env', 'needs', 'timeout', 'expect', ...STEP_KIND_NAMES]);
const ID = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** The ids seen so far (with their lines) and how often each command appeared: what a step's checks compare with. */
export interface StepsSoFar {
  seen: Map<string, number>;
  kindCount: Map<string, number>;
}

export function buildStep(n: LNode, index: number, errors: ScenarioErrors, sofar: StepsSoFar): Step | undefined {
  const at = `steps[${index}]`;
  if (n.kind !== 'map') {
    errors.add(n.line, `${at} must be a mapping with one of ${STEP_KIND_NAMES.join(', ')} (got ${describe(n)})`);
    return undefined;
  }
  const kindEntry = commandEntry(n, at, errors);
  if (!kindEntry) return undefined;
  const kind = kindEntry.key as StepKind;
  const get = (key: string) => n.entries.find((e) => e.key === key);
  const id = stepId(n, kind, get('id'), at, errors, sofar);
  const where = `step "${id}"`;
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
  readCommand(step, kindEntry.value, where, errors);
  readSettings(step, get, where, errors);
  readDependencies(step, get('needs')?.value.line ?? n.line, where, errors, sofar.seen);
  return step;
}

/** The step's one command entry; unknown keys, none or several commands are errors. */
function commandEntry(n: Extract<LNode, { kind: 'map' }>, at: string, errors: ScenarioErrors): Entry | undefined {
  const kinds = n.entries.filter((e) => (STEP_KIND_NAMES as string[]).includes(e.key));
  for (const e of n.entries) {
    if (!STEP_KEYS.has(e.key)) errors.add(e.keyLine, `${at}: unknown key "${e.key}"${suggest(e.key, STEP_KEYS)}`);
  }
  if (kinds.length === 1) return kinds[0]!;
  errors.add(
    kinds[1]?.keyLine ?? n.line,
    kinds.length === 0
      ? `${at} says nothing to run: give it one of ${STEP_KIND_NAMES.join(', ')}`
      : `${at} has ${kinds.length} commands (${kinds.map((k) => k.key).join(', ')}); a step runs exactly one`,
  );
  return undefined;
}

/** The given id, or the command's name (numbered from its second use); a repeated id is an error. */
function stepId(
  n: LNode,
  kind: StepKind,
  idEntry: Entry | undefined,
  at: string,
  errors: ScenarioErrors,
  { seen, kindCount }: StepsSoFar,
): string {
  const count = (kindCount.get(kind) ?? 0) + 1;
  kindCount.set(kind, count);
  let id = count === 1 ? kind : `${kind}-${count}`;
  if (idEntry) {
    const v = idEntry.value;
    if (v.kind !== 'scalar' || typeof v.value !== 'string' || !ID.test(v.value)) {
      errors.add(
        v.line,
        `${at}.id must be a name of letters, digits, - and _ starting with a letter (got ${describe(v)})`,
      );
    } else id = v.value;
  }
  if (seen.has(id))
    errors.add(
      idEntry?.value.line ?? n.line,
      `step "${id}": the id is already used by the step on ` +
        `line ${seen.get(id)}${idEntry ? '' : '; give one of them another id'}`,
    );
  else seen.set(id, n.line);
  return id;
}

/** The command's body: `run`'s words, a positional as a string, nothing (`login:`), or a mapping of options. */
function readCommand(step: Step, body: LNode, where: string, errors: ScenarioErrors): void {
  const kind = step.kind;
  const spec = STEP_KINDS[kind];
  if (kind === 'run') step.args = runWords(body, where, errors);
  else if (body.kind === 'scalar' && typeof body.value === 'string' && spec.positionals.length > 0) {
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
  } else readOptions(step, body, where, errors);
}

function runWords(body: LNode, where: string, errors: ScenarioErrors): TValue[] {
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
    return [];
  }
  return body.items.map((i, k) => {
    const value = (i as { value: string | number | boolean }).value;
    return typeof value === 'string'
      ? template(value, i.line, `${where}.run[${k}]`, errors)
      : textTpl(String(value), i.line);
  });
}

/** A mapping of options: option values, the command's positionals (in their documented order) and `args`. */
function readOptions(step: Step, body: Extract<LNode, { kind: 'map' }>, where: string, errors: ScenarioErrors): void {
  const kind = step.kind;
  const positionals = STEP_KINDS[kind].positionals as readonly string[];
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
    if (positionals.includes(e.key)) positional[e.key] = value;
    else if (e.key === 'args') {
      if (!Array.isArray(value)) errors.add(e.value.line, `${where}: args must be a list of positional arguments`);
      else step.args.push(...value);
    } else step.options[e.key] = { value, line: e.keyLine };
  }
  // Positionals in their documented order; a later one needs the earlier ones. A gateway's HTTP target
  // (`invoke: { gateway-id, target, payload }`) takes no agent: the payload is the only positional.
  const ordered: TValue[] = [];
  const gatewayTarget =
    kind === 'invoke' && ['gateway-url', 'gatewayUrl', 'gateway-id', 'gatewayId'].some((k) => k in step.options);
  if (gatewayTarget && 'payload' in positional && !('agent' in positional)) ordered.push(positional.payload!);
  else
    for (const p of positionals) {
      if (p in positional) ordered.push(positional[p]!);
      else if (positionals.slice(positionals.indexOf(p) + 1).some((q) => q in positional)) {
        errors.add(body.line, `${where}: ${positionals.filter((q) => q in positional).join(', ')} given without ${p}`);
        break;
      } else break;
    }
  step.args = [...ordered, ...step.args];
}

/** env, needs, timeout and expect. */
function readSettings(
  step: Step,
  get: (key: string) => Entry | undefined,
  where: string,
  errors: ScenarioErrors,
): void {
  const envEntry = get('env');
  if (envEntry) step.env = envBlock(envEntry.value, `${where}.env`, errors);
  const needsEntry = get('needs');
  if (needsEntry) {
    const v = needsEntry.value;
    for (const item of v.kind === 'seq' ? v.items : [v]) {
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
}

/** The steps this one reads (its ${steps.X…} references and needs): each must be defined before it. */
function readDependencies(
  step: Step,
  needsLine: number,
  where: string,
  errors: ScenarioErrors,
  seen: Map<string, number>,
): void {
  const id = step.id;
  const refs = new Map<string, number>();
  collectRefs(step, refs);
  for (const need of step.needs) if (!refs.has(need)) refs.set(need, needsLine);
  for (const [ref, line] of refs) {
    if (ref === id)
      errors.add(line, `${where} refers to itself (\${steps.${ref}…}); a step can only read the steps before it`);
    else if (!seen.has(ref))
      errors.add(line, `${where} refers to step "${ref}", which is not defined before it${suggest(ref, seen.keys())}`);
  }
  step.needs = [...refs.keys()].filter((r) => r !== id);
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
