import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { ssfSubjectCandidates } from './ssf-subject';
import { SsfError } from './ssf.errors';

const REAL_WORLD = resolve(__dirname, '../../../../../test/fixtures/real-world');
const fixture = (name: string) => JSON.parse(readFileSync(resolve(REAL_WORLD, 'ssf', name), 'utf8'));
const ISS = 'https://idp.example.com/';

describe('SSF subject matching', () => {
  it('reads the phone_number subject of the published RISC account-disabled SET', () => {
    const set = fixture('risc.account-disabled.phone-subject.json');

    expect(ssfSubjectCandidates(set.sub_id, set.iss)).toEqual([{ phone: '+1 206 555 0123' }]);
  });

  it('reads the user of the published complex CAEP session-revoked subject, not its session or tenant', () => {
    const set = fixture('caep.session-revoked.complex-subject.json');

    expect(ssfSubjectCandidates(set.sub_id, set.iss)).toEqual([
      { source: 'https://idp.example.com/123456789/', externalId: '99beb27c-c1c2-4955-882a-e0dc4996fcbc' },
    ]);
  });

  it('tries an iss_sub that looks like an email as the external id first, then as the email (published credential-change)', () => {
    const set = fixture('caep.credential-change.json');

    expect(ssfSubjectCandidates(set.sub_id, set.iss)).toEqual([
      { source: 'https://idp.example.com/3456789/', externalId: 'jane.smith@example.com' },
      { email: 'jane.smith@example.com' },
    ]);
  });

  it.each([
    ['email', { format: 'email', email: 'jane@example.com' }, [{ email: 'jane@example.com' }]],
    ['opaque', { format: 'opaque', id: '11112222333344445555' }, [{ source: ISS, externalId: '11112222333344445555' }]],
    ['account', { format: 'account', uri: 'acct:jane%2Bwork@example.com' }, [{ email: 'jane+work@example.com' }]],
    ['uri with mailto', { format: 'uri', uri: 'mailto:jane@example.com' }, [{ email: 'jane@example.com' }]],
    ['uri', { format: 'uri', uri: 'https://example.com/users/7' }, [{ source: ISS, externalId: 'https://example.com/users/7' }]],
    ['did', { format: 'did', url: 'did:example:123' }, [{ source: ISS, externalId: 'did:example:123' }]],
    ['a legacy subject_type iss-sub', { subject_type: 'iss-sub', iss: ISS, sub: 'u-1' }, [{ source: ISS, externalId: 'u-1' }]],
    ['a legacy subject_type phone', { subject_type: 'phone', phone_number: '+12065550123' }, [{ phone: '+12065550123' }]],
    [
      'a complex subject without format',
      { user: { format: 'email', email: 'a@example.com' }, device: { format: 'opaque', id: 'd' } },
      [{ email: 'a@example.com' }],
    ],
    ['a complex subject with no user', { format: 'complex', session: { format: 'opaque', id: 's' } }, []],
    ['jwt_id (names no person)', { format: 'jwt_id', iss: ISS, jti: 'j' }, []],
    ['an unknown format', { format: 'x-custom', id: '1' }, []],
  ])('matches %s', (_name, subject, expected) => {
    expect(ssfSubjectCandidates(subject, ISS)).toEqual(expected);
  });

  it('tries every alias in order', () => {
    const subject = {
      format: 'aliases',
      identifiers: [
        { format: 'email', email: 'user@example.com' },
        { format: 'phone_number', phone_number: '+12065550100' },
        { format: 'iss_sub', iss: ISS, sub: 'abc' },
      ],
    };

    expect(ssfSubjectCandidates(subject, ISS)).toEqual([{ email: 'user@example.com' }, { phone: '+12065550100' }, { source: ISS, externalId: 'abc' }]);
  });

  it.each([
    ['not an object', 'jane@example.com'],
    ['no format', { email: 'jane@example.com' }],
    ['email without email', { format: 'email' }],
    ['iss_sub without sub', { format: 'iss_sub', iss: ISS }],
    ['account that is not acct:', { format: 'account', uri: 'https://x' }],
    ['aliases without identifiers', { format: 'aliases', identifiers: [] }],
    ['nested aliases', { format: 'aliases', identifiers: [{ format: 'aliases', identifiers: [{ format: 'email', email: 'a@b.c' }] }] }],
  ])('refuses a subject that is %s', (_name, subject) => {
    expect(() => ssfSubjectCandidates(subject, ISS)).toThrow(SsfError);
  });
});
