// Exponential backoff with "equal jitter": half the delay is fixed (never a retry storm at 0 ms),
// half is random (replicas that failed together do not retry together).

export interface BackoffPolicy {
  /** retries after the first attempt; the call fails after 1 + retries attempts */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = { retries: 8, baseDelayMs: 100, maxDelayMs: 5_000 };

/** Delay before retry number `retry` (0-based). */
export function backoffDelayMs(policy: BackoffPolicy, retry: number, rand: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.round(ceiling / 2 + rand() * (ceiling / 2));
}
