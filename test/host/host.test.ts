// The local host end to end, over a real component built from fixtures/echo.js: routing and Spin's
// headers, per-component env and variables from one wasm, KV, bodies, failures, concurrency,
// restarts and the transpile cache.
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawExchange } from '../support/raw-http.ts';
import { HostError, startHost, type Host, type HostOptions } from '../../src/host/index.ts';
import { echoComponent, FIXTURE_BUILD_TIMEOUT_MS, writeTempManifest } from './fixture.ts';

const START_TIMEOUT_MS = 90_000;

function appManifest(wasm: string): string {
  return `spin_manifest_version = 2
[application]
name = "host-test"
[variables]
greeting = { default = "hello" }
token = { default = "" }
outbound = { default = "http://127.0.0.1:*" }
[[trigger.http]]
route = "/a/..."
component = "comp-a"
[[trigger.http]]
route = "/b/..."
component = "comp-b"
[[trigger.http]]
route = "/b/exact"
component = "comp-c"
[component.comp-a]
source = "${wasm}"
key_value_stores = ["default"]
allowed_outbound_hosts = ["{{ outbound }}"]
environment = { WHO = "a", SHARED = "same" }
[component.comp-a.variables]
agent_id = "0"
greeting = "{{ greeting }} from a"
[component.comp-b]
source = "${wasm}"
key_value_stores = ["default"]
environment = { WHO = "b" }
[component.comp-b.variables]
agent_id = "1"
token = "{{ token }}"
[component.comp-c]
source = "${wasm}"
`;
}

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  env: Record<string, string>;
  vars: Record<string, { value?: string; error?: { tag: string } }>;
}

async function getJson<T = Record<string, unknown>>(url: string, init?: RequestInit): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(url, init);
  const text = await res.text();
  expect(res.headers.get('content-type') ?? '').toContain('application/json');
  return { status: res.status, body: JSON.parse(text) as T, headers: res.headers };
}

let wasm: string;
const cleanup: string[] = [];
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  cleanup.push(d);
  return d;
};

beforeAll(async () => {
  wasm = await echoComponent();
}, FIXTURE_BUILD_TIMEOUT_MS);

