// The dashboard in a real browser (Debian's Chromium driven by playwright-core) on a running
// network: built components under the local host, the gateway, a real nats-server whose
// WebSocket port the dashboard subscribes to. A user's write shows up live; the inspector, the
// event detail and the export work; polling takes over when no NATS WebSocket is configured.
// Screenshots go to test-artifacts/ (not committed).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../src/core/index.ts';
import { suiteBroker, type SuiteBroker } from '../gateway/harness.ts';
import { call, startApp, startTestNetwork, writeManifest, type TestApp, type TestNetwork } from '../support/network.ts';

const CHROMIUM = '/usr/bin/chromium';
/** SPIKES.md: the flags Debian's Chromium needs here */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const ARTIFACTS = resolve(import.meta.dirname, '..', '..', 'test-artifacts');
/** a write must be on the dashboard within this (next tick of agent 0, then NATS → browser) */
const LIVE_BOUND_MS = 15_000;
const IN_CI = Boolean(process.env.CI) && process.env.CI !== 'false';
const missing = !existsSync(CHROMIUM);
if (missing && !IN_CI) {
  console.warn(`\n${'!'.repeat(78)}\n!!! ${CHROMIUM} not found: SKIPPING the browser suite.\n!!! Install it: apt-get install -y chromium\n${'!'.repeat(78)}\n`);
}

