// The sync protocol as pure functions over a Y.Doc: what to send on a tick, on an envelope, on a
// local write. Yjs protocol shape (step 1: state vector, step 2: the missing update, then
// incremental updates), with anti-entropy on every tick because NATS core may drop anything.
import * as Y from 'yjs';
import { fromBase64, isBase64, toBase64 } from '../shared/base64.ts';
import { sameBytes } from '../shared/same-bytes.ts';
import { decodeStateVectorStrict, pendingUpdate, validateUpdate, type DecodedUpdate } from './doc.ts';
import { isSnapshotKey, type AgentSummary, type StoredDeleteSet } from './agent-record.ts';
import { deleteSetUpdate, storedDeleteSetDigest, withDeletions } from './delete-set.ts';
import { deleteSetDigest, stateDigest } from './digest.ts';
import { DirectApply } from './direct-write.ts';
import type { EGraphItems } from './egraph-items.ts';
import {
  ENVELOPE_VERSION,
  MAX_ENVELOPE_UPDATE_BYTES,
  isNotice,
  type Ack,
  type Envelope,
  type Heartbeat,
  type StateUpdate,
  type SyncRequest,
  type SyncResponse,
} from './envelope.ts';
import { AgentError, checkEach, unexpectedCase } from './errors.ts';
import { relayTree } from './topology.ts';
import type { HybridClock } from './hlc.ts';

/** The world as one agent sees it during one request. Time and ids are injected. */
export interface SyncContext {
  agentId: number;
  neighbours: number[];
  now: () => number;
  /** the agent's hybrid logical clock: every envelope sent takes a reading */
  clock: HybridClock;
  newId: () => string;
  uptimeSeconds?: number;
  /**
   * The whole network's graph (allNeighbours; index = agent id), asked for only when a relay needs
   * it. With it, this agent's writes leave stamped with their origin, and a stamped update that
   * came down its relay tree goes on to this agent's children in it only (topology.ts relayTree).
   * Without it, relays flood.
   */
  graph?: () => readonly (readonly number[])[];
}

export interface SyncResult {
  /** envelopes to publish, each on subjectOf(envelope) */
  outbox: Envelope[];
  /** SyncResponses applied (the counter in GET /state) */
  syncsCompleted: number;
  /** each SyncResponse applied: from whom, its update's size, and whether it taught us anything */
  syncs: SyncCompletion[];
  /** whether the doc's content changed */
  changed: boolean;
}

export interface SyncCompletion {
  peer: number;
  bytes: number;
  changed: boolean;
}

export type LocalWriteResult = SyncResult & {
  /** exactly the update the write produced (to persist), null if it changed nothing */
  update: Uint8Array | null;
};

/** An envelope whose bytes have been decoded and checked; nothing has touched the doc yet. */
type Checked =
  | { kind: 'request'; env: SyncRequest; sv: Uint8Array; remote: Map<number, number> }
  | { kind: 'update'; env: SyncResponse | StateUpdate; update: Uint8Array; decoded: DecodedUpdate; origin: number | null }
  | { kind: 'notice'; env: Heartbeat | Ack };

const QUIET: SyncResult = { outbox: [], syncsCompleted: 0, syncs: [], changed: false };

/**
 * Heartbeat to everyone, and a state vector offer to every neighbour (anti-entropy). `digest`:
 * the doc's state digest, when the caller keeps it current more cheaply than a walk of the doc.
 */
export function onTick(ctx: SyncContext, doc: Y.Doc, digest = stateDigest(doc)): SyncResult {
  return tickEnvelopes(ctx, toBase64(Y.encodeStateVector(doc)), deleteSetDigest(doc), digest);
}

/**
 * The same tick from what the agent's summary keeps (no doc): its state vector, delete set and
 * digest, which describe the doc exactly while the summary holds.
 */
export function onTickFromSummary(ctx: SyncContext, summary: Pick<AgentSummary, 'state_vector' | 'state_digest'> & { delete_set: StoredDeleteSet }): SyncResult {
  return tickEnvelopes(ctx, summaryStateVectorBase64(summary), storedDeleteSetDigest(summary.delete_set), summary.state_digest);
}

function tickEnvelopes(ctx: SyncContext, sv: string, ds: string, digest: string): SyncResult {
  const heartbeat: Heartbeat = {
    ...header(ctx),
    type: 'Heartbeat',
    to: null,
    payload: { digest, uptime_s: ctx.uptimeSeconds ?? 0 },
  };
  return { outbox: [heartbeat, ...ctx.neighbours.map((n) => syncRequest(ctx, n, sv, ds))], syncsCompleted: 0, syncs: [], changed: false };
}

