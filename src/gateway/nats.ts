// Real NATS delivery (@nats-io/transport-node v3). Core NATS is at-most-once and the JS client has
// no reconnect buffer (SPIKES.md): we reconnect forever, fast, and rely on anti-entropy for what
// was lost while disconnected. Status changes are logged so an outage is visible.
import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, headers, type NatsConnection, type Status } from '@nats-io/transport-node';
import { TRACEPARENT } from '../shared/trace-context.ts';
import { subjectOf, type Envelope } from '../core/wire.ts';
import type { Delivery, DeliveryStats, DeliverySubscription, MessageHandler, SubscribeOptions } from './delivery.ts';
import { errorFields, type Logger, type LogLevel } from '../shared/log.ts';
import { PublishLog, type PublishedEnvelope } from './publish-log.ts';
import { openLeaseStore, type LeaseStore } from './leases.ts';
import { ensureTimelineStream } from './timeline-stream.ts';
import { natsServers } from './nats-url.ts';

export const RECONNECT_TIME_WAIT_MS = 250;
export const PING_INTERVAL_MS = 5_000;

export interface NatsDeliveryOptions {
  /** comma-separated server URLs */
  url: string;
  /** path of a .creds file to authenticate with */
  credsFile?: string | undefined;
  /** user and password (NATS_USER / NATS_PASSWORD); else any userinfo in `url` */
  user?: string | undefined;
  pass?: string | undefined;
  logger: Logger;
  name?: string;
  publishLogSize?: number;
}

export async function connectNats(options: NatsDeliveryOptions): Promise<NatsDelivery> {
  const creds = options.credsFile === undefined ? undefined : readCreds(options.credsFile);
  const { servers, user, pass } = natsServers(options.url);
  const login = options.user === undefined ? { user, pass } : { user: options.user, pass: options.pass };
  const nc = await connect({
    ...(creds === undefined ? {} : { authenticator: credsAuthenticator(new Uint8Array(creds)) }),
    ...(login.user === undefined ? {} : login),
    servers,
    name: options.name ?? 'crdt-gateway',
    maxReconnectAttempts: -1,
    reconnectTimeWait: RECONNECT_TIME_WAIT_MS,
    pingInterval: PING_INTERVAL_MS,
    // a gateway started before its broker (k8s ordering) waits instead of crash-looping
    waitOnFirstConnect: true,
  });
  const delivery = new NatsDelivery(nc, options.logger, options.publishLogSize);
  delivery.timelineStream = (await ensureTimelineStream(nc, options.logger))?.config.name ?? null;
  return delivery;
}

function readCreds(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`NATS_CREDS: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

const STATUS_LEVEL: Record<Status['type'], LogLevel> = {
  disconnect: 'warn',
  reconnecting: 'debug',
  reconnect: 'info',
  update: 'info',
  ldm: 'warn',
  error: 'error',
  ping: 'debug',
  staleConnection: 'warn',
  slowConsumer: 'warn',
  forceReconnect: 'info',
  close: 'info',
};

export class NatsDelivery implements Delivery {
  readonly kind = 'nats';
  /** the JetStream stream keeping timeline.> (null: none) */
  timelineStream: string | null = null;
  private readonly log: PublishLog;
  private connected = true;
  private closing = false;
  private readonly counts = { published: 0, received: 0, publish_errors: 0, published_disconnected: 0, decode_errors: 0, reconnects: 0, disconnects: 0 };

  constructor(
    private readonly nc: NatsConnection,
    private readonly logger: Logger,
    publishLogSize?: number,
  ) {
    this.log = new PublishLog(publishLogSize);
    logger('info', 'nats connected', { server: nc.getServer() });
    void this.watchStatus();
    void nc.closed().then((err) => {
      this.connected = false;
      if (err) logger('error', 'nats connection closed', errorFields(err));
    });
  }

  publish(envelope: Envelope, traceparent?: string): void {
    const subject = subjectOf(envelope);
    if (this.send(subject, envelope, traceparent)) this.log.record(subject, envelope);
  }

  publishJson(subject: string, value: unknown): void {
    this.send(subject, value);
  }

  subscribe(subject: string, handler: MessageHandler, options: SubscribeOptions = {}): DeliverySubscription {
    // nats.js re-subscribes by itself after a reconnect
    const sub = this.nc.subscribe(subject, {
      ...(options.queue === undefined ? {} : { queue: options.queue }),
      callback: (err, msg) => {
        if (err) {
          this.logger('error', 'subscription error', { subject, ...errorFields(err) });
          return;
        }
        this.counts.received += 1;
        let data: unknown;
        try {
          data = JSON.parse(msg.string());
        } catch {
          this.counts.decode_errors += 1;
          this.logger('warn', 'message is not JSON; dropped', { subject: msg.subject, bytes: msg.data.length });
          return;
        }
        try {
          handler(msg.subject, data, msg.headers?.get(TRACEPARENT) || undefined);
        } catch (handlerErr) {
          this.logger('error', 'subscriber failed', { subject: msg.subject, ...errorFields(handlerErr) });
        }
      },
    });
    return { unsubscribe: () => sub.unsubscribe() };
  }

  published(afterSeq?: number): PublishedEnvelope[] {
    return this.log.list(afterSeq);
  }

  async openLeases(ttlMs: number): Promise<LeaseStore | null> {
    try {
      return await openLeaseStore(this.nc, ttlMs);
    } catch (err) {
      this.logger('warn', 'no JetStream key-value bucket for leases', errorFields(err));
      return null;
    }
  }

  stats(): DeliveryStats {
    return { kind: this.kind, connected: this.connected && !this.nc.isClosed(), ...this.counts, timeline_stream: this.timelineStream };
  }

  async close(): Promise<void> {
    if (this.closing || this.nc.isClosed()) return;
    this.closing = true;
    try {
      await this.nc.drain();
    } catch (err) {
      // drain fails while disconnected; closing is what matters then
      this.logger('warn', 'nats drain failed; closing', errorFields(err));
      await this.nc.close();
    }
  }

  private send(subject: string, value: unknown, traceparent?: string): boolean {
    try {
      const h = traceparent === undefined ? undefined : headers();
      h?.set(TRACEPARENT, traceparent!);
      this.nc.publish(subject, JSON.stringify(value), h === undefined ? undefined : { headers: h });
      this.counts.published += 1;
      // publish() does not throw while reconnecting; the message is simply gone (SPIKES.md)
      if (!this.connected) this.counts.published_disconnected += 1;
      return true;
    } catch (err) {
      this.counts.publish_errors += 1;
      this.logger('warn', 'publish failed', { subject, ...errorFields(err) });
      return false;
    }
  }

  private async watchStatus(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === 'disconnect') {
        this.connected = false;
        this.counts.disconnects += 1;
      } else if (s.type === 'reconnect') {
        this.connected = true;
        this.counts.reconnects += 1;
      }
      const fields: Record<string, unknown> = { status: s.type };
      if ('server' in s) fields.server = s.server;
      if (s.type === 'error') Object.assign(fields, errorFields(s.error));
      if (s.type === 'ping') fields.pending_pings = s.pendingPings;
      this.logger(STATUS_LEVEL[s.type], 'nats status', fields);
    }
  }
}
