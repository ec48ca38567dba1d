// `npm start`: the whole network on one machine. Builds if stale, starts nats-server from PATH
// (unless NATS_URL points at a broker), the local Spin host in a process of its own (or `spin up`
// with --spin) and the gateway; prints the URLs; Ctrl-C stops all of it, as does the app's death.
//
// Environment: PORT (3000), GATEWAY_PORT (3001: the gateway's probes and POST /publish), NATS_PORT (4222),
// NATS_WS_PORT (4223), NATS_MONITOR_PORT (8222),
// DATA_DIR (.data: the NATS store and the host's state dir), NATS_URL, STORAGE_URL (see
// scripts/manifests/storage.ts; Redis needs --spin), plus the gateway's SYNC_INTERVAL,
// HEALTH_TIMEOUT, MAX_BUFFER_SIZE, LOG_LEVEL, the app's REGION and MAX_CLOCK_SKEW, and SPIN_VARIABLE_*.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { commandLine, HELP_OPTION } from '../src/cli/command-line.ts';
import { SETTINGS } from '../src/core/index.ts';
import { loadConfig, startGateway, startHttpServer, type Gateway, findNatsServer, startNatsServer, type NatsServer, redactNatsUrl } from '../src/gateway/index.ts';
import { loadManifest } from '../src/host/index.ts';
import { spawnHostProcess } from './host-process.ts';
import { parseStorageUrl, runtimeConfigToml, StorageUrlError } from './manifests/storage.ts';
import { randomBytes } from 'node:crypto';

const ROOT = resolve(import.meta.dirname, '..');

function say(msg: string, fields: Record<string, unknown> = {}): void {
  console.log(JSON.stringify({ level: 'info', msg, component: 'runner', ...fields }));
}

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new Error(`${name} must be a port number, got ${JSON.stringify(raw)}`);
  return n;
}

/** The app's runtime, a process of its own: `spin up`, or the embedded host (host-process.ts). */
interface AppProcess {
  url: string;
  /** resolves when the process ends, however it ends */
  exited: Promise<unknown>;
  close(): Promise<void>;
}

/** `spin up` as the app runtime, when the user asks for it and has Spin installed. */
async function spinUp(manifestPath: string, listen: string, stateDir: string, runtimeConfig: string | null): Promise<AppProcess> {
  if (spawnSync('spin', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('--spin needs the `spin` binary on PATH; without it, leave --spin out to use the local host');
  }
  const args = ['up', '--from', manifestPath, '--listen', listen, '--state-dir', stateDir, ...(runtimeConfig === null ? [] : ['--runtime-config-file', runtimeConfig])];
  const child: ChildProcess = spawn('spin', args, {
    stdio: 'inherit',
    env: process.env,
  });
  const exited = new Promise<unknown>((done) => child.once('exit', done));
  const url = `http://${listen}`;
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    exited,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
    },
  };
}

const USAGE = `usage: npm start [-- --spin]   the whole network: nats-server, the app (nine agents), the gateway
      --spin   serve the app with \`spin up\` (Spin on PATH) instead of the embedded host
  -h, --help
Environment: PORT, GATEWAY_PORT, NATS_PORT, NATS_WS_PORT, NATS_MONITOR_PORT, DATA_DIR, NATS_URL, STORAGE_URL,
AUTH_TOKEN, READ_TOKEN, SYNC_INTERVAL, HEALTH_TIMEOUT, MAX_BUFFER_SIZE, MAX_CLOCK_SKEW, LOG_LEVEL, REGION, SPIN_VARIABLE_<name>
(see the README)`;

