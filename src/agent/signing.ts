// Envelopes signed end to end with HMAC-SHA256 under the app's `envelope_key` variable: a client
// that can publish on the broker (a leaked gateway password, a tool) cannot forge an agent's
// envelope or alter one in flight without the key, which only the app's components hold. HMAC
// rather than Ed25519: every agent must verify every sender, so per-agent key pairs would still
// put all public keys, and one secret per component, in the manifest for no gain inside one app;
// and StarlingMonkey computes HMAC natively (crypto.subtle), where Ed25519 would run in the
// interpreter. Without a key nothing is signed or checked (tests, a host of one's own).
import { AgentError, checkEach, secretEquals, signedText, type Envelope } from '../core/index.ts';
import { toBase64 } from '../shared/base64.ts';

export class EnvelopeSigner {
  private constructor(private readonly key: CryptoKey) {}

  /** null when the app has no envelope_key */
  static async open(secret: string | null): Promise<EnvelopeSigner | null> {
    if (secret === null) return null;
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return new EnvelopeSigner(key);
  }

  async sign(envelopes: readonly Envelope[]): Promise<Envelope[]> {
    return Promise.all(envelopes.map(async (e) => ({ ...e, sig: await this.mac(e) })));
  }

  /**
   * Throws AgentError 'bad-envelope' naming every envelope without a valid signature (checkEach).
   * Verified by signing again and comparing, not with crypto.subtle.verify: StarlingMonkey's verify
   * answered false for about one valid signature in 2,000-10,000 (a batch of good envelopes
   * refused); its sign never differed in 60,000 probes.
   */
  async verify(envelopes: readonly Envelope[]): Promise<void> {
    const valid: boolean[] = [];
    for (const e of envelopes) valid.push(e.sig !== undefined && secretEquals(e.sig, await this.mac(e)));
    checkEach(envelopes, (e, i) => {
      if (!valid[i]) {
        throw new AgentError('bad-envelope', `envelopes[${i}] is ${e.sig === undefined ? 'not signed' : 'not signed by this app'} (envelope_key)`, `${e.type} ${e.id} from ${e.from}`);
      }
    });
  }

  /** the envelope's signature: base64 HMAC-SHA256 of its signed text */
  private async mac(e: Envelope): Promise<string> {
    return toBase64(new Uint8Array(await crypto.subtle.sign('HMAC', this.key, new TextEncoder().encode(signedText(e)))));
  }
}
