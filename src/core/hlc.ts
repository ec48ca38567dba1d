// Hybrid logical clock (Kulkarni et al., 2014): physical milliseconds plus a counter, so that
// every send is ordered before its receive even when two agents' clocks disagree, while staying
// close to wall time. The text form sorts like the clock: `WWWWWWWWWWWWW-CCCCC-NNNNN` (wall ms,
// counter, agent id, zero-padded), so a plain string compare orders events across agents.
import { AgentError, got } from './errors.ts';
import { SETTINGS } from './settings.ts';

export interface Hlc {
  /** ms since epoch: the largest physical time this clock has seen */
  wall: number;
  /** orders events within one `wall` millisecond */
  counter: number;
  /** the agent whose clock made the reading (tie-breaker) */
  node: number;
}

const WALL_DIGITS = 13;
const COUNTER_DIGITS = 5;
const NODE_DIGITS = 5;
const MAX_COUNTER = 10 ** COUNTER_DIGITS - 1;
const HLC_TEXT = /^(\d{13})-(\d{5})-(\d{5})$/;
/**
 * A remote reading further ahead of our wall clock than this is refused, not adopted: one adopted
 * reading an hour ahead would drag every clock it reaches along with it. Servers under NTP agree
 * within milliseconds; the agents' `max_clock_skew` variable sets it.
 */
export const DEFAULT_MAX_CLOCK_SKEW_MS = SETTINGS.maxClockSkewMs.default;

export function formatHlc(h: Hlc): string {
  const pad = (n: number, digits: number): string => String(n).padStart(digits, '0');
  return `${pad(h.wall, WALL_DIGITS)}-${pad(h.counter, COUNTER_DIGITS)}-${pad(h.node, NODE_DIGITS)}`;
}

/** Parses the text form; null when it is not one. */
export function parseHlc(text: string): Hlc | null {
  const m = HLC_TEXT.exec(text);
  if (m === null) return null;
  return { wall: Number(m[1]), counter: Number(m[2]), node: Number(m[3]) };
}

export function isHlc(x: unknown): x is string {
  return typeof x === 'string' && HLC_TEXT.test(x);
}

/** One agent's clock for one request: starts from the last reading it persisted. */
export class HybridClock {
  private wall: number;
  private counter: number;

  constructor(
    private readonly now: () => number,
    private readonly node: number,
    last: string | null = null,
    private readonly maxSkewMs: number = DEFAULT_MAX_CLOCK_SKEW_MS,
  ) {
    if (node < 0 || node >= 10 ** NODE_DIGITS) throw new AgentError('bad-config', `agent id ${node} does not fit an HLC`);
    const start = last === null ? null : parseHlc(last);
    this.wall = start?.wall ?? 0;
    this.counter = start?.counter ?? 0;
  }

  /** A local event or a send. */
  tick(): string {
    const pt = this.now();
    if (pt > this.wall) {
      this.wall = pt;
      this.counter = 0;
    } else {
      this.bump();
    }
    return this.reading();
  }

  /** A receive of `remote`: after both it and everything this clock has read. */
  receive(remote: string): string {
    const r = this.admit(remote);
    const pt = this.now();
    const wall = Math.max(this.wall, r.wall, pt);
    if (wall === this.wall && wall === r.wall) this.counter = Math.max(this.counter, r.counter) + 1;
    else if (wall === this.wall) this.counter += 1;
    else if (wall === r.wall) this.counter = r.counter + 1;
    else this.counter = 0;
    this.wall = wall;
    if (this.counter > MAX_COUNTER) this.bump();
    return this.reading();
  }

  /** `remote` parsed; throws AgentError 'bad-envelope' unless this clock would receive it. Changes nothing. */
  admit(remote: string): Hlc {
    const r = parseHlc(remote);
    if (r === null) throw new AgentError('bad-envelope', 'hlc must be a hybrid logical clock reading', got(remote));
    if (r.wall > this.now() + this.maxSkewMs) {
      throw new AgentError('bad-envelope', `hlc is more than ${this.maxSkewMs} ms ahead of this agent's clock (max_clock_skew)`, remote);
    }
    return r;
  }

  /** The last reading, to persist; null before the first. */
  last(): string | null {
    return this.wall === 0 ? null : formatHlc({ wall: this.wall, counter: this.counter, node: this.node });
  }

  private bump(): void {
    // a full counter borrows the next millisecond, so readings stay unique and ordered
    if (this.counter >= MAX_COUNTER) {
      this.wall += 1;
      this.counter = 0;
    } else {
      this.counter += 1;
    }
  }

  private reading(): string {
    return formatHlc({ wall: this.wall, counter: this.counter, node: this.node });
  }
}
