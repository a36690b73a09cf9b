/**
 * The era verdicts a backend's probe leaves: used on the next connection of the same config (auto only), a
 * modern one dropped when a connection fails, a legacy one expiring after LEGACY_VERDICT_MS; and which errors
 * mean "no version in common" (a permanent, named failure) rather than an outage.
 */
import { SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import {
  LEGACY_VERDICT_MS,
  ProtocolRefusedError,
  Verdicts,
  protocolRefusal,
  verdictKey,
} from '../../src/backends/backend-era';

const discover = { supportedVersions: ['2026-07-28'], capabilities: {}, resultType: 'complete' } as never;
const config = { transport: 'stdio', command: 'node', args: ['s.js'], protocol: 'auto' as const };

describe('era verdicts', () => {
  let now = 0;
  const verdicts = () => new Verdicts(() => now);

  it('are used for the same config, and not for another', () => {
    const v = verdicts();
    v.remember('a', verdictKey(config), discover);
    expect(v.prior('a', verdictKey(config), 'auto')).toEqual({ kind: 'modern', discover });
    expect(v.prior('a', verdictKey({ ...config, args: ['t.js'] }), 'auto')).toBeUndefined();
  });

  it('are not used when the config pins a protocol', () => {
    const v = verdicts();
    v.remember('a', verdictKey(config), discover);
    expect(v.prior('a', verdictKey(config), '2026-07-28')).toBeUndefined();
  });

  it('a modern one goes when a connection fails; a legacy one stays, until it expires', () => {
    const v = verdicts();
    v.remember('m', 'k', discover);
    v.remember('l', 'k', undefined);
    v.failed('m');
    v.failed('l');
    expect(v.prior('m', 'k', 'auto')).toBeUndefined();
    expect(v.prior('l', 'k', 'auto')).toEqual({ kind: 'legacy' });
    now += LEGACY_VERDICT_MS + 1;
    expect(v.prior('l', 'k', 'auto')).toBeUndefined();
  });
});

describe('a refusal of every version offered', () => {
  it('is named and permanent', () => {
    const error = new SdkError(
      SdkErrorCode.EraNegotiationFailed,
      'Version negotiation failed: the server did not offer pinned protocol version 2026-07-28 via server/discover',
    );
    const refusal = protocolRefusal(error, '2026-07-28');
    expect(refusal).toBeInstanceOf(ProtocolRefusedError);
    expect(refusal!.permanent).toBe(true);
    expect(refusal!.message).toMatch(/speaks no MCP version the router offers: the router offers 2026-07-28 only/);
  });

  it('an outage is not one', () => {
    expect(protocolRefusal(new Error('fetch failed'), 'auto')).toBeUndefined();
  });
});
