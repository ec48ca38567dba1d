// k8s/: every file parses, every object validates against the schema of its kind (Kubernetes
// kinds: kubernetes-models, generated from the Kubernetes OpenAPI spec; SpinKube kinds:
// spinkube-schema.ts), the kustomization lists exactly the files there are, and the objects agree
// with each other: selectors select pods, ports and probes name ports that exist, references name
// objects that exist, and what the gateway is told matches what the app and NATS are.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { BackendTrafficPolicy } from '@kubernetes-models/envoy-gateway/gateway.envoyproxy.io/v1alpha1/BackendTrafficPolicy';
import { Gateway } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway';
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { LIVENESS_PATH, READINESS_PATH } from '../../src/gateway/index.ts';
import { APP_PORT, GATEWAY_NAME, OPERATOR_SECRETS, PART_OF, SPINKUBE_APP_LABEL } from '../manifests/k8s/names.ts';
import { appVariableValues, checkComponentVariables, checkGatewayEnv, checkGatewayMatchesApp } from './config.ts';
import type { Report } from './report.ts';
import { routeMatches, type SpinManifestSummary } from './spin-manifest.ts';
import { SPINAPP_EXECUTOR_SCHEMA, SPINAPP_SCHEMA } from './spinkube-schema.ts';

// parsed YAML: any shape at all, so every field is checked where it is read
type Obj = Record<string, any>;

interface Doc {
  file: string;
  obj: Obj;
  /** `Kind/name`, how messages name it */
  ref: string;
}

interface PodShape {
  owner: Doc;
  labels: Record<string, string>;
  containers: Obj[];
}

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  // the front door (Gateway API; Envoy Gateway's policy CRD), from their published schemas
  'gateway.networking.k8s.io/v1/Gateway': Gateway,
  'gateway.networking.k8s.io/v1/HTTPRoute': HTTPRoute,
  'gateway.envoyproxy.io/v1alpha1/BackendTrafficPolicy': BackendTrafficPolicy,
};
const ajv = new Ajv({ allErrors: true, strict: false });
const CRDS: Record<string, ReturnType<typeof ajv.compile>> = {
  'core.spinkube.dev/v1alpha1/SpinApp': ajv.compile(SPINAPP_SCHEMA),
  'core.spinkube.dev/v1alpha1/SpinAppExecutor': ajv.compile(SPINAPP_EXECUTOR_SCHEMA),
};
const KUSTOMIZATION = 'kustomization.yaml';
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

// an if/then/else failure also reports the branch's own error, which says more
const describeErrors = (errors: readonly ErrorObject[]): string[] =>
  errors.filter((e) => e.keyword !== 'if').map((e) => `${e.instancePath === '' ? '(top)' : e.instancePath.slice(1).replaceAll('/', '.')} ${e.message ?? 'is invalid'}${e.keyword === 'additionalProperties' ? ` ("${String(e.params.additionalProperty)}")` : ''}`);

export function checkK8s(report: Report, dir: string, spin: SpinManifestSummary | null): void {
  const rel = (name: string): string => `k8s/${name}`;
  if (!existsSync(dir)) return report.error('k8s/', '', 'missing: run npm run gen');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort();
  const docs: Doc[] = [];
  for (const name of files) {
    for (const [i, parsed] of parseAllDocuments(readFileSync(join(dir, name), 'utf8')).entries()) {
      if (parsed.errors.length > 0) {
        report.error(rel(name), `document ${i + 1}`, `not valid YAML: ${parsed.errors[0]?.message.split('\n')[0]}`);
        continue;
      }
      const obj: unknown = parsed.toJS();
      if (obj === null || obj === undefined) continue;
      if (typeof obj !== 'object' || Array.isArray(obj)) {
        report.error(rel(name), `document ${i + 1}`, 'must be a Kubernetes object (a map with apiVersion and kind)');
        continue;
      }
      const o = obj as Obj;
      docs.push({ file: rel(name), obj: o, ref: `${String(o.kind)}/${String(o.metadata?.name ?? '?')}` });
    }
  }
  const kustomizations = docs.filter((d) => d.obj.kind === 'Kustomization');
  const objects = docs.filter((d) => d.obj.kind !== 'Kustomization');
  checkKustomization(report, files, kustomizations);
  for (const d of objects) checkSchema(report, d);
  checkNamesAndLabels(report, objects);
  checkReferences(report, objects, spin);
}

