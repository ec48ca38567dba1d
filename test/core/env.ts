// Test knobs from the environment (SEED, RUNS): one helper that refuses bad values instead of
// silently running a different test.
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`${name} must be an integer, got ${JSON.stringify(raw)}`);
  return n;
}

/** fast-check parameters: fixed seed unless SEED is set, RUNS scales the run count. */
export function fcParams(defaultRuns: number): { seed: number; numRuns: number } {
  return { seed: envInt('SEED', 20_261_122), numRuns: envInt('RUNS', defaultRuns) };
}
