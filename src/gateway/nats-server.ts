// Starts a local nats-server (Debian's 2.9.10 works: client, WebSocket, JetStream and monitoring
// ports, ready in ~20 ms — SPIKES.md) from a generated config, for the `npm start` runner, the
// gateway CLI and test suites. Ports left out (or 0) are picked free, so suites can run in parallel.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { GATEWAY_NATS_USER, natsConfig, type NatsClusterConfig, type NatsLeafConfig } from './nats-config.ts';

export const NATS_READY_TIMEOUT_MS = 5_000;
const STOP_GRACE_MS = 3_000;
/** Debian installs the server in sbin, which is not on every user's PATH */
const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/local/bin'];

export interface NatsServerOptions {
  /** client port; 0 or unset → a free port */
  port?: number;
  /** WebSocket port (browsers use `wsconnect`); 0 or unset → a free port */
  wsPort?: number;
  /** HTTP monitoring port (/healthz, /varz); 0 or unset → a free port */
  monitorPort?: number;
  /** holds the generated config and `jetstream/` */
  dataDir: string;
  /** path of the nats-server binary; default: findNatsServer() */
  binary?: string;
  serverName?: string;
  /** join a cluster (its route port and every node's route URL); a clustered node is ready before its peers are */
  cluster?: NatsClusterConfig;
  leafnodes?: NatsLeafConfig;
  jetstreamDomain?: string;
  readyTimeoutMs?: number;
  /** Origin headers the WebSocket port accepts (the dashboard's page); unset: any */
  allowedOrigins?: string[];
}

export interface NatsServer {
  /** the client port with the gateway's credentials in it (`nats://gateway:<password>@…`: src/gateway/nats-url.ts) */
  url: string;
  wsUrl: string;
  /** what browsers log in with on wsUrl, as the `dashboard` user (the app's nats_ws_password) */
  dashboardPassword: string;
  monitorUrl: string;
  port: number;
  wsPort: number;
  monitorPort: number;
  configPath: string;
  /** the running process (a new one after restart()) */
  readonly process: ChildProcess;
  /** SIGTERM (or the given signal), SIGKILL after a grace period; resolves when it has exited */
  stop(options?: { signal?: NodeJS.Signals }): Promise<void>;
  /** stops if running, then starts again on the same ports and data dir */
  restart(): Promise<void>;
}

/** The nats-server binary on PATH (or in /usr/sbin and friends), else null. */
export function findNatsServer(): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, 'nats-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

export async function startNatsServer(options: NatsServerOptions): Promise<NatsServer> {
  const binary = options.binary ?? findNatsServer();
  if (binary === null) throw new Error('nats-server not on PATH (apt-get install -y nats-server)');
  const randomPorts = !options.port || !options.wsPort || !options.monitorPort;
  // a port picked free can be taken before the server binds it: try again with fresh ones
  for (let attempt = 1; ; attempt++) {
    const ports = {
      port: options.port || (await freePort()),
      wsPort: options.wsPort || (await freePort()),
      monitorPort: options.monitorPort || (await freePort()),
    };
    try {
      return await launch(binary, options, ports);
    } catch (err) {
      if (!randomPorts || attempt >= 3) throw err;
    }
  }
}

async function launch(binary: string, options: NatsServerOptions, ports: { port: number; wsPort: number; monitorPort: number }): Promise<NatsServer> {
  mkdirSync(options.dataDir, { recursive: true });
  const configPath = join(options.dataDir, 'nats-server.conf');
  const serverName = options.serverName ?? `crdt-nats-${ports.port}`;
  // fresh passwords for every start: the config file is rewritten each time, and only the
  // caller (the runner, a test) learns the gateway's
  const gatewayPassword = randomBytes(18).toString('hex');
  const dashboardPassword = randomBytes(18).toString('hex');
  const config = natsConfig({
    serverName,
    host: '127.0.0.1',
    ...ports,
    storeDir: join(options.dataDir, 'jetstream'),
    ...(options.cluster === undefined ? {} : { cluster: options.cluster }),
    ...(options.leafnodes === undefined ? {} : { leafnodes: options.leafnodes }),
    ...(options.jetstreamDomain === undefined ? {} : { jetstreamDomain: options.jetstreamDomain }),
    auth: {
      gatewayPassword,
      dashboardPassword,
      ...(options.allowedOrigins === undefined ? {} : { allowedOrigins: options.allowedOrigins }),
    },
  });
  writeFileSync(configPath, config, { mode: 0o600 });
  const monitorUrl = `http://127.0.0.1:${ports.monitorPort}`;
  const readyTimeoutMs = options.readyTimeoutMs ?? NATS_READY_TIMEOUT_MS;
  // a clustered node's full /healthz waits for a JetStream meta leader, i.e. for its peers
  const readyUrl = `${monitorUrl}/healthz${options.cluster === undefined ? '' : '?js-enabled-only=true'}`;

  let child: ChildProcess = await spawnReady(binary, configPath, readyUrl, readyTimeoutMs);
  const server: NatsServer = {
    url: `nats://${GATEWAY_NATS_USER}:${gatewayPassword}@127.0.0.1:${ports.port}`,
    wsUrl: `ws://127.0.0.1:${ports.wsPort}`,
    dashboardPassword,
    monitorUrl,
    ...ports,
    configPath,
    get process() {
      return child;
    },
    stop: (stopOptions) => stopProcess(child, stopOptions?.signal ?? 'SIGTERM'),
    async restart() {
      await stopProcess(child, 'SIGTERM');
      child = await spawnReady(binary, configPath, readyUrl, readyTimeoutMs);
    },
  };
  return server;
}

async function spawnReady(binary: string, configPath: string, readyUrl: string, timeoutMs: number): Promise<ChildProcess> {
  const child = spawn(binary, ['-c', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  // nats-server logs to stderr; keep the tail for error messages
  const tail: string[] = [];
  const keep = (chunk: Buffer): void => {
    tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - 30));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // never leave an orphan broker behind a crashed test or runner
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`nats-server exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${tail.join('\n')}`);
    }
    try {
      const res = await fetch(readyUrl, { signal: AbortSignal.timeout(500) });
      if (res.ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill('SIGKILL');
  throw new Error(`nats-server not ready within ${timeoutMs} ms:\n${tail.join('\n')}`);
}

function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill(signal);
  });
}
