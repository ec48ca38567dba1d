// The events this page knows, deduplicated by id and kept in HLC order (the same order as the
// server's timeline: a receive never before its send), bounded so a long session stays light.
import type { TimelineEvent } from './api.ts';

export const MAX_EVENTS = 20_000;

export interface EventFilter {
  agent: number | null;
  type: TimelineEvent['type'] | null;
}

export class EventLog {
  private readonly byId = new Map<string, TimelineEvent>();
  private ordered: TimelineEvent[] = [];
  private readonly listeners = new Set<(added: TimelineEvent[]) => void>();

  get size(): number {
    return this.ordered.length;
  }

  all(): readonly TimelineEvent[] {
    return this.ordered;
  }

  /** Adds what is new; listeners hear of the new events only. */
  add(events: readonly TimelineEvent[]): TimelineEvent[] {
    const added = events.filter((e) => !this.byId.has(e.id));
    if (added.length === 0) return added;
    for (const e of added) this.byId.set(e.id, e);
    this.ordered = [...this.ordered, ...added].sort((a, b) => (a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : a.id < b.id ? -1 : 1));
    if (this.ordered.length > MAX_EVENTS) {
      for (const e of this.ordered.splice(0, this.ordered.length - MAX_EVENTS)) this.byId.delete(e.id);
    }
    for (const listener of this.listeners) listener(added);
    return added;
  }

  onAdd(listener: (added: TimelineEvent[]) => void): void {
    this.listeners.add(listener);
  }

  newest(): TimelineEvent | undefined {
    return this.ordered[this.ordered.length - 1];
  }

  filtered(filter: EventFilter): TimelineEvent[] {
    return this.ordered.filter((e) => (filter.agent === null || e.agent === filter.agent) && (filter.type === null || e.type === filter.type));
  }

  /** The send or receive of the same envelope, if known. */
  counterpart(e: TimelineEvent): TimelineEvent | undefined {
    const id = e.detail.envelope_id;
    if (typeof id !== 'string') return undefined;
    const want = e.type === 'message_out' ? 'message_in' : e.type === 'message_in' ? 'message_out' : null;
    if (want === null) return undefined;
    return this.ordered.find((x) => x.type === want && x.detail.envelope_id === id);
  }
}

/** Wall milliseconds of an HLC reading (`WWWWWWWWWWWWW-CCCCC-NNNNN`). */
export function hlcWall(hlc: string): number {
  return Number(hlc.slice(0, 13));
}

/** An HLC cursor `ms` before `hlc`: re-reading a little overlap catches events stored late. */
export function cursorBefore(hlc: string, ms: number): string {
  return `${String(Math.max(0, hlcWall(hlc) - ms)).padStart(13, '0')}-00000-00000`;
}