/**
 * Handles one envelope. Envelopes from agents that are not our neighbours are still accepted:
 * the topology may have changed under us, and any update is safe to merge.
 */
export function onEnvelope(ctx: SyncContext, doc: Y.Doc, env: Envelope): SyncResult {
  return onEnvelopes(ctx, doc, [env]);
}

/**
 * Handles a batch in order. Every envelope is checked before any is applied, so a bad one
 * refuses the whole batch and leaves the doc untouched. Duplicates and reordering are harmless:
 * Yjs updates are idempotent and commutative, and a re-applied update relays nothing.
 *
 * Whatever the batch taught us is relayed at most once per neighbour, merged: one StateUpdate per
 * neighbour per request, not one per envelope, holding every delta that neighbour is owed (down
 * its write's relay tree, or flooded: see relays). The relay dies out because re-applying known
 * data changes nothing.
 *
 * `deferred`: requesters whose SyncRequests get no answer now (onEnvelopesWithoutDoc).
 */
export function onEnvelopes(ctx: SyncContext, doc: Y.Doc, envs: readonly Envelope[], deferred: ReadonlySet<number> = new Set()): SyncResult {
  return handleBatch(ctx, envs, {
    // One transaction for all of a sender's updates: each Yjs transaction walks every client's
    // state twice (beforeState, afterState), so with ~1,400 writers 50 separate applies cost ~100x
    // one transaction holding them all (measured in V8; the component's interpreter pays more).
    apply: (updates, from) => {
      const ownOnly = doc.store.pendingStructs === null && doc.store.pendingDs === null;
      const delta = appliedUpdate(doc, () => Y.transact(doc, () => {
        for (const { update } of updates) Y.applyUpdate(doc, update, from);
      }, from));
      return { deltas: delta === null ? [] : [delta], ownOnly };
    },
    // a deferred requester (see onEnvelopesWithoutDoc) waits here too: a batch that needs the doc
    // for its updates would otherwise answer every neighbour from the doc, every batch
    answer: (req, sv, remote) => (deferred.has(req.from) ? [] : answer(ctx, doc, req, sv, remote)),
  }).result;
}

/** What onEnvelopesWithoutDoc may read besides the summary, each only if the batch needs it. */
export interface StoredRecords {
  /** the e-graph items record the summary names (null when none can be believed) */
  egraph?: () => EGraphItems | null;
  /** the tag of the e-graph items record the batch moves, if it moves it */
  tag?: string;
  /** requesters whose SyncRequest, when it asks for what only the doc can give, gets no answer now */
  deferred?: ReadonlySet<number>;
  /** the log blobs of the summary's `blobs` (null if one is gone: a concurrent compaction) */
  log?: () => Uint8Array[] | null;
  /** the snapshot blob of the summary's `blobs`: null when it names none, undefined if it is gone */
  snapshot?: () => Uint8Array | null | undefined;
}

/** What onEnvelopesWithoutDoc did: the batch's result, and the summary, e-graph items and updates to save. */
export interface AppliedWithoutDoc {
  result: SyncResult;
  /** the summary moved by what the batch taught */
  summary: AgentSummary;
  /** the e-graph's items moved by the batch (tagged as the summary names them), or null if it added no record */
  egraph: EGraphItems | null;
  /** what the batch taught, merged, to be stored (null: nothing) */
  update: Uint8Array | null;
}

const NEEDS_DOC: unique symbol = Symbol('needs the doc');

/**
 * onEnvelopes for a batch of updates applied to the agent's summary instead of a loaded doc
 * (direct-write.ts's DirectApply), when `summary` describes exactly the stored doc and `egraph`
 * gives the e-graph items it names (read only if a record comes; null when none can be believed).
 * Null, before anything is sent, when some update needs the doc or a SyncRequest asks for what
 * only the doc can give (see answerFromSummary and answerFromLog): the caller then takes
 * onEnvelopes. `stored` says what else may be read (StoredRecords).
 *
 * `deferred`: requesters whose SyncRequest, when it asks for what only the doc can give, gets no
 * answer now. The caller defers a neighbour it answered from the doc moments ago while its own
 * state keeps changing: what that neighbour lacks is then almost always on its way as relays
 * (every change is relayed at once), and answering each anti-entropy request with the same
 * content took half the workers' time of a saturating network. Nothing is sent, not even a
 * request back, so two agents cannot keep deferring each other; the neighbour asks again on its
 * next tick and, once the caller's window has passed, is answered from the doc.
 */
