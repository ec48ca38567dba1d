// The agent's brain: pure TypeScript, no I/O, no host imports. Time and randomness come in
// through SyncContext and function arguments. This file is the curated public surface; wire.ts is
// its part without Yjs (what the gateway and the dashboard import).
export * from './wire.ts';
export { checkJsonDepth, checkStorableValue, MAX_VALUE_DEPTH } from './json-value.ts';
export { secretEquals } from './secret-equal.ts';
export { TOPOLOGY_KINDS, allNeighbours, diameter, neighbours, parseTopology, relayTree, type RelayTreePlace, type TopologyKind } from './topology.ts';
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
export { countExchange, emptyLatency, newCounters, type Counters } from './counters.ts';
export {
  appliedUpdate,
  onEnvelope,
  onEnvelopes,
  onEnvelopesWithoutDoc,
  onNotices,
  carriesState,
  onLocalWrite,
  onMergedUpdate,
  checkLocalUpdate,
  localUpdateSent,
  onTick,
  onTickFromSummary,
  type LocalWriteResult,
  type SyncCompletion,
  type SyncContext,
  type SyncResult,
} from './sync.ts';
export { fromBase64, isBase64, toBase64 } from '../shared/base64.ts';
export { seededRandom } from '../shared/prng.ts';
export {
  addToEGraphSets,
  egraphFromItems,
  readEGraphSets,
  readRoots,
  termsMap,
  unionKey,
  unionsMap,
  type EGraphSets,
  type TermRecord,
  type UnionRecord,
} from './egraph-doc.ts';
export {
  MAX_ROOT_RECORDS,
  liveRoots,
  TICK_SATURATION_LIMITS,
  addTerm,
  egraphSizes,
  loadEGraph,
  parseUserTerm,
  saturateOnTick,
  type AddedTerm,
  type CountedEGraph,
  type EGraphSizes,
  type SaturationReport,
  type TickRun,
} from './egraph-agent.ts';
export { COLOURS, colourTopology, type Colouring } from './colouring.ts';
export { RULE_FAMILIES, RULE_SPECS, colourOfRule, familyOf, foldsConstants, rulesFor, type RuleFamily } from './rules/index.ts';
export { DEFAULT_EXTRACTION_COST, EXTRACTION_COSTS, parseExtractionCost, type ExtractionCost } from './costs.ts';
export {
  agentKey,
  agentKeyPrefix,
  COMPACT_AFTER_LOG_ENTRIES,
  dueForCompaction,
  isSnapshotKey,
  MAX_LOG_ENTRIES,
  MAX_STORED_OVERHEAD,
  MAX_TIMELINE_RECORDS,
  readTimeline,
  staleTimelineRecords,
  timelineRecordsToFold,
  foldTimelineRecords,
  timelineRecordEvents,
  TIMELINE_FOLD_AFTER,
  summaryHolds,
  uptimeSeconds,
  timelineRecordKey,
  timelineRecordKeys,
  type AgentMeta,
  type AgentSummary,
  type DataItem,
  type DeleteRange,
  type StoredDeleteSet,
} from './agent-record.ts';
export { dataItemOf, directDelete, directSet, type DirectWrite } from './direct-write.ts';
export { EGRAPH_ITEMS_VERSION, egraphItemsOf, movedEGraphItems, type EGraphItems } from './egraph-items.ts';
export { canonicalDeleteSet, DeleteSetReader, deleteSetUpdate, docDeleteSet, MAX_DELETE_TAIL, rangesOf } from './delete-set.ts';
