// Our layout in spin.toml (Spin's own manifest rules are checked by scripts/validate, see
// validate.test.ts): which component serves which route, and how the agents are configured.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';

type Table = Record<string, unknown>;
const manifest = parse(readFileSync(resolve(import.meta.dirname, '..', '..', 'spin.toml'), 'utf8')) as Table;
const components = manifest.component as Record<string, Table>;

describe('spin.toml', () => {
  it('routes /health, /metrics and /api/... to the api component, /dashboard/... to the dashboard, /agent/<n>/... to agent-<n>', () => {
    const http = ((manifest.trigger as Table).http as Table[]).map((t) => [t.route, t.component]);
    expect(http).toEqual([
      ['/health', 'api'],
      ['/metrics', 'api'],
      ['/api/...', 'api'],
      ['/dashboard/...', 'dashboard'],
      ...Array.from({ length: 9 }, (_, n) => [`/agent/${n}/...`, `agent-${n}`]),
    ]);
  });

  it('builds one agent.wasm for every agent-<n>, told its id and the count, with the default store and the kernel dependency', () => {
    for (let n = 0; n < 9; n++) {
      const c = components[`agent-${n}`] as Table;
      expect(c.source).toBe('dist/agent.wasm');
      expect(c.key_value_stores).toEqual(['default']);
      expect(c.variables).toMatchObject({ agent_id: String(n), agent_count: '9', topology: '{{ topology }}', auth_token: '{{ auth_token }}' });
      expect(c.dependencies).toEqual({ 'crdt-agents:egraph/kernel@0.1.0': { path: 'dist/egraph-kernel.wasm' } });
      expect((c.build as Table).command).toBe('npm run build -- agent');
    }
    // `spin build` builds each component with its own command, nothing else
    expect((components.api?.build as Table).command).toBe('npm run build -- api');
    expect((components.dashboard?.build as Table).command).toBe('npm run build -- dashboard');
  });

  it('keeps the auth token secret and away from the api component, which changes nothing', () => {
    expect((manifest.variables as Record<string, Table>).auth_token).toEqual({ default: '', secret: true });
    expect(Object.keys(components.api?.variables as Table)).not.toContain('auth_token');
  });
});
