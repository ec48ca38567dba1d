// The gateway's own probes for Kubernetes (k8s/gateway.yaml): /livez answers while the process
// runs, from before the first NATS connection (waiting for the broker is not a reason to be
// restarted); /readyz answers 200 only once the gateway runs and while its delivery is connected
// (a gateway cut off from NATS delivers nothing). JSON, like the app's /health.
import { createServer, type Server } from 'node:http';
import type { Gateway } from './gateway.ts';

export const LIVENESS_PATH = '/livez';
export const READINESS_PATH = '/readyz';

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/** `gateway`: the running gateway, or null while it is still starting */
export function startHealthServer(gateway: () => Pick<Gateway, 'stats'> | null, port: number, host = '0.0.0.0'): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://gateway').pathname;
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, { error: 'method-not-allowed', detail: 'GET only' });
    if (path === LIVENESS_PATH) return reply(200, { status: 'ok' });
    if (path === READINESS_PATH) {
      const running = gateway();
      if (running === null) return reply(503, { status: 'starting' });
      const { kind, delivery, uptime_ms } = running.stats();
      return reply(delivery.connected ? 200 : 503, { status: delivery.connected ? 'ok' : 'disconnected', delivery: kind, uptime_ms });
    }
    return reply(404, { error: 'not-found', detail: `the gateway serves ${LIVENESS_PATH} and ${READINESS_PATH}` });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address !== null ? address.port : port,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
