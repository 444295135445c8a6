import { createHmac, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';

import { CompactSign } from 'jose';
import { Admin } from 'kafkajs';

import { Role } from '@agentgov/auth';
import { Topics } from '@agentgov/contracts';
import { developmentKeyEncryptionKey } from '@agentgov/sealed-secrets';
import { SeededRandom, waitFor, withTestDatabase } from '@agentgov/test-support';

import { TopicCollector } from './support/kafka-observer';
import { findSecretLeaks, Secret } from './support/log-secrets';
import { RunningServices } from './support/running-services';
import { TokenMint } from './support/token-mint';

const SEED = 8935;
const SCIM_TYPE = 'application/scim+json';
const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const SCIM_PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const SET_TYPE = 'application/secevent+jwt';
const RISC = 'https://schemas.openid.net/secevent/risc/event-type/';
const CAEP = 'https://schemas.openid.net/secevent/caep/event-type/';
const TRANSMITTER = 'https://idp.hostile.example/';
const RECEIVER = 'https://agentgov.hostile.example/';
const SSF_ERRORS = ['invalid_request', 'invalid_key', 'invalid_issuer', 'invalid_audience', 'authentication_failed', 'access_denied'];
const OWNERS_PER_PROTOCOL = 24;
const BAD_PER_PROTOCOL = 600;
const CONCURRENCY = 8;

type Protocol = 'okta' | 'scim' | 'ssf';

interface Exchange {
  protocol: Protocol;
  label: string;
  /** Meant to be accepted (2xx); otherwise it must be refused with a 4xx among `expected`. */
  valid: boolean;
  expected: number[];
  status: number;
  contentType: string;
  text: string;
}

interface Request {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/**
 * The provisioner's HR/IdP ingest endpoints under thousands of hostile requests (malformed, oversized, wrongly
 * typed, unauthenticated, forged, replayed) interleaved with valid deliveries: every bad one is refused with a 4xx
 * and an error its sender can read, in its protocol's own format, and changes nothing; every valid one has its
 * effect once; nothing answers 5xx.
 */
describe('hostile requests on the HTTP ingest endpoints (Okta Event Hook, SCIM 2.0, SSF push)', () => {
  const rng = new SeededRandom(SEED);
  const tag = randomBytes(4).toString('hex');
  const hookSecret = `okta-hook-${randomBytes(24).toString('base64url')}`;
  const transmitter = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const transmitterPem = transmitter.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const mint = new TokenMint();
  const services = new RunningServices({
    provisioner: {
      AUTH_PUBLIC_KEY: mint.publicKeyPem,
      OKTA_EVENT_HOOK_SECRET: hookSecret,
      SSF_TRANSMITTER_PUBLIC_KEY: transmitterPem,
      SSF_TRANSMITTER_ISSUER: TRANSMITTER,
      SSF_AUDIENCE: RECEIVER,
      SSF_CAEP_SESSION_REVOKED: 'suspend',
    },
  });
  const secrets: Secret[] = [
    { name: 'Okta Event Hook secret', value: hookSecret },
    { name: 'SSF transmitter private key (d)', value: (transmitter.privateKey.export({ format: 'jwk' }) as { d: string }).d },
    { name: 'issuer key-encryption key (development)', value: developmentKeyEncryptionKey('issuer').toString('base64') },
  ];
  const exchanges: Exchange[] = [];
  /** What each owner's valid deliveries must have reported, once each. */
  const reports = new Map<string, string[]>();
  const finalStatus = new Map<string, string>();
  let identityTopic: TopicCollector;
  let admin: Admin;
  let ingestToken: string;

  const url = () => services.get('provisioner').url;
  const query = <T = any>(sql: string, params: unknown[]) => withTestDatabase(async (c) => (await c.query(sql, params)).rows as T[]);
  const expectReport = (ownerId: string, kind: string) => reports.set(ownerId, [...(reports.get(ownerId) ?? []), kind]);

  async function send(protocol: Protocol, label: string, valid: boolean, expected: number[], request: Request): Promise<Exchange> {
    const response = await fetch(`${url()}${request.path}`, { method: request.method ?? 'POST', headers: request.headers, body: request.body });
    const exchange: Exchange = {
      protocol,
      label,
      valid,
      expected,
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      text: await response.text(),
    };
    exchanges.push(exchange);
    return exchange;
  }
  const json = (e: Exchange) => JSON.parse(e.text);

  beforeAll(async () => {
    await services.start();
    identityTopic = new TopicCollector(services.get('provisioner').kafka, [services.get('provisioner').topic(Topics.IdentityLifecycle)]);
    await identityTopic.start();
    admin = services.get('provisioner').kafka.admin();
    await admin.connect();
    ingestToken = await mint.valid([Role.Ingest], 'hostile-scim-client');
  }, 60000);

  afterAll(async () => {
    await identityTopic?.stop();
    await admin?.disconnect();
    await services.stop();
  }, 60000);

  // ---- Okta Event Hooks -------------------------------------------------------------------------------------
  const oktaHeaders = (extra: Record<string, string> = {}) => ({ authorization: hookSecret, 'content-type': 'application/json', ...extra });
  const oktaEvent = (userId: string, eventType: string, published: number, extra: Record<string, unknown> = {}) => ({
    uuid: randomUUID(),
    published: new Date(published).toISOString(),
    eventType,
    displayMessage: eventType,
    outcome: { result: 'SUCCESS' },
    target: [{ id: userId, type: 'User', alternateId: `${userId}@hostile.example`, displayName: 'Hostile Owner' }],
    ...extra,
  });
  const delivery = (...events: unknown[]) => JSON.stringify({ eventType: 'com.okta.event_hook', eventId: randomUUID(), data: { events } });

  function oktaUnits(owners: Array<{ id: string; oktaUser: string }>): Array<() => Promise<void>> {
    const units: Array<() => Promise<void>> = owners.map(({ id, oktaUser }, i) => async () => {
      const now = Date.now();
      const suspend = delivery(oktaEvent(oktaUser, 'user.lifecycle.suspend', now - 60_000));
      const first = await send('okta', 'valid suspend', true, [200], { path: '/hooks/okta', headers: oktaHeaders(), body: suspend });
      expect(json(first)).toMatchObject({ reported: [expect.any(String)], duplicates: 0 });
      // Okta redelivers what it did not see acknowledged: the same event again changes nothing.
      const again = await send('okta', 'valid redelivery', true, [200], { path: '/hooks/okta', headers: oktaHeaders(), body: suspend });
      expect(json(again)).toMatchObject({ reported: [], duplicates: 1 });
      expectReport(id, 'owner.suspended');
      finalStatus.set(id, 'suspended');
      if (i % 2 === 0) {
        await send('okta', 'valid unsuspend', true, [200], {
          path: '/hooks/okta',
          headers: oktaHeaders(),
          body: delivery(oktaEvent(oktaUser, 'user.lifecycle.unsuspend', now - 30_000)),
        });
        expectReport(id, 'owner.reinstated');
        finalStatus.set(id, 'active');
      }
    });
    // Accepted and changing nothing: a login, an unknown user, the verification handshake.
    for (let i = 0; i < 20; i++) {
      units.push(async () => {
        await send('okta', 'valid login (ignored)', true, [200], {
          path: '/hooks/okta',
          headers: oktaHeaders(),
          body: delivery(oktaEvent(owners[i % owners.length]!.oktaUser, 'user.session.start', Date.now())),
        });
      });
      units.push(async () => {
        await send('okta', 'valid unknown user', true, [200], {
          path: '/hooks/okta',
          headers: oktaHeaders(),
          body: delivery(oktaEvent(`00u-nobody-${tag}-${i}`, 'user.lifecycle.deactivate', Date.now())),
        });
      });
      units.push(async () => {
        const challenge = rng.ascii(40);
        const verified = await send('okta', 'valid verification', true, [200], {
          method: 'GET',
          path: '/hooks/okta',
          headers: { authorization: hookSecret, 'x-okta-verification-challenge': challenge },
        });
        expect(json(verified)).toEqual({ verification: challenge });
      });
    }
    const target = () => rng.pick(owners).oktaUser;
    const deactivate = (extra: Record<string, unknown> = {}) => oktaEvent(target(), 'user.lifecycle.deactivate', Date.now() - 1000, extra);
    const variants: Array<() => [string, number[], Request]> = [
      () => ['no secret', [401], { path: '/hooks/okta', headers: { 'content-type': 'application/json' }, body: delivery(deactivate()) }],
      () => [
        'wrong secret',
        [401],
        {
          path: '/hooks/okta',
          headers: oktaHeaders({
            authorization: rng.pick([`${hookSecret}x`, hookSecret.slice(0, -1), hookSecret.toUpperCase(), `Bearer ${hookSecret}`, rng.ascii(40)]),
          }),
          body: delivery(deactivate()),
        },
      ],
      () => [
        'secret in another header',
        [401],
        { path: '/hooks/okta', headers: { 'content-type': 'application/json', 'x-okta-secret': hookSecret }, body: delivery(deactivate()) },
      ],
      () => ['verification without secret', [401], { method: 'GET', path: '/hooks/okta', headers: { 'x-okta-verification-challenge': 'c' } }],
      () => ['verification without challenge', [400], { method: 'GET', path: '/hooks/okta', headers: { authorization: hookSecret } }],
      () => [
        'verification challenge too long',
        [400],
        { method: 'GET', path: '/hooks/okta', headers: { authorization: hookSecret, 'x-okta-verification-challenge': 'c'.repeat(1001) } },
      ],
      () => [
        'not JSON media type',
        [415],
        {
          path: '/hooks/okta',
          headers: oktaHeaders({ 'content-type': rng.pick(['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) }),
          body: delivery(deactivate()),
        },
      ],
      () => [
        'unsupported charset',
        [415],
        {
          path: '/hooks/okta',
          headers: oktaHeaders({ 'content-type': `application/json; charset=${rng.pick(['latin1', 'koi8-r', 'x-unknown'])}` }),
          body: delivery(deactivate()),
        },
      ],
      () => ['malformed JSON', [400], { path: '/hooks/okta', headers: oktaHeaders(), body: `{"data":{"events":[${rng.ascii(rng.int(1, 50))}` }],
      () => ['invalid UTF-8', [400], { path: '/hooks/okta', headers: oktaHeaders(), body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }],
      () => [
        'JSON of the wrong shape',
        [400],
        {
          path: '/hooks/okta',
          headers: oktaHeaders(),
          body: rng.pick([
            '[]',
            '"events"',
            '42',
            'null',
            'true',
            '{}',
            '{"data":null}',
            '{"data":{"events":"all"}}',
            '{"data":{"events":[1]}}',
            '{"data":{"events":[{}]}}',
            '{"data":{"events":[{"eventType":7}]}}',
          ]),
        },
      ],
      () => [
        'lifecycle event without uuid',
        [400],
        { path: '/hooks/okta', headers: oktaHeaders(), body: delivery(deactivate({ uuid: rng.pick([undefined, '', 42, 'u'.repeat(201)]) })) },
      ],
      () => [
        'lifecycle event with a bad time',
        [400],
        {
          path: '/hooks/okta',
          headers: oktaHeaders(),
          body: delivery(deactivate({ published: rng.pick(['yesterday', 17, null, '3000-01-01T00:00:00Z', new Date(Date.now() + 86_400_000).toISOString()]) })),
        },
      ],
      () => [
        'more than 1000 events',
        [400],
        {
          path: '/hooks/okta',
          headers: oktaHeaders(),
          body: JSON.stringify({ data: { events: Array.from({ length: 1001 }, () => ({ eventType: 'user.session.start' })) } }),
        },
      ],
      () => [
        'body above the parser limit',
        [413],
        { path: '/hooks/okta', headers: oktaHeaders(), body: JSON.stringify({ data: { events: [deactivate()] }, pad: 'x'.repeat(rng.int(110_000, 400_000)) }) },
      ],
      () => ['deeply nested', [400], { path: '/hooks/okta', headers: oktaHeaders(), body: `${'{"data":'.repeat(9000)}1${'}'.repeat(9000)}` }],
      () => [
        'NUL in a field',
        [400],
        { path: '/hooks/okta', headers: oktaHeaders(), body: delivery(deactivate({ [rng.pick(['uuid', 'displayMessage', 'eventType'])]: 'x\u0000y' })) },
      ],
      () => [
        'unpaired surrogate in the target',
        [400],
        {
          path: '/hooks/okta',
          headers: oktaHeaders(),
          body: JSON.stringify({ data: { events: [oktaEvent('\ud800', 'user.lifecycle.deactivate', Date.now())] } }),
        },
      ],
      () => [
        'unknown route',
        [404],
        { method: rng.pick(['PUT', 'DELETE', 'PATCH']), path: '/hooks/okta', headers: oktaHeaders(), body: delivery(deactivate()) },
      ],
    ];
    for (let i = 0; i < BAD_PER_PROTOCOL; i++) {
      const variant = i < variants.length ? variants[i]! : rng.pick(variants);
      units.push(async () => {
        const [label, expected, request] = variant();
        await send('okta', label, false, expected, request);
      });
    }
    return units;
  }

  // ---- SCIM 2.0 ---------------------------------------------------------------------------------------------
  const scimHeaders = (token: string | null = ingestToken, contentType = SCIM_TYPE) => ({
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    'content-type': contentType,
  });
  const scimUser = (userName: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      schemas: [SCIM_USER],
      userName,
      externalId: `ext-${userName}`,
      name: { givenName: 'Hostile', familyName: 'Owner' },
      emails: [{ value: `${userName}@hostile.example`, primary: true }],
      active: true,
      ...extra,
    });
  const deactivation = JSON.stringify({ schemas: [SCIM_PATCH], Operations: [{ op: 'replace', value: { active: false } }] });

  async function scimUnits(badTokens: Array<{ why: string; token: string }>, wrongRoleTokens: string[]): Promise<Array<() => Promise<void>>> {
    const created: Array<{ id: string; userName: string }> = [];
    const units: Array<() => Promise<void>> = Array.from({ length: OWNERS_PER_PROTOCOL }, (_, i) => async () => {
      const userName = `hostile-${tag}-${i}`;
      const made = await send('scim', 'valid create', true, [201], { path: '/scim/v2/Users', headers: scimHeaders(), body: scimUser(userName) });
      const id = json(made).id as string;
      created.push({ id, userName });
      finalStatus.set(id, 'active');
      // The same create again is refused: userName is unique.
      await send('scim', 'repeated create', false, [409], { path: '/scim/v2/Users', headers: scimHeaders(), body: scimUser(userName) });
      if (i % 3 === 0) {
        await send('scim', 'valid deactivation', true, [200], { method: 'PATCH', path: `/scim/v2/Users/${id}`, headers: scimHeaders(), body: deactivation });
        await send('scim', 'valid repeated deactivation', true, [200], {
          method: 'PATCH',
          path: `/scim/v2/Users/${id}`,
          headers: scimHeaders(),
          body: deactivation,
        });
        expectReport(id, 'owner.terminated');
        finalStatus.set(id, 'terminated');
      } else if (i % 3 === 1) {
        await send('scim', 'valid delete', true, [204], { method: 'DELETE', path: `/scim/v2/Users/${id}`, headers: scimHeaders() });
        // RFC 7644 §3.6: a deleted user is gone; deleting it again is 404, not a second termination.
        await send('scim', 'repeated delete', false, [404], { method: 'DELETE', path: `/scim/v2/Users/${id}`, headers: scimHeaders() });
        expectReport(id, 'owner.terminated');
        finalStatus.set(id, 'terminated');
      } else {
        await send('scim', 'valid replace', true, [200], {
          method: 'PUT',
          path: `/scim/v2/Users/${id}`,
          headers: scimHeaders(),
          body: scimUser(userName, { displayName: '🤖 Hôstile ‮Owner‬' }),
        });
        await send('scim', 'valid read', true, [200], {
          method: 'GET',
          path: `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`,
          headers: scimHeaders(),
        });
      }
    });
    const someone = () => (created.length ? rng.pick(created) : { id: randomUUID(), userName: `hostile-${tag}-0` });
    const user = () => `hostile-${tag}-bad-${rng.int(0, 1e9)}`;
    const variants: Array<() => [string, number[], Request]> = [
      () => ['no token', [401], { path: '/scim/v2/Users', headers: scimHeaders(null), body: scimUser(user()) }],
      () => {
        const bad = rng.pick(badTokens);
        return [`token ${bad.why}`, [401], { method: 'DELETE', path: `/scim/v2/Users/${someone().id}`, headers: scimHeaders(bad.token) }];
      },
      () => [
        'token without the ingest role',
        [403],
        { method: 'PATCH', path: `/scim/v2/Users/${someone().id}`, headers: scimHeaders(rng.pick(wrongRoleTokens)), body: deactivation },
      ],
      () => [
        'not a SCIM media type',
        [415],
        {
          path: '/scim/v2/Users',
          headers: scimHeaders(ingestToken, rng.pick(['text/plain', 'application/xml', 'application/x-www-form-urlencoded'])),
          body: scimUser(user()),
        },
      ],
      () => ['malformed JSON', [400], { path: '/scim/v2/Users', headers: scimHeaders(), body: `{"schemas":[${rng.ascii(rng.int(1, 40))}` }],
      () => [
        'body above the limit',
        [413],
        { path: '/scim/v2/Users', headers: scimHeaders(), body: scimUser(user(), { displayName: 'x'.repeat(rng.int(270_000, 600_000)) }) },
      ],
      () => [
        'User of the wrong shape',
        [400],
        {
          path: '/scim/v2/Users',
          headers: scimHeaders(),
          body: rng.pick([
            '[]',
            '"user"',
            JSON.stringify({ userName: user() }),
            JSON.stringify({ schemas: ['urn:other'], userName: user() }),
            JSON.stringify({ schemas: [SCIM_USER] }),
            scimUser(user(), { userName: 42 }),
            scimUser(user(), { userName: '' }),
            scimUser(user(), { userName: 'u'.repeat(257) }),
            scimUser(user(), { active: 'maybe' }),
            scimUser(user(), { emails: { value: 'a@b.c' } }),
            scimUser(user(), { emails: [1] }),
            scimUser(user(), { name: 'Jane' }),
            scimUser(user(), { displayName: 'd'.repeat(201) }),
            scimUser(user(), { [`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`]: 'x' }),
          ]),
        },
      ],
      () => [
        'NUL or unpaired surrogate in a User',
        [400],
        {
          path: '/scim/v2/Users',
          headers: scimHeaders(),
          body: scimUser(user(), { [rng.pick(['userName', 'displayName', 'externalId'])]: rng.pick(['a\u0000b', 'a\ud800b']) }),
        },
      ],
      () => [
        'bad filter',
        [400],
        {
          method: 'GET',
          path: `/scim/v2/Users?filter=${encodeURIComponent(rng.pick(['userName co "x"', 'x eq y', 'userName eq "a\\u0000"', 'userName eq "\\ud800"', rng.ascii(30)]))}`,
          headers: scimHeaders(),
        },
      ],
      () => [
        'bad paging',
        [400],
        {
          method: 'GET',
          // startIndex below 1 and a count past the maximum are valid (RFC 7644 §3.4.2.4): not numbers are not.
          path: `/scim/v2/Users?${rng.pick(['startIndex=1.5', 'startIndex=-x', 'startIndex=abc', 'count=x', 'count=99999999999999999999'])}`,
          headers: scimHeaders(),
        },
      ],
      () => ['unknown user', [404], { method: rng.pick(['GET', 'DELETE']), path: `/scim/v2/Users/${randomUUID()}`, headers: scimHeaders() }],
      () => ['NUL in the path', [400], { method: 'DELETE', path: `/scim/v2/Users/${someone().id}%00`, headers: scimHeaders() }],
      () => [
        'PATCH of the wrong shape',
        [400],
        {
          method: 'PATCH',
          path: `/scim/v2/Users/${someone().id}`,
          headers: scimHeaders(),
          body: rng.pick([
            JSON.stringify({ Operations: [{ op: 'replace', value: { active: false } }] }),
            JSON.stringify({ schemas: [SCIM_PATCH], Operations: [] }),
            JSON.stringify({ schemas: [SCIM_PATCH], Operations: Array.from({ length: 101 }, () => ({ op: 'replace', path: 'displayName', value: 'x' })) }),
            JSON.stringify({ schemas: [SCIM_PATCH], Operations: [{ op: 'explode', path: 'active', value: false }] }),
            JSON.stringify({ schemas: [SCIM_PATCH], Operations: [{ op: 'remove' }] }),
            JSON.stringify({ schemas: [SCIM_PATCH], Operations: [{ op: 'replace', path: 'active', value: 'maybe' }] }),
            JSON.stringify({ schemas: [SCIM_PATCH], Operations: [{ op: 'replace', path: '[[[', value: false }] }),
            JSON.stringify({ schemas: [SCIM_PATCH], Operations: [{ op: 'replace', value: 'not an object' }] }),
          ]),
        },
      ],
      () => ['deeply nested', [400], { path: '/scim/v2/Users', headers: scimHeaders(), body: `${'{"a":'.repeat(30_000)}1${'}'.repeat(30_000)}` }],
      () => ['unknown route', [404], { method: 'GET', path: `/scim/v2/Groups`, headers: scimHeaders() }],
    ];
    for (let i = 0; i < BAD_PER_PROTOCOL; i++) {
      const variant = i < variants.length ? variants[i]! : rng.pick(variants);
      units.push(async () => {
        const [label, expected, request] = variant();
        await send('scim', label, false, expected, request);
      });
    }
    return units;
  }

  // ---- Shared Signals push ----------------------------------------------------------------------------------
  const setHeaders = (contentType = SET_TYPE) => ({ 'content-type': contentType });
  const claims = (email: string, events: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    iss: TRANSMITTER,
    aud: RECEIVER,
    iat: Math.floor(Date.now() / 1000),
    jti: randomUUID(),
    sub_id: { format: 'email', email },
    events,
    ...extra,
  });
  const sign = (payload: unknown, key = transmitter.privateKey, header: Record<string, unknown> = { alg: 'ES256', typ: 'secevent+jwt' }) =>
    new CompactSign(Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload))).setProtectedHeader(header as { alg: string }).sign(key);

  function ssfUnits(owners: Array<{ id: string; email: string }>): Array<() => Promise<void>> {
    const units: Array<() => Promise<void>> = owners.map(({ id, email }, i) => async () => {
      const now = Math.floor(Date.now() / 1000);
      const disabled = await sign(claims(email, { [`${RISC}account-disabled`]: { reason: 'hijacking', event_timestamp: now - 60 } }));
      await send('ssf', 'valid account-disabled', true, [202], { path: '/ssf/events', headers: setHeaders(), body: disabled });
      // A transmitter retries a push it saw fail: the same SET (jti) again changes nothing.
      await send('ssf', 'valid repeated SET', true, [202], { path: '/ssf/events', headers: setHeaders(), body: disabled });
      expectReport(id, 'owner.suspended');
      finalStatus.set(id, 'suspended');
      if (i % 3 === 0) {
        await send('ssf', 'valid account-enabled', true, [202], {
          path: '/ssf/events',
          headers: setHeaders(),
          body: await sign(claims(email, { [`${RISC}account-enabled`]: { event_timestamp: now - 30 } })),
        });
        expectReport(id, 'owner.reinstated');
        finalStatus.set(id, 'active');
      } else if (i % 3 === 1) {
        await send('ssf', 'valid account-purged', true, [202], {
          path: '/ssf/events',
          headers: setHeaders(),
          body: await sign(claims(email, { [`${RISC}account-purged`]: { event_timestamp: now - 30 } })),
        });
        expectReport(id, 'owner.terminated');
        finalStatus.set(id, 'terminated');
      }
    });
    for (let i = 0; i < 20; i++) {
      units.push(async () => {
        await send('ssf', 'valid SET about nobody', true, [202], {
          path: '/ssf/events',
          headers: setHeaders(),
          body: await sign(claims(`nobody-${tag}-${i}@hostile.example`, { [`${CAEP}session-revoked`]: {} })),
        });
      });
      units.push(async () => {
        await send('ssf', 'valid verification', true, [202], {
          path: '/ssf/events',
          headers: setHeaders(),
          body: await sign(claims(rng.pick(owners).email, { 'https://schemas.openid.net/secevent/ssf/event-type/verification': { state: rng.ascii(20) } })),
        });
      });
    }
    const email = () => rng.pick(owners).email;
    const purge = (extra: Record<string, unknown> = {}, event: Record<string, unknown> = {}) => claims(email(), { [`${RISC}account-purged`]: event }, extra);
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const variants: Array<() => Promise<[string, number[], Request]>> = [
      async () => [
        'not the SET media type',
        [400],
        { path: '/ssf/events', headers: setHeaders(rng.pick(['application/json', 'text/plain', 'application/jwt'])), body: await sign(purge()) },
      ],
      async () => ['empty body', [400], { path: '/ssf/events', headers: setHeaders(), body: rng.pick(['', '   ']) }],
      async () => [
        'above the size limit',
        [400],
        { path: '/ssf/events', headers: setHeaders(), body: await sign(purge({ pad: 'x'.repeat(rng.int(70_000, 200_000)) })) },
      ],
      async () => [
        'not a JWS',
        [400],
        {
          path: '/ssf/events',
          headers: setHeaders(),
          body: rng.pick([rng.ascii(60), 'a.b', 'a.b.c.d', '..', 'e30.e30.!!!', `${b64({ alg: 'ES256' })}.${rng.ascii(20)}.x`]),
        },
      ],
      async () => ['encrypted (JWE)', [400], { path: '/ssf/events', headers: setHeaders(), body: 'eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d' }],
      async () => [
        'unsigned (alg none)',
        [400],
        { path: '/ssf/events', headers: setHeaders(), body: `${b64({ alg: 'none', typ: 'secevent+jwt' })}.${b64(purge())}.` },
      ],
      async () => {
        const unsigned = `${b64({ alg: 'HS256', typ: 'secevent+jwt' })}.${b64(purge())}`;
        return [
          'HS256 keyed with the transmitter public key',
          [400],
          { path: '/ssf/events', headers: setHeaders(), body: `${unsigned}.${createHmac('sha256', transmitterPem).update(unsigned).digest('base64url')}` },
        ];
      },
      async () => ['signed by another key', [400], { path: '/ssf/events', headers: setHeaders(), body: await sign(purge(), stranger.privateKey) }],
      async () => [
        'typ other than secevent+jwt',
        [400],
        { path: '/ssf/events', headers: setHeaders(), body: await sign(purge(), transmitter.privateKey, { alg: 'ES256', typ: 'JWT' }) },
      ],
      async () => [
        'another issuer',
        [400],
        {
          path: '/ssf/events',
          headers: setHeaders(),
          body: await sign(purge({ iss: rng.pick(['https://evil.example/', TRANSMITTER.toUpperCase(), `${TRANSMITTER}x`]) })),
        },
      ],
      async () => [
        'another audience',
        [400],
        { path: '/ssf/events', headers: setHeaders(), body: await sign(purge({ aud: rng.pick(['https://other.example/', [], 7]) })) },
      ],
      async () => [
        'bad iat or exp',
        [400],
        {
          path: '/ssf/events',
          headers: setHeaders(),
          body: await sign(purge(rng.pick([{ iat: Math.floor(Date.now() / 1000) + 3600 }, { iat: 'now' }, { iat: -1 }, { exp: 1000 }, { exp: 'never' }]))),
        },
      ],
      async () => [
        'bad jti',
        [400],
        { path: '/ssf/events', headers: setHeaders(), body: await sign(purge({ jti: rng.pick([undefined, '', 42, 'j'.repeat(257)]) })) },
      ],
      async () => [
        'bad events',
        [400],
        {
          path: '/ssf/events',
          headers: setHeaders(),
          body: await sign(purge({ events: rng.pick([undefined, {}, [], 'x', { [`${RISC}account-purged`]: 'x' }, { 'https://example.com/fired': {} }]) })),
        },
      ],
      async () => [
        'bad subject',
        [400],
        {
          path: '/ssf/events',
          headers: setHeaders(),
          body: await sign(purge({ sub_id: rng.pick([undefined, 'jane', { format: 'email' }, { email: 'a@b.c' }, { format: 'aliases', identifiers: [] }]) })),
        },
      ],
      async () => [
        'bad event time',
        [400],
        {
          path: '/ssf/events',
          headers: setHeaders(),
          body: await sign(purge({}, { event_timestamp: rng.pick([Math.floor(Date.now() / 1000) + 86_400, '2021-01-01', -5]) })),
        },
      ],
      async () => [
        'NUL or unpaired surrogate in the SET',
        [400],
        {
          path: '/ssf/events',
          headers: setHeaders(),
          body: await sign(purge(rng.pick([{ jti: 'j\u0000' }, { sub_id: { format: 'email', email: `a\u0000${email()}` } }]), { reason: '\ud800' })),
        },
      ],
      async () => ['payload not JSON', [400], { path: '/ssf/events', headers: setHeaders(), body: await sign(`{"iss":${rng.ascii(10)}`) }],
      async () => [
        'deeply nested payload',
        [400],
        { path: '/ssf/events', headers: setHeaders(), body: await sign(`${'{"events":'.repeat(4000)}{}${'}'.repeat(4000)}`) },
      ],
    ];
    for (let i = 0; i < BAD_PER_PROTOCOL; i++) {
      const variant = i < variants.length ? variants[i]! : rng.pick(variants);
      units.push(async () => {
        const [label, expected, request] = await variant();
        await send('ssf', label, false, expected, request);
      });
    }
    return units;
  }

  async function runInterleaved(units: Array<() => Promise<void>>): Promise<void> {
    const order = rng.interleave(units.map((u) => [u]));
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < order.length) await order[next++]!();
      }),
    );
  }

  it(`takes ${BAD_PER_PROTOCOL * 3} bad requests interleaved with valid ones: no 5xx, each bad one a 4xx with a clear error, each valid one applied once, nothing else produced`, async () => {
    const adminToken = await mint.valid([Role.Admin]);
    const createOwner = async (body: unknown) => {
      const response = await fetch(`${url()}/owners`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(201);
      return ((await response.json()) as { id: string }).id;
    };
    const oktaOwners = await Promise.all(
      Array.from({ length: OWNERS_PER_PROTOCOL }, async (_, i) => {
        const oktaUser = `00u${tag}${i}`;
        return { id: await createOwner({ displayName: 'Hostile Okta Owner', identities: [{ source: 'okta', externalId: oktaUser }] }), oktaUser };
      }),
    );
    const ssfOwners = await Promise.all(
      Array.from({ length: OWNERS_PER_PROTOCOL }, async (_, i) => {
        const email = `ssf-${tag}-${i}@hostile.example`;
        return { id: await createOwner({ email, displayName: 'Hostile SSF Owner' }), email };
      }),
    );
    for (const { id } of [...oktaOwners, ...ssfOwners]) finalStatus.set(id, 'active');
    const badTokens = await mint.invalid([Role.Ingest]);
    const wrongRoles = await Promise.all([[Role.Admin], [Role.Reviewer], [Role.SocAnalyst], []].map((roles) => mint.valid(roles as Role[])));

    const started = Date.now();
    await runInterleaved([...oktaUnits(oktaOwners), ...(await scimUnits(badTokens, wrongRoles)), ...ssfUnits(ssfOwners)]);
    const seconds = (Date.now() - started) / 1000;

    // Nothing answered 5xx; every exchange got the status it should; every refusal says why, in its protocol's form.
    const problems: string[] = [];
    for (const e of exchanges) {
      const where = `${e.protocol} ${e.label}: ${e.status} ${e.text.slice(0, 160)}`;
      if (e.status >= 500) problems.push(`5xx! ${where}`);
      else if (!e.expected.includes(e.status)) problems.push(`expected ${e.expected.join('/')}: ${where}`);
      else if (e.status >= 400 && !clearError(e)) problems.push(`unclear error: ${where}`);
    }
    expect(problems).toEqual([]);

    // Each valid delivery reported its change once (redeliveries and repeats nothing), refused ones nothing:
    // in the audit trail, on identity.lifecycle.v1, and in each owner's status once the provisioner applied them.
    const owners = [...finalStatus.keys()];
    const audited = await query(
      `SELECT "subject_id" AS "id", "details"->>'kind' AS "kind" FROM "provisioner"."audit_log"
       WHERE "subject_type" = 'owner' AND "action" = 'owner.lifecycle-reported' AND "subject_id" = ANY($1) ORDER BY "seq"`,
      [owners],
    );
    const byOwner = (rows: Array<{ id: string; kind: string }>) => {
      const out: Record<string, string[]> = {};
      for (const r of rows) (out[r.id] ??= []).push(r.kind);
      for (const kinds of Object.values(out)) kinds.sort();
      return out;
    };
    const expectedReports = byOwner([...reports].flatMap(([id, kinds]) => kinds.map((kind) => ({ id, kind }))));
    expect(byOwner(audited)).toEqual(expectedReports);
    const reported = Object.values(expectedReports).flat().length;
    await waitFor(
      () => Promise.resolve(identityTopic.records.length),
      (n) => n >= reported,
      { timeoutMs: 20000, what: `${reported} identity events` },
    );
    await waitFor(
      () => identityTopic.caughtUp(admin),
      (done) => done,
      { timeoutMs: 10000, what: 'the identity topic read to its end' },
    );
    expect(identityTopic.records.length).toBe(reported);
    expect(new Set(identityTopic.records.map((r) => r.key))).toEqual(new Set(Object.keys(expectedReports)));
    const statuses = await waitFor(
      async () =>
        Object.fromEntries((await query(`SELECT "id", "status" FROM "provisioner"."owners" WHERE "id" = ANY($1)`, [owners])).map((r) => [r.id, r.status])),
      (s) => owners.every((id) => s[id] === finalStatus.get(id)),
      { timeoutMs: 30000, what: 'every owner in its final status' },
    );
    expect(statuses).toEqual(Object.fromEntries(finalStatus));
    // No refused SCIM create left an owner behind; a deleted user released its userName (every third owner).
    const scimNames = await query(`SELECT "external_id" FROM "provisioner"."owner_identities" WHERE "source" = 'scim-username' AND "external_id" LIKE $1`, [
      `hostile-${tag}-%`,
    ]);
    expect(scimNames.length).toBe(Array.from({ length: OWNERS_PER_PROTOCOL }, (_, i) => i).filter((i) => i % 3 !== 1).length);

    const count = (protocol: Protocol, valid: boolean) => exchanges.filter((e) => e.protocol === protocol && e.valid === valid).length;
    console.log(
      `hostile HTTP ingest: ${exchanges.length} requests in ${seconds.toFixed(1)} s; ` +
        (['okta', 'scim', 'ssf'] as Protocol[]).map((p) => `${p}: ${count(p, true)} valid, ${count(p, false)} refused`).join('; ') +
        `; ${reported} lifecycle changes reported; statuses ${JSON.stringify(countBy(exchanges.map((e) => e.status)))}`,
    );
    expect(exchanges.length).toBeGreaterThan(2000);
  }, 150000);

  /** A refusal its sender can act on: Okta (and the runtime) answer problem details, SCIM its error schema, SSF RFC 8935 errors. */
  function clearError(e: Exchange): boolean {
    let body: any;
    try {
      body = JSON.parse(e.text);
    } catch {
      return false;
    }
    // Everything under /scim/v2, an unknown route included, answers a SCIM error; elsewhere a route that does not
    // exist is the runtime's 404, outside every protocol.
    if (e.protocol === 'scim') {
      return (
        e.contentType.startsWith(SCIM_TYPE) &&
        body.schemas?.[0] === SCIM_ERROR &&
        body.status === String(e.status) &&
        typeof body.detail === 'string' &&
        body.detail.length > 0
      );
    }
    // A JSON body is parsed (and refused) by the runtime before the SSF handler sees its wrong media type.
    if (e.protocol === 'ssf' && e.label === 'not the SET media type' && e.contentType.startsWith('application/problem+json'))
      return body.status === 400 && typeof body.detail === 'string';
    if (e.protocol === 'ssf' && e.label !== 'unknown route')
      return SSF_ERRORS.includes(body.err) && typeof body.description === 'string' && body.description.length > 0;
    return (
      e.contentType.startsWith('application/problem+json') &&
      body.status === e.status &&
      typeof body.code === 'string' &&
      typeof body.detail === 'string' &&
      body.detail.length > 0
    );
  }

  it('the log scan finds a value planted in a real service log line: an Okta user id the provisioner logs as unknown', async () => {
    const canary = `canary-${randomBytes(18).toString('hex')}`;
    const response = await fetch(`${url()}/hooks/okta`, {
      method: 'POST',
      headers: oktaHeaders(),
      body: delivery(oktaEvent(canary, 'user.lifecycle.suspend', Date.now())),
    });
    expect(response.status).toBe(200);
    const leaks = await waitFor(
      () => Promise.resolve(findSecretLeaks(services.logLines(), [{ name: 'planted canary', value: canary }])),
      (l) => l.length > 0,
      {
        timeoutMs: 10000,
        what: 'the planted value in the logs',
      },
    );
    expect(leaks[0]).toMatchObject({ secret: 'planted canary', service: 'provisioner', stream: 'stdout' });
    expect(leaks[0]!.excerpt).toContain('[planted canary]');
    expect(leaks[0]!.excerpt).not.toContain(canary);
  });

  it('no hook secret, signing key, token or key-encryption key appears in any log line (scanned after shutdown)', async () => {
    expect(await services.stopAndScanLogs([...secrets, ...mint.secrets])).toBe('');
  }, 60000);
});

function countBy(values: number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
