// /doc: the agent's document as one Yjs update (backups, standard Yjs clients catching up), and a
// Yjs update merged in (restores, such clients' edits). The read merges the stored blobs as
// encoded updates (Yjs's mergeUpdates and diffUpdate, as y-redis serves Yjs) without building a doc.
import * as Y from 'yjs';
import { AgentError, decodeStateVectorStrict, fromBase64, isBase64, onMergedUpdate } from '../../core/index.ts';
import { readBinaryBody } from '../../spin/http.ts';
import { localWriteDone } from '../answers.ts';
import type { AgentRequest } from '../request.ts';

/** An update that changes nothing (no structs, no deletions). */
const EMPTY_UPDATE = new Uint8Array([0, 0]);

export function getDoc({ request, persistence }: AgentRequest): Response {
  const sv = stateVectorParam(new URL(request.url).searchParams.get('sv'));
  const { updates } = persistence().loadBlobs();
  const whole = updates.length === 0 ? EMPTY_UPDATE : updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates);
  const body = sv === null ? whole : Y.diffUpdate(whole, sv);
  // Yjs hands out views of plain ArrayBuffers
  return new Response(body as Uint8Array<ArrayBuffer>, { status: 200, headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.length) } });
}

export async function postDoc({ request, session, config }: AgentRequest): Promise<Response> {
  const update = await readBinaryBody(request);
  const s = session();
  const { outbox, update: taught } = onMergedUpdate(s.syncContext(), s.doc, update);
  s.timeline.writeApplied(taught?.length ?? 0, { op: 'merge', bytes: update.length });
  // `relayed`: to the neighbours with this answer, by anti-entropy (too large for one envelope), or not at all (nothing new)
  const relayed: MergedAnswer['relayed'] = outbox.length > 0 ? 'now' : taught === null ? 'nothing new' : 'anti-entropy';
  return localWriteDone(s, outbox, { agent_id: config.agentId, bytes: update.length, changed: taught !== null, relayed } satisfies MergedAnswer);
}

/** What POST /agent/:id/doc answers (inside WriteAnswer). */
export interface MergedAnswer {
  agent_id: number;
  /** the update's size */
  bytes: number;
  /** whether it taught the agent anything */
  changed: boolean;
  relayed: 'now' | 'anti-entropy' | 'nothing new';
}

/**
 * `?sv=`: a state vector (Y.encodeStateVector) in base64, standard or URL-safe; a `+` a query
 * string turned into a space is taken back. Null when absent.
 */
function stateVectorParam(param: string | null): Uint8Array | null {
  if (param === null) return null;
  const standard = param.replace(/ /g, '+').replace(/-/g, '+').replace(/_/g, '/');
  const padded = standard + '='.repeat((4 - (standard.length % 4)) % 4);
  if (!isBase64(padded)) throw new AgentError('bad-request', 'sv must be a state vector in base64', 'Y.encodeStateVector(doc), base64 or base64url');
  const sv = fromBase64(padded);
  decodeStateVectorStrict(sv);
  return sv;
}
