import { describe, expect, it } from 'vitest';
import { clientIdFor, newNodeId } from '../../src/core/index.ts';
import { expectAgentError } from './expect-error.ts';

describe('newNodeId', () => {
  it('formats 16 bytes as a version 4 UUID', () => {
    expect(newNodeId(new Uint8Array(16))).toBe('00000000-0000-4000-8000-000000000000');
    expect(newNodeId(new Uint8Array(16).fill(255))).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
    const bytes = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
    expect(newNodeId(bytes)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(bytes[6]).toBe(102); // the caller's bytes are not modified
  });

  it('needs exactly 16 bytes', () => {
    expectAgentError(() => newNodeId(new Uint8Array(15)), 'bad-request', 'exactly 16 random bytes');
  });
});

describe('clientIdFor', () => {
  const node = '3f0c2a9e-1b7d-4c55-9a10-8e2f6d4b7c01';

  it('is deterministic, unsigned 32-bit and non-zero', () => {
    const id = clientIdFor(4, node);
    expect(clientIdFor(4, node)).toBe(id);
    expect(Number.isInteger(id) && id > 0 && id <= 0xffff_ffff).toBe(true);
  });

  it('differs per agent and per node', () => {
    const ids = new Set<number>();
    for (let agent = 0; agent < 100; agent++) ids.add(clientIdFor(agent, node));
    ids.add(clientIdFor(0, 'another-node'));
    expect(ids.size).toBe(101);
  });

  it('refuses a bad agent id or an empty node id', () => {
    expectAgentError(() => clientIdFor(-1, node), 'bad-request', 'agentId');
    expectAgentError(() => clientIdFor(1, ''), 'bad-request', 'nodeId');
  });
});