export function onEnvelopesWithoutDoc(ctx: SyncContext, summary: AgentSummary, envs: readonly Envelope[], stored: StoredRecords = {}): AppliedWithoutDoc | null {
  const { egraph = () => null, tag = '', deferred = new Set<number>(), log, snapshot } = stored;
  if (!requestsAnswerable(summary, envs.filter((env) => !deferred.has(env.from)), log !== undefined, snapshot !== undefined)) return null;
  const direct = new DirectApply(summary, egraph);
  const updates: Uint8Array[] = [];
  const needsDoc = (): never => {
    throw NEEDS_DOC;
  };
  try {
    const { result, merged } = handleBatch(ctx, envs, {
      apply: (group) => {
        const taught: Uint8Array[] = [];
        for (const { update, decoded } of group) {
          const what = direct.apply(decoded) ?? needsDoc();
          if (what === 'nothing') continue;
          // Relayed and stored as they came when all of it was new; else only what was (as the doc
          // path relays what changed). Relays merge what their senders heard from several paths,
          // and relaying them whole carried on what every agent had: under 16 writing clients ~9
          // of 10 structs arriving were known, and every hop decoded, merged and signed them again.
          const cut = what.known === null ? update : Y.diffUpdate(update, Y.encodeStateVector(what.known));
          // and its delete set cut to what was news too (Y.diffUpdate keeps all of it)
          taught.push(what.deletions === null ? cut : withDeletions(cut, decoded.ds, what.deletions) ?? cut);
        }
        updates.push(...taught);
        return { deltas: taught, ownOnly: true };
      },
      answer: (req, sv, remote) => {
        const after = direct.result(tag).summary;
        const fromLog = () => {
          const blobs = log?.() ?? null;
          if (blobs === null) return null;
          if (!holdsNothing(remote)) return answerFromLog(ctx, after, req, sv, remote, [...blobs, ...updates]);
          const whole = snapshot?.();
          return whole === undefined ? null : answerFromBlobs(ctx, after, req, remote, whole, [...blobs, ...updates]);
        };
        return answerFromSummary(ctx, after, req, remote) ?? (deferred.has(req.from) ? [] : fromLog() ?? needsDoc());
      },
    });
    // stored as one blob: the relays' merge of the same updates when there was one
    const update = updates.length === 0 ? null : updates.length === 1 ? updates[0]! : merged ?? Y.mergeUpdates(updates);
    return { result, ...direct.result(tag), update };
  } catch (e) {
    if (e === NEEDS_DOC) return null;
    throw e;
  }
}

/** Whether `envs` carry document state (updates or a SyncRequest); heartbeats and acks do not. */
export function carriesState(envs: readonly Envelope[]): boolean {
  return envs.some((env) => !isNotice(env));
}

/** onEnvelopes for a batch that carries no state (see carriesState): checked and counted, no doc. */
export function onNotices(ctx: SyncContext, envs: readonly Envelope[]): SyncResult {
  const stateless = (): never => {
    throw new AgentError('bad-request', 'an envelope carrying state needs the loaded doc');
  };
  return handleBatch(ctx, envs, { apply: stateless, answer: stateless }).result;
}

/** An update as it came, and as validateUpdate decoded it. */
interface ReceivedUpdate {
  update: Uint8Array;
  decoded: DecodedUpdate;
}

/** Where a batch's updates go: the loaded doc (or nowhere, for a batch without state). */
interface Replica {
  /**
   * Applies one sender's `updates`, in order: what they taught (the deltas to relay, none if
   * nothing), and whether that is only what they carried (not so when they released structs the
   * doc held back for a missing dependency: those may be another write's, so they are flooded).
   */
  apply(updates: ReceivedUpdate[], from: number): { deltas: Uint8Array[]; ownOnly: boolean };
  answer(req: SyncRequest, sv: Uint8Array, remote: Map<number, number>): Envelope[];
}

/** What handleBatch did, and everything the batch taught merged into one update when the relays made that merge (else null). */
interface BatchHandled {
  result: SyncResult;
  merged: Uint8Array | null;
}

