// What `npm run backup` writes and `npm run restore` reads (both talk to the app through src/client).

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

export function agentFile(id: number): string {
  return `agent-${id}.yjs`;
}

/** One structured progress line on stderr. */
export function progress(component: string, msg: string, fields: Record<string, unknown> = {}): void {
  process.stderr.write(`${JSON.stringify({ level: 'info', msg, component, ...fields })}\n`);
}
