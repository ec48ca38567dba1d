// `GET /api/timeline?since=&agent=&type=&limit=`: which events a reader gets, and the cursor to
// read on from. Without `since` the reader gets the newest `limit` events (a dashboard opening);
// with it, the oldest `limit` events after the cursor (paging forward loses nothing).
import { AgentError, got } from './errors.ts';
import { isHlc } from './hlc.ts';
import { TIMELINE_EVENT_TYPES, type TimelineEvent, type TimelineEventType } from './timeline.ts';

export const DEFAULT_TIMELINE_LIMIT = 500;
export const MAX_TIMELINE_LIMIT = 5_000;
/** `since=0`: from the very beginning */
export const TIMELINE_START = '0000000000000-00000-00000';

export interface TimelineQuery {
  /** exclusive HLC cursor; null → the newest events */
  since: string | null;
  agents: ReadonlySet<number> | null;
  types: ReadonlySet<TimelineEventType> | null;
  limit: number;
}

export interface TimelinePage {
  events: TimelineEvent[];
  /** pass as `since` to read on; the request's own `since` when nothing matched */
  next_cursor: string | null;
  /** more events match after this page */
  has_more: boolean;
}

/** Reads the query string; a bad parameter is a `bad-request` naming it. */
export function parseTimelineQuery(params: URLSearchParams, agentCount: number): TimelineQuery {
  const since = params.get('since');
  if (since !== null && since !== '0' && !isHlc(since)) {
    throw new AgentError('bad-request', 'since must be a cursor (an HLC reading such as next_cursor) or 0', got(since));
  }
  return {
    since: since === null ? null : since === '0' ? TIMELINE_START : since,
    agents: list(params.get('agent'), 'agent', (s) => {
      const n = Number(s);
      return /^\d+$/.test(s) && n < agentCount ? n : null;
    }, `an agent id below ${agentCount}`),
    types: list(params.get('type'), 'type', (s) => TIMELINE_EVENT_TYPES.find((t) => t === s) ?? null, `one of ${TIMELINE_EVENT_TYPES.join(', ')}`),
    limit: limitOf(params.get('limit')),
  };
}

/** The page of `ordered` (HLC order, as mergeTimelines returns) that `query` selects. */
export function selectTimeline(ordered: readonly TimelineEvent[], query: TimelineQuery): TimelinePage {
  const matching = ordered.filter(
    (e) =>
      (query.since === null || e.hlc > query.since) &&
      (query.agents === null || query.agents.has(e.agent)) &&
      (query.types === null || query.types.has(e.type)),
  );
  const events = query.since === null ? matching.slice(-query.limit) : matching.slice(0, query.limit);
  const last = events[events.length - 1];
  return {
    events,
    next_cursor: last?.hlc ?? query.since,
    has_more: query.since !== null && matching.length > events.length,
  };
}

function list<T>(raw: string | null, name: string, item: (s: string) => T | null, expected: string): Set<T> | null {
  if (raw === null || raw === '') return null;
  const out = new Set<T>();
  for (const part of raw.split(',')) {
    const value = item(part.trim());
    if (value === null) throw new AgentError('bad-request', `${name} must be a comma-separated list of ${expected}`, got(part));
    out.add(value);
  }
  return out;
}

function limitOf(raw: string | null): number {
  if (raw === null || raw === '') return DEFAULT_TIMELINE_LIMIT;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > MAX_TIMELINE_LIMIT) {
    throw new AgentError('bad-request', `limit must be an integer from 1 to ${MAX_TIMELINE_LIMIT}`, got(raw));
  }
  return n;
}

/** Every event a timeline holds, oldest first: pages from `since=0` along `next_cursor`. */
export async function readWholeTimeline(page: (since: string) => Promise<TimelinePage>): Promise<TimelineEvent[]> {
  const events: TimelineEvent[] = [];
  let since = '0';
  for (;;) {
    const next = await page(since);
    events.push(...next.events);
    if (!next.has_more || next.next_cursor === null) return events;
    since = next.next_cursor;
  }
}
