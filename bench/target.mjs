// One line per target for bench/run-all.mjs's summary: `BENCH-TARGET {json}` on stdout (run-all hides these lines and
// prints them as one table at the end).
export function target(name, measured, goal, met) {
  console.log(`BENCH-TARGET ${JSON.stringify({ name, measured, goal, met })}`);
}
