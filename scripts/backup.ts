// `npm run backup -- --out DIR [--url http://127.0.0.1:3000] [--token <read or auth token>]
// [--nats nats://gateway:<password>@127.0.0.1:4222]`
//
// Saves every agent's document (GET /agent/:id/doc, one Yjs update each, `agent-<id>.yjs`), the
// timeline (the JetStream stream with --nats, else what /api/timeline still buffers,
// `timeline.json`) and `manifest.json`: when, from where, and each document's size and state
// digest. `npm run restore -- --from DIR` brings a fresh network to those digests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as Y from 'yjs';
import { APP_URL_OPTION, commandLine, HELP_OPTION, READ_TOKEN_OPTION, isMainModule, run, UsageError } from '../src/cli/command-line.ts';
import { stateDigest } from '../src/core/index.ts';
import { fetchTimeline, streamTimeline } from './export-timeline.ts';
import { AppClient } from '../src/client/index.ts';
import { BACKUP_FORMAT, agentFile, progress, type BackupManifest } from './backup-format.ts';

const USAGE = `usage: npm run backup -- --out <dir> [options]
      --out <dir>      where to write the backup (created if missing)
      --url <url>      the app (default APP_URL or http://127.0.0.1:3000)
      --token <t>      its read_token or auth_token, when it has one (default READ_TOKEN, else AUTH_TOKEN)
      --nats <url>     save the JetStream timeline stream from this NATS (everything it kept)
                       instead of what the agents still buffer
  -h, --help`;

export async function backup(options: { out: string; url: string; token?: string; nats?: string }): Promise<BackupManifest> {
  const app = new AppClient({ url: options.url, token: options.token });
  mkdirSync(options.out, { recursive: true });
  const topology = await app.topology();
  const agents: BackupManifest['agents'] = [];
  for (let id = 0; id < topology.agent_count; id++) {
    const bytes = await app.doc(id);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, bytes);
    const entry = { id, file: agentFile(id), bytes: bytes.length, state_digest: stateDigest(doc) };
    writeFileSync(join(options.out, entry.file), bytes);
    agents.push(entry);
    progress('backup', 'agent saved', entry);
  }
  const events = options.nats ? await streamTimeline(options.nats) : await fetchTimeline(app);
  writeFileSync(join(options.out, 'timeline.json'), `${JSON.stringify(events)}\n`);
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    created_at: new Date().toISOString(),
    app_url: app.url,
    topology: topology.topology,
    agent_count: topology.agent_count,
    agents,
    timeline: { file: 'timeline.json', events: events.length, source: options.nats ? 'jetstream' : 'api' },
  };
  writeFileSync(join(options.out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  progress('backup', 'backup written', { dir: options.out, agents: agents.length, timeline_events: events.length });
  return manifest;
}

async function main(): Promise<number> {
  const { values } = commandLine(USAGE, {
    options: {
      help: HELP_OPTION,
      out: { type: 'string' },
      url: APP_URL_OPTION,
      token: READ_TOKEN_OPTION,
      nats: { type: 'string' },
    },
  });
  if (values.out === undefined) throw new UsageError('--out <dir> is required (e.g. --out backups/today)');
  await backup({ out: values.out, url: values.url, token: values.token, ...(values.nats ? { nats: values.nats } : {}) });
  return 0;
}

if (isMainModule(import.meta.url)) run(USAGE, main);
