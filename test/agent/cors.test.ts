// Cross-origin access is off unless the app's cors_origins variable lists the page's origin (or
// is `*`): then a preflight is answered and every answer, refusals included, names the origin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, writeManifest, type TestApp } from '../support/network.ts';

const PAGE = 'https://app.example.com';
const preflight = (app: TestApp, path: string, origin: string, method = 'PUT') =>
  fetch(app.url + path, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization, content-type' } });

describe('CORS', () => {
  let open: TestApp;
  let closed: TestApp;
  beforeAll(async () => {
    open = await startApp(writeManifest({ defaults: { cors_origins: `${PAGE}, http://localhost:5173`, auth_token: 'w' } }));
    closed = await startApp();
  }, 120_000);
  afterAll(async () => {
    await open?.close();
    await closed?.close();
  });

  it.each(['/agent/3/data/k', '/api/timeline'])('answers the preflight of a listed origin for %s, and names it on the answer', async (path) => {
    const pre = await preflight(open, path, PAGE, path.startsWith('/api') ? 'GET' : 'PUT');
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(pre.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(pre.headers.get('access-control-allow-methods')).toContain(path.startsWith('/api') ? 'GET' : 'PUT');
    const res = await fetch(open.url + path, { headers: { origin: PAGE } });
    expect(res.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(res.headers.get('vary')).toMatch(/origin/i);
  });

  it('names the origin on a refusal too, so the page can read why', async () => {
    const res = await fetch(`${open.url}/agent/3/data/k`, { method: 'PUT', headers: { origin: PAGE, 'content-type': 'application/json' }, body: '1' });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe(PAGE);
  });

  it('gives an unlisted origin nothing: no preflight answer, no CORS header', async () => {
    const pre = await preflight(open, '/agent/3/data/k', 'https://evil.example');
    expect(pre.status).toBe(405);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const res = await fetch(`${open.url}/agent/3/state`, { headers: { origin: 'https://evil.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('is off by default', async () => {
    const pre = await preflight(closed, '/agent/3/data/k', PAGE);
    expect(pre.status).toBe(405);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const res = await fetch(`${closed.url}/api/topology`, { headers: { origin: PAGE } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a cors_origins that is not origins, naming the variable', async () => {
    const bad = await startApp(writeManifest({ defaults: { cors_origins: 'app.example.com/path' } }));
    try {
      const res = await fetch(`${bad.url}/agent/0/state`, { headers: { origin: PAGE } });
      expect(res.status).toBe(500);
      expect(await res.json()).toMatchObject({ error: expect.stringContaining('cors_origins') });
    } finally {
      await bad.close();
    }
  }, 60_000);
});
