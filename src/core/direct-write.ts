// A user's write to the data map without loading the doc: the Yjs update `Y.Map#set` (or
// `#delete`) would make, built from what the agent's summary records of the key, and the summary
// moved by it. Loading the doc costs a write more than everything else it does (16 of ~50 ms in
// the component at a few hundred writes), and a write needs of the doc only the key's current item.
//
// Y.Map#set(key, v) in a doc makes one Item: ID (writer, writer's next clock), origin = the last ID
// of the key's current item (if any), no right origin, content ContentAny([v]); and deletes the
// current item if it is visible. The update here encodes exactly that (Yjs's own Item#write), so
// every replica integrates it as it would the doc's. It is only as right as the summary: callers
// use it only when the summary describes exactly the stored blobs (summaryHolds).
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import type { AgentSummary, DataItem } from './agent-record.ts';
import { DATA } from './doc.ts';
import { addSum, isPlain, lastContent, mapEntryElement, subSum, sumFromHex, sumHex, svElement, digestOf, type DigestSum } from './digest.ts';

/** The update and the summary that describes the doc with it (blobs and stored_bytes: the caller's). */
export interface DirectWrite {
  update: Uint8Array;
  summary: AgentSummary;
}

/** What a summary records of a data-map key's current item (see AgentSummary.data_items). */
export function dataItemOf(key: string, item: Y.Item): DataItem {
  // Loading merges a writer's consecutive deleted items (one struct of length 2 or more), so the
  // item is recorded by its last ID, the origin of whatever comes next. A visible map item is one
  // value long; anything else is not for writing on without the doc.
  const last = item.id.clock + item.length - 1;
  if (item.deleted) return [item.id.client, last, null];
  const value = lastContent(item);
  return [item.id.client, last, isPlain(value) && item.length === 1 ? sumHex(mapEntryElement(DATA, key, value)) : false];
}

/**
 * `data.set(key, value)` written as `client` (whose next clock the summary's state vector holds);
 * null when the summary cannot say what the doc would do (no item records, or a nested value).
 */
export function directSet(summary: AgentSummary, client: number, key: string, value: unknown): DirectWrite | null {
  const items = summary.data_items;
  if (items === undefined || !isPlain(value)) return null;
  const current = items[key];
  if (current !== undefined && current[2] === false) return null;
  const clock = summary.state_vector[String(client)] ?? 0;
  const origin = current === undefined ? null : Y.createID(current[0], current[1]);
  // A root map's item names its parent only when it has no origin; a string parent is the root's name.
  const item = new Y.Item(Y.createID(client, clock), null, origin, null, null, DATA as unknown as Y.AbstractType<unknown>, key, new Y.ContentAny([value]));
  const encoder = new Y.UpdateEncoderV1();
  encoding.writeVarUint(encoder.restEncoder, 1); // one writer's structs
  encoding.writeVarUint(encoder.restEncoder, 1); // one struct
  encoder.writeClient(client);
  encoding.writeVarUint(encoder.restEncoder, clock);
  item.write(encoder, 0);
  writeDeletion(encoder, current !== undefined && current[2] !== null ? current : null);

  const element = mapEntryElement(DATA, key, value);
  let sv = sumFromHex(summary.digest_parts.sv);
  if (clock > 0) sv = subSum(sv, svElement(client, clock));
  sv = addSum(sv, svElement(client, clock + 1));
  let content = sumFromHex(summary.digest_parts.content);
  if (current !== undefined && typeof current[2] === 'string') content = subSum(content, sumFromHex(current[2]));
  content = addSum(content, element);
  return {
    update: encoder.toUint8Array(),
    summary: moved(summary, sv, content, {
      state_vector: { ...summary.state_vector, [String(client)]: clock + 1 },
      data_keys: summary.data_keys.includes(key) ? summary.data_keys : [...summary.data_keys, key].sort(),
      data_items: { ...items, [key]: [client, clock, sumHex(element)] },
    }),
  };
}

/** `data.delete(key)`: a delete set alone (no struct, no writer); null as for directSet, or when the key is not visible. */
export function directDelete(summary: AgentSummary, key: string): DirectWrite | null {
  const current = summary.data_items?.[key];
  if (current === undefined || typeof current[2] !== 'string') return null;
  const encoder = new Y.UpdateEncoderV1();
  encoding.writeVarUint(encoder.restEncoder, 0); // no structs
  writeDeletion(encoder, current);
  const content = subSum(sumFromHex(summary.digest_parts.content), sumFromHex(current[2]));
  return {
    update: encoder.toUint8Array(),
    summary: moved(summary, sumFromHex(summary.digest_parts.sv), content, {
      data_keys: summary.data_keys.filter((k) => k !== key),
      data_items: { ...summary.data_items, [key]: [current[0], current[1], null] },
    }),
  };
}

/** The delete set of an update: `item` (one value long: visible), or nothing. */
function writeDeletion(encoder: Y.UpdateEncoderV1, item: DataItem | null): void {
  if (item === null) {
    encoding.writeVarUint(encoder.restEncoder, 0);
    return;
  }
  encoding.writeVarUint(encoder.restEncoder, 1); // one client
  encoder.resetDsCurVal();
  encoding.writeVarUint(encoder.restEncoder, item[0]);
  encoding.writeVarUint(encoder.restEncoder, 1); // one range
  encoder.writeDsClock(item[1]);
  encoder.writeDsLen(1);
}

function moved(summary: AgentSummary, sv: DigestSum, content: DigestSum, changes: Partial<AgentSummary>): AgentSummary {
  const parts = { sv, content };
  return { ...summary, ...changes, state_digest: digestOf(parts), digest_parts: { sv: sumHex(sv), content: sumHex(content) }, doc_bytes_stale: true };
}