function checkSchema(report: Report, d: Doc): void {
  const key = `${String(d.obj.apiVersion)}/${String(d.obj.kind)}`;
  const crd = CRDS[key];
  if (crd !== undefined) {
    if (!crd(d.obj)) for (const m of describeErrors(crd.errors ?? [])) report.error(d.file, d.ref, m);
    return;
  }
  const Model = MODELS[key];
  if (Model === undefined) return report.error(d.file, d.ref, `no schema for ${key}: use one of ${[...Object.keys(MODELS), ...Object.keys(CRDS)].join(', ')}`);
  try {
    new Model(d.obj as never).validate();
  } catch (err) {
    const errors = (err as { errors?: ErrorObject[] }).errors;
    for (const m of errors === undefined ? [(err as Error).message] : describeErrors(errors)) report.error(d.file, d.ref, m);
  }
}

function checkKustomization(report: Report, files: string[], kustomizations: Doc[]): void {
  const k = kustomizations[0];
  if (k === undefined || kustomizations.length > 1 || k.file !== `k8s/${KUSTOMIZATION}`) {
    return report.error(`k8s/${KUSTOMIZATION}`, '', 'k8s/ needs exactly one Kustomization, in kustomization.yaml');
  }
  if (k.obj.apiVersion !== 'kustomize.config.k8s.io/v1beta1') report.error(k.file, 'apiVersion', 'must be kustomize.config.k8s.io/v1beta1');
  if (typeof k.obj.namespace !== 'string' || !DNS_LABEL.test(k.obj.namespace)) report.error(k.file, 'namespace', 'must be a namespace name (a DNS label)');
  const resources: unknown = k.obj.resources;
  const listed = Array.isArray(resources) ? resources.filter((r): r is string => typeof r === 'string') : [];
  for (const r of listed) if (!files.includes(r)) report.error(k.file, 'resources', `lists ${r}, which is not in k8s/`);
  for (const f of files) if (f !== KUSTOMIZATION && !listed.includes(f)) report.error(k.file, 'resources', `does not list ${f}: kubectl apply -k would leave it out`);
}

function checkNamesAndLabels(report: Report, objects: Doc[]): void {
  const seen = new Set<string>();
  for (const d of objects) {
    const name: unknown = d.obj.metadata?.name;
    if (typeof name !== 'string' || !DNS_LABEL.test(name) || name.length > 63) report.error(d.file, d.ref, 'metadata.name must be a DNS label: lowercase letters, digits, "-"');
    if (seen.has(d.ref)) report.error(d.file, d.ref, 'defined twice');
    seen.add(d.ref);
    if (d.obj.metadata?.namespace !== undefined) report.error(d.file, d.ref, 'sets metadata.namespace: leave it to kustomization.yaml, so one setting moves everything');
    const labels = (d.obj.metadata?.labels ?? {}) as Record<string, string>;
    if (labels['app.kubernetes.io/part-of'] !== PART_OF) report.error(d.file, d.ref, `needs the label app.kubernetes.io/part-of: ${PART_OF}`);
    if (d.obj.kind !== 'Namespace' && typeof labels['app.kubernetes.io/name'] !== 'string') report.error(d.file, d.ref, 'needs the label app.kubernetes.io/name');
    const template = d.obj.spec?.template;
    if (template !== undefined) {
      const match = (d.obj.spec?.selector?.matchLabels ?? {}) as Record<string, string>;
      const podLabels = (template.metadata?.labels ?? {}) as Record<string, string>;
      for (const [k, v] of Object.entries(match)) {
        if (podLabels[k] !== v) report.error(d.file, `${d.ref} spec.selector`, `matchLabels ${k}=${v} is not on the pod template: it would select none of its own pods`);
      }
      if (podLabels['app.kubernetes.io/version'] !== labels['app.kubernetes.io/version']) report.error(d.file, d.ref, 'the pod template and the object carry different app.kubernetes.io/version labels');
    }
  }
}

