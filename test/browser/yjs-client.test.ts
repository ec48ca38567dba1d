// The browser case of the Yjs rooms: y-websocket's WebsocketProvider, bundled for the page as an
// app would bundle it, in Debian's Chromium (playwright-core), against a running network with real
// nats-server: the page receives the agent's document, and what it types reaches all nine agents.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { suiteBroker, waitFor, type SuiteBroker } from '../gateway/harness.ts';
import { call, startTestNetwork, type TestNetwork } from '../support/network.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const IN_CI = Boolean(process.env.CI) && process.env.CI !== 'false';
const missing = !existsSync(CHROMIUM);
if (missing && !IN_CI) console.warn(`\n${'!'.repeat(78)}\n!!! ${CHROMIUM} not found: SKIPPING the browser Yjs client suite.\n!!! Install it: apt-get install -y chromium\n${'!'.repeat(78)}\n`);

/** The page's script: a Y.Doc and a WebsocketProvider, reachable from the test as window.yjsClient. */
const PAGE_SCRIPT = `
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
window.startYjsClient = (serverUrl, room, token) => {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(serverUrl, room, doc, { params: { token } });
  window.yjsClient = { doc, provider, Y };
};
`;

describe.skipIf(missing && !IN_CI)('a Yjs client in Chromium', () => {
  let broker: SuiteBroker;
  let network: TestNetwork | undefined;
  let browser: Browser;
  let page: Server;
  let pageUrl: string;

  beforeAll(async () => {
    broker = await suiteBroker('nats');
    network = await startTestNetwork({ natsUrl: broker.natsUrl });
    const bundled = await build({ stdin: { contents: PAGE_SCRIPT, resolveDir: process.cwd(), loader: 'js' }, bundle: true, format: 'iife', platform: 'browser', write: false });
    const script = bundled.outputFiles[0]!.text;
    page = createServer((req, res) => {
      if (req.url === '/client.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>yjs client</title><script src="/client.js"></script>');
    });
    await new Promise<void>((r) => page.listen(0, '127.0.0.1', () => r()));
    pageUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}/`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    page?.close();
    await network?.close();
    await broker?.dispose();
  });

  it('syncs room agent-1 and its edits reach all nine agents', async () => {
    expect((await call(network!.app, 'PUT', '/agent/1/data/seed', { from: 'the network' })).status).toBe(200);
    const tab = await browser.newPage();
    tab.on('pageerror', (err) => {
      throw err;
    });
    await tab.goto(pageUrl);
    await tab.evaluate(([url]) => (window as unknown as { startYjsClient(u: string, r: string, t: string): void }).startYjsClient(url!, 'agent-1', ''), [`${network!.gatewayUrl.replace('http', 'ws')}/yjs`]);
    const read = () => tab.evaluate(() => {
      const client = (window as unknown as { yjsClient: { doc: Y.Doc; provider: { synced: boolean } } }).yjsClient;
      return { synced: client.provider.synced, seed: JSON.stringify(client.doc.getMap('data').get('seed')) };
    });
    await expect.poll(read, { timeout: 15_000 }).toEqual({ synced: true, seed: '{"from":"the network"}' });
    await tab.evaluate(() => (window as unknown as { yjsClient: { doc: Y.Doc } }).yjsClient.doc.getText('notes').insert(0, 'typed in Chromium'));
    await waitFor('the browser\'s text at all nine agents', async () => {
      const texts = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7, 8].map(async (id) => {
        const doc = new Y.Doc();
        Y.applyUpdate(doc, new Uint8Array(await (await fetch(`${network!.app.url}/agent/${id}/doc`)).arrayBuffer()));
        return doc.getText('notes').toString();
      }));
      return texts.every((t) => t === 'typed in Chromium');
    }, 30_000, 200);
  }, 90_000);
});
