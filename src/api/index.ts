// The app-level component. For now it answers GET /health (the Spin app is up and routing);
// metrics, timeline and topology endpoints join it as the network grows.
interface FetchEvent extends Event {
  readonly request: Request;
  respondWith(response: Promise<Response> | Response): void;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

addEventListener('fetch', (event) => {
  const { request } = event as FetchEvent;
  const path = new URL(request.url).pathname;
  let response: Response;
  if (path !== '/health') response = json(404, { error: `no route for ${path}`, detail: 'not-found' });
  else if (request.method !== 'GET') response = json(405, { error: `${request.method} is not allowed on /health`, detail: 'allowed: GET' });
  else response = json(200, { status: 'ok', app: 'crdt-agents-network' });
  (event as FetchEvent).respondWith(response);
});
