// What a route's handler gets: one request to one agent, with its doc opened only if asked for.
import type { AgentConfig } from './config.ts';
import type { AgentPersistence } from './persistence.ts';
import type { ServerTiming } from './server-timing.ts';
import type { AgentSession } from './session.ts';

export interface AgentRequest {
  request: Request;
  /** the decoded `:key` of a keyed route (`/data/:key`); '' on the others */
  key: string;
  /** the agent's session, its doc loaded on first use (many routes never load it) */
  session(): AgentSession;
  /** the agent's store and records, without a session (for routes that read no doc) */
  persistence(): AgentPersistence;
  config: AgentConfig;
  now(): number;
  /** where the request's time goes (Server-Timing) */
  timing: ServerTiming;
}

export type Handler = (request: AgentRequest) => Response | Promise<Response>;