/** The pods each workload runs: Deployments, StatefulSets, and the Deployment SpinKube makes of a SpinApp. */
function podShapes(objects: Doc[]): PodShape[] {
  const pods: PodShape[] = [];
  for (const d of objects) {
    const spec = d.obj.spec ?? {};
    if (d.obj.kind === 'Deployment' || d.obj.kind === 'StatefulSet') {
      pods.push({ owner: d, labels: spec.template?.metadata?.labels ?? {}, containers: spec.template?.spec?.containers ?? [] });
    } else if (d.obj.kind === 'SpinApp') {
      pods.push({
        owner: d,
        labels: { ...(spec.podLabels ?? {}), [SPINKUBE_APP_LABEL]: String(d.obj.metadata?.name) },
        containers: [{ name: d.obj.metadata?.name, ports: [{ name: 'http-app', containerPort: APP_PORT }] }],
      });
    }
  }
  return pods;
}

const selects = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

function checkReferences(report: Report, objects: Doc[], spin: SpinManifestSummary | null): void {
  const pods = podShapes(objects);
  const byRef = new Map(objects.map((d) => [d.ref, d]));
  const configMaps = new Map(objects.filter((d) => d.obj.kind === 'ConfigMap').map((d) => [String(d.obj.metadata?.name), d]));
  const secretExists = (name: string): boolean => byRef.has(`Secret/${name}`) || (OPERATOR_SECRETS as readonly string[]).includes(name);
  const portOf = (containers: Obj[], target: unknown): number | null => {
    for (const c of containers) for (const p of c.ports ?? []) if (p.name === target || p.containerPort === target) return Number(p.containerPort);
    return null;
  };

  for (const d of objects) {
    const spec = d.obj.spec ?? {};
    const selected = (selector: Record<string, string>, what: string): PodShape[] => {
      const hits = pods.filter((p) => selects(selector, p.labels));
      if (hits.length === 0) report.error(d.file, d.ref, `${what} ${JSON.stringify(selector)} selects no pods of these manifests`);
      return hits;
    };
    if (d.obj.kind === 'Service') {
      const hits = selected(spec.selector ?? {}, 'selector');
      for (const port of spec.ports ?? []) {
        for (const pod of hits) {
          if (portOf(pod.containers, port.targetPort ?? port.port) === null) {
            report.error(d.file, `${d.ref} port ${String(port.name ?? port.port)}`, `targetPort ${JSON.stringify(port.targetPort)} is not a port of ${pod.owner.ref}'s containers`);
          }
        }
      }
    }
    if (d.obj.kind === 'PodDisruptionBudget') selected(spec.selector?.matchLabels ?? {}, 'selector');
    if (d.obj.kind === 'NetworkPolicy') {
      selected(spec.podSelector?.matchLabels ?? {}, 'podSelector');
      for (const rule of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) {
        for (const peer of [...(rule.from ?? []), ...(rule.to ?? [])]) {
          if (peer.namespaceSelector === undefined && peer.podSelector !== undefined) selected(peer.podSelector.matchLabels ?? {}, 'a peer podSelector');
        }
      }
    }
    if (d.obj.kind === 'HorizontalPodAutoscaler') {
      const target = spec.scaleTargetRef ?? {};
      const name = String(target.name);
      const spinApp = byRef.get(`SpinApp/${name}`);
      if (target.kind === 'Deployment' && spinApp !== undefined) {
        if (spinApp.obj.spec?.enableAutoscaling !== true) report.error(d.file, d.ref, `scales ${name}, SpinKube's Deployment of SpinApp/${name}, whose enableAutoscaling is not true (SpinKube would fight the HPA)`);
      } else if (!byRef.has(`${String(target.kind)}/${name}`)) {
        report.error(d.file, d.ref, `scaleTargetRef ${String(target.kind)}/${name} is not in these manifests`);
      }
      if (Number(spec.minReplicas ?? 1) > Number(spec.maxReplicas)) report.error(d.file, d.ref, 'minReplicas is above maxReplicas');
    }
    for (const c of [...(spec.template?.spec?.containers ?? []), ...(spec.template?.spec?.initContainers ?? [])] as Obj[]) {
      const at = `${d.ref} container ${String(c.name)}`;
      for (const from of c.envFrom ?? []) {
        if (from.configMapRef && !configMaps.has(from.configMapRef.name)) report.error(d.file, at, `envFrom ConfigMap ${from.configMapRef.name} is not in these manifests`);
        if (from.secretRef && !secretExists(from.secretRef.name)) report.error(d.file, at, `envFrom Secret ${from.secretRef.name} is neither here nor one the README has you create`);
      }
      for (const env of c.env ?? []) {
        const ref = env.valueFrom?.secretKeyRef;
        if (ref && !secretExists(ref.name)) report.error(d.file, at, `env ${env.name}: Secret ${ref.name} is neither here nor one the README has you create`);
        const cm = env.valueFrom?.configMapKeyRef;
        if (cm && configMaps.get(cm.name)?.obj.data?.[cm.key] === undefined) report.error(d.file, at, `env ${env.name}: ConfigMap ${cm.name} has no key ${cm.key}`);
      }
      for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
        const port = c[kind]?.httpGet?.port;
        if (port !== undefined && portOf([c], port) === null) report.error(d.file, `${at} ${kind}`, `port ${JSON.stringify(port)} is not one of the container's ports`);
      }
    }
    for (const v of spec.template?.spec?.volumes ?? []) {
      if (v.configMap && !configMaps.has(v.configMap.name)) report.error(d.file, `${d.ref} volume ${String(v.name)}`, `ConfigMap ${v.configMap.name} is not in these manifests`);
    }
  }
  checkSpinApps(report, objects, spin);
  checkGateway(report, objects, spin, configMaps, byRef);
  checkNats(report, objects, configMaps);
  checkFrontDoor(report, objects, spin, byRef);
}

