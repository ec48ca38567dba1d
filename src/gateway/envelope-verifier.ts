// The gateway checks envelope signatures (the app's envelope_key, as ENVELOPE_KEY) at the door,
// before an envelope joins an agent's lane: a flood of forged envelopes from someone who can
// publish on the broker but lacks the key then costs a microsecond each here, instead of an inbox
// request each at the agent (which still verifies, end to end). The gateway already holds the
// app's write token, so holding the key widens nothing.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { signedText, type Envelope } from '../core/wire.ts';

export class EnvelopeVerifier {
  constructor(private readonly key: string) {}

  /** true when `envelope` carries this app's signature over exactly its fields */
  signed(envelope: Envelope): boolean {
    if (typeof envelope.sig !== 'string') return false;
    let text: string;
    try {
      text = signedText(envelope);
    } catch {
      return false; // a payload the agent would refuse anyway (e.g. not an object)
    }
    const expected = createHmac('sha256', this.key).update(text).digest();
    const given = Buffer.from(envelope.sig, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