function handleBatch(ctx: SyncContext, envs: readonly Envelope[], replica: Replica): BatchHandled {
  const checked = checkEach(envs, (env) => check(ctx, env));
  const outbox: Envelope[] = [];
  const learned: Learned[] = [];
  const syncs: SyncCompletion[] = [];
  // Updates first, grouped by sender (what it sent is not relayed back to it) and by size (a
  // group's delta must fit one envelope); requests are then answered with all the batch brought.
  const bySender = new Map<number, Extract<Checked, { kind: 'update' }>[]>();
  for (const c of checked) if (c.kind === 'update') bySender.set(c.env.from, [...(bySender.get(c.env.from) ?? []), c]);
  // A sender's SyncRequests queued behind a busy agent are answered once, the latest: each asks
  // for what the sender lacked when it ticked, the latest knows most, and answering every one
  // sent the same diff (and a counter-request) again for each, a storm while the network saturates.
  const latestRequest = new Map<number, Checked>();
  for (const c of checked) if (c.kind === 'request') latestRequest.set(c.env.from, c);
  const taught = new Set<number>();
  for (const [from, updates] of bySender) {
    for (const group of bySize(updates, (u) => u.update.length)) {
      const { deltas, ownOnly } = replica.apply(group, from);
      // one delta of the group's updates merged (the doc path's): down one tree only if all came down it
      const origin = ownOnly ? commonOrigin(group) : null;
      for (const delta of deltas) learned.push({ from, origin, delta });
      if (deltas.length > 0) taught.add(from);
    }
  }
  for (const c of checked) {
    switch (c.kind) {
      case 'request':
        if (latestRequest.get(c.env.from) === c) outbox.push(...replica.answer(c.env, c.sv, c.remote));
        break;
      case 'update': {
        // `changed`: whether the sender's updates in this batch taught us anything
        if (c.env.type === 'SyncResponse') syncs.push({ peer: c.env.from, bytes: c.update.length, changed: taught.has(c.env.from) });
        else outbox.push({ ...header(ctx), type: 'Ack', to: c.env.from, payload: { ack: c.env.id } } satisfies Ack);
        break;
      }
      case 'notice':
        break; // counted by the caller, nothing to do
      default:
        unexpectedCase(c);
    }
  }
  const relayed = relays(ctx, learned);
  outbox.push(...relayed.outbox);
  return { result: { outbox, syncsCompleted: syncs.length, syncs, changed: learned.length > 0 }, merged: relayed.merged };
}

/** A delta a batch taught: from whom, and the relay tree it goes on down (null: to every neighbour but its sender). */
interface Learned {
  from: number;
  origin: number | null;
  delta: Uint8Array;
}

/**
 * What a batch taught, relayed to the neighbours each delta goes to (relayTargets), merged into
 * envelopes that fit. Neighbours owed the same deltas share one merge and its encoding, and the
 * merge of all of them is also what a batch applied without the doc stores (`merged`, when made):
 * Y.mergeUpdates is one of the costliest steps of a delivery in the component's interpreter, and
 * a batch used to merge its updates once per neighbour and once more to store them. An envelope
 * of deltas from one relay tree carries its origin on; any other goes unstamped (flooded on).
 */
function relays(ctx: SyncContext, learned: readonly Learned[]): { outbox: Envelope[]; merged: Uint8Array | null } {
  const payloads = (deltas: readonly Uint8Array[]) => bySize(deltas, (d) => d.length).map((group) => (group.length === 1 ? group[0]! : Y.mergeUpdates(group)));
  const targets = learned.map(relayTargets(ctx));
  const merges = new Map<string, { updates: Uint8Array[]; encoded: string[] }>();
  const outbox: Envelope[] = [];
  for (const n of ctx.neighbours) {
    const owedAt = learned.flatMap((_, i) => (targets[i]!.includes(n) ? [i] : []));
    if (owedAt.length === 0) continue;
    const owed = owedAt.map((i) => learned[i]!);
    const key = owedAt.join(',');
    let merge = merges.get(key);
    if (merge === undefined) {
      const updates = payloads(owed.map((l) => l.delta));
      merge = { updates, encoded: updates.map(toBase64) };
      merges.set(key, merge);
    }
    const origin = owed.every((l) => l.origin !== null && l.origin === owed[0]!.origin) ? owed[0]!.origin : null;
    for (const update of merge.encoded) outbox.push(stateUpdate(ctx, n, update, origin));
  }
  const all = merges.get(learned.map((_, i) => i).join(','));
  return { outbox, merged: all !== undefined && all.updates.length === 1 ? all.updates[0]! : null };
}

