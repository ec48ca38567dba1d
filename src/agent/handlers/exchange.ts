// The gateway's routes: /inbox (envelopes from the neighbours) and /tick (heartbeat, anti-entropy,
// then this agent's colour of rewrites).
import { carriesState, foldsConstants, MAX_EGRAPH_RECORDS, onEnvelopes, onNotices, onTick, parseEnvelopes, rulesFor, saturateDoc, termsMap, unionsMap } from '../../core/index.ts';
import { readJsonBody } from '../../spin/http.ts';
import { sent } from '../answers.ts';
import type { AgentRequest } from '../request.ts';
import type { AgentSession } from '../session.ts';
import { EnvelopeSigner } from '../signing.ts';

export async function inbox({ request, session }: AgentRequest): Promise<Response> {
  const body = await readJsonBody(request);
  const s = session();
  const envelopes = parseEnvelopes(body, s.config.maxBufferSize);
  await (await EnvelopeSigner.open(s.config.envelopeKey))?.verify(envelopes);
  s.received(envelopes);
  // A batch of acks and heartbeats (half of all deliveries) is counted without loading the doc.
  const result = carriesState(envelopes) ? onEnvelopes(s.syncContext(), s.doc, envelopes) : onNotices(s.syncContext(), envelopes);
  return sent(s, envelopes, result.outbox, result.syncs);
}

// A tick: heartbeat and anti-entropy, then this agent's colour of rewrites. Saturation is skipped
// while the e-graph is exactly as the last saturated run left it (grow-only sets: equal sizes
// mean equal content), so a quiet network stays cheap.
export function tick({ session }: AgentRequest): Promise<Response> {
  const s = session();
  const ctx = s.syncContext();
  s.settle();
  const result = onTick(ctx, s.doc, s.digest());
  const sizes = egraphSizes(s);
  const last = s.meta.saturated;
  if (sizes.terms === 0 || (last && last.terms === sizes.terms && last.unions === sizes.unions)) {
    return sent(s, [], result.outbox, result.syncs);
  }
  const colour = s.colour();
  if (sizes.terms + sizes.unions >= MAX_EGRAPH_RECORDS) {
    s.meta = { ...s.meta, saturated: sizes };
    s.persistence.saveMeta(s.meta);
    const saturation = { colour, stop: 'node-limit', iterations: 0, rewrites: 0, new_terms: 0, new_unions: 0 };
    return sent(s, [], result.outbox, result.syncs, { saturation });
  }
  const started = s.now();
  const run = saturateDoc(ctx, s.doc, s.kernel(), rulesFor(colour), { foldConstants: foldsConstants(colour) });
  const durationMs = s.now() - started;
  // At a fixpoint or at the node cap there is nothing to do until the sets grow again.
  const done = run.result.stop === 'saturated' || run.result.stop === 'node-limit';
  s.meta = { ...s.meta, saturated: done ? egraphSizes(s) : null };
  s.persistence.saveMeta(s.meta);
  const saturation = {
    colour,
    stop: run.result.stop,
    iterations: run.result.iterations,
    rewrites: run.result.rewrites,
    new_terms: run.newTerms,
    new_unions: run.newUnions,
  };
  s.timeline.rewriteApplied(durationMs, { ...saturation, rules: ruleCounts(run.result.newUnions) });
  if (run.classes.after < run.classes.before) {
    s.timeline.classesMerged({ classes_before: run.classes.before, classes_after: run.classes.after, unions: run.newUnions });
  }
  return sent(s, [], [...result.outbox, ...run.outbox], result.syncs, { saturation });
}

function ruleCounts(unions: readonly { rule: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const u of unions) counts[u.rule] = (counts[u.rule] ?? 0) + 1;
  return counts;
}

function egraphSizes(s: AgentSession): { terms: number; unions: number } {
  return { terms: termsMap(s.doc).size, unions: unionsMap(s.doc).size };
}
