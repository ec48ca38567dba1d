// The in-memory wasi:http / wasi:io resources, as a component drives them through jco's glue.
import { describe, expect, it } from 'vitest';
import { ComponentError } from '../../src/host/errors.ts';
import { Fields } from '../../src/host/http/fields.ts';
import { BytesSource, ChunksSink, InputStream, OutputStream, Pollable, poll, monotonicNow } from '../../src/host/wasi/io.ts';
import {
  Exchange,
  FutureTrailers,
  IncomingBody,
  IncomingRequest,
  OutgoingBody,
  OutgoingResponse,
  ResponseOutparam,
  toMethod,
} from '../../src/host/http/types.ts';

const b = (s: string) => new TextEncoder().encode(s);
const payload = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ComponentError);
    return (err as ComponentError).payload;
  }
  throw new Error('expected a ComponentError');
};

describe('fields', () => {
  it('is case-insensitive, ordered and multi-valued', () => {
    const f = Fields.fromList([['Content-Type', b('text/plain')], ['x-a', b('1')], ['X-A', b('2')]]);
    expect(f.get('x-a')).toEqual([b('1'), b('2')]);
    expect(f.has('CONTENT-TYPE')).toBe(true);
    f.set('x-a', [b('3')]);
    f.append('x-b', b('4'));
    f.delete('content-type');
    expect(f.entries()).toEqual([['x-a', b('3')], ['x-b', b('4')]]);
    expect(f.clone().entries()).toEqual(f.entries());
  });

  it('rejects bad names and values with invalid-syntax', () => {
    expect(payload(() => Fields.fromList([['bad name', b('x')]]))).toEqual({ tag: 'invalid-syntax' });
    expect(payload(() => new Fields().append('x', b('a\r\nb')))).toEqual({ tag: 'invalid-syntax' });
  });

  it('request headers and constructed responses’ headers are immutable; clones are not', () => {
    const req = new IncomingRequest({ method: 'GET', pathWithQuery: '/', authority: 'h', headers: Fields.fromStrings([['X', 'y']]), body: () => new Uint8Array() });
    const h = req.headers();
    expect(h.get('x').map((v) => new TextDecoder().decode(v))).toEqual(['y']);
    expect(payload(() => h.set('x', []))).toEqual({ tag: 'immutable' });
    h.clone().set('x', [b('z')]);
    const res = new OutgoingResponse(Fields.fromList([['a', b('1')]]));
    expect(payload(() => res.headers().append('b', b('2')))).toEqual({ tag: 'immutable' });
  });
});

describe('incoming request and body', () => {
  it('fetches the body at its first read, never before; a body that cannot be had is a stream error, not a trap', () => {
    let fetched = 0;
    const req = new IncomingRequest({ method: 'PUT', pathWithQuery: '/', authority: 'h', headers: [], body: () => (fetched++, b('late')) });
    const stream = req.consume().stream();
    expect(fetched).toBe(0);
    expect(new TextDecoder().decode(stream.read(10n))).toBe('late');
    expect(fetched).toBe(1);
    const failing = new IncomingRequest({ method: 'PUT', pathWithQuery: '/', authority: 'h', headers: [], body: () => { throw new Error('client went away'); } });
    expect(payload(() => failing.consume().stream().read(10n))).toMatchObject({ tag: 'last-operation-failed' });
  });

  it('reports method, path, authority and body bytes; consume and stream once', () => {
    const req = new IncomingRequest({ method: 'POST', pathWithQuery: '/a?b=1', authority: 'localhost:3000', headers: [], body: () => b('hello world') });
    expect(req.method()).toEqual({ tag: 'post' });
    expect(req.pathWithQuery()).toBe('/a?b=1');
    expect(req.scheme()).toEqual({ tag: 'HTTP' });
    expect(req.authority()).toBe('localhost:3000');
    const body = req.consume();
    expect(payload(() => req.consume())).toBeUndefined();
    const stream = body.stream();
    expect(payload(() => body.stream())).toBeUndefined();
    expect(stream.subscribe().ready()).toBe(true);
    expect(new TextDecoder().decode(stream.read(5n))).toBe('hello');
    expect(new TextDecoder().decode(stream.blockingRead(100n))).toBe(' world');
    expect(payload(() => stream.read(1n))).toEqual({ tag: 'closed' });
    const trailers = IncomingBody.finish(body);
    expect(trailers).toBeInstanceOf(FutureTrailers);
    expect(trailers.get()).toEqual({ tag: 'ok', val: { tag: 'ok', val: undefined } });
    expect(trailers.get()).toEqual({ tag: 'err', val: undefined });
  });

  it('maps methods as WIT variants', () => {
    expect(toMethod('DELETE')).toEqual({ tag: 'delete' });
    expect(toMethod('PURGE')).toEqual({ tag: 'other', val: 'PURGE' });
  });
});

describe('outgoing response', () => {
  it('collects status, headers and the finished body through the outparam', () => {
    const exchange = new Exchange();
    const res = new OutgoingResponse(Fields.fromList([['content-type', b('text/plain')]]));
    res.setStatusCode(201);
    expect(payload(() => res.setStatusCode(42))).toBeUndefined();
    const body = res.body();
    expect(payload(() => res.body())).toBeUndefined();
    const out = body.write();
    expect(out.checkWrite()).toBeGreaterThan(0n);
    out.write(b('ab'));
    out.blockingWriteAndFlush(b('c'));
    out.writeZeroes(2n);
    OutgoingBody.finish(body, undefined);
    expect(payload(() => out.write(b('late')))).toEqual({ tag: 'closed' });
    ResponseOutparam.set(new ResponseOutparam(exchange), { tag: 'ok', val: res });
    const sent = exchange.response!.sent;
    expect(sent.status).toBe(201);
    expect(sent.body!.finished).toBe(true);
    expect(sent.body!.sink.bytes()).toEqual(Uint8Array.from([97, 98, 99, 0, 0]));
  });

  it('records an error-code response and refuses a second set', () => {
    const exchange = new Exchange();
    const param = new ResponseOutparam(exchange);
    ResponseOutparam.set(param, { tag: 'err', val: { tag: 'internal-error', val: 'boom' } });
    expect(exchange.error).toEqual({ tag: 'internal-error', val: 'boom' });
    expect(() => ResponseOutparam.set(param, { tag: 'err', val: { tag: 'internal-error', val: undefined } })).toThrow(/twice/);
  });
});

describe('streams and poll', () => {
  it('splices an input stream into an output stream', () => {
    const sink = new ChunksSink();
    const n = new OutputStream(sink).splice(new InputStream(new BytesSource(b('xyz'))), 10n);
    expect(n).toBe(3n);
    expect(sink.bytes()).toEqual(b('xyz'));
  });

  it('returns ready pollables at once and sleeps until the earliest timer otherwise', () => {
    const ready = new Pollable();
    const soon = new Pollable(monotonicNow() + 20_000_000n);
    const later = new Pollable(monotonicNow() + 5_000_000_000n);
    expect([...poll([later, ready, soon])]).toEqual([1]);
    const started = performance.now();
    expect([...poll([later, soon])]).toEqual([1]);
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(15);
    expect(waited).toBeLessThan(1_000);
    expect(later.ready()).toBe(false);
    expect(() => poll([])).toThrow();
  });
});
