/**
 * Located nodes: what the scenario parser walks instead of raw YAML nodes, each with its line. From a YAML document
 * (aliases and merge keys resolved, nesting and expansion bounded) or from plain values (a scenario built in code).
 */
import { createRequire } from 'node:module';
import type { Document, LineCounter, Node as YamlNode } from 'yaml';
import { AgentcoreAuthError } from '../errors.js';

/** `yaml` (84 CommonJS files), loaded when a scenario text is parsed, not for a scenario built in code (the demo). */
const load = createRequire(import.meta.url);
let yamlModule: typeof import('yaml') | undefined;
// Memoised: require() resolves its argument on every call, and toLNode asks once per node (an alias bomb has 10^5).
export const yaml = (): typeof import('yaml') => (yamlModule ??= load('yaml'));

/** A located node: what the parser walks instead of raw YAML nodes. */
export type LNode =
  | { kind: 'map'; line: number; entries: Array<{ key: string; keyLine: number; value: LNode }> }
  | { kind: 'seq'; line: number; items: LNode[] }
  | { kind: 'scalar'; line: number; value: string | number | boolean | null };

/** Lists and maps inside each other: a real scenario needs about 6 levels; thousands overflow the parser's stack. */
const MAX_NESTING = 64;
export const TOO_DEEP = `nested too deeply (more than ${MAX_NESTING} levels of lists and maps)`;

export class TooDeep extends Error {
  constructor(readonly line: number) {
    super(TOO_DEEP);
  }
}

/** The format a scenario is written in: JSON by its extension or its first character (`{`, `[`), else YAML. */
export function scenarioFormat(file: string, text: string): 'JSON' | 'YAML' {
  return /\.json$/i.test(file) || /^\s*[[{]/.test(text) ? 'JSON' : 'YAML';
}

/** Nodes a scenario may expand to (aliases included): a real file has hundreds; an alias bomb has billions. */
const MAX_SCENARIO_NODES = 100_000;

export function toLNode(
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

/** Plain values (as a parsed file would give them) as located nodes, all on line 1. */
export function valueToLNode(v: unknown): LNode {
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
