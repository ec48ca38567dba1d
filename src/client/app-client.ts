// The app's HTTP API as typed calls, one per operation of /api/openapi.json, for the dashboard
// and the scripts (and any TypeScript user): the answers' types come from the components that
// build them (type-only imports, so nothing of theirs is bundled), a refusal is an ApiError with
// the app's { error, detail }, and the bearer token goes with every request when there is one.
import type {
  AgentStateAnswer,
  AgentTimelineAnswer,
  BestAnswer,
  DataAnswer,
  DeletedAnswer,
  EGraphAnswer,
  EqualAnswer,
  MergedAnswer,
  MessagesAnswer,
  TermAnswer,
  WriteAnswer,
} from '../agent/index.ts';
import type { AppHealthAnswer, NetworkMetrics, TopologyAnswer } from '../api/index.ts';
import { toBase64 } from '../shared/base64.ts';
import { readWholeTimeline, type TimelineEvent, type TimelinePage } from '../core/wire.ts';

/** A refusal (or a failure) of the app: its HTTP status and the `{ error, detail }` it answered. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly error: string,
    readonly detail: string,
  ) {
    super(`${method} ${path}: HTTP ${status}: ${error}${detail === '' ? '' : ` (${detail})`}`);
  }
}

export interface AppClientOptions {
  /** the app's base URL; '' for the page's own origin (the dashboard) */
  url: string;
  /** the app's auth_token or read_token, or where to read it on each request; none when absent */
  token?: string | (() => string | null);
}

/** `GET /api/timeline`'s query: a cursor, a page size, and filters (comma-separated ids or types). */
export interface TimelineQuery {
  since?: string | null;
  limit?: number;
  agent?: string;
  type?: string;
}

/** The largest page /api/timeline gives. */
const TIMELINE_PAGE = 5_000;

export class AppClient {
  readonly url: string;
  private readonly token: () => string | null;

  constructor(options: AppClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    const { token } = options;
    this.token = typeof token === 'function' ? token : () => (token === undefined || token === '' ? null : token);
  }

  health = (): Promise<AppHealthAnswer> => this.json('GET', '/health');
  topology = (): Promise<TopologyAnswer> => this.json('GET', '/api/topology');
  metrics = (): Promise<NetworkMetrics> => this.json('GET', '/api/metrics');

  timelinePage(query: TimelineQuery = {}, signal?: AbortSignal): Promise<TimelinePage> {
    const params = new URLSearchParams({ limit: String(query.limit ?? TIMELINE_PAGE) });
    if (query.since !== undefined && query.since !== null) params.set('since', query.since);
    if (query.agent) params.set('agent', query.agent);
    if (query.type) params.set('type', query.type);
    return this.json('GET', `/api/timeline?${params}`, { signal });
  }

  /** Every event the app still holds, oldest first, paged through the cursor; `onPage` sees each page. */
  wholeTimeline(filters: Pick<TimelineQuery, 'agent' | 'type'> = {}, onPage?: (page: TimelinePage) => void): Promise<TimelineEvent[]> {
    return readWholeTimeline(async (since) => {
      const page = await this.timelinePage({ ...filters, since, limit: TIMELINE_PAGE });
      onPage?.(page);
      return page;
    });
  }

  state = (agent: number): Promise<AgentStateAnswer> => this.json('GET', `/agent/${agent}/state`);
  messages = (agent: number): Promise<MessagesAnswer> => this.json('GET', `/agent/${agent}/messages`);
  agentTimeline = (agent: number): Promise<AgentTimelineAnswer> => this.json('GET', `/agent/${agent}/timeline`);

  data = (agent: number, key: string): Promise<DataAnswer> => this.json('GET', dataPath(agent, key));
  putData = (agent: number, key: string, value: unknown): Promise<WriteAnswer<DataAnswer>> => this.json('PUT', dataPath(agent, key), { json: value });
  deleteData = (agent: number, key: string): Promise<WriteAnswer<DeletedAnswer>> => this.json('DELETE', dataPath(agent, key));

  /** The agent's document as one Yjs update; with `sv`, only what that state vector lacks. */
  async doc(agent: number, sv?: Uint8Array): Promise<Uint8Array> {
    const query = sv === undefined ? '' : `?sv=${encodeURIComponent(toBase64(sv))}`;
    return new Uint8Array(await (await this.send('GET', `/agent/${agent}/doc${query}`)).arrayBuffer());
  }

  mergeDoc = (agent: number, update: Uint8Array): Promise<WriteAnswer<MergedAnswer>> => this.json('POST', `/agent/${agent}/doc`, { bytes: update });

  addTerm = (agent: number, term: string): Promise<WriteAnswer<TermAnswer>> => this.json('POST', `/agent/${agent}/terms`, { json: { term } });
  egraph = (agent: number, full = false): Promise<EGraphAnswer> => this.json('GET', `/agent/${agent}/egraph${full ? '?full=1' : ''}`);
  best = (agent: number, term: string, cost?: string): Promise<BestAnswer> =>
    this.json('GET', `/agent/${agent}/egraph/best?${new URLSearchParams({ term, ...(cost === undefined ? {} : { cost }) })}`);
  equal = (agent: number, a: string, b: string): Promise<EqualAnswer> => this.json('GET', `/agent/${agent}/egraph/equal?${new URLSearchParams({ a, b })}`);

  private async json<T>(method: string, path: string, body: { json?: unknown; bytes?: Uint8Array; signal?: AbortSignal | undefined } = {}): Promise<T> {
    const res = await this.send(method, path, body);
    return (await res.json()) as T;
  }

  /** The request, with the token; a non-2xx answer throws its ApiError. */
  private async send(method: string, path: string, body: { json?: unknown; bytes?: Uint8Array; signal?: AbortSignal | undefined } = {}): Promise<Response> {
    const headers: Record<string, string> = {};
    const token = this.token();
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let payload: BodyInit | undefined;
    if (body.bytes !== undefined) {
      headers['content-type'] = 'application/octet-stream';
      payload = body.bytes as Uint8Array<ArrayBuffer>;
    } else if ('json' in body) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    }
    const res = await fetch(this.url + path, { method, headers, ...(payload === undefined ? {} : { body: payload }), ...(body.signal === undefined ? {} : { signal: body.signal }) });
    if (!res.ok) throw await refusal(res, method, path);
    return res;
  }
}

function dataPath(agent: number, key: string): string {
  return `/agent/${agent}/data/${encodeURIComponent(key)}`;
}

async function refusal(res: Response, method: string, path: string): Promise<ApiError> {
  const text = await res.text();
  try {
    const { error, detail } = JSON.parse(text) as { error?: unknown; detail?: unknown };
    return new ApiError(res.status, method, path, typeof error === 'string' ? error : res.statusText, typeof detail === 'string' ? detail : '');
  } catch {
    return new ApiError(res.status, method, path, res.statusText || 'not JSON', text.slice(0, 200));
  }
}
