/**
 * A step's `expect:`: allow, deny, or a mapping of checks (outcome, exitCode, status, error, contains, notContains,
 * json, claims, claimsFrom, maxDuration), each read by its own function.
 */
import type { LNode } from './nodes.js';
import { describe, duration, suggest, template, textTpl, tvalue, type ScenarioErrors } from './read.js';
import type { AccessOutcome, Expectation, PathCheck } from './schema.js';
import { splitPath } from './template.js';

type Reader = (ex: Expectation, v: LNode, at: string, errors: ScenarioErrors, key: string) => void;

const READERS: Record<string, Reader> = {
  outcome: (ex, v, at, errors) => {
    if (v.kind === 'scalar' && (v.value === 'allow' || v.value === 'deny')) ex.outcome = v.value as AccessOutcome;
    else errors.add(v.line, `${at} must be allow or deny (got ${describe(v)})`);
  },
  exitCode: (ex, v, at, errors) => {
    if (v.kind === 'scalar' && typeof v.value === 'number' && Number.isInteger(v.value) && v.value >= 0)
      ex.exitCode = v.value;
    else errors.add(v.line, `${at} must be an exit code such as 0, 4 or 6 (got ${describe(v)})`);
  },
  status: (ex, v, at, errors) => {
    const codes: number[] = [];
    for (const i of v.kind === 'seq' ? v.items : [v]) {
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
  },
  error: (ex, v, at, errors) => {
    if (v.kind === 'scalar' && typeof v.value === 'string' && v.value) ex.error = template(v.value, v.line, at, errors);
    else
      errors.add(
        v.line,
        `${at} must be an error code (ERR_AUTH) or error name (AccessDeniedException) (got ${describe(v)})`,
      );
  },
  contains: texts,
  notContains: texts,
  json: pathChecks,
  claims: pathChecks,
  claimsFrom: (ex, v, at, errors) => {
    if (v.kind === 'scalar' && typeof v.value === 'string' && v.value) {
      try {
        ex.claimsFrom = splitPath(v.value);
      } catch (err) {
        errors.add(v.line, `${at}: ${(err as Error).message}`);
      }
    } else errors.add(v.line, `${at} must be the output field that holds the token, e.g. accessToken`);
  },
  maxDuration: (ex, v, at, errors) => {
    const ms = duration(v, at, errors);
    if (ms !== undefined) ex.maxDurationMs = ms;
  },
};

const EXPECT_KEYS = new Set(Object.keys(READERS));

export function emptyExpectation(line: number): Expectation {
  return { line, contains: [], notContains: [], json: [], claims: [] };
}

export function buildExpectation(n: LNode, where: string, errors: ScenarioErrors): Expectation {
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
    const read = READERS[e.key];
    if (read) read(ex, e.value, `${where}: expect.${e.key}`, errors, e.key);
    else
      errors.add(
        e.keyLine,
        `${where}: unknown expectation "${e.key}"${suggest(e.key, EXPECT_KEYS)}; expected one ` +
          `of ${[...EXPECT_KEYS].join(', ')}`,
      );
  }
  return ex;
}

/** contains / notContains: a text or a list of texts. */
function texts(ex: Expectation, v: LNode, at: string, errors: ScenarioErrors, key: string): void {
  for (const i of v.kind === 'seq' ? v.items : [v]) {
    if (i.kind === 'scalar' && i.value !== null && i.value !== '') {
      const tv = typeof i.value === 'string' ? template(i.value, i.line, at, errors) : textTpl(String(i.value), i.line);
      (key === 'contains' ? ex.contains : ex.notContains).push(tv);
    } else errors.add(i.line, `${at} must be a text or a list of texts (got ${describe(i)})`);
  }
}

/** json (paths into the output) / claims (names in the token): a mapping of path → expected value. */
function pathChecks(ex: Expectation, v: LNode, at: string, errors: ScenarioErrors, key: string): void {
  if (v.kind !== 'map' || v.entries.length === 0) {
    errors.add(
      v.line,
      `${at} must be a mapping of ` +
        (key === 'json'
          ? 'path: expected value (e.g. "response.status: ok")'
          : 'claim: expected value (e.g. "token_use: access")') +
        ` (got ${describe(v)})`,
    );
    return;
  }
  for (const pe of v.entries) {
    let path: string[];
    try {
      path = key === 'claims' ? [pe.key] : splitPath(pe.key);
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
    (key === 'json' ? ex.json : ex.claims).push(check);
  }
}
