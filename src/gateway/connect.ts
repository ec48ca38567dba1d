// Picks the delivery, in the order ARCHITECTURE.md gives: NATS_URL → real NATS; else a nats-server
// the caller runs or we can spawn → real NATS; else in-process. The choice and its reason are the
// gateway's first log line, so nobody mistakes the embedded default for a real broker.
import type { GatewayConfig } from './config.ts';
import type { Delivery } from './delivery.ts';
import { InprocDelivery } from './inproc.ts';
import type { Logger } from '../shared/log.ts';
import { connectNats } from './nats.ts';
import { redactNatsUrl } from './nats-url.ts';

/** A nats-server this process started; stopped when the gateway closes. */
export interface SpawnedNatsServer {
  url: string;
  stop(): Promise<void>;
}

export interface ConnectOptions {
  /** URL of a nats-server the caller already runs (the `npm start` runner, tests) */
  natsServerUrl?: string;
  /** starts a nats-server (e.g. src/gateway/nats-server.ts); resolves null when there is none on PATH */
  spawnNatsServer?: () => Promise<SpawnedNatsServer | null>;
  publishLogSize?: number;
}

export interface Connected {
  delivery: Delivery;
  /** closes the delivery, then stops a spawned server */
  dispose(): Promise<void>;
}

export async function connectDelivery(config: GatewayConfig, logger: Logger, options: ConnectOptions = {}): Promise<Connected> {
  const nats = async (url: string, reason: string, spawned?: SpawnedNatsServer): Promise<Connected> => {
    logger('info', 'gateway delivery', { kind: 'nats', reason, url: redactNatsUrl(url) });
    const delivery = await connectNats({ url, credsFile: config.natsCreds, user: config.natsUser, pass: config.natsPassword, logger, publishLogSize: options.publishLogSize });
    return { delivery, dispose: async () => (await delivery.close(), await spawned?.stop()) };
  };
  if (config.natsUrl !== undefined) return nats(config.natsUrl, 'NATS_URL set');
  if (options.natsServerUrl !== undefined) return nats(options.natsServerUrl, 'nats-server given by the caller');
  const spawned = options.spawnNatsServer === undefined ? null : await options.spawnNatsServer();
  if (spawned !== null) return nats(spawned.url, 'no NATS_URL; started nats-server from PATH', spawned);

  const reason = options.spawnNatsServer === undefined ? 'no NATS_URL and no nats-server given' : 'no NATS_URL and no nats-server on PATH';
  logger('info', 'gateway delivery', { kind: 'inproc', reason });
  const delivery = new InprocDelivery(logger, options.publishLogSize);
  return { delivery, dispose: () => delivery.close() };
}
