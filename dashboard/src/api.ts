// The dashboard speaks only the wire: the app's HTTP API. The answers' types come from the code
// that builds them (`import type`: none of it is bundled); the one runtime import is core's pure
// timeline paging, so the dashboard pages /api/timeline as the export script does.
import { type TimelineEvent, readWholeTimeline, type TimelinePage, type Colour } from '../../src/core/wire.ts';
import type { NetworkMetrics, TopologyAnswer } from '../../src/api/index.ts';
import { appToken } from './token.ts';

export type { TimelineEvent, NetworkMetrics, Colour };

/** GET /api/topology's answer, as the api component builds it. */
export type Topology = TopologyAnswer;

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const token = appToken();
  const headers: Record<string, string> = { accept: 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) };
  const res = await fetch(path, { headers, ...(signal === undefined ? {} : { signal }) });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(res.status, `${path}: not JSON (HTTP ${res.status})`);
  }
  if (!res.ok) {
    const error = (body as { error?: unknown }).error;
    throw new ApiError(res.status, `${path}: ${typeof error === 'string' ? error : `HTTP ${res.status}`}`);
  }
  return body as T;
}

export const topology = (): Promise<Topology> => getJson<Topology>('/api/topology');
export const metrics = (): Promise<NetworkMetrics> => getJson<NetworkMetrics>('/api/metrics');

export function timelinePage(since: string | null, limit: number): Promise<TimelinePage> {
  const query = new URLSearchParams({ limit: String(limit) });
  if (since !== null) query.set('since', since);
  return getJson<TimelinePage>(`/api/timeline?${query}`);
}

/** Every event the app still holds, oldest first (pages through the cursor). */
export function wholeTimeline(): Promise<TimelineEvent[]> {
  return readWholeTimeline((since) => timelinePage(since, 5_000));
}
