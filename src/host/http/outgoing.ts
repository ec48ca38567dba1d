// `wasi:http/outgoing-handler@0.2.0`: the local host makes no outbound requests. Every call answers
// `HTTP-request-denied`, the error Spin gives a component whose `allowed_outbound_hosts` does not
// cover the URL, so component code sees a normal fetch failure rather than a trap.
// (Delegating to preview2-shim is not possible here: its request classes are not ours, and jco's glue
// checks `instanceof` against the classes in the import object.)
import { ComponentError } from '../errors.ts';
import type { ScopeRef } from '../scope.ts';
import type { ErrorCode, OutgoingRequest, RequestOptions } from './types.ts';

export function createOutgoingHandlerImport(scope: ScopeRef) {
  return {
    handle(request: OutgoingRequest, _options: RequestOptions | undefined): never {
      scope.log.log('warn', 'outbound HTTP denied: the local host does not make outbound requests', {
        component: scope.componentId,
        request: request.describe(),
      });
      throw new ComponentError<ErrorCode>({ tag: 'HTTP-request-denied' });
    },
  };
}
