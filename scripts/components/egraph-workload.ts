// A bench-only Spin component (same world as the agent: Spin HTTP + the kernel import): runs the
// spike's kernel workload (src/egraph/workload.ts) inside a componentize-js component, on the
// AssemblyScript kernel Spin composes in (`?kernel=as`) or on the TypeScript reference interpreted
// by StarlingMonkey (`?kernel=ts`), and answers the time measured in the component. Built and
// served by scripts/bench-egraph.ts; never part of the app.
import { importedKernel } from '../../src/spin/egraph-kernel.ts';
import { type Kernel, ReferenceKernel, generateWorkload, runWorkload, SPIKE_WORKLOAD } from '../../src/egraph/index.ts';

interface FetchEvent extends Event {
  readonly request: Request;
  respondWith(response: Promise<Response> | Response): void;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function run(url: URL): Response {
  const which = url.searchParams.get('kernel');
  const seed = Number(url.searchParams.get('seed') ?? '42');
  if (which !== 'as' && which !== 'ts') return json(400, { error: 'kernel must be as or ts', detail: which });
  if (!Number.isSafeInteger(seed)) return json(400, { error: 'seed must be an integer', detail: url.searchParams.get('seed') });
  const workload = generateWorkload(seed, SPIKE_WORKLOAD);
  const kernel: Kernel = which === 'as' ? importedKernel() : new ReferenceKernel();
  const { phases, ...result } = runWorkload(kernel, workload, () => performance.now());
  return json(200, { kernel: which, seed, phases, result });
}

addEventListener('fetch', (event) => {
  const fetchEvent = event as FetchEvent;
  fetchEvent.respondWith(run(new URL(fetchEvent.request.url)));
});