/** Routes reach the app's Service through a Gateway here; rate-limit policies target routes here, one counter per agent. */
function checkFrontDoor(report: Report, objects: Doc[], spin: SpinManifestSummary | null, byRef: Map<string, Doc>): void {
  for (const d of objects.filter((o) => o.obj.kind === 'HTTPRoute')) {
    for (const parent of d.obj.spec?.parentRefs ?? []) {
      if (!byRef.has(`Gateway/${String(parent.name)}`)) report.error(d.file, d.ref, `parentRef Gateway/${String(parent.name)} is not in these manifests`);
    }
    for (const rule of d.obj.spec?.rules ?? []) {
      for (const backend of rule.backendRefs ?? []) {
        const spinApp = byRef.get(`SpinApp/${String(backend.name)}`);
        if (spinApp === undefined) report.error(d.file, d.ref, `backendRef ${String(backend.name)} is not a SpinApp's Service (SpinKube names it after the SpinApp)`);
        else if (backend.port !== APP_PORT) report.error(d.file, d.ref, `backendRef port ${String(backend.port)}: SpinKube's Service listens on ${APP_PORT}`);
      }
    }
  }
  for (const d of objects.filter((o) => o.obj.kind === 'BackendTrafficPolicy')) {
    for (const target of d.obj.spec?.targetRefs ?? []) {
      if (!byRef.has(`${String(target.kind)}/${String(target.name)}`)) report.error(d.file, d.ref, `targetRef ${String(target.kind)}/${String(target.name)} is not in these manifests`);
    }
    const rules = (d.obj.spec?.rateLimit?.global?.rules ?? []) as Obj[];
    const perAgent = new Set(rules.map((r) => String(r.clientSelectors?.[0]?.path?.value ?? '')).filter((p) => p.startsWith('/agent/')));
    if (spin !== null && perAgent.size > 0) {
      for (let id = 0; id < spin.agents; id++) if (!perAgent.has(`/agent/${id}/`)) report.error(d.file, d.ref, `has per-agent limits but none for /agent/${id}/ (spin.toml has ${spin.agents} agents)`);
    }
  }
}