afterAll(() => {
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

function start(manifestPath: string, options: Partial<HostOptions> = {}): Promise<Host> {
  return startHost({ manifestPath, listen: '127.0.0.1:0', workers: 2, logLevel: 'error', stateDir: tempDir('can-host-state-'), ...options });
}

describe('serving the echo component', () => {
  let host: Host;
  beforeAll(async () => {
    const manifestPath = writeTempManifest(appManifest(wasm), tempDir('can-host-app-'));
    host = await start(manifestPath, {
      requestTimeoutMs: 3_000,
      maxBodyBytes: 256 * 1024,
      env: { SPIN_VARIABLE_GREETING: 'hey' },
    });
  }, START_TIMEOUT_MS);
  afterAll(() => host?.close());

  it('lists its routes, most specific first', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.routes.map((r) => [r.route, r.component])).toEqual([
      ['/b/exact', 'comp-c'],
      ['/a/...', 'comp-a'],
      ['/b/...', 'comp-b'],
    ]);
    expect(host.routes[1]!.url).toBe(`${host.url}/a`);
  });

  it('gives two components built from one wasm their own environment and variables', async () => {
    // Several rounds, so both workers and reused instances serve each component.
    for (let round = 0; round < 4; round++) {
      const [a, b] = await Promise.all([getJson<Echo>(`${host.url}/a/x`), getJson<Echo>(`${host.url}/b/x`)]);
      expect(a.body.env).toEqual({ WHO: 'a', SHARED: 'same' });
      expect(b.body.env).toEqual({ WHO: 'b' });
      expect(a.body.vars.agent_id).toEqual({ value: '0' });
      expect(b.body.vars.agent_id).toEqual({ value: '1' });
      // template over an app variable, overridden by SPIN_VARIABLE_GREETING
      expect(a.body.vars.greeting).toEqual({ value: 'hey from a' });
      expect(b.body.vars.greeting).toMatchObject({ error: { tag: 'undefined' } });
      expect(a.body.vars.missing).toMatchObject({ error: { tag: 'undefined' } });
      expect(a.body.vars.invalid).toMatchObject({ error: { tag: 'invalid-name' } });
    }
    const c = await getJson<Echo>(`${host.url}/b/exact`);
    expect(c.body.env).toEqual({});
    expect(c.body.vars.agent_id).toMatchObject({ error: { tag: 'undefined' } });
  });

  it('keeps reusing a few linear memories however many requests come at once', async () => {
    // Each worker starts with a memory per memory-importing module. A worker given a request before
    // it recycled its last instance made a fresh memory for it (its page faults, then garbage until a
    // GC): 16 clients made one for ~1 in 5 requests.
    const warm = host.memoriesMade();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < 400) {
          next++;
          expect((await fetch(`${host.url}/a/x`)).status).toBe(200);
        }
      }),
    );
    expect(host.memoriesMade() - warm).toBeLessThanOrEqual(2);
  }, 60_000);

  it('passes the full path and query, and Spin’s request headers', async () => {
    const { body } = await getJson<Echo>(`${host.url}/a/some/path?q=1&r=two`, { headers: { 'x-custom': 'v', 'spin-path-info': 'spoofed' } });
    const port = new URL(host.url).port;
    expect(body.url).toBe(`http://127.0.0.1:${port}/a/some/path?q=1&r=two`);
    expect(body.headers).toMatchObject({
      'x-custom': 'v',
      'spin-full-url': `http://127.0.0.1:${port}/a/some/path?q=1&r=two`,
      'spin-path-info': '/some/path',
      'spin-matched-route': '/a/...',
      'spin-component-route': '/a',
      'spin-raw-component-route': '/a/...',
      'spin-base-path': '/',
    });
    expect(body.headers['spin-client-addr']).toMatch(/^127\.0\.0\.1:\d+$/);
    const exact = await getJson<Echo>(`${host.url}/b/exact`);
    expect(exact.body.headers['spin-path-info']).toBe('');
    expect(exact.body.headers['spin-matched-route']).toBe('/b/exact');
  });

  it('round-trips a POST body', async () => {
    const text = 'körper '.repeat(20_000); // ~160 KB of UTF-8
    const { status, body } = await getJson<Echo>(`${host.url}/a/echo`, { method: 'POST', body: text, headers: { 'content-type': 'text/plain' } });
    expect(status).toBe(200);
    expect(body.method).toBe('POST');
    expect(body.body).toBe(text);
    const put = await getJson<Echo>(`${host.url}/b/echo`, { method: 'PUT', body: JSON.stringify({ a: 1 }) });
    expect(JSON.parse(put.body.body)).toEqual({ a: 1 });
  });

  it('reads a body only when the component reads it: one answered from its headers never waits for the upload', async () => {
    // headers announcing 200 KB, then nothing: the component (which ignores the body here) answers anyway
    const answer = await rawExchange(host.url, 'PUT /a/echo?do=kv&key=unread HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 200000\r\n\r\n', 5_000);
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer.toLowerCase()).toContain('connection: close'); // not drained: the connection ends with the answer
  });

  it('keeps every value of a repeated header when it closes the connection after a body nobody read', async () => {
    // the component's own Server-Timing beside the host's `instantiate`, on a PUT whose 100 KB the component ignores
    const body = 'x'.repeat(100_000);
    const answer = await rawExchange(host.url, `PUT /a/x?do=status&code=200 HTTP/1.1\r\nhost: localhost\r\ncontent-length: ${body.length}\r\n\r\n${body}`, 5_000);
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(answer).toMatch(/server-timing: component;dur=1\r\n/i);
    expect(answer).toMatch(/server-timing: instantiate;dur=[\d.]+\r\n/i);
    expect(answer).toMatch(/x-echo: yes\r\n/i);
  });

  it('a client that goes away before its whole body arrives holds no worker, even while its request waits in the queue', async () => {
    // both workers busy for a while, then one partial upload per worker queued behind them, whose
    // clients leave before a worker reaches them: the workers must not then wait for those bodies
    const busy = [0, 1].map(() => fetch(`${host.url}/a/echo?do=sleep&ms=600`));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await Promise.all(
      [0, 1].map(
        () =>
          new Promise<void>((resolve) => {
            const socket = connect(Number(new URL(host.url).port), '127.0.0.1');
            socket.on('error', () => undefined);
            socket.write('POST /a/echo HTTP/1.1\r\nhost: localhost\r\ncontent-type: text/plain\r\ncontent-length: 1000\r\n\r\nten bytes.');
            setTimeout(() => (socket.destroy(), resolve()), 200);
          }),
      ),
    );
    await Promise.all(busy);
    // bounded below this host's request timeout (3 s), which would otherwise free a stuck worker
    for (let i = 0; i < 3; i++) {
      const { status, body } = await getJson<Echo>(`${host.url}/a/echo`, { method: 'POST', body: `after ${i}`, signal: AbortSignal.timeout(2_000) });
      expect(status).toBe(200);
      expect(body.body).toBe(`after ${i}`);
    }
  });

  it('serves a read that arrives behind queued writes before them, as Spin’s concurrency would', async () => {
    // both workers busy, six writes queued behind them, then a read: it goes next, not last
    const done: string[] = [];
    const busy = [0, 1].map(() => fetch(`${host.url}/a/echo?do=sleep&ms=400`, { method: 'POST' }).then(() => done.push('busy')));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const writes = [0, 1, 2, 3, 4, 5].map((i) => fetch(`${host.url}/a/echo?do=sleep&ms=150`, { method: 'POST' }).then(() => done.push(`write ${i}`)));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const read = fetch(`${host.url}/a/echo`).then((res) => (done.push('read'), res.status));
    expect(await read).toBe(200);
    await Promise.all([...busy, ...writes]);
    // queued behind one of the writes a worker took when the busy ones ended, at most
    expect(done.indexOf('read')).toBeLessThanOrEqual(4);
  });

  it('refuses bodies over the limit with 413, the declared ones before reading them', async () => {
    const res = await fetch(`${host.url}/a/echo`, { method: 'POST', body: new Uint8Array(300 * 1024) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: 'payload-too-large' });
  });

  it('answers a request line over Node\'s 16 KiB with 431 JSON, and malformed HTTP with 400 JSON', async () => {
    const long = await fetch(`${host.url}/a/echo?q=${'x'.repeat(20_000)}`);
    expect(long.status).toBe(431);
    expect(await long.json()).toEqual({ error: 'request line and headers exceed 16 KiB', detail: 'HPE_HEADER_OVERFLOW' });
    const { port } = new URL(host.url);
    const raw = await new Promise<string>((done, fail) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write('GET /a/echo HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('end', () => done(text));
      socket.on('error', fail);
    });
    expect(raw).toMatch(/^HTTP\/1.1 400 Bad Request\r\n/);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: 'malformed HTTP request' });
  });

  it('answers 404 JSON for a path no route matches', async () => {
    const { status, body } = await getJson(`${host.url}/nowhere`);
    expect(status).toBe(404);
    expect(body).toEqual({ error: 'not-found', detail: 'no route matches /nowhere' });
  });

  it('sends the component’s status, headers and body', async () => {
    const res = await fetch(`${host.url}/a/x?do=status&code=202`);
    expect(res.status).toBe(202);
    expect(res.headers.get('x-echo')).toBe('yes');
    expect(await res.text()).toBe('created');
    const big = await fetch(`${host.url}/a/x?do=big&n=1000000`);
    expect((await big.arrayBuffer()).byteLength).toBe(1_000_000);
  });

  it('serves KV: shared by components listing the store, denied to one that does not', async () => {
    const key = `k${Date.now()}`;
    const first = await getJson(`${host.url}/a/x?do=kv&key=${key}`);
    expect(first.body).toMatchObject({ before: null, after: 1, exists: true });
    const second = await getJson(`${host.url}/b/x?do=kv&key=${key}`);
    expect(second.body).toMatchObject({ before: 1, after: 2 });
    expect(second.body.keys).toContain(key);
    const deleted = await getJson(`${host.url}/a/x?do=kv-delete&key=${key}`);
    expect(deleted.body).toEqual({ key, exists: false, value: null });
    expect((await getJson(`${host.url}/a/x?do=kv&store=cache`)).body).toEqual({ error: { tag: 'no-such-store' } });
    expect((await getJson(`${host.url}/b/exact?do=kv`)).body).toEqual({ error: { tag: 'access-denied' } });
  });

  it('runs timers (poll sleeps until the deadline)', async () => {
    const { body } = await getJson<{ slept: number }>(`${host.url}/a/x?do=sleep&ms=60`);
    expect(body.slept).toBeGreaterThanOrEqual(55);
  });

  it('denies outbound HTTP outside allowed_outbound_hosts with an error the component can handle', async () => {
    for (const path of ['/a/x?do=fetch', `/b/x?do=fetch&url=${encodeURIComponent(host.url)}`]) {
      const { status, body } = await getJson(`${host.url}${path}`);
      expect(status).toBe(200);
      expect(body).toHaveProperty('fetchError');
    }
  });

  it('sends outbound HTTP to an allowed host (a template over an app variable) and hands back the answer', async () => {
    const seen: { method?: string; body?: string; from?: string } = {};
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        Object.assign(seen, { method: req.method, body, from: req.headers['x-from'] });
        res.writeHead(201, { 'x-answer': 'yes' }).end('answered by the server');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const { body } = await getJson(`${host.url}/a/x?do=fetch&url=${encodeURIComponent(target)}`);
      expect(body).toEqual({ status: 201, body: 'answered by the server', header: 'yes' });
      expect(seen).toEqual({ method: 'POST', body: 'sent by the component', from: 'echo' });
      // nothing listening: a connection error, not a trap
      server.close();
      const refused = await getJson(`${host.url}/a/x?do=fetch&url=${encodeURIComponent(target)}`);
      expect(refused.body).toHaveProperty('fetchError');
    } finally {
      server.close();
    }
  });

  it.each([
    ['exit', 'component exited'],
    ['throw', 'component did not finish its response'],
    ['noresponse', 'component did not finish its response'],
  ])('answers 500 JSON when the component fails (%s) and keeps serving', async (action, error) => {
    const { status, body } = await getJson(`${host.url}/a/x?do=${action}`);
    expect(status).toBe(500);
    expect(body).toMatchObject({ error });
    expect(typeof body.detail).toBe('string');
    expect((await getJson(`${host.url}/a/x`)).status).toBe(200);
  });

  it('times out a component that never returns, replaces its worker, and keeps serving', async () => {
    const started = performance.now();
    const { status, body } = await getJson(`${host.url}/a/x?do=hang`);
    expect(status).toBe(500);
    expect(body).toMatchObject({ error: 'component timed out' });
    expect(performance.now() - started).toBeLessThan(10_000);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => fetch(`${host.url}/${i % 2 ? 'a' : 'b'}/after-hang`)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    await Promise.all(results.map((r) => r.arrayBuffer()));
  }, 20_000);

  it('serves 50 requests at concurrency 8', async () => {
    let next = 0;
    const statuses: number[] = [];
    const ids = new Set<string>();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < 50) {
          const i = next++;
          const res = await fetch(`${host.url}/${i % 2 ? 'a' : 'b'}/load/${i}?do=echo`, { method: 'POST', body: `request ${i}` });
          const body = (await res.json()) as Echo;
          statuses.push(res.status);
          expect(body.body).toBe(`request ${i}`);
          expect(body.env.WHO).toBe(i % 2 ? 'a' : 'b');
          ids.add(body.vars.agent_id!.value!);
        }
      }),
    );
    expect(statuses).toHaveLength(50);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect([...ids].sort()).toEqual(['0', '1']);
  });
});

