// The dashboard's Spin component: serves the bundled files (scripts/build-dashboard.ts embeds
// them at build time, so the component needs no file system and no fileserver download).
import assets from 'dashboard-assets';

interface FetchEvent extends Event {
  readonly request: Request;
  respondWith(response: Promise<Response> | Response): void;
}

const MOUNT = '/dashboard';

function respond(request: Request): Response {
  const path = new URL(request.url).pathname;
  if (request.method !== 'GET') {
    return Response.json({ error: `${request.method} is not allowed on ${path}`, detail: 'allowed: GET' }, { status: 405 });
  }
  const name = path === MOUNT || path === `${MOUNT}/` ? 'index.html' : path.startsWith(`${MOUNT}/`) ? path.slice(MOUNT.length + 1) : '';
  const asset = assets[name];
  if (asset === undefined) return Response.json({ error: `no dashboard file ${path}`, detail: 'not-found' }, { status: 404 });
  if (request.headers.get('if-none-match') === asset.etag) return new Response(null, { status: 304, headers: { etag: asset.etag } });
  return new Response(asset.body, { status: 200, headers: { 'content-type': asset.type, etag: asset.etag, 'cache-control': 'no-cache' } });
}

addEventListener('fetch', (event) => {
  const fetchEvent = event as FetchEvent;
  fetchEvent.respondWith(respond(fetchEvent.request));
});
