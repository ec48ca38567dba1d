// `npm run restore -- --from DIR [--url http://127.0.0.1:3000] [--token <auth token>] [--wait 60]`
//
// Merges each agent's saved document into the same agent (POST /agent/:id/doc), then waits until
// every agent reports the state digest the backup recorded. Made for a fresh network (a network
// holding other writes merges the backup into them, as any Yjs replica would, and ends with
// other digests). The saved timeline is history: it stays in the backup for the record (and for
// `nats stream restore`), it is not replayed into the fresh network's timeline.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_URL_OPTION, commandLine, HELP_OPTION, isMainModule, positiveIntegerOption, run, UsageError } from '../src/cli/command-line.ts';
import { AppClient } from '../src/client/index.ts';
import { BACKUP_FORMAT, progress, type BackupManifest } from './backup-format.ts';

const USAGE = `usage: npm run restore -- --from <dir> [options]
      --from <dir>     a directory npm run backup wrote
      --url <url>      the app (default APP_URL or http://127.0.0.1:3000)
      --token <t>      its auth_token, when it has one (default AUTH_TOKEN)
      --wait <s>       how long to wait for every agent to reach its saved digest (default 60)
  -h, --help`;

export async function restore(options: { from: string; url: string; token?: string; waitSeconds: number }): Promise<void> {
  const manifest = JSON.parse(readFileSync(join(options.from, 'manifest.json'), 'utf8')) as BackupManifest;
  if (manifest.format !== BACKUP_FORMAT) throw new UsageError(`${options.from} holds no backup this version reads (format ${JSON.stringify(manifest.format)}, want ${BACKUP_FORMAT})`);
  const app = new AppClient({ url: options.url, token: options.token });
  const topology = await app.topology();
  if (topology.agent_count !== manifest.agent_count) {
    throw new UsageError(`the backup holds ${manifest.agent_count} agents, the app at ${app.url} runs ${topology.agent_count}`);
  }
  for (const agent of manifest.agents) {
    const bytes = readFileSync(join(options.from, agent.file));
    const { changed, relayed } = await app.mergeDoc(agent.id, bytes);
    progress('restore', 'agent merged', { id: agent.id, bytes: bytes.length, changed, relayed });
  }
  const deadline = Date.now() + options.waitSeconds * 1000;
  for (;;) {
    const digests = await Promise.all(manifest.agents.map(async (a) => (await app.state(a.id)).state_digest));
    const behind = manifest.agents.filter((a, i) => digests[i] !== a.state_digest).map((a) => a.id);
    if (behind.length === 0) break;
    if (Date.now() > deadline) throw new Error(`agents ${behind.join(', ')} did not reach their saved state digests in ${options.waitSeconds} s (the app holds other writes?)`);
    await new Promise((r) => setTimeout(r, 250));
  }
  progress('restore', 'restored', { agents: manifest.agents.length, from: options.from, backed_up_at: manifest.created_at });
}

async function main(): Promise<number> {
  const { values } = commandLine(USAGE, {
    options: {
      help: HELP_OPTION,
      from: { type: 'string' },
      url: APP_URL_OPTION,
      token: { type: 'string', default: process.env.AUTH_TOKEN || '' },
      wait: { type: 'string', default: '60' },
    },
  });
  if (values.from === undefined) throw new UsageError('--from <dir> is required (a directory npm run backup wrote)');
  await restore({ from: values.from, url: values.url, token: values.token, waitSeconds: positiveIntegerOption('wait', values.wait) });
  return 0;
}

if (isMainModule(import.meta.url)) run(USAGE, main);
