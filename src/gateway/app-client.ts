// HTTP client for the Spin app's agent routes (POST /agent/:n/inbox and /tick). Keep-alive sockets
// (one request per envelope batch adds up); retries with backoff + jitter only when the app is
// down (connection errors, timeouts, 5xx); a 4xx is the agent refusing input and is never retried.
import http from 'node:http';
import https from 'node:https';
import type { Envelope } from '../core/wire.ts';
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';
import { describeError, type Logger } from '../shared/log.ts';
import { TRACEPARENT } from '../shared/trace-context.ts';
import { isRoutable, isTimelineRecord, type TimelineRecord } from './routable.ts';
import { realTimers, sleep, type Timers } from './timers.ts';

export const REQUEST_TIMEOUT_MS = 10_000;

export type AppResult =
  | { kind: 'ok'; outbox: Envelope[]; timeline: TimelineRecord[]; retries: number }
  /** the app answered 4xx (or an unreadable 200): the input was refused, retrying cannot help */
  | { kind: 'rejected'; status: number; error: string; detail: string; retries: number; refused: readonly number[] | undefined }
  /** still down after every retry, or the client was closed */
  | { kind: 'unavailable'; reason: string; retries: number };

export interface AppClientOptions {
  appUrl: string;
  authToken: string | undefined;
  logger: Logger;
  backoff?: Partial<BackoffPolicy>;
  requestTimeoutMs?: number;
  maxSockets?: number;
  timers?: Timers;
  rand?: () => number;
}

interface RawReply {
  status: number;
  body: string;
}

export class AppClient {
  private readonly agent: http.Agent;
  private readonly policy: BackoffPolicy;
  private readonly timers: Timers;
  private readonly closing = new AbortController();
  /** flips on the first failure and the first success after it, so an outage logs two lines, not thousands */
  private reachable = true;
  readonly counters = { requests: 0, retries: 0, rejected: 0, unavailable: 0 };

  constructor(private readonly options: AppClientOptions) {
    const secure = options.appUrl.startsWith('https:');
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 32 };
    this.agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    this.policy = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.timers = options.timers ?? realTimers;
  }

  /** `traceparent`: the W3C trace context the request continues (retries send the same). */
  inbox(agent: number, envelopes: readonly Envelope[], traceparent: string): Promise<AppResult> {
    return this.call(agent, 'inbox', JSON.stringify(envelopes), traceparent);
  }

  tick(agent: number, traceparent: string): Promise<AppResult> {
    return this.call(agent, 'tick', '', traceparent);
  }

  /** Aborts requests and retry waits in progress; later calls resolve `unavailable`. */
  close(): void {
    this.closing.abort();
    this.agent.destroy();
  }

  private async call(agent: number, route: 'inbox' | 'tick', body: string, traceparent: string): Promise<AppResult> {
    const path = `/agent/${agent}/${route}`;
    for (let retry = 0; ; retry++) {
      if (this.closing.signal.aborted) return { kind: 'unavailable', reason: 'client closed', retries: retry };
      let failure: string;
      this.counters.requests += 1;
      try {
        const reply = await this.post(path, body, traceparent);
        // 429: the host's front door is throttling; back off and retry like an outage
        if (reply.status < 500 && reply.status !== 429) {
          this.markReachable(true, path);
          return this.settle(agent, route, reply, retry);
        }
        failure = `HTTP ${reply.status}: ${reply.body.slice(0, 200)}`;
      } catch (err) {
        failure = describeError(err);
      }
      this.markReachable(false, path, failure);
      if (retry >= this.policy.retries || this.closing.signal.aborted) {
        this.counters.unavailable += 1;
        // cut short by our own close: the gateway is stopping, the app is not at fault
        if (this.closing.signal.aborted) this.options.logger('debug', 'request abandoned: gateway closing', { agent, route });
        else this.options.logger('error', 'app unavailable; giving up', { agent, route, attempts: retry + 1, reason: failure });
        return { kind: 'unavailable', reason: failure, retries: retry };
      }
      const delayMs = backoffDelayMs(this.policy, retry, this.options.rand);
      this.counters.retries += 1;
      this.options.logger('debug', 'app request failed; retrying', { agent, route, retry: retry + 1, delay_ms: delayMs, reason: failure });
      await sleep(this.timers, delayMs, this.closing.signal);
    }
  }

  private settle(agent: number, route: string, reply: RawReply, retries: number): AppResult {
    let json: unknown;
    try {
      json = JSON.parse(reply.body);
    } catch {
      json = undefined;
    }
    const obj = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
    if (reply.status === 200 && Array.isArray(obj.outbox)) {
      const outbox = obj.outbox.filter(isRoutable);
      if (outbox.length !== obj.outbox.length) {
        this.options.logger('warn', 'outbox envelopes not routable; dropped', { agent, route, dropped: obj.outbox.length - outbox.length });
      }
      const timeline = Array.isArray(obj.timeline) ? obj.timeline.filter(isTimelineRecord) : [];
      return { kind: 'ok', outbox, timeline, retries };
    }
    const error = typeof obj.error === 'string' ? obj.error : reply.status === 200 ? 'bad-response' : `http-${reply.status}`;
    const detail = typeof obj.detail === 'string' ? obj.detail : reply.body.slice(0, 500);
    // a refused batch names the envelopes refused: indexes into it, ascending, each once
    const refused = Array.isArray(obj.refused) && obj.refused.every((i, n, all) => Number.isInteger(i) && i >= 0 && (n === 0 || i > all[n - 1])) ? (obj.refused as number[]) : undefined;
    this.counters.rejected += 1;
    this.options.logger('warn', 'app rejected request', { agent, route, status: reply.status, error, detail, refused: refused?.length });
    return { kind: 'rejected', status: reply.status, error, detail, retries, refused };
  }

  private markReachable(up: boolean, path: string, reason?: string): void {
    if (up === this.reachable) return;
    this.reachable = up;
    if (up) this.options.logger('info', 'app reachable again', { app_url: this.options.appUrl });
    else this.options.logger('warn', 'app unreachable; retrying with backoff', { app_url: this.options.appUrl, path, reason });
  }

  private post(path: string, body: string, traceparent: string): Promise<RawReply> {
    const url = new URL(this.options.appUrl + path); // keeps a path prefix in APP_URL
    const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
    if (this.options.authToken !== undefined) headers.authorization = `Bearer ${this.options.authToken}`;
    headers[TRACEPARENT] = traceparent;
    const request = url.protocol === 'https:' ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        { method: 'POST', agent: this.agent, headers, timeout: this.options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS, signal: this.closing.signal },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end(body);
    });
  }
}
