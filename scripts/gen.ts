// `npm run gen -- --agents 16 --topology ring [--region eu-west] [--storage-url redis://…]
// [--registry ghcr.io/acme] [--nats-ws-url wss://nats.example.com] [--rate-limit-per-client 50]
// [--rate-limit-per-agent 200]`: rewrites spin.toml and k8s/
// (and runtime-config.toml with a Redis store) for that network. STORAGE_URL in the environment
// works like --storage-url.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { commandLine, HELP_OPTION, run, UsageError } from '../src/cli/command-line.ts';
import { parseTopology, SETTINGS, TOPOLOGY_KINDS } from '../src/core/index.ts';
import { DEFAULT_SETTINGS, deploymentFiles, ROOT, RUNTIME_CONFIG_FILE, type DeploymentSettings } from './manifests/index.ts';
import { parseStorageUrl } from './manifests/storage.ts';

const MAX_AGENTS = SETTINGS.agentCount.max;

const USAGE = `usage: npm run gen -- [options]   rewrites spin.toml and k8s/ for a network
      --agents <n>                   how many agents, 1..${MAX_AGENTS} (default ${DEFAULT_SETTINGS.agents})
      --topology <kind>              ${TOPOLOGY_KINDS.join(' | ')} (default ${DEFAULT_SETTINGS.topology})
      --region <name>                the SpinKube region label (default ${DEFAULT_SETTINGS.region})
      --storage-url <url>            redis://… for a Redis-backed KV (default STORAGE_URL, else Spin's own store)
      --registry <prefix>            where the k8s manifests pull images from (default ${DEFAULT_SETTINGS.registry})
      --nats-ws-url <url>            the NATS WebSocket URL the dashboard connects to
      --rate-limit-per-client <n>    requests/s per client at the k8s front door, 0: none (default ${DEFAULT_SETTINGS.rateLimits.perClient})
      --rate-limit-per-agent <n>     requests/s per agent at the k8s front door, 0: none (default ${DEFAULT_SETTINGS.rateLimits.perAgent})
  -h, --help`;

function fail(msg: string, detail: Record<string, unknown>): never {
  throw new UsageError(Object.keys(detail).length === 0 ? msg : `${msg} (got ${JSON.stringify(Object.values(detail)[0])})`);
}

function settingsFromArgs(): DeploymentSettings {
  const { values } = commandLine(USAGE, {
    options: {
      help: HELP_OPTION,
      agents: { type: 'string', default: String(DEFAULT_SETTINGS.agents) },
      topology: { type: 'string', default: DEFAULT_SETTINGS.topology },
      region: { type: 'string', default: DEFAULT_SETTINGS.region },
      'storage-url': { type: 'string', default: process.env.STORAGE_URL ?? '' },
      registry: { type: 'string', default: DEFAULT_SETTINGS.registry },
      'nats-ws-url': { type: 'string', default: DEFAULT_SETTINGS.natsWsUrl },
      'rate-limit-per-client': { type: 'string', default: String(DEFAULT_SETTINGS.rateLimits.perClient) },
      'rate-limit-per-agent': { type: 'string', default: String(DEFAULT_SETTINGS.rateLimits.perAgent) },
    },
  });
  const agents = Number(values.agents);
  if (!Number.isInteger(agents) || agents < 1 || agents > MAX_AGENTS) fail(`--agents must be an integer in 1..${MAX_AGENTS}`, { got: values.agents });
  if (!(TOPOLOGY_KINDS as readonly string[]).includes(values.topology)) fail(`--topology must be one of ${TOPOLOGY_KINDS.join(', ')}`, { got: values.topology });
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(values.region)) fail('--region must be lowercase letters, digits and dashes', { got: values.region });
  let storage: DeploymentSettings['storage'];
  try {
    storage = parseStorageUrl(values['storage-url']);
  } catch (err) {
    fail((err as Error).message, {});
  }
  const natsWsUrl = values['nats-ws-url'];
  if (natsWsUrl !== '' && !/^wss?:\/\/[^\s/]+/.test(natsWsUrl)) fail('--nats-ws-url must be ws:// or wss:// (browsers connect to it)', { got: natsWsUrl });
  const perSecond = (name: 'rate-limit-per-client' | 'rate-limit-per-agent'): number => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a whole number of requests per second (0: no limit)`, { got: values[name] });
    return n;
  };
  const rateLimits = { perClient: perSecond('rate-limit-per-client'), perAgent: perSecond('rate-limit-per-agent') };
  return { agents, topology: parseTopology(values.topology), region: values.region, storage, registry: values.registry.replace(/\/+$/, ''), natsWsUrl, rateLimits };
}

run(USAGE, () => {
  const settings = settingsFromArgs();
  const files = deploymentFiles(settings);
  for (const [path, text] of files) {
    const target = resolve(ROOT, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
    console.error(JSON.stringify({ level: 'info', msg: 'wrote', file: path, bytes: text.length }));
  }
  // a runtime config left from a Redis setting would keep pointing spin up at Redis
  if (!files.has(RUNTIME_CONFIG_FILE) && existsSync(resolve(ROOT, RUNTIME_CONFIG_FILE))) {
    rmSync(resolve(ROOT, RUNTIME_CONFIG_FILE));
    console.error(JSON.stringify({ level: 'info', msg: 'removed', file: RUNTIME_CONFIG_FILE, why: 'the store is Spin\'s own' }));
  }
  console.error(JSON.stringify({ level: 'info', msg: 'generated', agents: settings.agents, topology: settings.topology, storage: settings.storage.kind, next: 'npm run validate' }));
});
