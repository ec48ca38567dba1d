// Who writes. componentize-js runs Wizer at build time, which freezes any random value computed
// at module top level into every instance: a Yjs doc created there would give all agents (and all
// requests) the same clientID. So every id here is drawn from injected randomness at request time:
// the agent's node id once (persisted), a writer's clientID once per request.
import { AgentError } from './errors.ts';

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
 * A fresh Yjs clientID: 32 random bits (Yjs's own range), never 0 (reserved for loading, see
 * doc.ts) and never one the doc already holds.
 *
 * Why not one clientID per agent: Spin runs an agent's requests concurrently and its KV has no
 * compare-and-swap, so two requests that loaded the same state would both write at the same
 * clock of that one client, and on load Yjs keeps the first struct for an ID and silently drops
 * the other: an acknowledged write lost. A fresh writer cannot collide with a concurrent one
 * (except by a 32-bit draw, the same odds every Yjs browser client takes); the agent leases its
 * writers (agent/writers.ts) so that their number follows its concurrency, not its writes.
 */
export function writerClientId(random: (n: number) => Uint8Array, held: (clientId: number) => boolean): number {
  for (;;) {
    const b = random(4);
    if (b.length !== 4) throw new AgentError('bad-request', 'writerClientId needs 4 random bytes per draw', `got ${b.length}`);
    const id = ((b[0] as number) * 0x100_0000 + (b[1] as number) * 0x1_0000 + (b[2] as number) * 0x100 + (b[3] as number)) >>> 0;
    if (id !== 0 && !held(id)) return id;
  }
}
