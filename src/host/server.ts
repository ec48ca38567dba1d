// The main thread: a node:http server that reads each request whole, routes it as Spin does, adds
// Spin's request headers, and lets the worker pool run the component. Errors the host produces are
// JSON `{ error, detail }`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { BODY_AHEAD_BYTES } from './http/request-body.ts';
import type { LevelledLogger } from './log.ts';
import type { WorkerPool } from './pool.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { RouteMatch, Router } from './router.ts';

/** Request bodies above this are refused with 413 before a component sees them. */
export const MAX_REQUEST_BODY_BYTES = 8 * 1024 * 1024;

/** Response headers that describe the connection, not the message; Node writes its own. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'content-length']);

export interface ServerOptions {
  router: Router;
  pool: WorkerPool;
  log: LevelledLogger;
  /** `host:port` the server listens on, for `spin-full-url` when a request has no Host header */
  authority: () => string;
  maxBodyBytes?: number;
  /** token buckets per client address and per component; refused requests get 429 before their body is read */
  rateLimits?: { perClient?: RateLimiter | undefined; perComponent?: RateLimiter | undefined };
}

export function sendError(res: ServerResponse, status: number, error: string, detail: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error, detail });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * A request Node's parser refuses before any handler runs (headers or URL over Node's 16 KiB, bad
 * framing) gets the same JSON error shape as every other refusal instead of Node's empty answer.
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) return;
  const [status, reason, error] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'request line and headers exceed 16 KiB']
      : [400, 'Bad Request', 'malformed HTTP request'];
  const body = JSON.stringify({ error, detail: err.code ?? err.message });
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/** Spin's `spin-*` request headers for a routed request. */
export function spinHeaders(match: RouteMatch, fullUrl: string, clientAddr: string): [string, string][] {
  const headers: [string, string][] = [
    ['spin-full-url', fullUrl],
    ['spin-path-info', match.pathInfo],
    ['spin-matched-route', match.route],
    ['spin-component-route', match.componentRoute],
    ['spin-raw-component-route', match.route],
    ['spin-base-path', '/'],
    ['spin-client-addr', clientAddr],
  ];
  for (const [name, value] of Object.entries(match.params)) headers.push([`spin-path-match-${name.toLowerCase()}`, value]);
  return headers;
}

function tooLarge(res: ServerResponse, limit: number): void {
  res.setHeader('connection', 'close');
  sendError(res, 413, 'payload-too-large', `request bodies are limited to ${limit} bytes`);
}

/** Reads the whole body; fails when the client goes away first (a worker is waiting for it). */
function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array | 'too-large'> {
  return new Promise((resolve, reject) => {
    // A request can wait in the queue while its client gives up: its 'close' has been and gone.
    const gone = (): void => reject(new Error('the client closed the connection before sending its whole body'));
    if (req.destroyed) return gone();
    req.on('close', () => {
      if (!req.complete) gone();
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (over) return;
      // A fresh, exactly-sized buffer: it is transferred to the worker (Node's pooled buffers are not).
      const body = new Uint8Array(size);
      let at = 0;
      for (const c of chunks) {
        body.set(c, at);
        at += c.length;
      }
      resolve(body);
    });
    req.on('error', reject);
  });
}

export function createRequestHandler(options: ServerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { router, pool, log } = options;
  const limit = options.maxBodyBytes ?? MAX_REQUEST_BODY_BYTES;

  return (req, res) => {
    const started = performance.now();
    const rawUrl = req.url ?? '/';
    let pathWithQuery = rawUrl;
    if (!rawUrl.startsWith('/')) {
      // absolute-form (a proxy request) or garbage
      try {
        const u = new URL(rawUrl);
        pathWithQuery = u.pathname + u.search;
      } catch {
        sendError(res, 400, 'bad-request', `cannot parse request target ${JSON.stringify(rawUrl)}`);
        return;
      }
    }
    const q = pathWithQuery.indexOf('?');
    const path = q < 0 ? pathWithQuery : pathWithQuery.slice(0, q);
    const match = router.match(path);
    if (!match) {
      sendError(res, 404, 'not-found', `no route matches ${path}`);
      req.resume();
      return;
    }

    const client = req.socket.remoteAddress ?? '';
    const waitMs = Math.max(options.rateLimits?.perClient?.take(client) ?? 0, options.rateLimits?.perComponent?.take(match.component) ?? 0);
    if (waitMs > 0) {
      // the body is never read: close rather than drain it
      res.setHeader('connection', 'close');
      res.setHeader('retry-after', String(Math.ceil(waitMs / 1_000)));
      sendError(res, 429, 'too-many-requests', `rate limit reached for ${client} or ${match.component}; retry in ${waitMs} ms`);
      return;
    }

    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return tooLarge(res, limit);
    // The body is read only when the component reads it (http/request-body.ts), once; a small one
    // the client declared goes to the worker with the request.
    let reading: Promise<Uint8Array | 'too-large'> | undefined;
    const body = (): Promise<Uint8Array> => (reading ??= readBody(req, limit)).then((b) => (b === 'too-large' ? new Uint8Array(0) : b));
    void (async () => {
      const authority = req.headers.host ?? options.authority();
      const clientAddr = `${req.socket.remoteAddress ?? ''}:${req.socket.remotePort ?? ''}`;
      const spin = spinHeaders(match, `http://${authority}${pathWithQuery}`, clientAddr);
      const headers: [string, string][] = [];
      const raw = req.rawHeaders;
      for (let i = 0; i + 1 < raw.length; i += 2) {
        const name = raw[i]!.toLowerCase();
        if (!name.startsWith('spin-')) headers.push([name, raw[i + 1]!]);
      }
      headers.push(...spin);

      const result = await pool.dispatch({
        component: match.component,
        method: req.method ?? 'GET',
        pathWithQuery,
        authority,
        headers,
        body,
        bodyAhead: Number.isFinite(declared) && declared > 0 && declared <= BODY_AHEAD_BYTES,
      });
      if (reading !== undefined && (await reading) === 'too-large') return tooLarge(res, limit);
      // a body nobody read is not drained: the connection closes after the answer
      const closing = reading === undefined && (req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0);
      if (result.kind === 'failed') {
        if (closing) res.setHeader('connection', 'close');
        sendError(res, result.status, result.error, result.detail);
      } else {
        // one raw list: after a setHeader, writeHead sets each pair in turn, and a repeated header
        // (Set-Cookie, the component's Server-Timing beside the host's) would keep its last value only
        const out: string[] = closing ? ['connection', 'close'] : [];
        for (const [name, value] of result.headers) if (!HOP_BY_HOP.has(name)) out.push(name, value);
        const bodyless = result.status < 200 || result.status === 204 || result.status === 304;
        if (!bodyless) out.push('content-length', String(result.body.byteLength));
        res.writeHead(result.status, out);
        res.end(bodyless ? undefined : result.body);
      }
      if (log.enabled('debug')) {
        log('debug', 'request', {
          method: req.method,
          path: pathWithQuery,
          component: match.component,
          status: result.status,
          ms: Math.round((performance.now() - started) * 100) / 100,
          // the component's phases and the host's instantiate: where a slow request's time went
          timing: result.kind === 'failed' ? undefined : result.headers.filter(([name]) => name === 'server-timing').map(([, value]) => value).join(', '),
        });
      }
    })().catch((err: unknown) => {
      log('error', 'request failed in the host', { path: pathWithQuery, error: err instanceof Error ? err.message : String(err) });
      sendError(res, 500, 'host-error', err instanceof Error ? err.message : String(err));
    });
  };
}
