// W3C Trace Context (`traceparent: 00-<trace-id>-<parent-id>-<flags>`): how one write is followed
// across hops. The agent forwards its request's traceparent with the write's envelopes, the gateway
// carries it on NATS as a message header and into the next agent's POST /inbox, and every timeline
// event a traced request records names the trace (`trace_id`). Spin's own spans, when its OTLP
// export is on, join the same trace through the same header.

export const TRACEPARENT = 'traceparent';

const TRACEPARENT_TEXT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

export interface TraceParent {
  traceId: string;
  /** the caller's span */
  parentId: string;
  /** trace-flags, e.g. "01": sampled */
  flags: string;
}

/** A valid version-00 traceparent header, else null (an invalid one is ignored, as the spec asks). */
export function parseTraceparent(header: string | null | undefined): TraceParent | null {
  const m = TRACEPARENT_TEXT.exec(header?.trim() ?? '');
  if (m === null || m[1] === ZERO_TRACE || m[2] === ZERO_SPAN) return null;
  return { traceId: m[1]!, parentId: m[2]!, flags: m[3]! };
}

/**
 * The traceparent of a new span: in `parent`'s trace when it is a valid traceparent, else the
 * root of a new trace (sampled). `random(n)` gives n random bytes.
 */
export function childTraceparent(parent: string | null | undefined, random: (n: number) => Uint8Array): string {
  const known = parseTraceparent(parent);
  const traceId = known?.traceId ?? nonZeroHex(random, 16);
  return `00-${traceId}-${nonZeroHex(random, 8)}-${known?.flags ?? '01'}`;
}

function nonZeroHex(random: (n: number) => Uint8Array, bytes: number): string {
  for (;;) {
    const hex = Array.from(random(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
    if (/[^0]/.test(hex)) return hex;
  }
}
