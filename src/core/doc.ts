// The replicated document's schema, and the gate every foreign Yjs byte passes before it may
// touch a document.
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { AgentError } from './errors.ts';

/** Y.Map of user data (`PUT /agent/:id/data/:key`). */
export const DATA = 'data';
/** Y.Map of hash-consed e-graph terms, keyed by content hash (reserved for the e-graph). */
export const TERMS = 'terms';
/** Y.Map of proven equalities with provenance, keyed by content hash (reserved for the e-graph). */
export const UNIONS = 'unions';
/** Y.Map of the terms users posted, keyed by content hash (reserved for the e-graph). */
export const ROOTS = 'roots';

/** Never a writer's clientID (see identity.ts), so loading can borrow it. */
const LOADING_CLIENT_ID = 0;

/**
 * A fresh document that writes as `clientId`. The guid is fixed because it never travels in
 * updates, and a fixed one spares a random draw per request.
 */
export function createAgentDoc(clientId: number): Y.Doc {
  if (!Number.isInteger(clientId) || clientId < 0 || clientId > 0xffff_ffff) {
    throw new AgentError('bad-request', 'clientId must be an unsigned 32-bit integer', String(clientId));
  }
  const doc = new Y.Doc({ gc: true, guid: 'crdt-agent' });
  doc.clientID = clientId;
  return doc;
}

export function dataMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(DATA);
}

/**
 * A doc holding the persisted updates, writing as the clientID `writer` picks once it knows the
 * clock the doc holds of each client (0: none), e.g. a fresh one (identity.ts) or a leased one.
 *
 * Yjs treats every applied update as remote (it forces `transaction.local = false`) and, when a
 * remote update adds structs under the doc's own clientID, switches to a random clientID, taking
 * it for a concurrent session. So the updates are applied under the reserved clientID 0 (no
 * writer ever gets it) and the writer is chosen only afterwards.
 */
export function loadDoc(updates: readonly Uint8Array[], writer: (clockOf: (client: number) => number) => number): Y.Doc {
  const doc = createAgentDoc(LOADING_CLIENT_ID);
  Y.transact(doc, () => {
    for (const update of updates) Y.applyUpdate(doc, update);
  }, 'load');
  doc.clientID = writer((client) => Y.getState(doc.store, client));
  return doc;
}

/**
 * Throws AgentError 'bad-update' unless `update` is a well-formed Yjs v1 update; returns it
 * decoded (whoever reads its structs next need not decode it again). Touches no doc.
 *
 * Well-formed is more than "Y.decodeUpdate does not throw", which accepts trailing junk (so a
 * zero byte followed by anything passes) and structures that later crash `applyUpdate` halfway,
 * leaving the doc damaged. Measured by mutating real updates: beyond decoding, these three checks
 * left no update that decodes yet fails to apply:
 * - every byte is consumed;
 * - every struct and every delete-set range has a positive length;
 * - an item refers to its own client only at earlier clocks (origin, right origin, parent):
 *   causality makes anything else impossible, and Yjs assumes it without checking.
 * An update whose dependencies we lack is still well-formed: Yjs keeps it pending.
 * Out of reach here: a well-formed update that reuses ids we already hold with other content.
 * That is a lying peer rather than a corrupt message; only signed envelopes can stop it.
 */