/** The transpile cache's entries (one folder per distinct wasm), without its memo of keys. */
const cacheEntries = (cache: string): string[] => readdirSync(cache, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);

describe('state, cache and startup errors', () => {
  it('keeps KV across a restart with the same state dir, without transpiling again', async () => {
    const manifestPath = writeTempManifest(appManifest(wasm), tempDir('can-host-app-'));
    const stateDir = tempDir('can-host-state-');
    let host = await start(manifestPath, { stateDir });
    const first = await getJson(`${host.url}/a/x?do=kv&key=persist`);
    expect(first.body).toMatchObject({ after: 1 });
    await host.close();

    const cache = join(stateDir, 'transpiled');
    const entries = cacheEntries(cache);
    expect(entries).toHaveLength(1);
    expect(existsSync(join(stateDir, 'sqlite_key_value.db'))).toBe(true);
    const meta = join(cache, entries[0]!, 'meta.json');
    const mtime = statSync(meta).mtimeMs;

    host = await start(manifestPath, { stateDir });
    try {
      const second = await getJson(`${host.url}/b/x?do=kv&key=persist`);
      expect(second.body).toMatchObject({ before: 1, after: 2 });
      expect(cacheEntries(cache)).toEqual(entries);
      expect(statSync(meta).mtimeMs).toBe(mtime);
    } finally {
      await host.close();
    }
  }, 2 * START_TIMEOUT_MS);

  /** Serves a copy of the echo wasm once, changes the copy, serves it again: the cache before and after. */
  async function cacheAcross(change: (wasmCopy: string) => void) {
    const dir = tempDir('can-host-app-');
    const copy = join(dir, 'echo.wasm');
    copyFileSync(wasm, copy);
    const manifestPath = writeTempManifest(appManifest(copy), dir);
    const stateDir = tempDir('can-host-state-');
    const cache = join(stateDir, 'transpiled');
    let host = await start(manifestPath, { stateDir, workers: 1 });
    await host.close();
    const before = cacheEntries(cache);
    const meta = join(cache, before[0]!, 'meta.json');
    const metaMtime = statSync(meta).mtimeMs;
    change(copy);
    host = await start(manifestPath, { stateDir, workers: 1 });
    try {
      expect((await getJson(`${host.url}/a/x`)).status).toBe(200);
    } finally {
      await host.close();
    }
    return { before, after: cacheEntries(cache), metaRewritten: statSync(meta).mtimeMs !== metaMtime };
  }

  it('a wasm touched but unchanged (a copy, a checkout) keeps its cache entry', async () => {
    const cache = await cacheAcross((copy) => utimesSync(copy, new Date(), new Date(Date.now() + 60_000)));
    expect(cache.after).toEqual(cache.before);
    expect(cache.metaRewritten).toBe(false);
  }, 2 * START_TIMEOUT_MS);

  it('transpiles again when the wasm changes', async () => {
    // A trailing custom section: same behaviour, different bytes.
    const cache = await cacheAcross((copy) => appendFileSync(copy, Uint8Array.from([0x00, 0x04, 0x03, 0x63, 0x61, 0x6e])));
    expect(cache.after).toHaveLength(2);
    expect(cache.after).toEqual(expect.arrayContaining(cache.before));
  }, 2 * START_TIMEOUT_MS);

  it('fails at startup with a clear message when the component file is missing', async () => {
    const manifestPath = writeTempManifest(appManifest(join(tempDir('can-host-empty-'), 'dist', 'agent.wasm')), tempDir('can-host-app-'));
    const err = await start(manifestPath).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostError);
    expect((err as HostError).code).toBe('component-missing');
    expect((err as Error).message).toMatch(/component "comp-a" \(.*agent\.wasm\): component file not found: .*agent\.wasm — run `npm run build` first/);
  });

  it('fails at startup when a required variable has no value', async () => {
    const text = appManifest(wasm).replace('token = { default = "" }', 'token = { required = true }');
    const err = await start(writeTempManifest(text, tempDir('can-host-app-')), { env: {} }).catch((e: unknown) => e);
    expect((err as HostError).code).toBe('bad-variable');
    expect((err as Error).message).toMatch(/SPIN_VARIABLE_TOKEN/);
  });

  it('fails at startup when a component lists an undefined store', async () => {
    const text = appManifest(wasm).replace('key_value_stores = ["default"]\nenvironment = { WHO = "b" }', 'key_value_stores = ["cache"]\nenvironment = { WHO = "b" }');
    const err = await start(writeTempManifest(text, tempDir('can-host-app-'))).catch((e: unknown) => e);
    expect((err as HostError).code).toBe('bad-kv-store');
    expect((err as Error).message).toMatch(/component\.comp-b\.key_value_stores lists "cache"/);
  });

  it('fails at startup when a component lists a SQLite database other than "default"', async () => {
    const text = appManifest(wasm).replace('key_value_stores = ["default"]\nenvironment = { WHO = "b" }', 'key_value_stores = ["default"]\nsqlite_databases = ["analytics"]\nenvironment = { WHO = "b" }');
    const err = await start(writeTempManifest(text, tempDir('can-host-app-'))).catch((e: unknown) => e);
    expect((err as HostError).code).toBe('bad-sqlite-database');
    expect((err as Error).message).toMatch(/component\.comp-b\.sqlite_databases lists "analytics"/);
  });

  it('shares the memory KV backend between workers', async () => {
    const host = await start(writeTempManifest(appManifest(wasm), tempDir('can-host-app-')), { kv: 'memory' });
    try {
      for (let i = 1; i <= 6; i++) {
        const { body } = await getJson(`${host.url}/${i % 2 ? 'a' : 'b'}/x?do=kv&key=mem`);
        expect(body).toMatchObject({ after: i });
      }
      expect(existsSync(join(host.stateDir, 'sqlite_key_value.db'))).toBe(false);
    } finally {
      await host.close();
    }
  }, START_TIMEOUT_MS);

  it('also serves with glue from the project’s own jco (transpiler: "jco")', async () => {
    const host = await start(writeTempManifest(appManifest(wasm), tempDir('can-host-app-')), { transpiler: 'jco', workers: 1 });
    try {
      const { body } = await getJson<Echo>(`${host.url}/a/x`, { method: 'POST', body: 'via jco 1.35' });
      expect(body).toMatchObject({ body: 'via jco 1.35', env: { WHO: 'a' }, vars: { agent_id: { value: '0' } } });
      expect((await getJson(`${host.url}/a/x?do=kv&store=cache`)).body).toEqual({ error: { tag: 'no-such-store' } });
      expect((await getJson(`${host.url}/a/x?do=exit`)).status).toBe(500);
      expect((await getJson(`${host.url}/b/x`)).status).toBe(200);
    } finally {
      await host.close();
    }
  }, START_TIMEOUT_MS);

  it('resolves the state dir next to the manifest by default', async () => {
    const dir = tempDir('can-host-app-');
    const host = await startHost({ manifestPath: writeTempManifest(appManifest(wasm), dir), listen: '127.0.0.1:0', workers: 1, logLevel: 'error', env: {} });
    try {
      expect(host.stateDir).toBe(join(dir, '.spin'));
      expect(dirname(host.stateDir)).toBe(dir);
    } finally {
      await host.close();
    }
  }, START_TIMEOUT_MS);
});

