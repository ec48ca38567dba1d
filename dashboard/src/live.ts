// How live events reach the page. With a NATS WebSocket URL configured, subscribe to the
// subjects /api/topology names (`timeline.>`, `network.status`) with `wsconnect` (the successor of nats.ws); otherwise, or
// while NATS is unreachable, poll /api/timeline?since=<cursor>. Either way the page says which
// mode is active, and it reconnects by itself.
import { wsconnect, type NatsConnection } from '@nats-io/nats-core';
import type { NetworkStatus } from '../../src/gateway/index.ts';
import { timelinePage, type TimelineEvent } from './api.ts';
import { cursorBefore, type EventLog } from './event-log.ts';

export type LiveMode = 'connecting' | 'nats' | 'polling' | 'error';

export interface LiveStatus {
  mode: LiveMode;
  text: string;
}


export interface LiveOptions {
  log: EventLog;
  natsWsUrl: string | null;
  /** what to subscribe to, as /api/topology names them */
  subjects: { timeline: string; status: string };
  /** the broker's login for the dashboard (from /api/topology); null: connect without */
  natsCredentials: { user: string; pass: string } | null;
  onStatus: (status: LiveStatus) => void;
  /** the gateway's liveness, as published on network.status */
  onNetworkStatus: (status: NetworkStatus) => void;
  pollIntervalMs?: number;
}

export const POLL_INTERVAL_MS = 1_000;
/** Each poll re-reads this much before the newest event: agents store events a little late. */
const POLL_OVERLAP_MS = 3_000;
const NATS_RETRY_MS = 15_000;

export function startLive(options: LiveOptions): void {
  const poller = new Poller(options);
  if (options.natsWsUrl === null) {
    poller.start('no NATS WebSocket URL configured');
    return;
  }
  void connectNats(options, poller, options.natsWsUrl);
}

class Poller {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;

  constructor(private readonly options: LiveOptions) {}

  start(reason: string): void {
    if (this.running) return;
    this.running = true;
    const every = this.options.pollIntervalMs ?? POLL_INTERVAL_MS;
    this.options.onStatus({ mode: 'polling', text: `polling /api/timeline every ${every / 1000} s (${reason})` });
    void this.poll();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private async poll(): Promise<void> {
    const every = this.options.pollIntervalMs ?? POLL_INTERVAL_MS;
    try {
      for (;;) {
        const newest = this.options.log.newest();
        const page = await timelinePage(newest === undefined ? null : cursorBefore(newest.hlc, POLL_OVERLAP_MS), 1_000);
        this.options.log.add(page.events);
        if (!page.has_more) break;
      }
    } catch (err) {
      this.options.onStatus({ mode: 'error', text: `polling failed, retrying: ${err instanceof Error ? err.message : String(err)}` });
    }
    if (this.running) this.timer = setTimeout(() => void this.poll(), every);
  }
}

async function connectNats(options: LiveOptions, poller: Poller, url: string): Promise<void> {
  options.onStatus({ mode: 'connecting', text: `connecting to NATS at ${url}…` });
  let nc: NatsConnection;
  try {
    nc = await wsconnect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 1_000, pingInterval: 10_000, ...(options.natsCredentials ?? {}) });
  } catch (err) {
    poller.start(`NATS at ${url} unreachable: ${err instanceof Error ? err.message : String(err)}; retrying`);
    setTimeout(() => void connectNats(options, poller, url), NATS_RETRY_MS);
    return;
  }
  poller.stop();
  options.onStatus({ mode: 'nats', text: `live: NATS over WebSocket (${url})` });
  // history first: what happened before this page subscribed
  try {
    options.log.add((await timelinePage(null, 1_000)).events);
  } catch {
    // live events still arrive; the history is a nicety
  }
  const decode = (data: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(data));
  nc.subscribe(options.subjects.timeline, {
    callback: (err, msg) => {
      if (err !== null) return;
      try {
        options.log.add([decode(msg.data) as TimelineEvent]);
      } catch {
        // a foreign message on the subject: not ours to draw
      }
    },
  });
  nc.subscribe(options.subjects.status, {
    callback: (err, msg) => {
      if (err === null) {
        try {
          options.onNetworkStatus(decode(msg.data) as NetworkStatus);
        } catch {
          // ignore what is not a status
        }
      }
    },
  });
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') options.onStatus({ mode: 'connecting', text: `NATS connection lost; reconnecting to ${url}…` });
      if (s.type === 'reconnect') options.onStatus({ mode: 'nats', text: `live: NATS over WebSocket (${url}), reconnected` });
    }
  })();
}
