// Request bodies between the main thread and a worker (http/request-body.ts): asked for when the
// component reads one, or sent ahead with its request; either way each body goes exactly once.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { serveBodies } from '../../src/host/http/request-body.ts';

const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.c?js$/, '.mjs')).href;
const requestBody = new URL('../../src/host/http/request-body.ts', import.meta.url).href;

/** A worker that reads request `id`'s body with BodyClient when told to, and says what it got. */
const WORKER = `
import { parentPort, workerData } from 'node:worker_threads';
const { register } = await import(${JSON.stringify(tsxApi)});
register();
const { BodyClient } = await import(${JSON.stringify(requestBody)});
const client = new BodyClient(workerData.port, workerData.signal);
parentPort.on('message', (id) => {
  try {
    parentPort.postMessage({ id, text: new TextDecoder().decode(client.read(id)) });
  } catch (err) {
    parentPort.postMessage({ id, error: err.message });
  }
});
parentPort.postMessage('ready');
`;

interface Harness {
  sendAhead(id: number): void;
  read(id: number): Promise<{ id: number; text?: string; error?: string }>;
  /** request id → how many times its body was taken */
  taken: Map<number, number>;
  bodies: Map<number, () => Promise<Uint8Array>>;
}

const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.terminate()));
});

async function harness(): Promise<Harness> {
  const { port1, port2 } = new MessageChannel();
  const signal = new SharedArrayBuffer(4);
  const taken = new Map<number, number>();
  const bodies = new Map<number, () => Promise<Uint8Array>>();
  const sendAhead = serveBodies(port1, signal, (id) => {
    const body = bodies.get(id);
    if (body === undefined) return null;
    taken.set(id, (taken.get(id) ?? 0) + 1);
    return body();
  });
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(WORKER)}`), { workerData: { port: port2, signal }, transferList: [port2] });
  workers.push(worker);
  port1.unref();
  await new Promise((resolve) => worker.once('message', resolve));
  const read = (id: number) =>
    new Promise<{ id: number; text?: string; error?: string }>((resolve) => {
      const onMessage = (msg: { id: number }) => {
        if (msg.id !== id) return;
        worker.off('message', onMessage);
        resolve(msg);
      };
      worker.on('message', onMessage);
      worker.postMessage(id);
    });
  return { sendAhead, read, taken, bodies };
}

const bytes = (text: string) => new TextEncoder().encode(text);
const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('request bodies to a worker', () => {
  it('a body sent ahead is there when the component reads it, taken once', async () => {
    const h = await harness();
    h.bodies.set(1, async () => bytes('ahead'));
    h.sendAhead(1);
    await later(20);
    expect(await h.read(1)).toEqual({ id: 1, text: 'ahead' });
    expect(h.taken.get(1)).toBe(1);
  });

  it('a read that asks while the body is still on its way gets it when it comes, taken once', async () => {
    const h = await harness();
    let arrive!: (b: Uint8Array) => void;
    h.bodies.set(2, () => new Promise((resolve) => (arrive = resolve)));
    h.sendAhead(2);
    const reading = h.read(2);
    await later(50); // the worker has asked by now, and waits
    arrive(bytes('slow upload'));
    expect(await reading).toEqual({ id: 2, text: 'slow upload' });
    expect(h.taken.get(2)).toBe(1);
  });

  it('a body asked for first is not sent again ahead; a body never read is skipped by the next request', async () => {
    const h = await harness();
    h.bodies.set(3, async () => bytes('asked'));
    expect(await h.read(3)).toEqual({ id: 3, text: 'asked' });
    h.sendAhead(3);
    h.bodies.set(4, async () => bytes('never read'));
    h.sendAhead(4);
    h.bodies.set(5, async () => bytes('fifth'));
    await later(20);
    expect(await h.read(5)).toEqual({ id: 5, text: 'fifth' });
    expect([h.taken.get(3), h.taken.get(4), h.taken.get(5)]).toEqual([1, 1, 1]);
  });

  it('a body that cannot be had (the client went away) fails the read, ahead or asked', async () => {
    const h = await harness();
    h.bodies.set(6, () => Promise.reject(new Error('gone')));
    h.sendAhead(6);
    expect(await h.read(6)).toEqual({ id: 6, error: 'request body could not be read' });
    expect(await h.read(7)).toEqual({ id: 7, error: 'request body could not be read' }); // its request is over: no body
  });
});
