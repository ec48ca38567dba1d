// The gateway's own probes for Kubernetes (k8s/gateway.yaml): /livez answers while the process
// runs; /readyz answers 200 only while its delivery is connected (a gateway cut off from NATS
// delivers nothing, so it should not count as ready). JSON, like the app's /health.
import { createServer, type Server } from 'node:http';
import type { Gateway } from './gateway.ts';

export const LIVENESS_PATH = '/livez';
export const READINESS_PATH = '/readyz';

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

export function startHealthServer(gateway: Pick<Gateway, 'stats'>, port: number, host = '0.0.0.0'): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://gateway').pathname;
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, { error: 'method-not-allowed', detail: 'GET only' });
    if (path === LIVENESS_PATH) return reply(200, { status: 'ok' });
    if (path === READINESS_PATH) {
      const { kind, delivery, uptime_ms } = gateway.stats();
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
