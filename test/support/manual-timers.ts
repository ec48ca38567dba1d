// Timers (src/gateway/timers.ts) driven by hand: time moves only when a test advances it.
import type { Timers } from '../../src/gateway/timers.ts';

export function manualTimers() {
  let now = 1_000;
  let tasks: { at: number; fn: () => void }[] = [];
  const timers: Timers = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const task = { at: now + ms, fn };
      tasks.push(task);
      return () => void (tasks = tasks.filter((t) => t !== task));
    },
  };
  const advance = (ms: number) => {
    now += ms;
    for (const t of tasks.filter((x) => x.at <= now).sort((a, b) => a.at - b.at)) {
      tasks = tasks.filter((x) => x !== t);
      t.fn();
    }
  };
  return { timers, advance, next: () => Math.min(...tasks.map((t) => t.at)) - now, pending: () => tasks.length };
}