describe('rate limits at the front door (HOST_RATE_LIMIT_*)', () => {
  it('answers 429 with Retry-After once a client or a component has used its burst, before reading the body, and lets it in again later', async () => {
    const host = await start(writeTempManifest(appManifest(wasm), tempDir('can-host-app-')), {
      workers: 1,
      env: { HOST_RATE_LIMIT_PER_CLIENT: '2,3', HOST_RATE_LIMIT_PER_COMPONENT: '1000' },
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await fetch(`${host.url}/a/echo`, { method: 'POST', body: 'x' })).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const refused = await fetch(`${host.url}/b/echo`, { method: 'POST', body: new Uint8Array(1024 * 1024) });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await refused.json()).toMatchObject({ error: 'too-many-requests' });
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect((await fetch(`${host.url}/a/echo`)).status).toBe(200);
    } finally {
      await host.close();
    }
  }, START_TIMEOUT_MS);

  it('limits one component without touching the others', async () => {
    const host = await start(writeTempManifest(appManifest(wasm), tempDir('can-host-app-')), { workers: 1, env: { HOST_RATE_LIMIT_PER_COMPONENT: '1,2' } });
    try {
      const a = [];
      for (let i = 0; i < 3; i++) a.push((await fetch(`${host.url}/a/echo`)).status);
      expect(a).toEqual([200, 200, 429]);
      expect((await fetch(`${host.url}/b/echo`)).status).toBe(200);
    } finally {
      await host.close();
    }
  }, START_TIMEOUT_MS);

  it('refuses a malformed limit at startup, naming the variable', async () => {
    await expect(start(writeTempManifest(appManifest(wasm), tempDir('can-host-app-')), { workers: 1, env: { HOST_RATE_LIMIT_PER_CLIENT: 'lots' } })).rejects.toThrow(/HOST_RATE_LIMIT_PER_CLIENT/);
  });
});
