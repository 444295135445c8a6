import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { CompactSign, exportJWK } from 'jose';

import { SetVerifier } from './set-verifier';

const REAL_WORLD = resolve(__dirname, '../../../../../test/fixtures/real-world');
// The published SET, as if issued a minute ago (its own iat is years old: past the maximum age, tested below).
const SET = {
  ...JSON.parse(readFileSync(resolve(REAL_WORLD, 'ssf/risc.account-disabled.phone-subject.json'), 'utf8')),
  iat: Math.floor(Date.now() / 1000) - 60,
};
const transmitter = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = transmitter.publicKey.export({ format: 'pem', type: 'spki' }).toString();

function sign(payload: unknown, key: KeyObject = transmitter.privateKey, header: Record<string, unknown> = { alg: 'ES256', typ: 'secevent+jwt' }) {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader(header as { alg: string }).sign(key);
}

const verifier = new SetVerifier({ publicKey: pem, issuer: SET.iss, audience: [SET.aud] });

async function refusal(token: string): Promise<unknown> {
  return verifier.verify(token).then(
    () => 'accepted',
    (error) => ({ err: error.err, status: error.status }),
  );
}

describe('SET verification', () => {
  it('accepts the published RISC SET signed by the configured transmitter key, without exp', async () => {
    const set = await verifier.verify(await sign(SET));

    expect(set).toMatchObject({ iss: SET.iss, jti: SET.jti, iat: SET.iat, subId: SET.sub_id });
  });

  it('keeps the txn of a SET (the published CAEP SET carries one), and accepts a SET without', async () => {
    const caep = { ...JSON.parse(readFileSync(resolve(REAL_WORLD, 'ssf/caep.credential-change.json'), 'utf8')), iss: SET.iss, aud: SET.aud, iat: SET.iat };
    await expect(verifier.verify(await sign(caep))).resolves.toMatchObject({ txn: '8675309' });
    expect(await verifier.verify(await sign({ ...SET, txn: undefined }))).not.toHaveProperty('txn');
  });

  it('accepts a key given as JWK, and a SET without typ', async () => {
    const jwk = JSON.stringify(await exportJWK(transmitter.publicKey));
    const byJwk = new SetVerifier({ publicKey: jwk, issuer: SET.iss, audience: ['other', SET.aud] });

    await expect(byJwk.verify(await sign(SET, transmitter.privateKey, { alg: 'ES256' }))).resolves.toMatchObject({ jti: SET.jti });
  });

  it.each([
    ['signed with another key', async () => sign(SET, attacker.privateKey), 'authentication_failed'],
    ['from another issuer', async () => sign({ ...SET, iss: 'https://evil.example.com/' }), 'invalid_issuer'],
    ['for another audience', async () => sign({ ...SET, aud: ['https://other.example.com/'] }), 'invalid_audience'],
    ['with a typ other than secevent+jwt', async () => sign(SET, transmitter.privateKey, { alg: 'ES256', typ: 'JWT' }), 'invalid_request'],
    ['with an algorithm the key cannot have', async () => `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.e30.sig`, 'invalid_key'],
    [
      'unsigned (alg none)',
      async () => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(SET)).toString('base64url')}.`,
      'invalid_key',
    ],
    ['with iat in the future', async () => sign({ ...SET, iat: Math.floor(Date.now() / 1000) + 3600 }), 'invalid_request'],
    ['without jti', async () => sign({ ...SET, jti: undefined }), 'invalid_request'],
    ['with a txn that is not a string', async () => sign({ ...SET, txn: 8675309 }), 'invalid_request'],
    ['without events', async () => sign({ ...SET, events: {} }), 'invalid_request'],
    ['expired (beyond the clock tolerance)', async () => sign({ ...SET, exp: SET.iat - 3600 }), 'invalid_request'],
    [
      'issued longer ago than the maximum age (a day by default)',
      async () => sign({ ...SET, iat: Math.floor(Date.now() / 1000) - 2 * 86_400 }),
      'invalid_request',
    ],
    ['with a NUL in its jti (text no database stores)', async () => sign({ ...SET, jti: 'jti\u0000' }), 'invalid_request'],
    ['with an unpaired surrogate in an event', async () => sign({ ...SET, events: { [Object.keys(SET.events)[0]]: { reason: '\ud800' } } }), 'invalid_request'],
    ['not a JWS', async () => 'not-a-token', 'invalid_request'],
    ['encrypted (JWE)', async () => 'a.b.c.d.e', 'invalid_request'],
  ])('refuses a SET %s', async (_name, token, err) => {
    await expect(refusal(await token())).resolves.toEqual({ err, status: 400 });
  });
});
