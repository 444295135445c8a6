import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { decideSsfEvent, ssfEventTime, SsfPolicy } from './ssf-event-mapping';
import { SsfError } from './ssf.errors';

const REAL_WORLD = resolve(__dirname, '../../../../../test/fixtures/real-world');
const fixture = (name: string) => JSON.parse(readFileSync(resolve(REAL_WORLD, 'ssf', name), 'utf8'));
const IGNORE: SsfPolicy = { sessionRevoked: 'ignore', credentialChange: 'ignore' };
const SUSPEND: SsfPolicy = { sessionRevoked: 'suspend', credentialChange: 'suspend' };
const only = (set: { events: Record<string, Record<string, unknown>> }) => Object.entries(set.events)[0];

describe('SSF event mapping', () => {
  it('suspends the owner on the published RISC account-disabled, with its reason, at iat', () => {
    const set = fixture('risc.account-disabled.phone-subject.json');
    const [type, event] = only(set);

    expect(decideSsfEvent(type, event, IGNORE)).toEqual({ action: 'report', kind: 'owner.suspended', reason: 'RISC account-disabled: hijacking' });
    expect(ssfEventTime(event, set.iat).toISOString()).toBe('2018-03-06T19:20:19.000Z');
  });

  it('ignores the published CAEP session-revoked by default and suspends under the suspend policy, at event_timestamp', () => {
    const set = fixture('caep.session-revoked.complex-subject.json');
    const [type, event] = only(set);

    expect(decideSsfEvent(type, event, IGNORE).action).toBe('ignore');
    expect(decideSsfEvent(type, event, SUSPEND)).toEqual({
      action: 'report',
      kind: 'owner.suspended',
      reason: 'session-revoked (initiated by policy): Landspeed Policy Violation: C076E82F',
    });
    expect(ssfEventTime(event, set.iat).toISOString()).toBe(new Date(1615304991 * 1000).toISOString());
  });

  it('never offboards on the published credential-change create, whatever the policy', () => {
    const [type, event] = only(fixture('caep.credential-change.json'));

    expect(decideSsfEvent(type, event, SUSPEND).action).toBe('ignore');
    expect(decideSsfEvent(type, event, IGNORE).action).toBe('ignore');
  });

  it('suspends on a credential-change revoke only under the suspend policy', () => {
    const [type, event] = only(fixture('caep.credential-change.json'));
    const revoke = { ...event, change_type: 'revoke' };

    expect(decideSsfEvent(type, revoke, SUSPEND)).toMatchObject({ action: 'report', kind: 'owner.suspended' });
    expect(decideSsfEvent(type, revoke, IGNORE).action).toBe('ignore');
  });

  it.each([
    ['https://schemas.openid.net/secevent/risc/event-type/account-enabled', 'owner.reinstated'],
    ['https://schemas.openid.net/secevent/risc/event-type/account-purged', 'owner.terminated'],
  ])('maps %s to %s', (type, kind) => {
    expect(decideSsfEvent(type, {}, IGNORE)).toMatchObject({ action: 'report', kind });
  });

  it('acknowledges known events that change no owner, and refuses unknown event types', () => {
    expect(decideSsfEvent('https://schemas.openid.net/secevent/ssf/event-type/verification', { state: 'x' }, SUSPEND).action).toBe('ignore');
    expect(decideSsfEvent('https://schemas.openid.net/secevent/risc/event-type/identifier-changed', {}, SUSPEND).action).toBe('ignore');
    expect(() => decideSsfEvent('https://example.com/event-type/fired', {}, SUSPEND)).toThrow(SsfError);
  });

  it('refuses an event_timestamp that is not a NumericDate', () => {
    expect(() => ssfEventTime({ event_timestamp: '2021-01-01' }, 1)).toThrow(SsfError);
  });
});

describe('CAEP Interoperability Profile 1.0: what a receiver must understand', () => {
  const CREDENTIAL_CHANGE = 'https://schemas.openid.net/secevent/caep/event-type/credential-change';
  const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';

  it.each([
    ['create', 'ignore'],
    ['update', 'ignore'],
    ['revoke', 'report'],
    ['delete', 'report'],
    ['REVOKE', 'report'],
  ])('interprets credential-change change_type %s (§3.2: every allowable value)', (changeType, action) => {
    expect(decideSsfEvent(CREDENTIAL_CHANGE, { change_type: changeType, credential_type: 'password' }, SUSPEND).action).toBe(action);
  });

  it.each([
    ['password', 'password'],
    ['pin', 'PIN'],
    ['x509', 'X.509 certificate'],
    ['fido2-platform', 'FIDO2 platform authenticator'],
    ['fido2-roaming', 'FIDO2 roaming authenticator'],
    ['fido-u2f', 'FIDO U2F'],
    ['verifiable-credential', 'verifiable credential'],
    ['phone-voice', 'phone (voice)'],
    ['phone-sms', 'phone (SMS)'],
    ['app', 'authenticator app'],
    ['hardware-token-x', 'hardware-token-x'],
  ])('names credential_type %s in the reason (§3.2: every allowable value; others kept as sent)', (credentialType, named) => {
    const decision = decideSsfEvent(CREDENTIAL_CHANGE, { change_type: 'revoke', credential_type: credentialType, reason_admin: { en: 'lost' } }, SUSPEND);
    expect(decision).toEqual({ action: 'report', kind: 'owner.suspended', reason: `credential-change revoke of a ${named} credential: lost` });
  });

  it.each([
    ['without change_type', { credential_type: 'password' }],
    ['with a change_type CAEP does not define', { change_type: 'rotate', credential_type: 'password' }],
    ['without credential_type (REQUIRED)', { change_type: 'revoke' }],
    ['with an empty credential_type', { change_type: 'create', credential_type: ' ' }],
  ])('refuses a credential-change %s, whatever the policy', (_what, event) => {
    expect(() => decideSsfEvent(CREDENTIAL_CHANGE, event, IGNORE)).toThrow(SsfError);
    expect(() => decideSsfEvent(CREDENTIAL_CHANGE, event, SUSPEND)).toThrow(SsfError);
  });

  it('says who initiated a session revocation (initiating_entity), and nothing for a value CAEP does not define', () => {
    expect(decideSsfEvent(SESSION_REVOKED, { initiating_entity: 'admin', reason_admin: 'stolen laptop' }, SUSPEND)).toMatchObject({
      reason: 'session-revoked (initiated by admin): stolen laptop',
    });
    expect(decideSsfEvent(SESSION_REVOKED, { initiating_entity: 'martian' }, SUSPEND)).toMatchObject({ reason: 'session-revoked' });
  });

  it('understands the SSF stream-updated and verification events and changes no owner with them', () => {
    const updated = decideSsfEvent('https://schemas.openid.net/secevent/ssf/event-type/stream-updated', { status: 'paused', reason: 'maintenance' }, SUSPEND);
    expect(updated).toEqual({ action: 'ignore', why: 'stream-updated: the transmitter set our stream paused: maintenance' });
    expect(decideSsfEvent('https://schemas.openid.net/secevent/ssf/event-type/verification', {}, SUSPEND).action).toBe('ignore');
  });
});
