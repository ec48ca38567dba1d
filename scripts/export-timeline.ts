// `npm run export-timeline -- --out timeline.json [--url http://127.0.0.1:3000] [--agent 0,3]
// [--type message_in,message_out] [--nats nats://gateway:<password>@127.0.0.1:4222]` (`npm start`
// keeps that URL in <DATA_DIR>/nats/gateway-url)
//
// Writes the network's timeline as one JSON array of events (each with `timestamp`, ISO 8601, and
// `type`), in HLC order. By default it pages through the app's /api/timeline (what the agents
// still buffer); with --nats it reads the JetStream stream the gateway fills instead, which keeps
// events across restarts and beyond the agents' MAX_BUFFER_SIZE.
import { writeFileSync } from 'node:fs';
import { APP_URL_OPTION, commandLine, HELP_OPTION, READ_TOKEN_OPTION, isMainModule, run, UsageError } from '../src/cli/command-line.ts';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { AppClient } from '../src/client/index.ts';
import { mergeTimelines, type TimelineEvent } from '../src/core/index.ts';
import { TIMELINE_STREAM, natsServers, redactNatsUrl } from '../src/gateway/index.ts';

function progress(msg: string, fields: Record<string, unknown> = {}): void {
  process.stderr.write(`${JSON.stringify({ level: 'info', msg, component: 'export-timeline', ...fields })}\n`);
}

/** The app's /api/timeline, paged to the end. */
export function fetchTimeline(app: AppClient, filters: { agent?: string; type?: string } = {}): Promise<TimelineEvent[]> {
  let read = 0;
  return app.wholeTimeline(filters, (page) => {
    read += page.events.length;
    progress('page', { events: read, has_more: page.has_more });
  });
}

export async function streamTimeline(natsUrl: string, filters: { agent?: string; type?: string } = {}): Promise<TimelineEvent[]> {
  const nc = await connect(natsServers(natsUrl));
  try {
    // what the stream holds now: events published while we read belong to the next export
    const last = (await (await jetstreamManager(nc)).streams.info(TIMELINE_STREAM)).state.last_seq;
    const js = jetstream(nc);
    // filtered here, not by the server: several filter subjects need nats-server 2.10 (Debian has 2.9)
    const consumer = await js.consumers.get(TIMELINE_STREAM);
    const agents = filters.agent ? new Set(filters.agent.split(',').map((a) => Number(a.trim()))) : null;
    const types = filters.type ? new Set(filters.type.split(',').map((t) => t.trim())) : null;
    const events: TimelineEvent[] = [];
    let seq = 0;
    while (seq < last) {
      const batch = await consumer.fetch({ max_messages: 1_000, expires: 1_000 });
      let got = 0;
      for await (const m of batch) {
        got++;
        seq = m.seq;
        const e = m.json<TimelineEvent>();
        if ((types === null || types.has(e.type)) && (agents === null || agents.has(e.agent))) events.push(e);
        if (seq >= last) break;
      }
      progress('batch', { events: events.length, seq, last });
      if (got === 0) break; // older messages aged out of the stream meanwhile
    }
    return mergeTimelines([events]);
  } finally {
    await nc.close();
  }
}

const USAGE = `usage: npm run export-timeline -- --out <file> [options]
      --out <file>     where to write the timeline (JSON, oldest event first)
      --url <url>      the app to read /api/timeline from (default APP_URL or http://127.0.0.1:3000)
      --token <t>      the app's read_token or auth_token, when it has one (default READ_TOKEN, else AUTH_TOKEN)
      --nats <url>     read the JetStream timeline stream on this NATS instead (everything it kept)
      --agent <id>     only this agent's events
      --type <type>    only events of this type
  -h, --help`;

async function main(): Promise<number> {
  const { values } = commandLine(USAGE, {
    options: {
      help: HELP_OPTION,
      out: { type: 'string' },
      url: APP_URL_OPTION,
      token: READ_TOKEN_OPTION,
      nats: { type: 'string' },
      agent: { type: 'string' },
      type: { type: 'string' },
    },
  });
  if (values.out === undefined) throw new UsageError('--out <file> is required (e.g. --out timeline.json)');
  const filters = { ...(values.agent ? { agent: values.agent } : {}), ...(values.type ? { type: values.type } : {}) };
  const events = values.nats ? await streamTimeline(values.nats, filters) : await fetchTimeline(new AppClient({ url: values.url, token: values.token }), filters);
  writeFileSync(values.out, `${JSON.stringify(events, null, 2)}\n`);
  progress('wrote timeline', { file: values.out, events: events.length, source: values.nats ? `JetStream ${TIMELINE_STREAM} at ${redactNatsUrl(values.nats)}` : `${values.url}/api/timeline` });
  return 0;
}

if (isMainModule(import.meta.url)) {
  run(USAGE, () =>
    main().catch((err: unknown) => {
      if (err instanceof UsageError) throw err;
      process.stderr.write(`${JSON.stringify({ level: 'error', msg: 'export failed', component: 'export-timeline', error: err instanceof Error ? err.message : String(err) })}\n`);
      return 1;
    }),
  );
}
