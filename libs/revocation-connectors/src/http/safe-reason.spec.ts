import { MAX_BODY_CHARS, safeSnippet } from './safe-reason';

describe('safeSnippet', () => {
  it('removes the known secrets in every encoding a receiver might echo them in', () => {
    const secret = 'p@ss w+rd/é"1';
    const echoed = `raw ${secret} form ${new URLSearchParams({ s: secret }).toString()} uri ${encodeURIComponent(secret)} json ${JSON.stringify(secret)}`;
    const snippet = safeSnippet(echoed, [secret]);
    expect(snippet).not.toContain('p@ss');
    expect(snippet).not.toContain('p%40ss');
  });

  it('removes token-like strings it was not told about', () => {
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhZ2VudCJ9.c2lnbmF0dXJl';
    const snippet = safeSnippet(`token ${jwt}; Authorization: Bearer abc.def; {"access_token":"short1"}; key=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA`, []);
    expect(snippet).toBe('token [redacted]; Authorization: Bearer [redacted]; {"access_token":"[redacted]"}; [redacted]');
  });

  it('keeps ordinary error words, flattens control characters and cuts to 200 characters', () => {
    expect(safeSnippet('{"error":"unsupported_token_type"}\r\n', [])).toBe('{"error":"unsupported_token_type"}');
    const long = safeSnippet('x '.repeat(500), []);
    expect(long.length).toBe(MAX_BODY_CHARS + 1);
    expect(long.endsWith('…')).toBe(true);
  });
});
