// JSON responses and the one mapping from AgentError codes to HTTP statuses.
import { AgentError, checkJsonDepth, secretEquals, unexpectedCase, type AgentErrorCode } from '../core/index.ts';

/** Largest request body accepted (a batch of envelopes with Yjs updates fits comfortably). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

export function statusOf(code: AgentErrorCode): number {
  switch (code) {
    case 'bad-request':
    case 'bad-envelope':
    case 'bad-update':
    case 'bad-term':
      return 400;
    case 'unauthorized':
      return 401;
    case 'wrong-agent':
    case 'not-found':
      return 404;
    case 'method-not-allowed':
      return 405;
    case 'too-large':
      return 413;
    case 'unsupported-media-type':
      return 415;
    case 'bad-config':
      return 500;
    case 'lease-lost':
      return 503;
    default:
      return unexpectedCase(code);
  }
}

export function errorResponse(err: unknown): Response {
  if (err instanceof AgentError) {
    const headers: Record<string, string> = err.code === 'unauthorized' ? { 'www-authenticate': 'Bearer' } : {};
    const refused = err.refused === undefined ? {} : { refused: err.refused };
    return json(statusOf(err.code), { error: err.message, detail: err.detail ?? err.code, ...refused }, headers);
  }
  const detail = err instanceof Error ? err.message : String(err);
  return json(500, { error: 'internal error', detail });
}

/** Reads the whole body, refusing more than MAX_BODY_BYTES. */
export async function readBody(request: Request): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) {
    throw new AgentError('too-large', `request body exceeds ${MAX_BODY_BYTES} bytes`, `content-length ${declared}`);
  }
  const body = new Uint8Array(await request.arrayBuffer());
  if (body.length > MAX_BODY_BYTES) {
    throw new AgentError('too-large', `request body exceeds ${MAX_BODY_BYTES} bytes`, `got ${body.length} bytes`);
  }
  return body;
}

/**
 * The body as JSON, declared as such: a page on another origin can POST `text/plain` without a
 * CORS preflight, never `application/json`, so requiring it keeps cross-site forms out.
 */
export async function readJsonBody(request: Request): Promise<unknown> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new AgentError('unsupported-media-type', 'request body must be sent as content-type: application/json', type === '' ? 'no content-type' : `got ${type}`);
  }
  const body = await readBody(request);
  if (body.length === 0) throw new AgentError('bad-request', 'request body must be JSON', 'the body is empty');
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (err) {
    throw new AgentError('bad-request', 'request body is not valid JSON', err instanceof Error ? err.message : String(err));
  }
  checkJsonDepth(value);
  return value;
}

/**
 * The body as bytes, declared as `application/octet-stream` (a Yjs update): like readJsonBody's
 * content type, it needs a CORS preflight, so no cross-site form can send it.
 */
export async function readBinaryBody(request: Request): Promise<Uint8Array> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/octet-stream') {
    throw new AgentError('unsupported-media-type', 'request body must be sent as content-type: application/octet-stream', type === '' ? 'no content-type' : `got ${type}`);
  }
  const body = await readBody(request);
  if (body.length === 0) throw new AgentError('bad-request', 'request body must not be empty');
  return body;
}

/** The app's two tokens (Spin variables), as y-sweet's client tokens: read-write, or read-only. */
export interface AppTokens {
  /** `auth_token`: writes, and reads too */
  write: string | null;
  /** `read_token`: reads only; when set, reads need one of the two */
  read: string | null;
}

/** Throws AgentError 'unauthorized' unless the request may do what its method says. */
export function requireAccess(request: Request, tokens: AppTokens, writes: boolean): void {
  const accepted = (writes ? [tokens.write] : tokens.read === null ? [] : [tokens.read, tokens.write]).filter((t): t is string => t !== null);
  if (accepted.length === 0) return;
  const header = request.headers.get('authorization') ?? '';
  // every token is compared, so the time says nothing about which one nearly matched
  const matches = accepted.map((token) => secretEquals(header, `Bearer ${token}`));
  if (!matches.includes(true)) {
    const wanted = writes ? '<auth_token>' : tokens.write === null ? '<read_token>' : '<read_token or auth_token>';
    throw new AgentError('unauthorized', 'missing or wrong bearer token', `send Authorization: Bearer ${wanted}`);
  }
}
