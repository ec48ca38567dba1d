// /data/:key: a user's JSON values in the doc's data map, written through core's onLocalWrite.
import { AgentError, checkStorableValue, DATA, dataMap, localUpdateSent, onLocalWrite } from '../../core/index.ts';
import { json, readJsonBody } from '../../spin/http.ts';
import { localWriteDone } from '../answers.ts';
import type { AgentRequest } from '../request.ts';
import { DELETED } from '../session.ts';

export function getData({ session, key }: AgentRequest): Response {
  const s = session();
  const data = dataMap(s.doc);
  if (!data.has(key)) throw new AgentError('not-found', `no data under key ${JSON.stringify(key)}`);
  return json(200, { key, value: data.get(key) } satisfies DataAnswer);
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
  return localWriteDone(s, outbox, { key, value });
}

export function deleteData({ session, key }: AgentRequest): Promise<Response> {
  const s = session();
  const direct = s.writeWithoutDoc(key, DELETED);
  if (direct === null && !s.doc.getMap(DATA).has(key)) throw new AgentError('not-found', `no data under key ${JSON.stringify(key)}`);
  const { outbox, update } = direct !== null ? localUpdateSent(s.syncContext(), direct) : onLocalWrite(s.syncContext(), s.doc, (doc) => dataMap(doc).delete(key));
  s.timeline.writeApplied(update?.length ?? 0, { op: 'delete', key });
  return localWriteDone(s, outbox, { key, deleted: true } satisfies DeletedAnswer);
}

/** What DELETE /agent/:id/data/:key answers (inside WriteAnswer). */
export interface DeletedAnswer {
  key: string;
  deleted: true;
}
