// The dashboard's Spin component: serves the bundled files (scripts/build-dashboard.ts embeds
// them at build time, so the component needs no file system and no fileserver download).
import assets from 'dashboard-assets';
import { json } from '../src/spin/http.ts';

interface FetchEvent extends Event {
  readonly request: Request;
  respondWith(response: Promise<Response> | Response): void;
}

const MOUNT = '/dashboard';

function respond(request: Request): Response {
  const path = new URL(request.url).pathname;
  if (request.method !== 'GET') {
    return json(405, { error: `${request.method} is not allowed on ${path}`, detail: 'allowed: GET' });
  }
  const name = path === MOUNT || path === `${MOUNT}/` ? 'index.html' : path.startsWith(`${MOUNT}/`) ? path.slice(MOUNT.length + 1) : '';
  const asset = assets[name];
  if (asset === undefined) return json(404, { error: `no dashboard file ${path}`, detail: 'not-found' });
  if (request.headers.get('if-none-match') === asset.etag) return new Response(null, { status: 304, headers: { etag: asset.etag } });
  return new Response(asset.body, { status: 200, headers: { 'content-type': asset.type, etag: asset.etag, 'cache-control': 'no-cache' } });
}

addEventListener('fetch', (event) => {
  const fetchEvent = event as FetchEvent;
  fetchEvent.respondWith(respond(fetchEvent.request));
});
