/**
 * The head of a Cedar policy — effect, scope (principal, action, resource) and whether conditions follow — read from
 * its text without the engine. Cedar's own `policyToJson` gives the same facts but costs ~20 ms a policy (the JSON
 * AST crosses the WebAssembly boundary object by object), which a 100-policy set cannot pay at every start or change.
 * Statements reach this only after Cedar parsed them, so the scanner can be small: it skips annotations, comments and
 * strings, and reads the three scope clauses (test/policy-model/scope.test.ts checks it against policyToJson).
 */

export interface PolicyHead {
  effect: 'permit' | 'forbid';
  /** undefined = any action; otherwise the ids of the actions named (`==` one, `in` one or a list). */
  actions?: string[];
  resource:
    | { op: 'All' }
    | { op: '=='; type: string; id: string }
    | { op: 'in'; type: string; id: string }
    | { op: 'is'; type: string };
  /** Has a `when` or `unless` clause. */
  conditions: boolean;
}

type Tok = { kind: 'id' | 'str' | 'punct'; text: string };

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '0': '\0' };

/** One escape after a backslash at `at` (Cedar: \n \r \t \0 \\ \" \' \u{hex}); `moved` gets its last index. */
function unescapeAt(src: string, at: number, moved: (end: number) => void): string {
  const c = src[at]!;
  const u = c === 'u' ? /^u\{([0-9A-Fa-f]{1,6})\}/.exec(src.slice(at, at + 10)) : null;
  if (u) {
    moved(at + u[0].length - 1);
    return String.fromCodePoint(Number.parseInt(u[1]!, 16));
  }
  return ESCAPES[c] ?? c;
}

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) i++;
    else if (c === '/' && src[i + 1] === '/') while (i < src.length && src[i] !== '\n') i++;
    else if (c === '"') {
      let s = '';
      for (i++; i < src.length && src[i] !== '"'; i++) {
        if (src[i] !== '\\') s += src[i];
        else s += unescapeAt(src, ++i, (end) => (i = end));
      }
      i++;
      out.push({ kind: 'str', text: s });
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, i + 256))!;
      out.push({ kind: 'id', text: m[0] });
      i += m[0].length;
    } else if ((c === ':' && src[i + 1] === ':') || (c === '=' && src[i + 1] === '=')) {
      out.push({ kind: 'punct', text: c + c });
      i += 2;
    } else {
      out.push({ kind: 'punct', text: c });
      i++;
    }
  }
  return out;
}

/** `A::B::"id"` at `toks[i]` → the type path and id, and where it ends. */
function entityAt(toks: Tok[], i: number): { type: string; id: string; end: number } | undefined {
  const path: string[] = [];
  while (toks[i]?.kind === 'id' && toks[i + 1]?.text === '::') {
    path.push(toks[i]!.text);
    i += 2;
  }
  if (!path.length || toks[i]?.kind !== 'str') return undefined;
  return { type: path.join('::'), id: toks[i]!.text, end: i + 1 };
}

/** The three scope clauses (tokens between the head's parentheses, split at top-level commas). */
function clauses(toks: Tok[]): { effect: string; parts: Tok[][]; after: Tok | undefined } | undefined {
  let i = 0;
  while (toks[i]?.text === '@') {
    i += 2; // @ name
    if (toks[i]?.text === '(') i += 3; // ( "value" )
  }
  const effect = toks[i]?.text;
  if (toks[i + 1]?.text !== '(') return undefined;
  const parts: Tok[][] = [[]];
  let depth = 0;
  for (i += 2; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.kind === 'punct' && (t.text === '(' || t.text === '[')) depth++;
    if (t.kind === 'punct' && (t.text === ')' || t.text === ']')) {
      if (depth === 0) break;
      depth--;
    }
    if (t.kind === 'punct' && t.text === ',' && depth === 0) parts.push([]);
    else parts[parts.length - 1]!.push(t);
  }
  return effect ? { effect, parts, after: toks[i + 1] } : undefined;
}

/** Reads a policy's head; undefined when the text is not a policy (the caller parsed it with Cedar first). */
export function policyHead(statement: string): PolicyHead | undefined {
  const c = clauses(tokenize(statement));
  if (!c || (c.effect !== 'permit' && c.effect !== 'forbid') || c.parts.length !== 3) return undefined;
  const [, action, resource] = c.parts as [Tok[], Tok[], Tok[]];
  let actions: string[] | undefined;
  if (action.length > 1) {
    actions = [];
    for (let i = 1; i < action.length; i++) {
      const e = entityAt(action, i);
      if (e) {
        actions.push(e.id);
        i = e.end - 1;
      }
    }
  }
  return {
    effect: c.effect,
    ...(actions ? { actions } : {}),
    resource: resourceOf(resource),
    conditions: c.after?.text === 'when' || c.after?.text === 'unless',
  };
}

function resourceOf(r: Tok[]): PolicyHead['resource'] {
  const op = r[1]?.text;
  if (op === '==' || op === 'in') {
    const e = entityAt(r, 2);
    if (e) return { op, type: e.type, id: e.id };
  }
  if (op === 'is') {
    const path: string[] = [];
    for (let i = 2; r[i]?.kind === 'id'; i += 2) {
      path.push(r[i]!.text);
      if (r[i + 1]?.text !== '::') break;
    }
    return { op: 'is', type: path.join('::') };
  }
  return { op: 'All' };
}
