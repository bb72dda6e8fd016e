/** Reading located nodes into the scenario model: templates, values, durations, env blocks; "did you mean". */
import { parseDuration } from '../duration.js';
import { Tpl, type TValue } from './schema.js';
import { parseTemplate, TemplateSyntaxError, type Template } from './template.js';
import type { LNode } from './nodes.js';

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

export function describe(n: LNode): string {
  if (n.kind === 'map') return 'a mapping';
  if (n.kind === 'seq') return 'a list';
  return n.value === null ? 'empty' : `${typeof n.value} ${JSON.stringify(n.value)}`;
}

export function suggest(key: string, known: Iterable<string>): string {
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

export function template(source: string, line: number, where: string, errors: ScenarioErrors): Tpl {
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

export function textTpl(text: string, line: number): Tpl {
  return new Tpl({ parts: [{ kind: 'text', text }], source: text }, line);
}

/** A YAML value → TValue (strings become templates). */
export function tvalue(n: LNode, where: string, errors: ScenarioErrors): TValue {
  if (n.kind === 'scalar') return typeof n.value === 'string' ? template(n.value, n.line, where, errors) : n.value;
  if (n.kind === 'seq') return n.items.map((item, i) => tvalue(item, `${where}[${i}]`, errors));
  const out: Record<string, TValue> = {};
  for (const e of n.entries) out[e.key] = tvalue(e.value, `${where}.${e.key}`, errors);
  return out;
}

export function duration(n: LNode, where: string, errors: ScenarioErrors): number | undefined {
  const ms = n.kind === 'scalar' ? parseDuration(n.value) : undefined;
  if (ms === undefined) errors.add(n.line, `${where} must be a duration such as 500ms, 2s or 1m (got ${describe(n)})`);
  return ms;
}

export function envBlock(n: LNode, where: string, errors: ScenarioErrors): Record<string, TValue> {
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
