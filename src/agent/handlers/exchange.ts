// The gateway's routes: /inbox (envelopes from the neighbours) and /tick (heartbeat, anti-entropy,
// then this agent's colour of rewrites).
import { carriesState, onNotices, onTick, parseEnvelopes, saturateOnTick } from '../../core/index.ts';
import { readJsonBody } from '../../spin/http.ts';
import { sent } from '../answers.ts';
import type { AgentRequest } from '../request.ts';
import { EnvelopeSigner } from '../signing.ts';

export async function inbox({ request, session }: AgentRequest): Promise<Response> {
  const body = await readJsonBody(request);
  const s = session();
  const envelopes = parseEnvelopes(body, s.config.maxBufferSize);
  await (await EnvelopeSigner.open(s.config.envelopeKey))?.verify(envelopes);
  s.received(envelopes);
  s.countEGraphLater();
  // A batch of acks and heartbeats (half of all deliveries) is counted without loading the doc,
  // and most batches of neighbours' writes and e-graph records are applied without it too.
  const result = carriesState(envelopes) ? s.receiveWithoutDoc(envelopes) ?? s.receiveWithDoc(envelopes) : onNotices(s.syncContext(), envelopes);
  return sent(s, envelopes, result.outbox, result.syncs);
}

// A tick: heartbeat and anti-entropy, then this agent's colour of rewrites (core's saturateOnTick
// decides whether there is anything to do and reports what it did).
export function tick({ session }: AgentRequest): Promise<Response> {
  const s = session();
  // a quiet agent's tick (most of them, once a network settles) needs no doc
  const quiet = s.quietTick();
  if (quiet !== null) return sent(s, [], quiet.outbox, quiet.syncs);
  const ctx = s.syncContext();
  const result = onTick(ctx, s.doc, s.digest());
  const run = saturateOnTick(ctx, s.doc, () => s.kernel(), s.colour(), s.meta.saturated);
  if (run.counted !== null) s.countedEGraph(run.counted);
  // Settling encodes the whole doc: a tick that wrote rewrites leaves doc_bytes stale for a tick
  // that writes none (or a compaction) to measure.
  if ((run.report?.new_terms ?? 0) + (run.report?.new_unions ?? 0) === 0) s.settle();
  const { report } = run;
  if (report === null) return sent(s, [], result.outbox, result.syncs);
  s.meta = { ...s.meta, saturated: run.saturated };
  s.persistence.saveMeta(s.meta);
  const saturation = { colour: report.colour, stop: report.stop, iterations: report.iterations, rewrites: report.rewrites, new_terms: report.new_terms, new_unions: report.new_unions };
  if (run.ran) {
    s.timeline.rewriteApplied(report.duration_ms, { ...saturation, rules: report.rules });
    if (report.classes.after < report.classes.before) {
      s.timeline.classesMerged({ classes_before: report.classes.before, classes_after: report.classes.after, unions: report.new_unions });
    }
  }
  return sent(s, [], [...result.outbox, ...run.outbox], result.syncs, { saturation });
}
