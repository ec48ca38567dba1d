// The app-level component: /health, /api/timeline, /api/metrics, /metrics, /api/topology.
// Like the agents, it keeps nothing in memory: every answer is read from the app's KV store.
import { get as getVariable } from '@fermyon/spin-sdk/lib/variables.js';
import { HEAP_RESERVE_BYTES, reserveHeap } from '../spin/heap.ts';
import { openSpinStore } from '../spin/key-value.ts';
import { handle } from './routes.ts';

interface FetchEvent extends Event {
  readonly request: Request;
  respondWith(response: Promise<Response> | Response): void;
}

addEventListener('fetch', (event) => {
  const fetchEvent = event as FetchEvent;
  // Before any Spin import call (see heap.ts): the nine timelines are read in one request.
  reserveHeap(HEAP_RESERVE_BYTES);
  fetchEvent.respondWith(handle(fetchEvent.request, { variables: getVariable, store: openSpinStore, now: () => Date.now() }));
});
