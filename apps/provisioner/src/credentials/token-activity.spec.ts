import { issuedAtMs, revokedByNotBefore } from './token-activity';

describe('revoke-all by a not-before instant', () => {
  const revokeAt = Date.UTC(2025, 0, 1, 12, 0, 10, 500);

  it('makes a token issued earlier in the same second inactive', () => {
    const issued = issuedAtMs({ iat: Math.floor((revokeAt - 300) / 1000), iat_ms: revokeAt - 300 });

    expect(revokedByNotBefore(issued, revokeAt)).toBe(true);
  });

  it('keeps a token issued later in the same second active', () => {
    const issued = issuedAtMs({ iat: Math.floor((revokeAt + 300) / 1000), iat_ms: revokeAt + 300 });

    expect(revokedByNotBefore(issued, revokeAt)).toBe(false);
  });

  it('makes a token issued in the very millisecond of the revoke-all inactive', () => {
    expect(revokedByNotBefore(issuedAtMs({ iat: Math.floor(revokeAt / 1000), iat_ms: revokeAt }), revokeAt)).toBe(true);
  });

  it('without a usable iat_ms, counts the token as issued at the start of its iat second', () => {
    const sameSecond = Math.floor(revokeAt / 1000);

    expect(revokedByNotBefore(issuedAtMs({ iat: sameSecond }), revokeAt)).toBe(true);
    // iat_ms that disagrees with iat is ignored.
    expect(revokedByNotBefore(issuedAtMs({ iat: sameSecond, iat_ms: revokeAt + 5000 }), revokeAt)).toBe(true);
    expect(revokedByNotBefore(issuedAtMs({ iat: sameSecond + 1 }), revokeAt)).toBe(false);
  });

  it('never revokes anything for an agent never revoked (-infinity)', () => {
    expect(revokedByNotBefore(issuedAtMs({ iat: 0 }), Number.NEGATIVE_INFINITY)).toBe(false);
  });
});
