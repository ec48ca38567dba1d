// Cross-origin access, off by default: with the `cors_origins` variable empty a browser page of
// another origin can neither read an answer nor send a JSON write (its preflight gets no CORS
// headers). Set to `*` or a comma-separated list of origins, those pages may call the API with
// their bearer token: a preflight (OPTIONS) is answered 204, every answer names the origin.
import { AgentError } from '../core/index.ts';
import type { VariableSource } from './variables.ts';

/** null: no cross-origin access */
export type CorsPolicy = { kind: 'any' } | { kind: 'listed'; origins: ReadonlySet<string> } | null;

const ORIGIN = /^https?:\/\/[^\s/?#]+$/;
/** what a page may send besides the CORS-safelisted headers: its token and a JSON body */
const ALLOWED_HEADERS = 'authorization, content-type, traceparent, tracestate';
/** what a page may read besides the safelisted response headers */
const EXPOSED_HEADERS = 'server-timing, retry-after';
const PREFLIGHT_MAX_AGE_S = '600';

export function parseCorsOrigins(text: string): CorsPolicy {
  const value = text.trim();
  if (value === '') return null;
  if (value === '*') return { kind: 'any' };
  const origins = value.split(',').map((o) => o.trim().replace(/\/$/, ''));
  for (const o of origins) {
    if (!ORIGIN.test(o)) throw new AgentError('bad-config', `variable cors_origins must be * or comma-separated origins like https://app.example.com`, `got ${JSON.stringify(o)}`);
  }
  return { kind: 'listed', origins: new Set(origins) };
}

/** The app's policy, read only for a request from a page (one with an Origin): other callers never pay the variable read. */
export function corsPolicyFor(request: Request, get: VariableSource): CorsPolicy {
  return request.headers.has('origin') ? parseCorsOrigins(get('cors_origins') ?? '') : null;
}

function allowedOrigin(request: Request, policy: CorsPolicy): string | null {
  const origin = request.headers.get('origin');
  if (policy === null || origin === null) return null;
  if (policy.kind === 'any') return '*';
  return policy.origins.has(origin) ? origin : null;
}

/** The answer to a CORS preflight, or null when `request` is not one this policy answers. */
export function preflight(request: Request, policy: CorsPolicy, methods: readonly string[]): Response | null {
  if (request.method !== 'OPTIONS' || request.headers.get('access-control-request-method') === null) return null;
  const origin = allowedOrigin(request, policy);
  if (origin === null) return null;
  return new Response(null, {
    status: 204,
    headers: {
      'access-control-allow-origin': origin,
      'access-control-allow-methods': methods.join(', '),
      'access-control-allow-headers': ALLOWED_HEADERS,
      'access-control-max-age': PREFLIGHT_MAX_AGE_S,
      vary: 'origin',
    },
  });
}

/** `response`, readable by the requesting page when the policy allows its origin. */
export function withCors(request: Request, response: Response, policy: CorsPolicy): Response {
  if (policy === null) return response;
  response.headers.append('vary', 'origin');
  const origin = allowedOrigin(request, policy);
  if (origin !== null) {
    response.headers.set('access-control-allow-origin', origin);
    response.headers.set('access-control-expose-headers', EXPOSED_HEADERS);
  }
  return response;
}
