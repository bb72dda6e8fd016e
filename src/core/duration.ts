/**
 * Durations as people type them: a number in a default unit (`300` seconds for --timeout, `500` milliseconds in a
 * scenario) or with a unit (`500ms`, `30s`, `5m`, `1h`). One reader for every flag and scenario field that takes one.
 */

export type DurationUnit = 'ms' | 's' | 'm' | 'h';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/**
 * Milliseconds, or undefined when the text is not a duration. A number (JSON/YAML) is read in `defaultUnit`;
 * negative, infinite and NaN values are not durations. The result may be fractional only below 1 ms (rounded).
 */
export function parseDuration(value: unknown, defaultUnit: DurationUnit = 'ms'): number | undefined {
  let n: number;
  let unit: string = defaultUnit;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string') {
    const m = /^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*(ms|s|min|m|h)?\s*$/.exec(value);
    if (!m) return undefined;
    n = Number(m[1]);
    if (m[2]) unit = m[2];
  } else return undefined;
  if (!Number.isFinite(n) || n < 0) return undefined;
  const ms = n * UNIT_MS[unit]!;
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/** "500 ms", "30 s", "5 min", "2 h": the largest unit that shows the value exactly (else ms). */
export function formatDuration(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}
