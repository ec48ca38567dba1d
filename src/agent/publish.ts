// A user's write leaves at once: the agent hands the envelopes it owes its neighbours (and the
// write's timeline events) to the gateway over outbound HTTP, and the gateway publishes them on
// NATS. Spin components have no NATS client; outbound HTTP to a host in allowed_outbound_hosts is
// what Spin gives them. When the gateway cannot be reached the caller keeps them for the next tick.
import type { Envelope, TimelineEvent } from '../core/index.ts';
import { TRACEPARENT } from '../shared/trace-context.ts';
import type { AgentConfig } from './config.ts';

/**
 * Whether the gateway took them (202). Never throws: a failed hand-over falls back to the tick.
 * `traceparent`: the write's W3C trace, which the envelopes carry on from the gateway.
 */
export async function publishNow(config: AgentConfig, outbox: readonly Envelope[], timeline: readonly TimelineEvent[], traceparent: string | null): Promise<boolean> {
  if (config.gatewayUrl === null || (outbox.length === 0 && timeline.length === 0)) return false;
  try {
    const response = await fetch(`${config.gatewayUrl}/publish/${config.agentId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(config.authToken === null ? {} : { authorization: `Bearer ${config.authToken}` }),
        ...(traceparent === null ? {} : { [TRACEPARENT]: traceparent }),
      },
      body: JSON.stringify({ outbox, timeline }),
    });
    await response.arrayBuffer();
    return response.status === 202;
  } catch {
    return false;
  }
}