/**
 * The neighbours a learned delta goes to: its relay tree's children of this agent, or (flooded)
 * every neighbour but its sender. Flooding where the tree was left keeps every write reaching
 * everyone: an agent passes a write on either to all its tree children or to all its neighbours.
 */
function relayTargets(ctx: SyncContext): (l: Learned) => readonly number[] {
  const { graph } = ctx;
  return (l) => (l.origin === null || graph === undefined ? ctx.neighbours.filter((n) => n !== l.from) : relayTree(graph(), l.origin, ctx.agentId).children);
}

/** The relay tree all of `updates` came down, or null (none, or several). */
function commonOrigin(updates: readonly { origin: number | null }[]): number | null {
  const origin = updates[0]?.origin ?? null;
  return updates.every((u) => u.origin === origin) ? origin : null;
}

/** The origin of an update that came down its relay tree (from this agent's parent in it), else null. */
function treeOrigin(ctx: SyncContext, env: SyncResponse | StateUpdate): number | null {
  if (env.type !== 'StateUpdate' || env.payload.origin === undefined || ctx.graph === undefined) return null;
  const { origin } = env.payload;
  const graph = ctx.graph();
  if (origin >= graph.length) return null;
  return relayTree(graph, origin, ctx.agentId).parent === env.from ? origin : null;
}

/**
 * Runs `change` in one transaction and sends what it wrote to every neighbour. A write too large
 * for one envelope is refused ('too-large'): it could never replicate, so it must not be
 * acknowledged. The caller then saves nothing, and the doc it holds is discarded with the request.
 */
export function onLocalWrite(ctx: SyncContext, doc: Y.Doc, change: (doc: Y.Doc) => void): LocalWriteResult {
  const update = appliedUpdate(doc, () => Y.transact(doc, () => change(doc), 'local', true));
  return update === null ? { ...QUIET, update } : localUpdateSent(ctx, update);
}

/**
 * A Yjs update from outside the network (POST /doc: a restored backup, a standard Yjs client's
 * edit) merged in as one transaction. Refused ('bad-update') when the doc would hold part of it
 * back for structs it lacks: that part could neither be read nor relayed, and the caller saves
 * nothing. What it taught goes to every neighbour when it fits one envelope; a larger merge (a
 * whole restored document) reaches them by anti-entropy, whose sync answers are split to fit.
 */
export function onMergedUpdate(ctx: SyncContext, doc: Y.Doc, update: Uint8Array): LocalWriteResult {
  validateUpdate(update);
  const heldBefore = pendingUpdate(doc);
  const taught = appliedUpdate(doc, () => Y.applyUpdate(doc, update, 'merge'));
  const heldAfter = pendingUpdate(doc);
  if (heldAfter !== null && !sameBytes(heldBefore, heldAfter)) {
    throw new AgentError('bad-update', 'the update builds on structs this agent does not hold', 'send what builds on GET /agent/:id/doc (or ?sv= of what you hold)');
  }
  if (taught === null) return { ...QUIET, update: null };
  if (taught.length > MAX_ENVELOPE_UPDATE_BYTES) return { ...QUIET, changed: true, update: taught };
  // unstamped, flooded: a merged update may hold what is already on its way down its writer's tree,
  // and an agent that learns a write first from another tree would not pass it on down the first
  return updateSent(ctx, taught, null);
}

/** A local write's update must fit one envelope: AgentError 'too-large' (413) otherwise, before anything is saved. */
export function checkLocalUpdate(update: Uint8Array): void {
  if (update.length > MAX_ENVELOPE_UPDATE_BYTES) {
    throw new AgentError(
      'too-large',
      `a write may add at most ${MAX_ENVELOPE_UPDATE_BYTES} bytes to the document (what one NATS message carries)`,
      `this write adds ${update.length} bytes`,
    );
  }
}

/**
 * A local write's update on its way: a StateUpdate to each neighbour, stamped with this agent as
 * its origin (relayed down its tree, see relays) when it holds new structs: made here, by a writer
 * of this request, they are on their way from nowhere else. An update of deletions alone is
 * flooded: another agent may be deleting the same entry at once, the same content down another
 * tree, and an agent that learns it first from one tree does not pass it on down the other.
 */
export function localUpdateSent(ctx: SyncContext, update: Uint8Array): LocalWriteResult {
  // a v1 update opens with its number of struct groups, a varuint: 0 is the byte 0
  const stamped = ctx.graph !== undefined && update[0] !== 0;
  return updateSent(ctx, update, stamped ? ctx.agentId : null);
}

