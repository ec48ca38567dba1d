// The agent's brain: pure TypeScript, no I/O, no host imports. Time and randomness come in
// through SyncContext and function arguments. This file is the curated public surface.
export { AgentError, checkEach, got, unexpectedCase, type AgentErrorCode } from './errors.ts';
export { checkJsonDepth, checkStorableValue, MAX_VALUE_DEPTH } from './json-value.ts';
export { secretEquals } from './secret-equal.ts';
export { LIVENESS, livenessAfter, type Liveness } from './liveness.ts';
export { SETTINGS, readIntegerSetting, type IntegerBounds, type IntegerSetting } from './settings.ts';
export { TOPOLOGY_KINDS, allNeighbours, diameter, neighbours, parseTopology, type TopologyKind } from './topology.ts';
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
export {
  DATA,
  TERMS,
  UNIONS,
  createAgentDoc,
  dataMap,
  decodeStateVectorStrict,
  MAX_STATE_VECTOR_CLIENTS,
  loadDoc,
  pendingUpdate,
  validateUpdate,
} from './doc.ts';
export { newNodeId, writerClientId } from './identity.ts';
export { deleteSetDigest, digestOf, digestParts, stateDigest, stateVectorOf, sumFromHex, sumHex, type DigestParts } from './digest.ts';
export { DocChanges } from './doc-changes.ts';
export { countExchange, newCounters, type Counters } from './counters.ts';
export {
  appliedUpdate,
  onEnvelope,
  onEnvelopes,
  onNotices,
  carriesState,
  onLocalWrite,
  onTick,
  type LocalWriteResult,
  type SyncCompletion,
  type SyncContext,
  type SyncResult,
} from './sync.ts';
export { fromBase64, isBase64, toBase64 } from '../shared/base64.ts';
export { seededRandom } from '../shared/prng.ts';
export {
  addToEGraphSets,
  readEGraphSets,
  termsMap,
  unionKey,
  unionsMap,
  type EGraphSets,
  type TermRecord,
  type UnionRecord,
} from './egraph-doc.ts';
export {
  MAX_EGRAPH_RECORDS,
  TICK_SATURATION_LIMITS,
  addTerm,
  egraphSizes,
  loadEGraph,
  parseUserTerm,
  saturateDoc,
  saturateOnTick,
  type AddedTerm,
  type EGraphSizes,
  type SaturationReport,
  type TickRun,
  type TickSaturation,
} from './egraph-agent.ts';
export { COLOURS, colourTopology, type Colour, type Colouring } from './colouring.ts';
export { RULE_FAMILIES, RULE_SPECS, colourOfRule, familyOf, foldsConstants, rulesFor, type RuleFamily } from './rules/index.ts';
export { DEFAULT_EXTRACTION_COST, EXTRACTION_COSTS, parseExtractionCost, type ExtractionCost } from './costs.ts';
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
export {
  agentKey,
  agentKeyPrefix,
  COMPACT_AFTER_LOG_ENTRIES,
  MAX_TIMELINE_RECORDS,
  readTimeline,
  staleTimelineRecords,
  summaryHolds,
  uptimeSeconds,
  timelineRecordKey,
  timelineRecordKeys,
  type AgentMeta,
  type AgentSummary,
} from './agent-record.ts';
