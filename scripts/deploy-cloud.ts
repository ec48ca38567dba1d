// `npm run deploy:cloud -- [--platform cloud|aka] [--token T] [--nats-ws-url wss://…] [--variable name=value …]`:
// the Fermyon Cloud path (`spin cloud deploy`), or Fermyon Wasm Functions on Akamai (`spin aka
// deploy`), as one command. Checks the project (npm run validate) and the platform's limits, runs
// `spin build` and the platform's deploy with the app's variables, and prints how to run the
// gateway against the deployed URL and check it (npm run verify). Needs `spin` with the platform's
// plugin, logged in; where there is no `spin` it says so and stops.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { commandLine, HELP_OPTION, run as runCommand, UsageError } from '../src/cli/command-line.ts';
import { formatProblem, validateProject } from './validate/index.ts';
import { MAX_LOG_ENTRIES } from '../src/core/index.ts';

const ROOT = resolve(import.meta.dirname, '..');
/** Where the app goes: the spin plugin that deploys it and the URL its deploy prints. */
const PLATFORMS = {
  cloud: { plugin: 'cloud', name: 'Fermyon Cloud', url: /https:\/\/[a-z0-9.-]+\.fermyon\.app/ },
  aka: { plugin: 'aka', name: 'Fermyon Wasm Functions (Akamai)', url: /https:\/\/[a-z0-9.-]+\.aka\.fermyon\.tech/ },
} as const;
type Platform = keyof typeof PLATFORMS;

/** Fermyon Cloud: keys per key-value store (developer.fermyon.com/cloud/faq) */
export const CLOUD_KV_KEYS = 1_024;
/** most keys one agent keeps: its update log before compaction, snapshot, meta, messages, timeline, timeline-pending, outbox */
export const KEYS_PER_AGENT = MAX_LOG_ENTRIES + 6;

const say = (msg: string, fields: Record<string, unknown> = {}): void => void process.stderr.write(`${JSON.stringify({ level: 'info', msg, component: 'deploy-cloud', ...fields })}\n`);
const fail = (msg: string, fields: Record<string, unknown> = {}): never => {
  process.stderr.write(`${JSON.stringify({ level: 'error', msg, component: 'deploy-cloud', ...fields })}\n`);
  process.exit(2);
};

/** Runs a command with its output shown as it comes, and kept. */
function run(cmd: string, args: string[]): Promise<{ code: number | null; output: string }> {
  say('running', { command: [cmd, ...args.map((a) => (/^(auth_token|envelope_key)=/.test(a) ? `${a.split('=')[0]}=…` : a))].join(' ') });
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['inherit', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer, to: NodeJS.WriteStream): void => {
      output += chunk.toString();
      to.write(chunk);
    };
    child.stdout.on('data', (c: Buffer) => keep(c, process.stderr));
    child.stderr.on('data', (c: Buffer) => keep(c, process.stderr));
    child.once('error', (err) => done({ code: null, output: err.message }));
    child.once('exit', (code) => done({ code, output }));
  });
}

const USAGE = `usage: npm run deploy:cloud -- [options]   (needs spin and the platform's plugin, logged in)
      --platform <p>          cloud (spin cloud deploy, the default) or aka (spin aka deploy)
      --token <t>             the app's bearer token (default AUTH_TOKEN, else one is generated and printed)
      --nats-ws-url <url>     the NATS WebSocket URL the dashboard connects to (variable nats_ws_url)
      --variable <name=value> any other app variable (repeatable; envelope_key=… keeps your own key)
  -h, --help`;

async function main(): Promise<void> {
  const { values } = commandLine(USAGE, {
    options: {
      platform: { type: 'string', default: 'cloud' },
      token: { type: 'string', default: process.env.AUTH_TOKEN ?? '' },
      'nats-ws-url': { type: 'string', default: '' },
      variable: { type: 'string', multiple: true, default: [] },
      help: HELP_OPTION,
    },
  });
  if (!(values.platform in PLATFORMS)) throw new UsageError(`--platform is cloud or aka, got ${JSON.stringify(values.platform)}`);
  const platform = PLATFORMS[values.platform as Platform];
  for (const v of values.variable) if (!/^[a-z][a-z0-9_]*=/.test(v)) throw new UsageError(`--variable takes name=value with a lowercase name, got ${JSON.stringify(v)}`);
  if (spawnSync('spin', ['--version'], { stdio: 'ignore' }).status !== 0) {
    fail('`spin` is not on PATH: install Spin 3.x (https://spinframework.dev/install), then `spin plugins install cloud` and `spin cloud login`');
  }
  if (spawnSync('spin', [platform.plugin, '--version'], { stdio: 'ignore' }).status !== 0) {
    fail(`the ${platform.name} plugin is missing: \`spin plugins install ${platform.plugin}\`, then \`spin ${platform.plugin} login\``);
  }

  say('validating the project (npm run validate)');
  const { report, topology } = validateProject(ROOT);
  for (const p of report.problems) process.stderr.write(`${formatProblem(p)}\n`);
  if (report.errors.length > 0) fail('fix the errors above first', { errors: report.errors.length });
  const agents = topology?.agents ?? 0;
  if (platform.plugin === 'cloud' && agents * KEYS_PER_AGENT > CLOUD_KV_KEYS) {
    say('warning: Fermyon Cloud keeps 1,024 keys per store; this many agents may need more at their busiest', { agents, keys_at_most: agents * KEYS_PER_AGENT });
  }

  const token = values.token !== '' ? values.token : randomBytes(24).toString('hex');
  // the agents sign their envelopes with a key of this deployment's own (the gateway checks it at the door)
  const givenKey = values.variable.find((v) => v.startsWith('envelope_key='))?.slice('envelope_key='.length);
  const envelopeKey = givenKey ?? randomBytes(32).toString('hex');
  const variables = [`auth_token=${token}`, ...(givenKey === undefined ? [`envelope_key=${envelopeKey}`] : []), ...(values['nats-ws-url'] === '' ? [] : [`nats_ws_url=${values['nats-ws-url']}`]), ...values.variable];

  if ((await run('spin', ['build'])).code !== 0) fail('spin build failed');
  const deploy = await run('spin', [platform.plugin, 'deploy', ...variables.flatMap((v) => ['--variable', v])]);
  if (deploy.code !== 0) fail(`spin ${platform.plugin} deploy failed`);
  const url = platform.url.exec(deploy.output)?.[0];
  if (url === undefined) fail(`deployed, but no app URL (${platform.url.source}) in spin ${platform.plugin} deploy's output`);

  process.stderr.write(
    [
      '',
      `Deployed: ${url}`,
      ...(values.token === '' ? [`Bearer token (generated; keep it): ${token}`] : []),
      ...(givenKey === undefined ? [`Envelope key (generated; the gateway needs it as ENVELOPE_KEY): ${envelopeKey}`] : []),
      '',
      `${platform.name} runs HTTP components only: run the gateway (the NATS trigger) where your NATS is, e.g.`,
      `  APP_URL=${url} NATS_URL=nats://<your-nats>:4222 AUTH_TOKEN=<token> ENVELOPE_KEY=<key> npm run gateway`,
      'Then check the deployment:',
      `  npm run verify -- --url ${url} --write --token <token>`,
      ...(platform.plugin === 'cloud' ? ['Variables later: spin cloud variables set --app crdt-agents-network nats_ws_url=wss://<your-nats-websocket>'] : []),
      '',
    ].join('\n'),
  );
  console.log(JSON.stringify({ url, platform: values.platform, token_generated: values.token === '', agents }));
}

runCommand(USAGE, main);
