import { describe, expect, it } from 'vitest';
import { readsOnly, RequestQueue } from '../../src/host/request-queue.ts';

const queue = () => new RequestQueue<string>((r) => readsOnly(r.split(' ')[0]!));
const drain = (q: RequestQueue<string>): string[] => {
  const out: string[] = [];
  for (let r = q.shift(); r !== undefined; r = q.shift()) out.push(r);
  return out;
};

describe('the queue of requests waiting for a worker', () => {
  it('serves a read that arrives behind a queue of writes next, not last', () => {
    const q = queue();
    for (let i = 0; i < 10; i++) q.push(`POST inbox-${i}`);
    q.push('GET state');
    expect(drain(q).indexOf('GET state')).toBe(0);
  });

  it('takes reads and the rest in turn, each kind oldest first, so neither starves', () => {
    const q = queue();
    for (let i = 0; i < 3; i++) q.push(`PUT w${i}`);
    for (let i = 0; i < 3; i++) q.push(`GET r${i}`);
    q.push('HEAD h');
    expect(q.length).toBe(7);
    expect(drain(q)).toEqual(['GET r0', 'PUT w0', 'GET r1', 'PUT w1', 'GET r2', 'PUT w2', 'HEAD h']);
    expect(q.length).toBe(0);
  });

  it('keeps taking one kind when the other waits for nothing', () => {
    const q = queue();
    q.push('PUT a');
    q.push('DELETE b');
    expect(q.shift()).toBe('PUT a');
    q.push('GET c');
    expect(drain(q)).toEqual(['GET c', 'DELETE b']);
  });

  it('hands every waiting request back when the host closes', () => {
    const q = queue();
    q.push('POST x');
    q.push('GET y');
    expect(q.takeAll().sort()).toEqual(['GET y', 'POST x']);
    expect(q.shift()).toBeUndefined();
  });
});
