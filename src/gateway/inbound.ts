// What arrives on NATS: envelopes for the agents this gateway serves, checked at the door (routable,
// addressed to the agent whose subject it came on, signed with the envelope key), and heartbeats,
// which feed liveness.
import { agentOfSubject, type Envelope } from '../core/wire.ts';
import type { Logger } from '../shared/log.ts';
import type { EnvelopeVerifier } from './envelope-verifier.ts';
import { heartbeatDigest, isRoutable } from './routable.ts';

export interface InboundCounts {
  /** inbound messages without an envelope's routing fields, or for an agent we do not serve */
  unroutable: number;
  /** inbound envelopes (heartbeats too) without the app's signature, dropped at the door (ENVELOPE_KEY set) */
  forged: number;
  /** envelopes the test-only fault injection lost between NATS and the agent */
  fault_dropped: number;
}

export interface InboundOptions {
  agentCount: number;
  verifier: EnvelopeVerifier | null;
  log: Logger;
  /** an envelope for a served agent, checked, with the traceparent it came with */
  deliver: (agent: number, envelope: Envelope, traceparent: string | undefined) => void;
  heartbeat: (agent: number, digest: string | null) => void;
  /** true → the envelope is lost between NATS and the agent (tests) */
  dropDelivery?: (envelope: Envelope) => boolean;
}

export class Inbound {
  readonly counts: InboundCounts = { unroutable: 0, forged: 0, fault_dropped: 0 };

  constructor(private readonly options: InboundOptions) {}

  readonly onEnvelope = (subject: string, data: unknown, traceparent?: string): void => {
    const { log } = this.options;
    const agent = this.addressee(subject);
    if (!isRoutable(data) || agent === null || data.to !== agent) {
      this.counts.unroutable += 1;
      log('warn', 'inbound message not routable; dropped', { subject, to: isRoutable(data) ? data.to : undefined, agents: this.options.agentCount });
      return;
    }
    if (!this.authentic(subject, data)) return;
    if (this.options.dropDelivery?.(data) === true) {
      this.counts.fault_dropped += 1;
      log('debug', 'fault injection dropped delivery', { subject, id: data.id, type: data.type });
      return;
    }
    this.options.deliver(agent, data, traceparent);
  };

  readonly onHeartbeat = (subject: string, data: unknown): void => {
    const agent = this.addressee(subject);
    if (!isRoutable(data) || data.type !== 'Heartbeat' || agent === null || data.from !== agent) {
      this.counts.unroutable += 1;
      this.options.log('warn', 'heartbeat not understood; ignored', { subject });
      return;
    }
    if (!this.authentic(subject, data)) return;
    this.options.heartbeat(agent, heartbeatDigest(data));
  };

  /** the agent a subject addresses, if it is one of the network's */
  private addressee(subject: string): number | null {
    const agent: unknown = agentOfSubject(subject);
    return typeof agent === 'number' && Number.isInteger(agent) && agent >= 0 && agent < this.options.agentCount ? agent : null;
  }

  /** false (and counted, and logged now and then: a flood must not flood the log) for a forged envelope */
  private authentic(subject: string, envelope: Envelope): boolean {
    const { verifier, log } = this.options;
    if (verifier === null || verifier.signed(envelope)) return true;
    this.counts.forged += 1;
    const level = this.counts.forged === 1 || this.counts.forged % 1_000 === 0 ? 'warn' : 'debug';
    log(level, 'envelope not signed with the envelope key; dropped', { subject, id: envelope.id, type: envelope.type, from: envelope.from, forged_total: this.counts.forged });
    return false;
  }
}
