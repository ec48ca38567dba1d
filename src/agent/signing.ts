// Envelopes signed end to end with HMAC-SHA256 under the app's `envelope_key` variable: a client
// that can publish on the broker (a leaked gateway password, a tool) cannot forge an agent's
// envelope or alter one in flight without the key, which only the app's components hold. HMAC
// rather than Ed25519: every agent must verify every sender, so per-agent key pairs would still
// put all public keys, and one secret per component, in the manifest for no gain inside one app;
// and StarlingMonkey computes HMAC natively (crypto.subtle), where Ed25519 would run in the
// interpreter. Without a key nothing is signed or checked (tests, a host of one's own).
import { AgentError, checkEach, signedText, type Envelope } from '../core/index.ts';
import { fromBase64, toBase64 } from '../shared/base64.ts';

export class EnvelopeSigner {
  private constructor(private readonly key: CryptoKey) {}

  /** null when the app has no envelope_key */
  static async open(secret: string | null): Promise<EnvelopeSigner | null> {
    if (secret === null) return null;
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    return new EnvelopeSigner(key);
  }

  async sign(envelopes: readonly Envelope[]): Promise<Envelope[]> {
    return Promise.all(
      envelopes.map(async (e) => {
        const mac = await crypto.subtle.sign('HMAC', this.key, new TextEncoder().encode(signedText(e)));
        return { ...e, sig: toBase64(new Uint8Array(mac)) };
      }),
    );
  }

  /** Throws AgentError 'bad-envelope' naming every envelope without a valid signature (checkEach). */
  async verify(envelopes: readonly Envelope[]): Promise<void> {
    const valid = await Promise.all(
      envelopes.map(async (e) => e.sig !== undefined && (await crypto.subtle.verify('HMAC', this.key, Uint8Array.from(fromBase64(e.sig)), new TextEncoder().encode(signedText(e))))),
    );
    checkEach(envelopes, (e, i) => {
      if (!valid[i]) {
        throw new AgentError('bad-envelope', `envelopes[${i}] is ${e.sig === undefined ? 'not signed' : 'not signed by this app'} (envelope_key)`, `${e.type} ${e.id} from ${e.from}`);
      }
    });
  }
}
