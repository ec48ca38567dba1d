// The wire vocabulary, without Yjs: envelopes and their subjects, timeline events and paging,
// liveness, settings, errors, the hybrid clock. The gateway and the dashboard import core through
// this door (their bundles must not carry Yjs); index.ts re-exports it for everyone else.
export { AgentError, checkEach, got, unexpectedCase, type AgentErrorCode } from './errors.ts';
export { LIVENESS, livenessAfter, type Liveness } from './liveness.ts';
export { SETTINGS, readIntegerSetting, type IntegerBounds, type IntegerSetting } from './settings.ts';
export {
  BROADCAST_HEARTBEAT_SUBJECT,
  ENVELOPE_TYPES,
  HEARTBEAT_SUBJECTS,
  TIMELINE_SUBJECTS,
  inboxSubjects,
  timelineSubject,
  ENVELOPE_VERSION,
  MAX_ENVELOPE_ID_LENGTH,
  MAX_ENVELOPE_UPDATE_BYTES,
  NETWORK_STATUS_SUBJECT,
  agentOfSubject,
  isNotice,
  parseEnvelope,
  parseEnvelopes,
  signedText,
  subjectOf,
  type Ack,
  type AckPayload,
  type Envelope,
  type EnvelopeType,
  type Heartbeat,
  type HeartbeatPayload,
  type StateUpdate,
  type SyncRequest,
  type SyncRequestPayload,
  type SyncResponse,
  type UpdatePayload,
} from './envelope.ts';
export { ENVELOPE_SCHEMA, ENVELOPE_SCHEMA_ID } from './envelope-schema.ts';
export { DELIVERY_LATENCY_BOUNDS_MS, type LatencyHistogram } from './counters.ts';
export { DEFAULT_MAX_CLOCK_SKEW_MS, HybridClock, formatHlc, isHlc, parseHlc, type Hlc } from './hlc.ts';
export {
  TIMELINE_EVENT_TYPES,
  TimelineRecorder,
  compareEvents,
  mergeTimelines,
  type TimelineEvent,
  type TimelineEventType,
} from './timeline.ts';
export {
  DEFAULT_TIMELINE_LIMIT,
  MAX_TIMELINE_LIMIT,
  TIMELINE_START,
  parseTimelineQuery,
  readWholeTimeline,
  selectTimeline,
  type TimelinePage,
  type TimelineQuery,
} from './timeline-query.ts';
export type { Colour } from './rules/families.ts';
