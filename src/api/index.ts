// The app-level component: /health, /api/timeline, /api/metrics, /metrics, /api/topology, and the contract (/api/openapi.json, /api/schemas/envelope.json).
// Like the agents, it keeps nothing in memory: every answer is read from the app's KV store.
import { openSpinStore } from '../spin/key-value.ts';
import { spinVariable } from '../spin/variables-import.ts';
import { handle } from './routes.ts';

interface FetchEvent extends Event {
  readonly request: Request;
  respondWith(response: Promise<Response> | Response): void;
}

addEventListener('fetch', (event) => {
  const fetchEvent = event as FetchEvent;
  fetchEvent.respondWith(handle(fetchEvent.request, { variables: spinVariable, store: openSpinStore, now: () => Date.now() }));
});

// The JSON answers' types, for typed clients (the dashboard)
export type { NetworkMetrics } from './metrics.ts';
export type { AppHealthAnswer, TopologyAnswer } from './routes.ts';
