/**
 * The `requestState` the router hands a 2026 client with `input_required`: an opaque string the client sends
 * back with its answers. It names the held call and what it was (method and name), carries its expiry, and is
 * signed with a key only this router process holds, so a tampered, foreign or stale one is refused rather
 * than trusted. HMAC-SHA256 from node:crypto: synchronous and cheap, and one call per round trip.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface HeldCallClaim {
  /** The held call's id. */
  call: string;
  method: string;
  name: string;
  /** Expiry, ms since the epoch on the router's clock. */
  expires: number;
}

export type OpenedState = { claim: HeldCallClaim } | { problem: string };

const VERSION = 'r1';

export class RequestStateSealer {
  constructor(private readonly key: Buffer = randomBytes(32)) {}

  seal(claim: HeldCallClaim): string {
    const body = Buffer.from(JSON.stringify([claim.call, claim.method, claim.name, claim.expires])).toString(
      'base64url',
    );
    return `${VERSION}.${body}.${this.mac(body)}`;
  }

  /** The claim in a state the client sent back, or why it is refused. Expiry is checked by the caller's clock. */
  open(state: unknown): OpenedState {
    if (typeof state !== 'string') return { problem: 'requestState must be a string' };
    const [version, body, mac] = state.split('.');
    if (version !== VERSION || !body || !mac) return { problem: 'requestState was not issued by this router' };
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { problem: 'requestState failed its integrity check (tampered, or issued by another router)' };
    try {
      const [call, method, name, expires] = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as [
        string,
        string,
        string,
        number,
      ];
      return { claim: { call, method, name, expires } };
    } catch {
      return { problem: 'requestState could not be read' };
    }
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