function updateSent(ctx: SyncContext, update: Uint8Array, origin: number | null): LocalWriteResult {
  checkLocalUpdate(update);
  const encoded = toBase64(update);
  return {
    outbox: ctx.neighbours.map((n) => stateUpdate(ctx, n, encoded, origin)),
    syncsCompleted: 0,
    syncs: [],
    changed: true,
    update,
  };
}

/**
 * The update `fn` made to `doc` (Yjs 'update' events, merged), or null if nothing changed.
 * The one way this module captures changes: re-applying known data emits no event.
 */
export function appliedUpdate(doc: Y.Doc, fn: () => void): Uint8Array | null {
  const captured: Uint8Array[] = [];
  const listener = (update: Uint8Array): void => {
    captured.push(update);
  };
  doc.on('update', listener);
  try {
    fn();
  } finally {
    doc.off('update', listener);
  }
  if (captured.length <= 1) return captured[0] ?? null;
  return Y.mergeUpdates(captured);
}

function check(ctx: SyncContext, env: Envelope): Checked {
  if (env.type !== 'Heartbeat' && env.to !== ctx.agentId) {
    throw new AgentError(
      'wrong-agent',
      `envelope ${env.id} is addressed to agent ${env.to}, not to agent ${ctx.agentId}`,
    );
  }
  switch (env.type) {
    case 'SyncRequest': {
      const sv = bytes(env.payload.sv, env, 'sv');
      return { kind: 'request', env, sv, remote: decodeStateVectorStrict(sv) };
    }
    case 'SyncResponse':
    case 'StateUpdate': {
      const update = bytes(env.payload.update, env, 'update');
      return { kind: 'update', env, update, decoded: validateUpdate(update), origin: treeOrigin(ctx, env) };
    }
    case 'Heartbeat':
    case 'Ack':
      return { kind: 'notice', env };
    default:
      return unexpectedCase(env);
  }
}

/**
 * Sync step 1 from `req.from`. Reply with what it lacks, but only if it lacks something (more
 * structs, or different deletions), so a converged network stays quiet on ticks. If it holds
 * structs or deletions we lack, ask back at once instead of waiting for our next tick.
 * This terminates: a request is only ever answered, never forwarded, and the request we send
 * back carries our digest, which matches the sender's once it applied our reply.
 */
/**
 * Whether every SyncRequest in `envs` may be answerable from the summary (answerFromSummary) once
 * the batch's updates are applied: the summary only grows, so a requester that lacks something
 * now or holds other deletions will still need the doc, unless the log can answer it (logSuffices,
 * when the caller can read the log). Told before any update is decoded.
 */
function requestsAnswerable(summary: AgentSummary, envs: readonly Envelope[], log: boolean, snapshot: boolean): boolean {
  const requests = envs.filter((env): env is SyncRequest => env.type === 'SyncRequest');
  if (requests.length === 0) return true;
  if (summary.delete_set === undefined) return false;
  const local = summaryStateVector(summary);
  const ds = storedDeleteSetDigest(summary.delete_set);
  return requests.every((req) => {
    if (!isBase64(req.payload.sv)) return false;
    try {
      const remote = decodeStateVectorStrict(fromBase64(req.payload.sv));
      return (req.payload.ds === ds && !exceeds(local, remote)) || (log && logSuffices(summary, remote)) || (log && snapshot && holdsNothing(remote));
    } catch {
      return false; // the doc path refuses it with the reason
    }
  });
}

/**
 * Whether a requester holding `remote` holds everything the summary's snapshot holds, so that what
 * it lacks is all in the log. False without a snapshot (or one whose state vector was not
 * recorded, AgentSummary.snapshot): the log is then the whole doc, and Yjs's update-level diff of
 * every blob cost more than loading the doc (76 against 55 ms for a 25 KB doc in ~40 blobs, in the
 * component); with one, the log is a tail of at most MAX_STORED_OVERHEAD's share of it.
 */
function logSuffices(summary: AgentSummary, remote: Map<number, number>): boolean {
  const snapshots = summary.blobs.filter(isSnapshotKey);
  const { snapshot } = summary;
  if (snapshots.length !== 1 || snapshot === undefined || snapshot.key !== snapshots[0]) return false;
  return Object.entries(snapshot.state_vector).every(([client, clock]) => (remote.get(Number(client)) ?? 0) >= clock);
}

