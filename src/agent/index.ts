// The agent component: one wasm, one Spin component per agent (AGENT_ID from the agent_id variable).
// StarlingMonkey gives each request a fresh instance; everything durable lives in Spin KV.
import { get as getVariable } from '@fermyon/spin-sdk/lib/variables.js';
import { heapFor, reserveHeap } from '../spin/heap.ts';
import { importedKernel } from './kernel.ts';
import { handle } from './routes.ts';
import { openSpinStore } from '../spin/key-value.ts';

interface FetchEvent extends Event {
  readonly request: Request;
  respondWith(response: Promise<Response> | Response): void;
}

addEventListener('fetch', (event) => {
  const fetchEvent = event as FetchEvent;
  // Before any Spin import call: see heap.ts.
  const { request } = fetchEvent;
  reserveHeap(heapFor(Number(request.headers.get('content-length')), request.method === 'POST' && new URL(request.url).pathname.endsWith('/tick')));
  fetchEvent.respondWith(
    handle(fetchEvent.request, {
      variables: getVariable,
      store: openSpinStore,
      now: () => Date.now(),
      random: (n) => crypto.getRandomValues(new Uint8Array(n)),
      kernel: importedKernel,
    }),
  );
});
