// Names and labels every k8s manifest agrees on (k8s/*.yaml are generated from these, and
// scripts/validate checks the files against them): change one here, regenerate, all follow.
import type { ISecurityContext } from 'kubernetes-models/v1';
export const PART_OF = 'crdt-agents-network';
export const NAMESPACE = 'crdt-agents';
/** the SpinApp; SpinKube names its Deployment and Service after it */
export const APP_NAME = 'crdt-agents-network';
/** SpinKube's own pod label for a SpinApp's pods (spin-operator, internal/controller) */
export const SPINKUBE_APP_LABEL = 'core.spinkube.dev/app-name';
/** SpinKube's Service listens on 80 and so do the app's pods */
export const APP_PORT = 80;
export const EXECUTOR_NAME = 'containerd-shim-spin';
/** the public front door (ingress.ts): a Gateway API Gateway of Envoy Gateway's class */
export const INGRESS_NAME = 'crdt-agents-ingress';
export const INGRESS_GATEWAY_CLASS = 'eg';
export const NATS_NAME = 'nats';
export const NATS_HEADLESS = 'nats-headless';
export const NATS_CONFIG = 'nats-config';
export const GATEWAY_NAME = 'crdt-gateway';
export const GATEWAY_CONFIG = 'crdt-gateway-config';
/** created by the operator (README): the bearer token the app requires and the gateway sends */
export const AUTH_SECRET = 'crdt-agents-auth';
export const AUTH_SECRET_KEY = 'auth-token';
/** the app's read_token (optional: an empty value leaves reads open), in the same Secret */
export const READ_TOKEN_SECRET_KEY = 'read-token';
/** the app's envelope_key (src/agent/signing.ts), in the same Secret */
export const ENVELOPE_KEY_SECRET_KEY = 'envelope-key';
/** the broker's users' passwords (src/gateway/nats-config.ts), in the same Secret */
export const NATS_GATEWAY_PASSWORD_KEY = 'nats-gateway-password';
export const NATS_DASHBOARD_PASSWORD_KEY = 'nats-dashboard-password';
/** created by the operator when STORAGE_URL is redis: the store's URL, password included */
export const STORAGE_SECRET = 'crdt-agents-storage';
export const STORAGE_SECRET_KEY = 'url';
/** Secrets the manifests use but do not contain (a token or password does not belong in git) */
export const OPERATOR_SECRETS = [AUTH_SECRET, STORAGE_SECRET] as const;

export const NATS_PORTS = { client: 4222, cluster: 6222, monitor: 8222, websocket: 8080 } as const;
export const GATEWAY_HEALTH_PORT = 8080;

export type Component = 'app' | 'broker' | 'gateway';

/** the recommended labels (kubernetes.io/docs/concepts/overview/working-with-objects/common-labels) */
export function labels(name: string, component: Component, version: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/version': version,
  };
}

/** what a selector matches on: stable across versions (a selector cannot change after creation) */
export function selectorLabels(name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': PART_OF };
}

/** non-root, read-only root, no privilege escalation, no capabilities (the restricted Pod Security Standard) */
export const RESTRICTED_CONTAINER: ISecurityContext = {
  runAsNonRoot: true,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};
