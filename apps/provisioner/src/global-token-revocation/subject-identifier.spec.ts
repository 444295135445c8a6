import { GlobalTokenRevocationError } from './global-token-revocation.errors';
import { parseGlobalTokenRevocationRequest } from './subject-identifier';

function refusal(body: unknown): { status: number; code: string; detail: string } {
  try {
    parseGlobalTokenRevocationRequest(body);
  } catch (error) {
    expect(error).toBeInstanceOf(GlobalTokenRevocationError);
    const e = error as GlobalTokenRevocationError;
    return { status: e.status, code: e.code, detail: e.message };
  }
  throw new Error('accepted');
}

describe('the Global Token Revocation request body (draft -06 §3.2, RFC 9493 subject identifiers)', () => {
  it('takes the three formats the draft shows', () => {
    expect(parseGlobalTokenRevocationRequest({ sub_id: { format: 'opaque', id: 'e193177dfdc52e3dd03f78c' } })).toEqual({
      format: 'opaque',
      id: 'e193177dfdc52e3dd03f78c',
    });
    expect(parseGlobalTokenRevocationRequest({ sub_id: { format: 'iss_sub', iss: 'https://issuer.example.com/', sub: 'af19c476f1dc' } })).toEqual({
      format: 'iss_sub',
      iss: 'https://issuer.example.com/',
      sub: 'af19c476f1dc',
    });
    expect(parseGlobalTokenRevocationRequest({ sub_id: { format: 'email', email: 'user@example.com' } })).toEqual({
      format: 'email',
      email: 'user@example.com',
    });
  });

  it('ignores members of sub_id its format does not use (a format may be extended)', () => {
    expect(parseGlobalTokenRevocationRequest({ sub_id: { format: 'email', email: 'a@b.example', note: 'x' } })).toEqual({
      format: 'email',
      email: 'a@b.example',
    });
  });

  it.each([
    ['not an object', 'just text'],
    ['an array', [{ sub_id: { format: 'opaque', id: 'x' } }]],
    ['null', null],
    ['no sub_id', { hostileProbe: true }],
    ['another top-level member', { sub_id: { format: 'opaque', id: 'x' }, extra: 1 }],
    ['sub_id not an object', { sub_id: 'user@example.com' }],
    ['no format', { sub_id: { id: 'x' } }],
    ['format not a string', { sub_id: { format: 7, id: 'x' } }],
    ['opaque without id', { sub_id: { format: 'opaque' } }],
    ['opaque with an empty id', { sub_id: { format: 'opaque', id: '  ' } }],
    ['iss_sub without sub', { sub_id: { format: 'iss_sub', iss: 'https://idp.example' } }],
    ['email not an address', { sub_id: { format: 'email', email: 'not-an-address' } }],
    ['a member far too long', { sub_id: { format: 'opaque', id: 'x'.repeat(3000) } }],
  ])('refuses %s with 400 GTR_INVALID_REQUEST', (_why, body) => {
    expect(refusal(body)).toMatchObject({ status: 400, code: 'GTR_INVALID_REQUEST' });
  });

  it('refuses formats it does not take with 400 GTR_UNSUPPORTED_SUBJECT_FORMAT (§3.4.2), naming only registered ones', () => {
    expect(refusal({ sub_id: { format: 'phone_number', phone_number: '+12065550100' } })).toEqual({
      status: 400,
      code: 'GTR_UNSUPPORTED_SUBJECT_FORMAT',
      detail: 'The subject identifier format phone_number is not supported here; use one of opaque, iss_sub, email.',
    });
    expect(refusal({ sub_id: { format: 'secret-looking-format-xyz', id: 'x' } }).detail).not.toContain('secret-looking');
  });

  it('never quotes what the caller sent', () => {
    const marker = 'caller-sent-this-7f3a';
    for (const body of [
      { sub_id: { format: 'email', email: `${marker}` } },
      { sub_id: { format: marker } },
      { [marker]: 1, sub_id: { format: 'opaque', id: 'x' } },
      { sub_id: { format: 'opaque', id: marker.repeat(200) } },
    ]) {
      expect(JSON.stringify(refusal(body))).not.toContain(marker);
    }
  });
});
