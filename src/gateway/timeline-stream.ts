// The JetStream stream that keeps the timeline beyond the agents' KV buffers and across
// restarts: it captures every `timeline.<id>` publish (JetStream streams capture core
// publishes too), bounded by age and size, oldest discarded first. Without JetStream (a broker
// started without it, or the in-process delivery) the timeline lives in the agents' buffers only.
import { DiscardPolicy, RetentionPolicy, StorageType, jetstreamManager, type StreamInfo } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/nats-core';
import { TIMELINE_SUBJECTS } from '../core/wire.ts';
import { errorFields, type Logger } from '../shared/log.ts';

export const TIMELINE_STREAM = 'TIMELINE';
export const TIMELINE_MAX_AGE_MS = 24 * 60 * 60 * 1_000;
export const TIMELINE_MAX_BYTES = 256 * 1024 * 1024;

export interface TimelineStreamLimits {
  maxAgeMs: number;
  maxBytes: number;
}

/** Creates or updates the stream; null (logged) when the server has no JetStream. */
export async function ensureTimelineStream(
  nc: NatsConnection,
  logger: Logger,
  limits: TimelineStreamLimits = { maxAgeMs: TIMELINE_MAX_AGE_MS, maxBytes: TIMELINE_MAX_BYTES },
): Promise<StreamInfo | null> {
  const config = {
    name: TIMELINE_STREAM,
    subjects: [TIMELINE_SUBJECTS],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(limits.maxAgeMs),
    max_bytes: limits.maxBytes,
  };
  try {
    const jsm = await jetstreamManager(nc, { timeout: 2_000 });
    let info: StreamInfo;
    try {
      info = await jsm.streams.update(TIMELINE_STREAM, config);
    } catch {
      info = await jsm.streams.add(config);
    }
    logger('info', 'timeline stream ready', { stream: TIMELINE_STREAM, subjects: TIMELINE_SUBJECTS, max_age_ms: limits.maxAgeMs, max_bytes: limits.maxBytes, messages: info.state.messages });
    return info;
  } catch (err) {
    logger('info', 'no JetStream: the timeline is kept in the agents\' buffers only', errorFields(err));
    return null;
  }
}
