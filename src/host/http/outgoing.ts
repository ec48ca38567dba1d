// `wasi:http/outgoing-handler`: a component's outbound request is sent only to a host its
// `allowed_outbound_hosts` lists (templates expanded), as Spin does; anything else is answered
// `HTTP-request-denied`, so component code sees a normal fetch failure rather than a trap.
// (Delegating to preview2-shim is not possible here: its request classes are not ours, and jco's
// glue checks `instanceof` against the classes in the import object.)
import { ComponentError } from '../errors.ts';
import type { ScopeRef } from '../scope.ts';
import { isAllowed } from './allowed-hosts.ts';
import type { FieldEntry } from './fields.ts';
import { DEFAULT_OUTBOUND_TIMEOUT_MS, type OutboundClient, type OutboundReply } from './outbound.ts';
import { FutureIncomingResponse, IncomingResponse, fromMethod, type ErrorCode, type OutgoingRequest, type RequestOptions, type Result } from './types.ts';

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const NS_PER_MS = 1_000_000n;

export function createOutgoingHandlerImport(scope: ScopeRef, outbound: OutboundClient) {
  return {
    handle(request: OutgoingRequest, options: RequestOptions | undefined): FutureIncomingResponse {
      const component = scope.current?.component;
      const url = urlOf(request);
      if (component === undefined || url === null || !isAllowed(component.allowedOutboundHosts, url)) {
        scope.log('warn', 'outbound HTTP denied: not in allowed_outbound_hosts', { component: scope.componentId, request: request.describe() });
        throw new ComponentError<ErrorCode>({ tag: 'HTTP-request-denied' });
      }
      const timeout = options?.firstByteTimeout() ?? options?.connectTimeout();
      const timeoutMs = timeout === undefined ? DEFAULT_OUTBOUND_TIMEOUT_MS : Number(timeout / NS_PER_MS);
      return new FutureIncomingResponse(() => {
        const headers = request.headers().rawEntries.map(([name, value]): [string, string] => [name, decoder.decode(value)]);
        const body = request.sentBody?.sink.bytes() ?? new Uint8Array(0);
        const reply = outbound.send({ method: fromMethod(request.method()), url: url.href, headers, body, timeoutMs });
        if (!reply.ok) scope.log('warn', 'outbound HTTP failed', { component: scope.componentId, request: request.describe(), reason: reply.detail });
        return answerOf(reply);
      });
    },
  };
}

function urlOf(request: OutgoingRequest): URL | null {
  const scheme = request.scheme();
  const protocol = scheme === undefined ? 'https' : scheme.tag === 'other' ? scheme.val : scheme.tag.toLowerCase();
  try {
    return new URL(`${protocol}://${request.authority() ?? ''}${request.pathWithQuery() ?? '/'}`);
  } catch {
    return null;
  }
}

function answerOf(reply: OutboundReply): Result<IncomingResponse, ErrorCode> {
  if (reply.ok) {
    const headers = reply.headers.map(([name, value]): FieldEntry => [name, encoder.encode(value)]);
    return { tag: 'ok', val: new IncomingResponse(reply.status, headers, reply.body) };
  }
  switch (reply.error) {
    case 'timeout':
      return { tag: 'err', val: { tag: 'connection-timeout' } };
    case 'connection-refused':
      return { tag: 'err', val: { tag: 'connection-refused' } };
    default:
      return { tag: 'err', val: { tag: 'internal-error', val: reply.detail } };
  }
}
