// `wasi:clocks/{monotonic-clock,wall-clock}@0.2.0`. Subscriptions return our in-memory pollables,
// so `poll` can sleep until a timer is due without any worker round-trip.
import { monotonicNow, Pollable } from './io.ts';

export function createClocksImports() {
  return {
    'wasi:clocks/monotonic-clock': {
      now: monotonicNow,
      resolution: (): bigint => 1n,
      subscribeInstant: (when: bigint): Pollable => new Pollable(when),
      subscribeDuration: (duration: bigint): Pollable => new Pollable(monotonicNow() + duration),
    },
    'wasi:clocks/wall-clock': {
      now(): { seconds: bigint; nanoseconds: number } {
        const ms = Date.now();
        return { seconds: BigInt(Math.floor(ms / 1000)), nanoseconds: (ms % 1000) * 1_000_000 };
      },
      resolution: (): { seconds: bigint; nanoseconds: number } => ({ seconds: 0n, nanoseconds: 1_000_000 }),
    },
  };
}