async function main(): Promise<void> {
  const { values } = commandLine(USAGE, { options: { spin: { type: 'boolean', default: false }, help: HELP_OPTION } });
  const dataDir = resolve(process.env.DATA_DIR || join(ROOT, '.data'));
  const manifestPath = join(ROOT, 'spin.toml');
  mkdirSync(dataDir, { recursive: true });
  const storage = parseStorageUrl(process.env.STORAGE_URL);
  if (storage.kind === 'redis' && !values.spin) {
    throw new StorageUrlError('STORAGE_URL=redis://… needs `npm start -- --spin`: the local host keeps the store in SQLite under DATA_DIR');
  }

  // in a process of its own: the bundler and componentize-js leave nothing behind in this one
  const build = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'build.ts')], { stdio: 'inherit', cwd: ROOT });
  if (build.status !== 0) throw new Error(`the build failed (${build.status ?? build.signal}); see its output above`);

  const appPort = port('PORT', 3000);
  // one variable guards every read (the broker's WebSocket password is handed out by a guarded read)
  const readToken = process.env.READ_TOKEN || process.env.SPIN_VARIABLE_READ_TOKEN || undefined;
  if (readToken !== undefined && !process.env.SPIN_VARIABLE_READ_TOKEN) process.env.SPIN_VARIABLE_READ_TOKEN = readToken;
  let nats: NatsServer | null = null;
  let natsUrl = process.env.NATS_URL || undefined;
  if (natsUrl === undefined) {
    const binary = findNatsServer();
    if (binary !== null) {
      nats = await startNatsServer({
        binary,
        dataDir: join(dataDir, 'nats'),
        port: port('NATS_PORT', 4222),
        wsPort: port('NATS_WS_PORT', 4223),
        monitorPort: port('NATS_MONITOR_PORT', 8222),
        // the dashboard's page, however the user spells the host
        allowedOrigins: [`http://127.0.0.1:${appPort}`, `http://localhost:${appPort}`],
      });
      natsUrl = nats.url;
      // the broker lets in only the gateway (and tools holding its password) and read-only browsers
      writeFileSync(join(dataDir, 'nats', 'gateway-url'), `${nats.url}\n`, { mode: 0o600 });
      say('nats-server started', { url: redactNatsUrl(nats.url), websocket: nats.wsUrl, monitor: nats.monitorUrl, credentials: join(dataDir, 'nats', 'gateway-url') });
    }
  }

  // One knob for both sides: the gateway's SYNC_INTERVAL etc. are also the app's variables
  // (agents judge liveness, the dashboard reads them); SPIN_VARIABLE_* still wins when set.
  const mirrored = [SETTINGS.syncIntervalMs, SETTINGS.healthTimeoutMs, SETTINGS.maxBufferSize, SETTINGS.maxClockSkewMs].map((s) => s.env);
  for (const name of [...mirrored, 'LOG_LEVEL', 'REGION']) {
    if (process.env[name] && !process.env[`SPIN_VARIABLE_${name}`]) process.env[`SPIN_VARIABLE_${name}`] = process.env[name];
  }
  // the dashboard subscribes to the broker we started, over its WebSocket port
  if (nats !== null && !process.env.SPIN_VARIABLE_NATS_WS_URL) {
    process.env.SPIN_VARIABLE_NATS_WS_URL = nats.wsUrl;
    process.env.SPIN_VARIABLE_NATS_WS_PASSWORD = nats.dashboardPassword;
  }

  // the gateway's HTTP port first: the agents are told where to hand their users' writes over
  const authToken = process.env.AUTH_TOKEN || process.env.SPIN_VARIABLE_AUTH_TOKEN || undefined;
  // agents sign their envelopes; a key of its own for this network unless one is given
  if (!process.env.SPIN_VARIABLE_ENVELOPE_KEY) process.env.SPIN_VARIABLE_ENVELOPE_KEY = process.env.ENVELOPE_KEY || randomBytes(32).toString('hex');
  // one variable protects the whole local network: the app's writes, not only the gateway's port
  if (authToken !== undefined && !process.env.SPIN_VARIABLE_AUTH_TOKEN) process.env.SPIN_VARIABLE_AUTH_TOKEN = authToken;
  let running: Gateway | null = null;
  const gatewayHttp = await startHttpServer(() => running, port('GATEWAY_PORT', 3001), { host: '127.0.0.1', authToken });
  if (!process.env.SPIN_VARIABLE_GATEWAY_URL) process.env.SPIN_VARIABLE_GATEWAY_URL = `http://127.0.0.1:${gatewayHttp.port}`;

  const listen = `127.0.0.1:${appPort}`;
  const stateDir = join(dataDir, 'spin');
  const runtimeConfig = runtimeConfigToml(storage);
  const runtimeConfigPath = runtimeConfig === null ? null : join(dataDir, 'runtime-config.toml');
  if (runtimeConfigPath !== null) writeFileSync(runtimeConfigPath, runtimeConfig ?? '');
  // the embedded host in a process of its own (dist/host.mjs), as Spin runs beside the gateway
  const app: AppProcess = values.spin
    ? await spinUp(manifestPath, listen, stateDir, runtimeConfigPath)
    : await spawnHostProcess({ manifestPath, listen, stateDir, env: process.env });

  const agentCount = [...loadManifest(manifestPath).components.keys()].filter((id) => id.startsWith('agent-')).length;
  const config = loadConfig({
    ...process.env,
    APP_URL: app.url,
    NATS_URL: natsUrl,
    AGENT_COUNT: String(agentCount),
    AUTH_TOKEN: authToken,
    READ_TOKEN: readToken,
    ENVELOPE_KEY: process.env.SPIN_VARIABLE_ENVELOPE_KEY,
  });
  const gateway: Gateway = await startGateway(config);
  running = gateway;

  const auth = config.authToken ? ` -H 'authorization: Bearer ${config.authToken}'` : '';
  const lines = [
    '',
    `crdt-agents-network: ${agentCount} agents on ${app.url}, delivery: ${gateway.delivery.kind}${natsUrl ? ` (${redactNatsUrl(natsUrl)})` : ''}`,
    `  dashboard      ${app.url}/dashboard   (live over ${process.env.SPIN_VARIABLE_NATS_WS_URL ? `NATS WebSocket ${process.env.SPIN_VARIABLE_NATS_WS_URL}` : 'polling /api/timeline'})`,
    `  app health     ${app.url}/health`,
    `  agent state    ${app.url}/agent/0/state`,
    `  timeline       ${app.url}/api/timeline   (npm run export-timeline -- --out timeline.json)`,
    `  metrics        ${app.url}/api/metrics  ·  ${app.url}/metrics (Prometheus)`,
    ...(nats ? [`  NATS monitor   ${nats.monitorUrl}/varz`] : []),
    `  gateway        http://127.0.0.1:${gatewayHttp.port}/readyz   (agents publish writes at once through POST /publish/<id>)`,
    '',
    'Try:',
    `  curl -s ${app.url}/agent/0/state`,
    `  curl -s -X PUT ${app.url}/agent/0/data/greeting${auth} -H 'content-type: application/json' -d '"hello"'`,
    `  curl -s ${app.url}/agent/8/data/greeting      # a moment later: synced across the grid`,
    `  npm run verify -- --url ${app.url}          # the post-deployment checklist`,
    '',
    'Ctrl-C stops everything.',
    '',
  ];
  process.stderr.write(lines.join('\n'));

  let stopping = false;
  const stop = async (signal: string, code = 0): Promise<void> => {
    if (stopping) return;
    stopping = true;
    say('stopping', { signal });
    await gateway.close();
    await gatewayHttp.close();
    await app.close();
    await nats?.stop();
    say('stopped');
    process.exit(code);
  };
  process.on('SIGINT', (s) => void stop(s));
  process.on('SIGTERM', (s) => void stop(s));
  // the app gone on its own (a crash, a kill): the rest would only run without it
  void app.exited.then((how) => {
    if (stopping) return;
    console.log(JSON.stringify({ level: 'error', msg: 'the app process exited; stopping the network', component: 'runner', exit: how }));
    void stop('app exited', 1);
  });
}

main().catch((err: unknown) => {
  console.log(JSON.stringify({ level: 'error', msg: 'start failed', component: 'runner', error: err instanceof Error ? err.message : String(err) }));
  process.exit(1);
});
