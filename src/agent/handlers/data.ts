// /data/:key: a user's JSON values in the doc's data map, written through core's onLocalWrite.
import { AgentError, checkStorableValue, DATA, dataMap, localUpdateSent, onLocalWrite } from '../../core/index.ts';
import { json, readJsonBody } from '../../spin/http.ts';
import { localWriteDone } from '../answers.ts';
import type { AgentRequest } from '../request.ts';
import { DELETED } from '../session.ts';

// A read needs no doc when the summary and the key's value record say it all (session.dataWithoutDoc);
// one that opens the doc leaves the record behind for the next.
export function getData({ session, key }: AgentRequest): Response {
  const s = session();
  const known = s.dataWithoutDoc(key);
  if (known === 'absent') throw notFound(key);
  if (known !== null) return json(200, { key, value: known.value } satisfies DataAnswer);
  const data = dataMap(s.doc);
  if (!data.has(key)) throw notFound(key);
  const value = data.get(key);
  s.rememberValue(key, value);
  return json(200, { key, value } satisfies DataAnswer);
}

function notFound(key: string): AgentError {
  return new AgentError('not-found', `no data under key ${JSON.stringify(key)}`);
}

/** What GET /agent/:id/data/:key answers (PUT answers WriteAnswer<DataAnswer>). */
export interface DataAnswer {
  key: string;
  value: unknown;
}

// Writes go without the doc when the agent's summary allows (session.writeWithoutDoc), else through it.
export async function putData({ request, session, key }: AgentRequest): Promise<Response> {
  const value = await readJsonBody(request);
  checkStorableValue(value);
  const s = session();
  const direct = s.writeWithoutDoc(key, value);
  const { outbox, update } = direct !== null ? localUpdateSent(s.syncContext(), direct) : onLocalWrite(s.syncContext(), s.doc, (doc) => dataMap(doc).set(key, value));
  s.timeline.writeApplied(update?.length ?? 0, { op: 'put', key });
  const response = await localWriteDone(s, outbox, { key, value });
  s.rememberValue(key, value); // once the write is saved: a record must never name an item that was not
  return response;
}

export function deleteData({ session, key }: AgentRequest): Promise<Response> {
  const s = session();
  const direct = s.writeWithoutDoc(key, DELETED);
  if (direct === null && !s.doc.getMap(DATA).has(key)) throw notFound(key);
  const { outbox, update } = direct !== null ? localUpdateSent(s.syncContext(), direct) : onLocalWrite(s.syncContext(), s.doc, (doc) => dataMap(doc).delete(key));
  s.timeline.writeApplied(update?.length ?? 0, { op: 'delete', key });
  s.values.delete(key);
  return localWriteDone(s, outbox, { key, deleted: true } satisfies DeletedAnswer);
}

/** What DELETE /agent/:id/data/:key answers (inside WriteAnswer). */
export interface DeletedAnswer {
  key: string;
  deleted: true;
}
