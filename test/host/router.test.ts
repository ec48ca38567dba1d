// Spin's route matching: exact, wildcard, parameters, most specific first, 404 when none.
import { describe, expect, it } from 'vitest';
import { Router } from '../../src/host/router.ts';

const router = new Router(
  [
    ['/...', 'catch-all'],
    ['/agent/...', 'agents'],
    ['/agent/0/...', 'agent-0'],
    ['/agent/0/state', 'state-0'],
    ['/health', 'api'],
    ['/users/:id', 'user'],
    ['/users/me', 'me'],
    ['/files/:name/...', 'files'],
  ].map(([route, component], index) => ({ route, component: component!, index })),
);

describe('Router', () => {
  it.each([
    ['/health', 'api', ''],
    ['/health/', 'api', ''],
    ['/agent/0/state', 'state-0', ''],
    ['/agent/0/egraph', 'agent-0', '/egraph'],
    ['/agent/0/data/k/v', 'agent-0', '/data/k/v'],
    ['/agent/0', 'agent-0', ''],
    ['/agent/0/', 'agent-0', '/'],
    ['/agent/12/state', 'agents', '/12/state'],
    ['/users/me', 'me', ''],
    ['/users/42', 'user', ''],
    ['/files/a.txt/x/y', 'files', '/x/y'],
    ['/healthz', 'catch-all', '/healthz'],
    ['/', 'catch-all', '/'],
  ])('%s → %s (path info %j)', (path, component, pathInfo) => {
    const m = router.match(path)!;
    expect(m.component).toBe(component);
    expect(m.pathInfo).toBe(pathInfo);
  });

  it('reports the route, the component route and parameters', () => {
    expect(router.match('/agent/0/state/x')).toEqual({
      component: 'agent-0',
      route: '/agent/0/...',
      componentRoute: '/agent/0',
      pathInfo: '/state/x',
      params: {},
    });
    expect(router.match('/users/42')).toMatchObject({ route: '/users/:id', componentRoute: '/users/:id', params: { id: '42' } });
    expect(router.match('/files/a/b')).toMatchObject({ params: { name: 'a' }, pathInfo: '/b' });
  });

  it('answers undefined (404) when nothing matches', () => {
    const r = new Router([{ route: '/health', component: 'api', index: 0 }, { route: '/agent/0/...', component: 'a', index: 1 }]);
    expect(r.match('/agent/1/state')).toBeUndefined();
    expect(r.match('/agent')).toBeUndefined();
    expect(r.match('/healthcheck')).toBeUndefined();
    expect(r.match('/')).toBeUndefined();
  });

  it('keeps the first of duplicate routes and skips private ones', () => {
    const r = new Router([
      { route: '/x/...', component: 'first', index: 0 },
      { route: '/x/...', component: 'second', index: 1 },
      { route: undefined, component: 'private', index: 2 },
    ]);
    expect(r.match('/x/y')!.component).toBe('first');
    expect(r.duplicates.map((d) => d.component)).toEqual(['second']);
    expect(r.routes.map((x) => x.component)).toEqual(['first']);
  });
});
