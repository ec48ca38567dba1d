// The public front door, where Kubernetes users put limits: a Gateway API Gateway and HTTPRoute
// to the SpinApp's Service, and an Envoy Gateway BackendTrafficPolicy that rate-limits per client
// address and per agent (one counter per `/agent/<id>/` prefix), answering 429 above either.
// Envoy Gateway rather than ingress-nginx (retired in 2026) or one controller's annotations: the
// Gateway API is Kubernetes' own, and Envoy Gateway is its reference implementation. Its global
// rate limits need its rate limit service (Redis) switched on; the gateway's deliveries call the
// Service directly, inside the cluster, and are never limited here.
import type { IBackendTrafficPolicy } from '@kubernetes-models/envoy-gateway/gateway.envoyproxy.io/v1alpha1/BackendTrafficPolicy';
import type { IGateway } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway';
import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { APP_NAME, APP_PORT, INGRESS_GATEWAY_CLASS, INGRESS_NAME, labels } from './names.ts';

export interface RateLimits {
  /** requests per second one client address may make across the app; 0: no limit */
  perClient: number;
  /** requests per second one agent takes from all clients together; 0: no limit */
  perAgent: number;
}

export const DEFAULT_RATE_LIMITS: Readonly<RateLimits> = { perClient: 50, perAgent: 200 };

export function ingressResources(o: { agents: number; version: string; limits: RateLimits }): object[] {
  const meta = (name: string) => ({ name, labels: labels(name, 'app', o.version) });
  const gateway: IGateway = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: meta(INGRESS_NAME),
    // TLS: add an HTTPS listener with your certificate (cert-manager fills it from a Gateway annotation)
    spec: { gatewayClassName: INGRESS_GATEWAY_CLASS, listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }] },
  };
  const route: IHTTPRoute = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: meta(APP_NAME),
    spec: { parentRefs: [{ name: INGRESS_NAME }], rules: [{ backendRefs: [{ name: APP_NAME, port: APP_PORT }] }] },
  };
  const rules = [
    ...(o.limits.perClient > 0 ? [{ clientSelectors: [{ sourceCIDR: { type: 'Distinct' as const, value: '0.0.0.0/0' } }], limit: { requests: o.limits.perClient, unit: 'Second' as const } }] : []),
    ...(o.limits.perAgent > 0
      ? Array.from({ length: o.agents }, (_, id) => ({ clientSelectors: [{ path: { type: 'PathPrefix' as const, value: `/agent/${id}/` } }], limit: { requests: o.limits.perAgent, unit: 'Second' as const } }))
      : []),
  ];
  if (rules.length === 0) return [gateway, route];
  const policy: IBackendTrafficPolicy = {
    apiVersion: 'gateway.envoyproxy.io/v1alpha1',
    kind: 'BackendTrafficPolicy',
    metadata: meta(`${APP_NAME}-rate-limits`),
    spec: { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: APP_NAME }], rateLimit: { global: { rules } } },
  };
  return [gateway, route, policy];
}