/**
 * answer() from the log when the requester lacks something and holds all the snapshot does: the
 * log blobs (`blobs`, the batch's updates among them) diffed against its state vector, merged, and
 * the whole delete set, as encodeStateAsUpdate would give it. On a large doc this costs the log's
 * few KB instead of loading the doc (~150-450 ms at 700 KB in the component). Null when the
 * snapshot may hold something it lacks, or when the answer would not fit one envelope.
 */
function answerFromLog(ctx: SyncContext, summary: AgentSummary, req: SyncRequest, sv: Uint8Array, remote: Map<number, number>, blobs: readonly Uint8Array[]): Envelope[] | null {
  if (summary.delete_set === undefined || !logSuffices(summary, remote)) return null;
  const update = Y.mergeUpdates([deleteSetUpdate(summary.delete_set), ...blobs.map((blob) => Y.diffUpdate(blob, sv))]);
  if (update.length > MAX_ENVELOPE_UPDATE_BYTES) return null;
  const local = summaryStateVector(summary);
  const ds = storedDeleteSetDigest(summary.delete_set);
  const outbox: Envelope[] = [syncResponse(ctx, req.from, toBase64(update))];
  if (exceeds(remote, local) || req.payload.ds !== ds) outbox.push(syncRequest(ctx, req.from, summaryStateVectorBase64(summary), ds));
  return outbox;
}

/** A requester that holds nothing yet: a fresh neighbour, or one that lost its store. */
function holdsNothing(remote: Map<number, number>): boolean {
  return [...remote.values()].every((clock) => clock === 0);
}

/**
 * answer() for a requester holding nothing (holdsNothing): the stored blobs as they are, the
 * snapshot (if any) as one part and the log merged with the whole delete set as the other, so
 * nothing is diffed or decoded but the log. Null when a part would not fit one envelope (the doc
 * path splits by writer). The parts may carry content the doc has since garbage-collected; the
 * delete set removes it at the requester, as it did here.
 */
function answerFromBlobs(ctx: SyncContext, summary: AgentSummary, req: SyncRequest, remote: Map<number, number>, snapshot: Uint8Array | null, log: readonly Uint8Array[]): Envelope[] | null {
  if (summary.delete_set === undefined) return null;
  const parts = [...(snapshot === null ? [] : [snapshot]), Y.mergeUpdates([deleteSetUpdate(summary.delete_set), ...log])];
  if (parts.some((part) => part.length > MAX_ENVELOPE_UPDATE_BYTES)) return null;
  const local = summaryStateVector(summary);
  const ds = storedDeleteSetDigest(summary.delete_set);
  const outbox: Envelope[] = parts.map((part) => syncResponse(ctx, req.from, toBase64(part)));
  if (exceeds(remote, local) || req.payload.ds !== ds) outbox.push(syncRequest(ctx, req.from, summaryStateVectorBase64(summary), ds));
  return outbox;
}

/**
 * answer() from the summary (after the batch's updates): when the requester lacks nothing and
 * holds our deletions (most requests of a settled network), all it may need is our own request;
 * null when it lacks something, which only the doc can encode.
 */
function answerFromSummary(ctx: SyncContext, summary: AgentSummary, req: SyncRequest, remote: Map<number, number>): Envelope[] | null {
  if (summary.delete_set === undefined) return null;
  const local = summaryStateVector(summary);
  const ds = storedDeleteSetDigest(summary.delete_set);
  if (req.payload.ds !== ds || exceeds(local, remote)) return null;
  return exceeds(remote, local) ? [syncRequest(ctx, req.from, summaryStateVectorBase64(summary), ds)] : [];
}

function answer(ctx: SyncContext, doc: Y.Doc, req: SyncRequest, sv: Uint8Array, remote: Map<number, number>): Envelope[] {
  const localSv = Y.encodeStateVector(doc);
  const local = Y.decodeStateVector(localSv);
  const ds = deleteSetDigest(doc);
  const dsDiffers = req.payload.ds !== ds;
  const theyLack = exceeds(local, remote);
  const weLack = exceeds(remote, local);
  const outbox: Envelope[] = [];
  if (theyLack || dsDiffers) {
    for (const update of missingUpdates(doc, local, remote, sv)) outbox.push(syncResponse(ctx, req.from, toBase64(update)));
  }
  if (weLack || dsDiffers) outbox.push(syncRequest(ctx, req.from, toBase64(localSv), ds));
  return outbox;
}