describe.skipIf(missing && !IN_CI)('dashboard in Chromium', () => {
  let broker: SuiteBroker;
  let network: TestNetwork | undefined;
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    broker = await suiteBroker('nats');
    network = await startTestNetwork({ natsUrl: broker.natsUrl, manifestPath: writeManifest({ defaults: { nats_ws_url: broker.server!.wsUrl, nats_ws_password: broker.server!.dashboardPassword } }) });
    ({ app } = network);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await network?.close();
    await broker?.dispose();
  });

  async function open(width = 1400, height = 900): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height }, acceptDownloads: true });
    page.on('pageerror', (err) => {
      throw err;
    });
    return page;
  }

  it('shows nine agents live over NATS; a PUT at agent 0 appears as it happens; inspector, detail and export work', async () => {
    const page = await open();
    await page.goto(`${app.url}/dashboard`);
    await expect.poll(() => page.getAttribute('#mode', 'data-mode'), { timeout: 10_000 }).toBe('nats');
    expect(await page.locator('#topology .node').count()).toBe(9);
    expect(await page.locator('#topology .node[data-colour="RED"]').count()).toBe(3);
    await expect.poll(() => page.locator('#topology .node[data-status="alive"]').count(), { timeout: 15_000 }).toBe(9);
    // each family drawn in its own colour (once alive: down is grey), the legend naming them all (from /api/topology)
    expect(await page.locator('#topology .node[data-colour="RED"] circle').first().evaluate((c) => getComputedStyle(c).fill)).toBe('rgb(229, 72, 77)');
    expect(await page.textContent('#legend')).toBe('RED BLUE GREEN · faded: suspect · grey: down');
    await expect.poll(() => page.getAttribute('#banner', 'data-state'), { timeout: 15_000 }).toBe('converged');

    const written = Date.now();
    expect((await call(app, 'PUT', '/agent/0/data/greeting', { from: 'browser test' })).status).toBe(200);
    const write = page.locator('#timeline circle.ev[data-type="write_applied"]');
    await write.first().waitFor({ timeout: LIVE_BOUND_MS });
    const liveMs = Date.now() - written;
    expect(await page.locator('#timeline line.arrow').count()).toBeGreaterThan(0);

    // a live timeline redraws as events arrive: pause it, as a user would, then click
    await page.click('#pause');
    // the pause redraws once (on the next frame): wait for that frame, or the dot checked below may be
    // the one it replaces
    await expect.poll(() => page.textContent('#timeline-count'), { timeout: 5_000 }).toMatch(/paused$/);
    // where dots crowd, the write lies on top of the message dots: what the user clicks is the write
    const onTop = await write.first().evaluate((dot) => {
      const box = dot.getBoundingClientRect();
      return document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2) === dot;
    });
    expect(onTop).toBe(true);
    await write.first().click();
    await expect.poll(() => page.textContent('#detail'), { timeout: 5_000 }).toMatch(/write_applied[\s\S]*"key": "greeting"/);

    await page.locator('#topology .node[data-agent="0"]').click();
    await expect.poll(() => page.textContent('#inspector'), { timeout: 10_000 }).toMatch(/Agent 0 · RED[\s\S]*data keysgreeting/);

    const download = page.waitForEvent('download');
    await page.click('#export-all');
    const file = await (await download).path();
    const exported = JSON.parse(readFileSync(file, 'utf8')) as TimelineEvent[];
    expect(Array.isArray(exported)).toBe(true);
    expect(exported.every((e) => typeof e.timestamp === 'string' && !Number.isNaN(Date.parse(e.timestamp)) && typeof e.type === 'string')).toBe(true);
    expect(exported.some((e) => e.type === 'write_applied' && e.agent === 0 && e.detail.key === 'greeting')).toBe(true);
    expect(exported.map((e) => e.hlc)).toEqual(exported.map((e) => e.hlc).sort());

    await page.click('#pause'); // resume
    await page.selectOption('#filter-type', 'write_applied');
    const filtered = page.waitForEvent('download');
    await page.click('#export-filtered');
    const only = JSON.parse(readFileSync(await (await filtered).path(), 'utf8')) as TimelineEvent[];
    expect(only.length).toBeGreaterThan(0);
    expect(only.every((e) => e.type === 'write_applied')).toBe(true);

    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    console.log(JSON.stringify({ dashboard_live_ms: liveMs }));
    await page.close();
  }, 90_000);

  it('polls /api/timeline when no NATS WebSocket is configured, and says so; fits a phone', async () => {
    const page = await open(390, 844);
    await page.route('**/api/topology', async (route) => {
      const response = await route.fetch();
      const topology = (await response.json()) as { live: { nats_ws_url: string | null } };
      await route.fulfill({ response, json: { ...topology, live: { ...topology.live, nats_ws_url: null } } });
    });
    await page.goto(`${app.url}/dashboard`);
    await expect.poll(() => page.getAttribute('#mode', 'data-mode'), { timeout: 10_000 }).toBe('polling');
    expect(await page.textContent('#mode')).toMatch(/polling \/api\/timeline/);
    expect((await call(app, 'PUT', '/agent/8/data/polled', 8)).status).toBe(200);
    await page.locator('#timeline circle.ev[data-type="write_applied"]').first().waitFor({ timeout: LIVE_BOUND_MS });
    // nothing wider than the screen but the timeline, which scrolls
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-phone.png'), fullPage: true });
    await page.close();
  }, 60_000);

  it('says so when the API cannot be read, instead of going blank', async () => {
    const page = await open();
    await page.route('**/api/metrics', (route) => route.fulfill({ status: 503, json: { error: 'app overloaded', detail: 'test' } }));
    await page.goto(`${app.url}/dashboard`);
    await expect.poll(() => page.getAttribute('#banner', 'data-state'), { timeout: 10_000 }).toBe('error');
    expect(await page.textContent('#banner')).toMatch(/Cannot read the network: GET \/api\/metrics: HTTP 503: app overloaded/);
    await page.close();
  });

  it('lets a page of a listed origin (cors_origins) read and write with its token, and a page of another origin neither', async () => {
    const pageServer = (): Promise<Server> =>
      new Promise((ready) => {
        const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>another app</title>'));
        server.listen(0, '127.0.0.1', () => ready(server));
      });
    const [listed, unlisted] = await Promise.all([pageServer(), pageServer()]);
    const originOf = (server: Server): string => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const cross = await startApp(writeManifest({ defaults: { cors_origins: originOf(listed), auth_token: 'w' } }));
    try {
      const attempt = async (server: Server): Promise<string> => {
        const page = await open();
        await page.goto(originOf(server));
        const outcome = await page.evaluate(async (app) => {
          try {
            const put = await fetch(`${app}/agent/2/data/from-page`, { method: 'PUT', headers: { authorization: 'Bearer w', 'content-type': 'application/json' }, body: '"hello"' });
            const get = await fetch(`${app}/agent/2/data/from-page`);
            return `${put.status} ${get.status}`;
          } catch (err) {
            return `blocked: ${String(err)}`;
          }
        }, cross.url);
        await page.close();
        return outcome;
      };
      expect(await attempt(unlisted)).toMatch(/^blocked/);
      expect((await call(cross, 'GET', '/agent/2/data/from-page')).status).toBe(404); // its preflight failed: nothing sent
      expect(await attempt(listed)).toBe('200 200');
    } finally {
      await cross.close();
      listed.close();
      unlisted.close();
    }
  }, 120_000);

  it('reads an app with a read_token when opened as /dashboard#token=…, live from the broker whose login that read gives it; keeps the token out of the address bar, and says so without one', async () => {
    const server = broker.server!;
    const guarded = await startApp(writeManifest({ defaults: { read_token: 'r3ad', nats_ws_url: server.wsUrl, nats_ws_password: server.dashboardPassword } }));
    try {
      const page = await open();
      await page.goto(`${guarded.url}/dashboard#token=r3ad`);
      await expect.poll(() => page.locator('#topology .node').count(), { timeout: 10_000 }).toBe(9);
      await expect.poll(() => page.getAttribute('#mode', 'data-mode'), { timeout: 10_000 }).toBe('nats');
      expect(page.url()).not.toContain('r3ad');
      await page.close();
      const without = await browser.newPage();
      await without.goto(`${guarded.url}/dashboard`);
      await expect.poll(() => without.getAttribute('#banner', 'data-state'), { timeout: 10_000 }).toBe('error');
      expect(await without.textContent('#banner')).toMatch(/bearer token/);
      await without.close();
    } finally {
      await guarded.close();
    }
  }, 120_000);
});
