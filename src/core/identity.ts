// Who an agent is across requests. componentize-js runs Wizer at build time, which freezes any
// random value computed at module top level into every instance: a Yjs doc created there would
// give all agents (and all requests) the same clientID. So the node id is drawn once from
// injected randomness and persisted, and the clientID is derived from it deterministically.
import { AgentError } from './errors.ts';
import { fnv1a32 } from './hash.ts';

/** An RFC 4122 version 4 UUID built from 16 injected random bytes. */
export function newNodeId(random16: Uint8Array): string {
  if (random16.length !== 16) {
    throw new AgentError('bad-request', 'newNodeId needs exactly 16 random bytes', `got ${random16.length}`);
  }
  const b = Uint8Array.from(random16);
  b[6] = ((b[6] as number) & 0x0f) | 0x40; // version 4
  b[8] = ((b[8] as number) & 0x3f) | 0x80; // variant 10xx
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The Yjs clientID for this agent on this node: FNV-1a 32 of `<agentId>:<nodeId>`, never 0.
 * Same inputs, same id on every request, so one agent's writes form one growing clock sequence
 * instead of a new client per request.
 */
export function clientIdFor(agentId: number, nodeId: string): number {
  if (!Number.isSafeInteger(agentId) || agentId < 0) {
    throw new AgentError('bad-request', 'agentId must be a non-negative integer', String(agentId));
  }
  if (nodeId.length === 0) throw new AgentError('bad-request', 'nodeId must be non-empty');
  const h = fnv1a32(`${agentId}:${nodeId}`);
  return h === 0 ? 1 : h;
}
