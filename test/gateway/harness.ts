// Shared set-up for the gateway suites: every behaviour runs on both deliveries
// (`describe.each(KINDS)`). The real-NATS variant starts its own nats-server on random ports; without
// the binary it skips LOUDLY — unless CI is set, where it must fail (CI installs nats-server).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findNatsServer, startNatsServer, type NatsServer } from '../../src/gateway/nats-server.ts';
import { DEFAULT_CONFIG, type GatewayConfig } from '../../src/gateway/config.ts';
import type { Delivery } from '../../src/gateway/delivery.ts';
import { startGateway, type Gateway, type GatewayOptions } from '../../src/gateway/gateway.ts';
import type { NetworkStatus } from '../../src/gateway/liveness.ts';
import { createLogger } from '../../src/shared/log.ts';
import { afterAll, beforeAll, describe } from 'vitest';
import { startFakeApp, type FakeApp, type FakeAppOptions, type WireEnvelope } from './fake-app.ts';

export const KINDS = ['nats', 'inproc'] as const;
export type Kind = (typeof KINDS)[number];

const NATS_BINARY = findNatsServer();
const IN_CI = Boolean(process.env.CI) && process.env.CI !== 'false';

/** true → skip this kind's suite (said loudly). In CI a missing binary fails the suite instead. */
export function skipKind(kind: Kind): boolean {
  if (kind !== 'nats' || NATS_BINARY !== null || IN_CI) return false;
  console.warn('\n' + '!'.repeat(78) + '\n!!! nats-server not on PATH: SKIPPING the real-NATS gateway suite.\n!!! Install it: apt-get install -y nats-server\n' + '!'.repeat(78) + '\n');
  return true;
}

/** A broker for one suite (nats) or nothing (inproc); `dispose` for afterAll. */
export interface SuiteBroker {
  natsUrl: string | undefined;
  server: NatsServer | null;
  dispose(): Promise<void>;
}

export async function suiteBroker(kind: Kind): Promise<SuiteBroker> {
  if (kind === 'inproc') return { natsUrl: undefined, server: null, dispose: async () => {} };
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-nats-'));
  let server: NatsServer;
  try {
    // throws "nats-server not on PATH" when missing: reached only in CI, where that must fail
    server = await startNatsServer({ dataDir, ...(NATS_BINARY === null ? {} : { binary: NATS_BINARY }) });
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    natsUrl: server.url,
    server,
    dispose: async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * `describe.each(KINDS)` with the suite's broker started in beforeAll and disposed in afterAll;
 * the nats variant is skipped (loudly) when nats-server is missing outside CI.
 */
export function describeDeliveries(title: string, body: (kind: Kind, broker: () => SuiteBroker) => void, kinds: readonly Kind[] = KINDS): void {
  describe.each(kinds)(`${title} — %s`, (kind) => {
    describe.skipIf(skipKind(kind))(`${kind} delivery`, () => {
      let broker: SuiteBroker | undefined;
      beforeAll(async () => void (broker = await suiteBroker(kind)));
      afterAll(async () => broker?.dispose());
      body(kind, () => {
        if (broker === undefined) throw new Error('suite broker not started');
        return broker;
      });
    });
  });
}

export const TEST_SYNC_INTERVAL_MS = 100;
/** for suites that drive traffic by hand: no tick during the test */
export const NO_TICKS = { syncIntervalMs: 600_000, healthTimeoutMs: 1_200_000 } as const;

export interface Network {
  app: FakeApp;
  gateway: Gateway;
  delivery: Delivery;
  /** every log line the gateway wrote, parsed */
  logs: Record<string, unknown>[];
  /** network.status messages seen, oldest first */
  statuses: NetworkStatus[];
  dispose(): Promise<void>;
}

export interface NetworkOptions {
  config?: Partial<GatewayConfig>;
  gateway?: GatewayOptions;
  app?: FakeAppOptions;
}

/** A fake app with nine agents and a gateway over the suite's broker. */
export async function startNetwork(broker: SuiteBroker, options: NetworkOptions = {}): Promise<Network> {
  const app = await startFakeApp(options.app);
  const logs: Record<string, unknown>[] = [];
  const config: GatewayConfig = {
    ...DEFAULT_CONFIG,
    appUrl: app.url,
    natsUrl: broker.natsUrl,
    syncIntervalMs: TEST_SYNC_INTERVAL_MS,
    healthTimeoutMs: 1_000,
    ...options.config,
  };
  const logger = createLogger('debug', {}, (line) => {
    logs.push(JSON.parse(line) as Record<string, unknown>);
    if (process.env.GATEWAY_TEST_LOGS) console.log(line);
  });
  const gateway = await startGateway(config, { logger, backoff: { baseDelayMs: 20, maxDelayMs: 200 }, ...options.gateway });
  const statuses: NetworkStatus[] = [];
  const sub = gateway.delivery.subscribe('network.status', (_subject, data) => statuses.push(data as NetworkStatus));
  return {
    app,
    gateway,
    delivery: gateway.delivery,
    logs,
    statuses,
    dispose: async () => {
      sub.unsubscribe();
      await gateway.close();
      await app.stop().catch(() => {});
    },
  };
}

/** Polls until `probe` returns a truthy value; fails naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 10_000, everyMs = 20): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) return last as NonNullable<T>;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
}

export const sleepMs = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let counter = 0;
/** A hand-made envelope, as another agent would publish it (test traffic). */
export function wire(type: WireEnvelope['type'], from: number, to: number | null, payload: Record<string, unknown>, id = `t-${++counter}`): WireEnvelope {
  return { v: 1, id, type, from, to, ts: Date.now(), hlc: '0000000000001-00000-00001', payload };
}

/** The NATS subject for an envelope, as a publisher would compute it. */
export function subjectFor(e: WireEnvelope): string {
  if (e.type === 'Heartbeat') return `agent.${e.from}.heartbeat`;
  const leaf = e.type === 'SyncRequest' ? 'sync' : e.type === 'Ack' ? 'ack' : 'state';
  return `agent.${String(e.to)}.${leaf}`;
}

/** Publishes hand-made envelopes through the gateway's own delivery (the only bus inproc has). */
export function inject(delivery: Delivery, envelopes: WireEnvelope[]): void {
  for (const e of envelopes) delivery.publishJson(subjectFor(e), e);
}
