// The Spin app on SpinKube: a SpinApp (core.spinkube.dev/v1alpha1, fields as spin-operator's CRD
// defines them) and the SpinAppExecutor it names, which must live in the same namespace.
// SpinKube turns each entry of spec.variables into SPIN_VARIABLE_<NAME> on the pods.
import type { IEnvVarSource, IResourceRequirements } from 'kubernetes-models/v1';
import type { Storage } from '../storage.ts';
import { APP_NAME, AUTH_SECRET, AUTH_SECRET_KEY, ENVELOPE_KEY_SECRET_KEY, EXECUTOR_NAME, NATS_DASHBOARD_PASSWORD_KEY, READ_TOKEN_SECRET_KEY, STORAGE_SECRET, STORAGE_SECRET_KEY, labels } from './names.ts';

export interface SpinAppOptions {
  image: string;
  version: string;
  /** the app's variables (spin.toml [variables]) with the values this deployment gives them */
  variables: Record<string, string>;
  storage: Storage;
}

/** The fields of spin-operator's CRDs that we set (api/v1alpha1/spinapp_types.go). */
export interface SpinAppVariable {
  name: string;
  value?: string;
  valueFrom?: IEnvVarSource;
}
export interface SpinAppCheck {
  httpGet: { path: string; httpHeaders?: { name: string; value: string }[] };
}
export interface SpinAppRuntimeOption {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean }; configMapKeyRef?: { name: string; key: string } };
}
export interface SpinAppResource {
  apiVersion: 'core.spinkube.dev/v1alpha1';
  kind: 'SpinApp';
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    image: string;
    executor: string;
    replicas?: number;
    enableAutoscaling?: boolean;
    podLabels?: Record<string, string>;
    variables?: SpinAppVariable[];
    checks?: { liveness?: SpinAppCheck; readiness?: SpinAppCheck };
    resources?: IResourceRequirements;
    runtimeConfig?: { keyValueStores?: { name: string; type: string; options?: SpinAppRuntimeOption[] }[] };
  };
}
export interface SpinAppExecutorResource {
  apiVersion: 'core.spinkube.dev/v1alpha1';
  kind: 'SpinAppExecutor';
  metadata: { name: string; labels?: Record<string, string> };
  spec: { createDeployment: boolean; deploymentConfig?: { runtimeClassName?: string; installDefaultCACerts?: boolean } };
}

/** The app's own health route (src/api): 200 whenever the app answers, with the network's status inside. */
export const APP_PROBE_PATH = '/health';

export function spinAppExecutor(version: string): SpinAppExecutorResource {
  return {
    apiVersion: 'core.spinkube.dev/v1alpha1',
    kind: 'SpinAppExecutor',
    metadata: { name: EXECUTOR_NAME, labels: labels(EXECUTOR_NAME, 'app', version) },
    spec: {
      createDeployment: true,
      deploymentConfig: { runtimeClassName: 'wasmtime-spin-v2', installDefaultCACerts: true },
    },
  };
}

export function spinApp(o: SpinAppOptions): SpinAppResource {
  const shared = o.storage.kind === 'redis';
  // the app's secrets come from the operator's Secret, never from the manifest
  const fromSecret: Record<string, string> = {
    auth_token: AUTH_SECRET_KEY,
    read_token: READ_TOKEN_SECRET_KEY,
    envelope_key: ENVELOPE_KEY_SECRET_KEY,
    nats_ws_password: NATS_DASHBOARD_PASSWORD_KEY,
  };
  const variables = Object.entries(o.variables).map(([name, value]): SpinAppVariable => {
    const key = fromSecret[name];
    if (key === undefined) return { name, value };
    // a Secret without a read-token leaves reads open, as an empty variable does
    return { name, valueFrom: { secretKeyRef: { name: AUTH_SECRET, key, ...(name === 'read_token' ? { optional: true } : {}) } } };
  });
  return {
    apiVersion: 'core.spinkube.dev/v1alpha1',
    kind: 'SpinApp',
    metadata: { name: APP_NAME, labels: labels(APP_NAME, 'app', o.version) },
    spec: {
      image: o.image,
      executor: EXECUTOR_NAME,
      // one pod keeps the store in its own SQLite; with a shared store the HPA sets the count
      ...(shared ? { enableAutoscaling: true } : { replicas: 1 }),
      podLabels: labels(APP_NAME, 'app', o.version),
      variables,
      checks: { liveness: { httpGet: { path: APP_PROBE_PATH } }, readiness: { httpGet: { path: APP_PROBE_PATH } } },
      // every request runs in its own instance
      resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '2', memory: '1Gi' } },
      ...(shared
        ? {
            runtimeConfig: {
              keyValueStores: [
                {
                  name: 'default',
                  type: 'redis',
                  options: [{ name: 'url', valueFrom: { secretKeyRef: { name: STORAGE_SECRET, key: STORAGE_SECRET_KEY } } }],
                },
              ],
            },
          }
        : {}),
    },
  };
}
