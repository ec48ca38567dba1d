// The agent component: one wasm, one Spin component per agent (AGENT_ID from the agent_id variable).
// StarlingMonkey gives each request a fresh instance; everything durable lives in Spin KV (and the
// writer leases in Spin's SQLite).
import { importedKernel } from '../spin/egraph-kernel.ts';
import { handle } from './routes.ts';
import { openSpinStore } from '../spin/key-value.ts';
import { openSpinDatabase } from '../spin/sqlite.ts';
import { spinVariable } from '../spin/variables-import.ts';

interface FetchEvent extends Event {
  readonly request: Request;
  respondWith(response: Promise<Response> | Response): void;
}

// StarlingMonkey sets its crypto up on first use: ~2-5 ms of each instance's first HMAC (a probe
// component). Used here, at build time, it is set up in Wizer's snapshot, and an instance's first
// signature (signing.ts) costs ~0.2-0.3 ms. A dummy key, so nothing secret is in the snapshot; the
// random source is not touched (crypto.getRandomValues still differs per instance).
void crypto.subtle
  .importKey('raw', new Uint8Array(32), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  .then((key) => crypto.subtle.sign('HMAC', key, new Uint8Array(1)));

addEventListener('fetch', (event) => {
  const fetchEvent = event as FetchEvent;
  fetchEvent.respondWith(
    handle(fetchEvent.request, {
      variables: spinVariable,
      store: openSpinStore,
      database: openSpinDatabase,
      now: () => Date.now(),
      elapsed: () => performance.now(),
      random: (n) => crypto.getRandomValues(new Uint8Array(n)),
      kernel: importedKernel,
    }),
  );
});

// The JSON answers' types, for typed clients (the dashboard)
export type { AgentStateAnswer, AgentTimelineAnswer, MessagesAnswer } from './handlers/reads.ts';
export type { BestAnswer, EGraphAnswer, EqualAnswer, TermAnswer, TermClass } from './handlers/egraph.ts';
export type { DataAnswer, DeletedAnswer } from './handlers/data.ts';
export type { MergedAnswer } from './handlers/doc.ts';
export type { WriteAnswer } from './answers.ts';
export type { RecordedEnvelope, EnvelopeSummary } from './persistence.ts';
