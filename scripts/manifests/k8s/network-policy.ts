// Who may talk to whom. The app and the NATS WebSocket are public (users, browsers, an ingress);
// the NATS client port only to the gateway; routes and monitoring only between brokers; the
// gateway accepts probes only and may call the app, NATS and DNS, nothing else.
import { NetworkPolicy, type INetworkPolicyPort } from 'kubernetes-models/networking.k8s.io/v1';
import { APP_NAME, APP_PORT, GATEWAY_HEALTH_PORT, GATEWAY_NAME, NATS_NAME, NATS_PORTS, SPINKUBE_APP_LABEL, labels, selectorLabels } from './names.ts';

const tcp = (port: number): INetworkPolicyPort => ({ protocol: 'TCP', port });

export function networkPolicies(version: string): NetworkPolicy[] {
  const meta = (name: string, component: 'app' | 'broker' | 'gateway', owner: string) => ({ name, labels: labels(owner, component, version) });
  const nats = { podSelector: { matchLabels: selectorLabels(NATS_NAME) } };
  const gateway = { podSelector: { matchLabels: selectorLabels(GATEWAY_NAME) } };
  const app = { podSelector: { matchLabels: { [SPINKUBE_APP_LABEL]: APP_NAME } } };
  return [
    new NetworkPolicy({
      metadata: meta(`${APP_NAME}-ingress`, 'app', APP_NAME),
      spec: { ...app, policyTypes: ['Ingress'], ingress: [{ ports: [tcp(APP_PORT)] }] },
    }),
    new NetworkPolicy({
      metadata: meta(`${NATS_NAME}-ingress`, 'broker', NATS_NAME),
      spec: {
        ...nats,
        policyTypes: ['Ingress'],
        ingress: [
          { from: [gateway], ports: [tcp(NATS_PORTS.client)] },
          { from: [nats], ports: [tcp(NATS_PORTS.client), tcp(NATS_PORTS.cluster), tcp(NATS_PORTS.monitor)] },
          // browsers subscribe to timeline.> here (the dashboard), through an ingress with TLS
          { ports: [tcp(NATS_PORTS.websocket)] },
        ],
      },
    }),
    new NetworkPolicy({
      metadata: meta(`${GATEWAY_NAME}-traffic`, 'gateway', GATEWAY_NAME),
      spec: {
        ...gateway,
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ ports: [tcp(GATEWAY_HEALTH_PORT)] }],
        egress: [
          { to: [app], ports: [tcp(APP_PORT)] },
          { to: [nats], ports: [tcp(NATS_PORTS.client)] },
          { to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, tcp(53)] },
        ],
      },
    }),
  ];
}
