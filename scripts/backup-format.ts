// What `npm run backup` writes and `npm run restore` reads, and how both talk to the app.

export const BACKUP_FORMAT = 'crdt-agents-network-backup/1';

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  created_at: string;
  app_url: string;
  topology: string;
  agent_count: number;
  /** each agent's document: its file (one Yjs update), size, and state digest (as GET /state reports it) */
  agents: { id: number; file: string; bytes: number; state_digest: string }[];
  /** the timeline as `npm run export-timeline` writes it: from the JetStream stream, or what /api/timeline buffered */
  timeline: { file: string; events: number; source: 'jetstream' | 'api' };
}

/** What the scripts read of GET /api/topology (scripts talk to the app over HTTP, not through its modules). */
export interface AppTopology {
  topology: string;
  agent_count: number;
}

export function agentFile(id: number): string {
  return `agent-${id}.yjs`;
}

/** The app at `url`, every request with the bearer token when there is one; a non-2xx answer throws with its error. */
export function appClient(url: string, token?: string): { url: string; fetch(path: string, init?: RequestInit): Promise<Response> } {
  const base = url.replace(/\/+$/, '');
  return {
    url: base,
    async fetch(path, init = {}) {
      const headers = new Headers(init.headers);
      if (token) headers.set('authorization', `Bearer ${token}`);
      const res = await fetch(base + path, { ...init, headers });
      if (!res.ok) {
        const text = await res.text();
        throw new Error(`${init.method ?? 'GET'} ${path}: HTTP ${res.status}: ${text.slice(0, 300)}`);
      }
      return res;
    },
  };
}

/** One structured progress line on stderr. */
export function progress(component: string, msg: string, fields: Record<string, unknown> = {}): void {
  process.stderr.write(`${JSON.stringify({ level: 'info', msg, component, ...fields })}\n`);
}
