// The host's front door: token buckets per client address and per component, so one client (or a
// flood at one agent) cannot take the workers from everyone else. A refused request gets 429 with
// Retry-After before its body is read. Off unless configured (HOST_RATE_LIMIT_*): Spin has no
// limits of its own, and in production they belong to the Ingress or API gateway in front.
import { HostError } from './errors.ts';

export interface RateLimit {
  /** sustained requests per second */
  perSecond: number;
  /** requests allowed at once after a quiet spell */
  burst: number;
}

/** Buckets kept at most; full (idle) ones are dropped first, so a scan of many addresses stays bounded. */
const MAX_BUCKETS = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** 0 when `key` may go now (a token is taken), else the milliseconds until it may. */
  take(key: string): number {
    const now = this.now();
    const bucket = this.refill(this.buckets.get(key), now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.remember(key, bucket);
      return 0;
    }
    this.remember(key, bucket);
    return Math.ceil(((1 - bucket.tokens) / this.limit.perSecond) * 1_000);
  }

  private refill(bucket: Bucket | undefined, now: number): Bucket {
    if (bucket === undefined) return { tokens: this.limit.burst, at: now };
    const tokens = Math.min(this.limit.burst, bucket.tokens + ((now - bucket.at) / 1_000) * this.limit.perSecond);
    return { tokens, at: now };
  }

  private remember(key: string, bucket: Bucket): void {
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    // Map order is insertion order: the first entries are the least recently used
    while (this.buckets.size > MAX_BUCKETS) this.buckets.delete(this.buckets.keys().next().value!);
  }
}

/** `HOST_RATE_LIMIT_PER_CLIENT=20` or `=20,60` (per second, burst; burst defaults to twice the rate). */
export function parseRateLimit(name: string, raw: string | undefined): RateLimit | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:,\s*(\d+)\s*)?$/.exec(raw);
  const perSecond = m === null ? NaN : Number(m[1]);
  const burst = m?.[2] === undefined ? Math.max(1, Math.ceil(perSecond * 2)) : Number(m[2]);
  if (!(perSecond > 0) || !(burst >= 1)) throw new HostError('bad-option', `${name} must be <requests per second>[,<burst>], e.g. 20,60; got ${JSON.stringify(raw)}`);
  return { perSecond, burst };
}