function checkSpinApps(report: Report, objects: Doc[], spin: SpinManifestSummary | null): void {
  for (const d of objects.filter((o) => o.obj.kind === 'SpinApp')) {
    const spec = d.obj.spec ?? {};
    if (!objects.some((o) => o.ref === `SpinAppExecutor/${String(spec.executor)}`)) {
      report.error(d.file, d.ref, `executor ${String(spec.executor)} has no SpinAppExecutor here (it must live in the app's namespace)`);
    }
    const redis = (spec.runtimeConfig?.keyValueStores ?? []).some((s: Obj) => s.name === 'default' && s.type === 'redis');
    if ((Number(spec.replicas ?? 0) > 1 || spec.enableAutoscaling === true) && !redis) {
      report.error(d.file, d.ref, 'more than one pod needs a shared key-value store: each pod would keep its own agents (set STORAGE_URL=redis://… and regenerate)');
    }
    if (spin === null) continue;
    const overrides: Record<string, string> = {};
    for (const v of spec.variables ?? []) {
      if (spin.variables[v.name] === undefined) report.error(d.file, `${d.ref} variables`, `${String(v.name)} is not a variable of spin.toml`);
      else if (typeof v.value === 'string') overrides[v.name] = v.value;
    }
    for (const [name, v] of Object.entries(spin.variables)) {
      if (v.required === true && !(spec.variables ?? []).some((x: Obj) => x.name === name)) report.error(d.file, `${d.ref} variables`, `spin.toml requires ${name}; the SpinApp does not set it`);
    }
    checkComponentVariables(report, d.file, spin, appVariableValues(spin, overrides), ` with ${d.ref}'s variables`);
    for (const kind of ['liveness', 'readiness']) {
      const path: unknown = spec.checks?.[kind]?.httpGet?.path;
      if (typeof path === 'string' && !spin.routes.some((r) => routeMatches(r.route, path.split('?')[0] ?? path))) {
        report.error(d.file, `${d.ref} checks.${kind}`, `${path} is not routed by spin.toml: the probe would get 404`);
      }
    }
  }
}

function checkGateway(report: Report, objects: Doc[], spin: SpinManifestSummary | null, configMaps: Map<string, Doc>, byRef: Map<string, Doc>): void {
  const deployment = byRef.get(`Deployment/${GATEWAY_NAME}`);
  if (deployment === undefined) return report.error('k8s/', '', `no Deployment/${GATEWAY_NAME}: nothing would deliver NATS messages to the app`);
  const container = (deployment.obj.spec?.template?.spec?.containers ?? [])[0] as Obj | undefined;
  const env: Record<string, string> = {};
  for (const from of container?.envFrom ?? []) Object.assign(env, configMaps.get(from.configMapRef?.name)?.obj.data ?? {});
  for (const e of container?.env ?? []) env[e.name] = typeof e.value === 'string' ? e.value : 'from-secret';
  const at = `${deployment.ref} environment`;
  const config = checkGatewayEnv(report, deployment.file, at, env);
  if (config === null || container === undefined) return;
  const spinApp = objects.find((o) => o.obj.kind === 'SpinApp');
  if (spin !== null) {
    const overrides = Object.fromEntries(((spinApp?.obj.spec?.variables ?? []) as Obj[]).filter((v) => typeof v.value === 'string').map((v) => [v.name, v.value]));
    checkGatewayMatchesApp(report, deployment.file, at, config, spin.agents, appVariableValues(spin, overrides));
  }
  const appUrl = new URL(config.appUrl);
  if (spinApp !== undefined && (appUrl.hostname !== spinApp.obj.metadata?.name || Number(appUrl.port || 80) !== APP_PORT)) {
    report.error(deployment.file, at, `APP_URL ${config.appUrl} is not SpinKube's Service for ${spinApp.ref} (http://${String(spinApp.obj.metadata?.name)}:${APP_PORT})`);
  }
  for (const server of (config.natsUrl ?? '').split(',').filter(Boolean)) {
    const url = new URL(server.includes('://') ? server : `nats://${server}`);
    const service = byRef.get(`Service/${url.hostname}`);
    if (service === undefined || !(service.obj.spec?.ports ?? []).some((p: Obj) => p.port === Number(url.port || 4222))) {
      report.error(deployment.file, at, `NATS_URL ${server} is not a port of a Service in these manifests`);
    }
  }
  const hpa = objects.find((o) => o.obj.kind === 'HorizontalPodAutoscaler' && o.obj.spec?.scaleTargetRef?.name === GATEWAY_NAME);
  const replicas = Math.max(Number(deployment.obj.spec?.replicas ?? 1), Number(hpa?.obj.spec?.maxReplicas ?? 1));
  if (replicas > 1 && config.ownership !== 'lease') {
    report.error(deployment.file, at, `${replicas} replicas need OWNERSHIP=lease: otherwise each would deliver to every agent, two requests to one agent at once`);
  }
  const probes: [string, string][] = [['livenessProbe', LIVENESS_PATH], ['readinessProbe', READINESS_PATH]];
  for (const [kind, path] of probes) {
    const probe = container[kind]?.httpGet;
    if (probe === undefined) {
      report.error(deployment.file, `${deployment.ref} ${kind}`, `missing: the gateway serves ${path} on HEALTH_PORT`);
      continue;
    }
    if (probe.path !== path) report.error(deployment.file, `${deployment.ref} ${kind}`, `path ${String(probe.path)} is not the gateway's ${path}`);
    const port = (container.ports ?? []).find((p: Obj) => p.name === probe.port || p.containerPort === probe.port)?.containerPort;
    if (config.healthPort === undefined || Number(port) !== config.healthPort) {
      report.error(deployment.file, `${deployment.ref} ${kind}`, `probes port ${String(port)} but HEALTH_PORT is ${String(config.healthPort)}`);
    }
  }
}