export function validateUpdate(update: Uint8Array): DecodedUpdate {
  const seen: { reader?: decoding.Decoder } = {};
  // Y.decodeUpdateV2 accepts the decoder class to use; a subclass lets us see where it stopped.
  class Tracked extends Y.UpdateDecoderV1 {
    constructor(d: decoding.Decoder) {
      super(d);
      seen.reader = d;
    }
  }
  let decoded: DecodedUpdate;
  try {
    decoded = Y.decodeUpdateV2(update, Tracked);
  } catch (err) {
    throw badUpdate('cannot be decoded', err instanceof Error ? err.message : String(err));
  }
  const end = seen.reader?.pos ?? -1;
  if (end !== update.length) throw badUpdate('has trailing bytes', `decoded ${end} of ${update.length} bytes`);
  for (const struct of decoded.structs) {
    if (struct.length < 1) throw badUpdate('has an empty struct', idText(struct.id));
    if (!(struct instanceof Y.Item)) continue;
    for (const ref of [struct.origin, struct.rightOrigin, struct.parent]) {
      if (ref instanceof Y.ID && ref.client === struct.id.client && ref.clock >= struct.id.clock) {
        throw badUpdate('has an item referring to its own future', `${idText(struct.id)} -> ${idText(ref)}`);
      }
    }
  }
  for (const [client, ranges] of decoded.ds.clients) {
    if (ranges.some((r) => r.len < 1)) throw badUpdate('has an empty delete range', `client ${client}`);
  }
  return decoded;
}

/** An update's structs and delete set, as Y.decodeUpdate gives them. */
export type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>;

/**
 * Most writers a state vector may list. An agent's own doc holds a few dozen (writers are leased,
 * agent/writers.ts), a long-lived network some thousands; measured in the component, a SyncRequest
 * listing 100,000 made its agent spend 8.3 s on the one envelope.
 */
export const MAX_STATE_VECTOR_CLIENTS = 10_000;

/**
 * Decodes a state vector (`Y.encodeStateVector` bytes) strictly: AgentError 'bad-update' on
 * malformed or trailing bytes instead of Yjs's silent partial read, and on more than
 * MAX_STATE_VECTOR_CLIENTS entries before decoding any.
 */
export function decodeStateVectorStrict(sv: Uint8Array): Map<number, number> {
  let count: number;
  try {
    count = decoding.readVarUint(decoding.createDecoder(sv));
  } catch (err) {
    throw new AgentError('bad-update', 'state vector cannot be decoded', err instanceof Error ? err.message : String(err));
  }
  if (count > MAX_STATE_VECTOR_CLIENTS) {
    throw new AgentError('bad-update', `state vector lists more than ${MAX_STATE_VECTOR_CLIENTS} writers`, `${count} entries`);
  }
  let map: Map<number, number>;
  try {
    map = Y.decodeStateVector(sv);
  } catch (err) {
    throw new AgentError('bad-update', 'state vector cannot be decoded', err instanceof Error ? err.message : String(err));
  }
  // Re-encoding is canonical (sorted clients) and loses nothing, so a length mismatch means junk.
  if (encodedStateVectorLength(map) !== sv.length) {
    throw new AgentError('bad-update', 'state vector has trailing or duplicate entries', `${sv.length} bytes`);
  }
  return map;
}

function encodedStateVectorLength(sv: Map<number, number>): number {
  let n = varUintLength(sv.size);
  for (const [client, clock] of sv) n += varUintLength(client) + varUintLength(clock);
  return n;
}

function varUintLength(n: number): number {
  let len = 1;
  while (n > 0x7f) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

function badUpdate(what: string, detail: string): AgentError {
  return new AgentError('bad-update', `update ${what}`, detail);
}

function idText(id: Y.ID): string {
  return `${id.client}:${id.clock}`;
}

/**
 * What Yjs holds back because its dependencies have not arrived yet (structs and delete sets),
 * as one update, or null. Yjs emits no 'update' event for these, so a store that persists only
 * emitted updates must persist this too or lose it when the request ends.
 */
export function pendingUpdate(doc: Y.Doc): Uint8Array | null {
  const parts: Uint8Array[] = [];
  if (doc.store.pendingStructs !== null) parts.push(doc.store.pendingStructs.update);
  if (doc.store.pendingDs !== null) parts.push(doc.store.pendingDs);
  // Yjs keeps both in its v2 encoding; everything we store and send is v1.
  return parts.length === 0 ? null : Y.convertUpdateFormatV2ToV1(Y.mergeUpdatesV2(parts));
}
