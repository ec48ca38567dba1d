// NATS on k8s: a StatefulSet of clustered nats-servers (JetStream on a volume per pod for the
// timeline stream), a client Service (client + WebSocket) and a headless one for the routes,
// laid out as the nats-io/k8s Helm chart does (probes, lame-duck stop, pod-name server names).
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { StatefulSet } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { natsConfig } from '../../../src/gateway/index.ts';
import {
  AUTH_SECRET, NATS_CONFIG, NATS_DASHBOARD_PASSWORD_KEY, NATS_GATEWAY_PASSWORD_KEY, NATS_HEADLESS, NATS_NAME, NATS_PORTS, RESTRICTED_CONTAINER, labels, selectorLabels,
} from './names.ts';

export interface NatsOptions {
  replicas: number;
  image: string;
  version: string;
  /** JetStream volume per pod */
  storage: string;
}

const STORE_DIR = '/data/jetstream';
const PID_FILE = '/var/run/nats/nats.pid';
const CONFIG_DIR = '/etc/nats-config';

/** Probes on the monitor port, as the Helm chart has them: full health at startup, then lighter checks. */
export const NATS_PROBES = {
  startup: '/healthz',
  readiness: '/healthz?js-server-only=true',
  liveness: '/healthz?js-enabled-only=true',
} as const;

/** The nats.conf every pod reads; `$SERVER_NAME` is the pod's name (downward API). */
export function natsServerConfig(replicas: number, storage: string): string {
  const routes = Array.from({ length: replicas }, (_, i) => `nats://${NATS_NAME}-${i}.${NATS_HEADLESS}:${NATS_PORTS.cluster}`);
  return natsConfig({
    serverName: '$SERVER_NAME',
    host: '0.0.0.0',
    port: NATS_PORTS.client,
    monitorPort: NATS_PORTS.monitor,
    wsPort: NATS_PORTS.websocket,
    storeDir: STORE_DIR,
    maxFileStore: storage.replace(/i$/, ''),
    pidFile: PID_FILE,
    // from the operator's Secret, through the container's environment
    auth: { gatewayPassword: '$NATS_GATEWAY_PASSWORD', dashboardPassword: '$NATS_DASHBOARD_PASSWORD' },
    ...(replicas > 1 ? { cluster: { name: NATS_NAME, port: NATS_PORTS.cluster, routes } } : {}),
  });
}

export function natsResources(o: NatsOptions): (ConfigMap | Service | StatefulSet | PodDisruptionBudget)[] {
  const meta = (name: string) => ({ name, labels: labels(NATS_NAME, 'broker', o.version) });
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path, port: 'monitor' },
    initialDelaySeconds: 10,
    periodSeconds,
    timeoutSeconds: 5,
    failureThreshold,
  });
  return [
    new ConfigMap({ metadata: meta(NATS_CONFIG), data: { 'nats.conf': natsServerConfig(o.replicas, o.storage) } }),
    new Service({
      metadata: meta(NATS_NAME),
      spec: {
        selector: selectorLabels(NATS_NAME),
        ports: [
          { name: 'nats', port: NATS_PORTS.client, targetPort: 'nats', appProtocol: 'tcp' },
          { name: 'websocket', port: NATS_PORTS.websocket, targetPort: 'websocket', appProtocol: 'http' },
        ],
      },
    }),
    new Service({
      metadata: meta(NATS_HEADLESS),
      spec: {
        clusterIP: 'None',
        // routes must resolve while the cluster forms, before any pod is ready
        publishNotReadyAddresses: true,
        selector: selectorLabels(NATS_NAME),
        ports: [
          { name: 'nats', port: NATS_PORTS.client, targetPort: 'nats' },
          { name: 'cluster', port: NATS_PORTS.cluster, targetPort: 'cluster' },
          { name: 'monitor', port: NATS_PORTS.monitor, targetPort: 'monitor' },
        ],
      },
    }),
    new StatefulSet({
      metadata: meta(NATS_NAME),
      spec: {
        serviceName: NATS_HEADLESS,
        replicas: o.replicas,
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: selectorLabels(NATS_NAME) },
        template: {
          metadata: { labels: labels(NATS_NAME, 'broker', o.version) },
          spec: {
            enableServiceLinks: false,
            terminationGracePeriodSeconds: 60,
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
            // one broker per node, so a node failure costs the cluster one member
            topologySpreadConstraints: [
              { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selectorLabels(NATS_NAME) } },
            ],
            containers: [
              {
                name: 'nats',
                image: o.image,
                args: ['--config', `${CONFIG_DIR}/nats.conf`],
                env: [
                  { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                  { name: 'SERVER_NAME', value: '$(POD_NAME)' },
                  { name: 'NATS_GATEWAY_PASSWORD', valueFrom: { secretKeyRef: { name: AUTH_SECRET, key: NATS_GATEWAY_PASSWORD_KEY } } },
                  { name: 'NATS_DASHBOARD_PASSWORD', valueFrom: { secretKeyRef: { name: AUTH_SECRET, key: NATS_DASHBOARD_PASSWORD_KEY } } },
                ],
                ports: [
                  { name: 'nats', containerPort: NATS_PORTS.client },
                  { name: 'cluster', containerPort: NATS_PORTS.cluster },
                  { name: 'monitor', containerPort: NATS_PORTS.monitor },
                  { name: 'websocket', containerPort: NATS_PORTS.websocket },
                ],
                startupProbe: probe(NATS_PROBES.startup, 10, 90),
                readinessProbe: probe(NATS_PROBES.readiness, 10, 3),
                livenessProbe: probe(NATS_PROBES.liveness, 30, 3),
                // lame duck: clients move to the other brokers before this one stops
                lifecycle: { preStop: { exec: { command: ['nats-server', `-sl=ldm=${PID_FILE}`] } } },
                resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
                securityContext: RESTRICTED_CONTAINER,
                volumeMounts: [
                  { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                  { name: 'pid', mountPath: '/var/run/nats' },
                  { name: 'jetstream', mountPath: '/data' },
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: NATS_CONFIG } },
              { name: 'pid', emptyDir: {} },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'jetstream', labels: selectorLabels(NATS_NAME) },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: o.storage } } },
          },
        ],
      },
    }),
    new PodDisruptionBudget({
      metadata: meta(NATS_NAME),
      // a drain may take one broker at a time: the other two keep the JetStream quorum
      spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(NATS_NAME) } },
    }),
  ];
}
