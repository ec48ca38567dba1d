// Spin's HTTP route matching: exact routes (`/health`), parameter segments (`/users/:id`) and a
// trailing wildcard (`/agent/0/...`). The most specific route wins: exact before parameters before
// wildcards, more literal segments before fewer, a longer wildcard prefix before a shorter one.
import type { HttpTrigger } from './manifest.ts';

export interface RouteMatch {
  component: string;
  /** the route as written in the manifest: `spin-matched-route`, `spin-raw-component-route` */
  route: string;
  /** the route without its `/...`: `spin-component-route` */
  componentRoute: string;
  /** the part of the path after the route's fixed part (`/state` for `/agent/0/...`): `spin-path-info` */
  pathInfo: string;
  /** `:name` segments → their values (`spin-path-match-<name>` headers) */
  params: Readonly<Record<string, string>>;
}

type Segment = { kind: 'literal'; value: string } | { kind: 'param'; name: string };

interface CompiledRoute {
  trigger: HttpTrigger & { route: string };
  segments: Segment[];
  wildcard: boolean;
  componentRoute: string;
  /** sort key: exact < params < wildcard, then more literal segments, then more segments */
  rank: [number, number, number];
}

export class Router {
  readonly #routes: CompiledRoute[];
  /** routes dropped because an earlier trigger has the same route (Spin keeps the first) */
  readonly duplicates: readonly HttpTrigger[];

  constructor(triggers: readonly HttpTrigger[]) {
    const seen = new Set<string>();
    const duplicates: HttpTrigger[] = [];
    const routes: CompiledRoute[] = [];
    for (const trigger of triggers) {
      if (trigger.route === undefined) continue; // private: reachable only by self-requests, which we do not serve
      const key = normaliseRoute(trigger.route);
      if (seen.has(key)) {
        duplicates.push(trigger);
        continue;
      }
      seen.add(key);
      routes.push(compile({ ...trigger, route: trigger.route }));
    }
    // Stable sort keeps manifest order between equally specific routes.
    routes.sort((a, b) => a.rank[0] - b.rank[0] || b.rank[1] - a.rank[1] || b.rank[2] - a.rank[2]);
    this.#routes = routes;
    this.duplicates = duplicates;
  }

  /** Public routes in match order. */
  get routes(): readonly { route: string; component: string; wildcard: boolean }[] {
    return this.#routes.map((r) => ({ route: r.trigger.route, component: r.trigger.component, wildcard: r.wildcard }));
  }

  /** Matches a request path (no query string); undefined → 404. */
  match(path: string): RouteMatch | undefined {
    const parts = splitPath(path);
    for (const route of this.#routes) {
      const m = matchRoute(route, parts, path);
      if (m) return m;
    }
    return undefined;
  }
}

function normaliseRoute(route: string): string {
  return splitPath(route)
    .map((s) => (s.startsWith(':') ? ':' : s))
    .join('/');
}

/** `/a/b/` → ['a', 'b']; `/` → []. A trailing slash is not significant. */
function splitPath(path: string): string[] {
  const parts = path.split('/').slice(1);
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function compile(trigger: HttpTrigger & { route: string }): CompiledRoute {
  const raw = splitPath(trigger.route);
  const wildcard = raw[raw.length - 1] === '...';
  if (wildcard) raw.pop();
  const segments: Segment[] = raw.map((s) => (s.startsWith(':') ? { kind: 'param', name: s.slice(1) } : { kind: 'literal', value: s }));
  const literals = segments.filter((s) => s.kind === 'literal').length;
  const hasParams = literals !== segments.length;
  return {
    trigger,
    segments,
    wildcard,
    componentRoute: '/' + raw.join('/'),
    rank: [wildcard ? 2 : hasParams ? 1 : 0, literals, segments.length],
  };
}

function matchRoute(route: CompiledRoute, parts: string[], path: string): RouteMatch | undefined {
  const { segments } = route;
  if (route.wildcard ? parts.length < segments.length : parts.length !== segments.length) return undefined;
  let params: Record<string, string> | undefined;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const part = parts[i]!;
    if (seg.kind === 'literal') {
      if (seg.value !== part) return undefined;
    } else {
      if (part === '') return undefined;
      (params ??= {})[seg.name] = part;
    }
  }
  const consumed = segments.length === 0 ? 0 : segments.length + parts.slice(0, segments.length).join('').length;
  return {
    component: route.trigger.component,
    route: route.trigger.route,
    componentRoute: route.componentRoute === '/' && route.wildcard ? '' : route.componentRoute,
    pathInfo: route.wildcard ? path.slice(consumed) : '',
    params: params ?? {},
  };
}
