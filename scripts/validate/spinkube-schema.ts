// JSON Schemas for SpinKube's two kinds, written from spin-operator's CRDs
// (config/crd/bases/core.spinkube.dev_spinapps.yaml and _spinappexecutors.yaml, v0.4) and its
// webhooks. No npm package ships them; the Kubernetes kinds come from kubernetes-models.
// Unlike the API server, unknown fields are refused here: a typo would otherwise vanish silently.
const stringMap = { type: 'object', additionalProperties: { type: 'string' } };
const keyRef = { type: 'object', required: ['name', 'key'], properties: { name: { type: 'string' }, key: { type: 'string' }, optional: { type: 'boolean' } }, additionalProperties: false };
const quantity = { anyOf: [{ type: 'string', pattern: '^[0-9.]+(m|k|Ki|M|Mi|G|Gi|T|Ti|E|Ei)?$' }, { type: 'number' }] };
const check = {
  type: 'object',
  required: ['httpGet'],
  additionalProperties: false,
  properties: {
    httpGet: {
      type: 'object',
      required: ['path'],
      additionalProperties: false,
      properties: {
        path: { type: 'string', pattern: '^/' },
        httpHeaders: { type: 'array', items: { type: 'object', required: ['name', 'value'], properties: { name: { type: 'string' }, value: { type: 'string' } }, additionalProperties: false } },
      },
    },
  },
};
/** `{ name, value }` or `{ name, valueFrom }`, as env vars are */
const namedValue = (name: object, valueFrom: object) => ({
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name, value: { type: 'string' }, valueFrom: { type: 'object', additionalProperties: false, properties: valueFrom } },
});
const runtimeStore = {
  type: 'object',
  required: ['name', 'type'],
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    type: { type: 'string' },
    options: { type: 'array', items: namedValue({ type: 'string' }, { configMapKeyRef: keyRef, secretKeyRef: keyRef }) },
  },
};
const metadata = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 }, namespace: { type: 'string' }, labels: stringMap, annotations: stringMap },
};

/** apiVersion, kind, metadata, spec: the object around a kind's spec */
const resource = <S extends object>(kind: string, spec: S) =>
  ({
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
    properties: { apiVersion: { const: 'core.spinkube.dev/v1alpha1' }, kind: { const: kind }, metadata, spec },
  }) as const;

export const SPINAPP_SCHEMA = resource('SpinApp', {
  type: 'object',
  required: ['image', 'executor'],
  additionalProperties: false,
  properties: {
    image: { type: 'string', minLength: 1 },
    executor: { type: 'string', minLength: 1 },
    replicas: { type: 'integer', minimum: 0, maximum: 2147483647 },
    enableAutoscaling: { type: 'boolean' },
    imagePullSecrets: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } }, additionalProperties: false } },
    checks: { type: 'object', additionalProperties: false, properties: { liveness: check, readiness: check } },
    resources: { type: 'object', additionalProperties: false, properties: { limits: { type: 'object', additionalProperties: quantity }, requests: { type: 'object', additionalProperties: quantity } } },
    variables: { type: 'array', items: namedValue({ type: 'string', pattern: '^[a-z][a-z0-9_]*$' }, { configMapKeyRef: keyRef, secretKeyRef: keyRef, fieldRef: { type: 'object' }, resourceFieldRef: { type: 'object' } }) },
    runtimeConfig: {
      type: 'object',
      additionalProperties: false,
      properties: {
        loadFromSecret: { type: 'string' },
        keyValueStores: { type: 'array', items: runtimeStore },
        sqliteDatabases: { type: 'array', items: runtimeStore },
        llmCompute: { type: 'object' },
      },
    },
    components: { type: 'array', minItems: 1, items: { type: 'string' } },
    volumes: { type: 'array', items: { type: 'object' } },
    volumeMounts: { type: 'array', items: { type: 'object' } },
    serviceAnnotations: stringMap,
    deploymentAnnotations: stringMap,
    podAnnotations: stringMap,
    podLabels: stringMap,
  },
  // the operator's validating webhook: a fixed count, or autoscaling with none
  if: { properties: { enableAutoscaling: { const: true } }, required: ['enableAutoscaling'] },
  then: { not: { properties: { replicas: { minimum: 1 } }, required: ['replicas'] } },
  else: { required: ['replicas'], properties: { replicas: { minimum: 1 } } },
});

export const SPINAPP_EXECUTOR_SCHEMA = resource('SpinAppExecutor', {
  type: 'object',
  required: ['createDeployment'],
  additionalProperties: false,
  properties: {
    createDeployment: { type: 'boolean' },
    deploymentConfig: {
      type: 'object',
      additionalProperties: false,
      properties: {
        runtimeClassName: { type: 'string' },
        spinImage: { type: 'string' },
        caCertSecret: { type: 'string' },
        installDefaultCACerts: { type: 'boolean' },
        otel: { type: 'object' },
      },
      oneOf: [{ required: ['runtimeClassName'] }, { required: ['spinImage'] }],
    },
  },
});