/**
 * What `remote` lacks, as updates of at most MAX_ENVELOPE_UPDATE_BYTES each (a fresh neighbour of
 * a big document needs several). Split by writer: each part holds some clients' missing structs
 * (and the delete set), so every part applies on its own. One writer's structs are never split:
 * a single write is at most the limit (onLocalWrite), so only an e-graph tick or a document from
 * before writers-per-request could exceed it, and such a part is sent whole.
 */
function missingUpdates(doc: Y.Doc, local: Map<number, number>, remote: Map<number, number>, sv: Uint8Array): Uint8Array[] {
  const whole = Y.encodeStateAsUpdate(doc, sv);
  if (whole.length <= MAX_ENVELOPE_UPDATE_BYTES) return [whole];
  const lacking = [...local].filter(([client, clock]) => clock > (remote.get(client) ?? 0)).map(([client]) => client);
  const parts: Uint8Array[] = [];
  const split = (clients: number[]): void => {
    // claim to hold everything of every other client, so only `clients` are encoded
    const target = new Map(local);
    for (const client of clients) target.set(client, remote.get(client) ?? 0);
    const part = Y.encodeStateAsUpdate(doc, Y.encodeStateVector(target));
    if (part.length <= MAX_ENVELOPE_UPDATE_BYTES || clients.length <= 1) {
      parts.push(part);
      return;
    }
    const half = Math.ceil(clients.length / 2);
    split(clients.slice(0, half));
    split(clients.slice(half));
  };
  split(lacking);
  return parts;
}

/** Updates grouped so that each group's total stays within MAX_ENVELOPE_UPDATE_BYTES. */
function bySize<T>(updates: readonly T[], size: (update: T) => number): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const update of updates) {
    if (current.length > 0 && bytes + size(update) > MAX_ENVELOPE_UPDATE_BYTES) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(update);
    bytes += size(update);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * A summary's state vector as a map, once per summary object: each SyncRequest a batch weighs or
 * answers asks for it (thousands of writers under a rate ladder). Summaries' state vectors are
 * never changed in place (a move copies first).
 */
const stateVectors = new WeakMap<Record<string, number>, { map: Map<number, number>; base64?: string }>();

function knownStateVector(summary: Pick<AgentSummary, 'state_vector'>): { map: Map<number, number>; base64?: string } {
  let known = stateVectors.get(summary.state_vector);
  if (known === undefined) stateVectors.set(summary.state_vector, (known = { map: new Map(Object.entries(summary.state_vector).map(([client, clock]) => [Number(client), clock])) }));
  return known;
}

function summaryStateVector(summary: Pick<AgentSummary, 'state_vector'>): ReadonlyMap<number, number> {
  return knownStateVector(summary).map;
}

/** The summary's state vector as a SyncRequest carries it (Yjs's encoding, base64). */
function summaryStateVectorBase64(summary: Pick<AgentSummary, 'state_vector'>): string {
  const known = knownStateVector(summary);
  return (known.base64 ??= toBase64(Y.encodeStateVector(known.map)));
}

/** Whether `a` holds a clock beyond `b` for some client. */
function exceeds(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): boolean {
  for (const [client, clock] of a) if (clock > (b.get(client) ?? 0)) return true;
  return false;
}

function bytes(s: string, env: Envelope, field: string): Uint8Array {
  // parseEnvelope already checked this; typed callers that skip it get the same error.
  if (!isBase64(s)) throw new AgentError('bad-envelope', `envelope.payload.${field} must be a padded base64 string`, env.id);
  return fromBase64(s);
}

function header(ctx: SyncContext): { v: typeof ENVELOPE_VERSION; id: string; from: number; ts: number; hlc: string } {
  return { v: ENVELOPE_VERSION, id: ctx.newId(), from: ctx.agentId, ts: ctx.now(), hlc: ctx.clock.tick() };
}

function syncRequest(ctx: SyncContext, to: number, sv: string, ds: string): SyncRequest {
  return { ...header(ctx), type: 'SyncRequest', to, payload: { sv, ds } };
}

function syncResponse(ctx: SyncContext, to: number, update: string): SyncResponse {
  return { ...header(ctx), type: 'SyncResponse', to, payload: { update } };
}

/** `origin`: the relay tree the update goes down (see relays); null: flooded */
function stateUpdate(ctx: SyncContext, to: number, update: string, origin: number | null): StateUpdate {
  return { ...header(ctx), type: 'StateUpdate', to, payload: origin === null ? { update } : { update, origin } };
}