/** nats.conf as the StatefulSet mounts it: ports as the container names them, one route per replica. */
function checkNats(report: Report, objects: Doc[], configMaps: Map<string, Doc>): void {
  for (const d of objects.filter((o) => o.obj.kind === 'StatefulSet')) {
    const pod = d.obj.spec?.template?.spec ?? {};
    const volume = (pod.volumes ?? []).find((v: Obj) => v.configMap !== undefined);
    const conf: unknown = configMaps.get(volume?.configMap?.name)?.obj.data?.['nats.conf'];
    if (typeof conf !== 'string') continue;
    const container = (pod.containers ?? [])[0] as Obj;
    const portNamed = (name: string): number | undefined => (container.ports ?? []).find((p: Obj) => p.name === name)?.containerPort;
    const confPort = (pattern: RegExp): number | undefined => {
      const m = pattern.exec(conf);
      return m?.[1] === undefined ? undefined : Number(m[1]);
    };
    const pairs: [string, number | undefined][] = [
      ['nats', confPort(/^listen: "[^"]*:(\d+)"/m)],
      ['monitor', confPort(/^http: "[^"]*:(\d+)"/m)],
      ['websocket', confPort(/websocket \{\s*listen: "[^"]*:(\d+)"/)],
    ];
    for (const [name, port] of pairs) {
      if (port !== portNamed(name)) report.error(d.file, `${d.ref} port ${name}`, `the container says ${String(portNamed(name))}, nats.conf listens on ${String(port)}`);
    }
    for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      const get = container[kind]?.httpGet;
      if (get === undefined) report.error(d.file, `${d.ref} ${kind}`, 'missing');
      else if (get.port !== 'monitor' || !String(get.path).startsWith('/healthz')) report.error(d.file, `${d.ref} ${kind}`, 'must GET /healthz on the monitor port');
    }
    const routes = [...conf.matchAll(/"nats:\/\/([^":]+):(\d+)"/g)].map((m) => m[1]);
    const replicas = Number(d.obj.spec?.replicas ?? 1);
    const expected = Array.from({ length: replicas }, (_, i) => `${String(d.obj.metadata?.name)}-${i}.${String(d.obj.spec?.serviceName)}`);
    if (replicas > 1 && JSON.stringify(routes) !== JSON.stringify(expected)) {
      report.error(d.file, `${d.ref} nats.conf`, `cluster routes ${JSON.stringify(routes)} must be the ${replicas} pods ${JSON.stringify(expected)}`);
    }
    if (!objects.some((o) => o.ref === `Service/${String(d.obj.spec?.serviceName)}` && o.obj.spec?.clusterIP === 'None')) {
      report.error(d.file, d.ref, `serviceName ${String(d.obj.spec?.serviceName)} must be a headless Service here (the routes resolve through it)`);
    }
  }
}
