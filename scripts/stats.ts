// The figures benchmarks print: nearest-rank quantiles over trials, and rounding for the summary.

/** The nearest-rank `q` quantile of `xs` (NaN for none). */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

export const median = (xs: readonly number[]): number => quantile(xs, 0.5);
export const p95 = (xs: readonly number[]): number => quantile(xs, 0.95);
export const round = (x: number, digits = 1): number => Number(x.toFixed(digits));
