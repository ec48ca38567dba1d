// The gateway on k8s: Spin's missing NATS trigger as a Deployment beside NATS, configured by a
// ConfigMap (the variables src/gateway/config.ts reads) and the auth Secret, probed on its own
// /livez and /readyz (src/gateway/http-server.ts).
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { LIVENESS_PATH, READINESS_PATH, GATEWAY_NATS_USER } from '../../../src/gateway/index.ts';
import {
  APP_NAME, APP_PORT, AUTH_SECRET, AUTH_SECRET_KEY, ENVELOPE_KEY_SECRET_KEY, GATEWAY_CONFIG, GATEWAY_HEALTH_PORT, GATEWAY_NAME, NATS_GATEWAY_PASSWORD_KEY, NATS_NAME, NATS_PORTS,
  RESTRICTED_CONTAINER, labels, selectorLabels, READ_TOKEN_SECRET_KEY } from './names.ts';

export interface GatewayOptions {
  image: string;
  version: string;
  replicas: number;
  /** gateway environment besides the URLs: AGENT_COUNT, SYNC_INTERVAL, … */
  env: Record<string, string>;
}

export function gatewayEnvironment(env: Record<string, string>): Record<string, string> {
  return {
    APP_URL: `http://${APP_NAME}:${APP_PORT}`,
    NATS_URL: `nats://${NATS_NAME}:${NATS_PORTS.client}`,
    NATS_USER: GATEWAY_NATS_USER,
    HEALTH_PORT: String(GATEWAY_HEALTH_PORT),
    // replicas share the agents through JetStream leases (src/gateway/ownership.ts)
    OWNERSHIP: 'lease',
    ...env,
  };
}

/** What the app's agents call to publish a user's write at once (POST /publish/<id>). */
export const GATEWAY_URL = `http://${GATEWAY_NAME}:${GATEWAY_HEALTH_PORT}`;

export function gatewayResources(o: GatewayOptions): (ConfigMap | Deployment | Service)[] {
  const meta = (name: string) => ({ name, labels: labels(GATEWAY_NAME, 'gateway', o.version) });
  const probe = (path: string) => ({ httpGet: { path, port: 'health' }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 });
  return [
    new ConfigMap({ metadata: meta(GATEWAY_CONFIG), data: gatewayEnvironment(o.env) }),
    // the agents hand their users' writes to any replica here (the app's gateway_url)
    new Service({
      metadata: meta(GATEWAY_NAME),
      spec: { selector: selectorLabels(GATEWAY_NAME), ports: [{ name: 'http', port: GATEWAY_HEALTH_PORT, targetPort: 'health' }] },
    }),
    new Deployment({
      metadata: meta(GATEWAY_NAME),
      spec: {
        replicas: o.replicas,
        selector: { matchLabels: selectorLabels(GATEWAY_NAME) },
        template: {
          metadata: { labels: labels(GATEWAY_NAME, 'gateway', o.version) },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            // SIGTERM: stop the clock, finish in-flight deliveries (2 s grace), drain NATS
            terminationGracePeriodSeconds: 30,
            securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'gateway',
                image: o.image,
                envFrom: [{ configMapRef: { name: GATEWAY_CONFIG } }],
                env: [
                  { name: 'AUTH_TOKEN', valueFrom: { secretKeyRef: { name: AUTH_SECRET, key: AUTH_SECRET_KEY } } },
                  // the app's read token, when it has one: Yjs clients holding it may read a room (yjs-rooms.ts)
                  { name: 'READ_TOKEN', valueFrom: { secretKeyRef: { name: AUTH_SECRET, key: READ_TOKEN_SECRET_KEY, optional: true } } },
                  { name: 'NATS_PASSWORD', valueFrom: { secretKeyRef: { name: AUTH_SECRET, key: NATS_GATEWAY_PASSWORD_KEY } } },
                  // forged envelopes are dropped before they cost an agent a request
                  { name: 'ENVELOPE_KEY', valueFrom: { secretKeyRef: { name: AUTH_SECRET, key: ENVELOPE_KEY_SECRET_KEY } } },
                ],
                ports: [{ name: 'health', containerPort: GATEWAY_HEALTH_PORT }],
                livenessProbe: probe(LIVENESS_PATH),
                readinessProbe: probe(READINESS_PATH),
                resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
                securityContext: RESTRICTED_CONTAINER,
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [{ name: 'tmp', emptyDir: {} }],
          },
        },
      },
    }),
  ];
}
