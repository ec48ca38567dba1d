// CLI: `npx tsx src/gateway/main.ts`. Config from the environment (see config.ts; HEALTH_PORT adds
// /livez and /readyz for k8s probes); with no NATS_URL it starts a nats-server from PATH if there
// is one, else delivers in-process. SIGINT/SIGTERM stop the clock, let in-flight deliveries
// finish, drain NATS and exit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findNatsServer, startNatsServer } from './nats-server.ts';
import { ConfigError, loadConfig, type GatewayConfig } from './config.ts';
import type { SpawnedNatsServer } from './connect.ts';
import { startGateway, type Gateway } from './gateway.ts';
import { startHttpServer, type HttpServer } from './http-server.ts';
import { createLogger, errorFields } from '../shared/log.ts';
import { commandLine, HELP_OPTION } from '../cli/command-line.ts';

async function spawnNatsServer(): Promise<SpawnedNatsServer | null> {
  const binary = findNatsServer();
  if (binary === null) return null;
  const dataDir = mkdtempSync(join(tmpdir(), 'crdt-gateway-nats-'));
  const server = await startNatsServer({ binary, dataDir });
  return {
    url: server.url,
    stop: async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const USAGE = `usage: npm run gateway   the NATS trigger of the app: NATS <-> HTTP delivery, ticks, liveness
Configured by the environment (src/gateway/config.ts): APP_URL, NATS_URL, NATS_CREDS, NATS_USER, NATS_PASSWORD,
AUTH_TOKEN, ENVELOPE_KEY, AGENT_COUNT, AGENTS, OWNERSHIP, LEASE_TTL, HOSTNAME, HEALTH_PORT, SYNC_INTERVAL,
HEALTH_TIMEOUT, MAX_BUFFER_SIZE, LOG_LEVEL. With no NATS_URL it starts nats-server from PATH if there is one.
  -h, --help`;

async function main(): Promise<void> {
  commandLine(USAGE, { options: { help: HELP_OPTION } });
  let config: GatewayConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.log(JSON.stringify({ level: 'error', msg: 'bad gateway configuration', component: 'gateway', variable: err.variable, error: err.message }));
    process.exit(2);
  }
  const log = createLogger(config.logLevel, { component: 'gateway' });
  let gateway: Gateway | null = null;
  let http: HttpServer | null = null;
  if (config.healthPort !== undefined) {
    http = await startHttpServer(() => gateway, config.healthPort, { authToken: config.authToken, logger: log });
    log('info', 'probes and publish endpoint listening', { port: http.port });
  }
  gateway = await startGateway(config, { logger: log, spawnNatsServer });
  const running = gateway;

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log('info', 'gateway stopping', { signal });
    Promise.all([running.close(), http?.close()]).then(
      () => process.exit(0),
      (err: unknown) => {
        log('error', 'gateway did not stop cleanly', errorFields(err));
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.log(JSON.stringify({ level: 'error', msg: 'gateway failed to start', component: 'gateway', ...errorFields(err) }));
  process.exit(1);
});
