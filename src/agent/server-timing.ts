// Where one request's time went inside the component, as a W3C `Server-Timing` header
// (`open;dur=3.1, save;dur=1.2, work;dur=0.8`): the bench reads it, and so can a browser's devtools.
// `open` loads the doc from KV, `save` commits what changed, `publish` hands a write to the gateway;
// `work` is the rest of the request (parsing, Yjs, the e-graph, the answer).

export class ServerTiming {
  private readonly spans = new Map<string, number>();
  private readonly startedAt: number;

  /** `clock`: a monotonic millisecond reading (performance.now in the component) */
  constructor(private readonly clock: () => number) {
    this.startedAt = clock();
  }

  measure<T>(phase: string, fn: () => T): T {
    const started = this.clock();
    try {
      return fn();
    } finally {
      this.add(phase, this.clock() - started);
    }
  }

  async measureAsync<T>(phase: string, fn: () => Promise<T>): Promise<T> {
    const started = this.clock();
    try {
      return await fn();
    } finally {
      this.add(phase, this.clock() - started);
    }
  }

  /** The header value: each measured phase, then `work` for the rest of the request so far. */
  header(): string {
    const total = this.clock() - this.startedAt;
    let measured = 0;
    const parts: string[] = [];
    for (const [phase, ms] of this.spans) {
      measured += ms;
      parts.push(`${phase};dur=${ms.toFixed(2)}`);
    }
    parts.push(`work;dur=${Math.max(0, total - measured).toFixed(2)}`);
    return parts.join(', ');
  }

  private add(phase: string, ms: number): void {
    this.spans.set(phase, (this.spans.get(phase) ?? 0) + ms);
  }
}
