import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { decideOktaEvent, OktaDeliveryError, oktaDeliveryEvents } from './okta-event-mapping';

const REAL_WORLD = resolve(__dirname, '../../../../../test/fixtures/real-world');
const fixture = (name: string) => JSON.parse(readFileSync(resolve(REAL_WORLD, 'okta', name), 'utf8'));

describe('Okta event mapping', () => {
  it("maps the published user.lifecycle.deactivate to owner.terminated of its User target, at the event's published time", () => {
    const decision = decideOktaEvent(fixture('system-log.user.lifecycle.deactivate.json'));

    expect(decision).toEqual({
      action: 'report',
      kind: 'owner.terminated',
      eventType: 'user.lifecycle.deactivate',
      uuid: 'ab62c0bc-2837-11eb-9823-9fb8f750c5a9',
      occurredAt: '2020-11-16T18:15:12.862Z',
      oktaUserId: '00u3m90rxKjGQ0G6L1d6',
      alternateId: 'john.doe@example.com',
      reason: 'Okta user.lifecycle.deactivate (Deactivate Okta User)',
    });
  });

  it('ignores the login in the published Event Hook delivery', () => {
    const events = oktaDeliveryEvents(fixture('event-hook-envelope.user.session.start.json'));

    expect(events).toHaveLength(1);
    expect(decideOktaEvent(events[0])).toMatchObject({ action: 'ignore', eventType: 'user.session.start' });
  });

  it.each([
    ['user.lifecycle.deactivate', 'owner.terminated'],
    ['user.lifecycle.delete.initiated', 'owner.terminated'],
    ['user.lifecycle.delete.completed', 'owner.terminated'],
    ['user.lifecycle.suspend', 'owner.suspended'],
    ['user.lifecycle.unsuspend', 'owner.reinstated'],
    ['user.lifecycle.activate', 'owner.reinstated'],
    ['user.lifecycle.reactivate', 'owner.reinstated'],
  ])('maps %s to %s', (eventType, kind) => {
    const event = { ...fixture('system-log.user.lifecycle.deactivate.json'), eventType };

    expect(decideOktaEvent(event)).toMatchObject({ action: 'report', kind });
  });

  it.each(['user.account.lock', 'user.session.start', 'user.lifecycle.create', 'group.user_membership.add'])('ignores %s', (eventType) => {
    const event = { ...fixture('system-log.user.lifecycle.deactivate.json'), eventType };

    expect(decideOktaEvent(event).action).toBe('ignore');
  });

  it('ignores a deactivation that failed in Okta', () => {
    const event = { ...fixture('system-log.user.lifecycle.deactivate.json'), outcome: { result: 'FAILURE', reason: 'denied' } };

    expect(decideOktaEvent(event)).toMatchObject({ action: 'ignore', why: 'outcome FAILURE' });
  });

  it('takes the User among several targets, and ignores an event without one', () => {
    const base = fixture('system-log.user.lifecycle.deactivate.json');
    const withApp = { ...base, target: [{ id: '0oa1', type: 'AppInstance' }, ...base.target] };

    expect(decideOktaEvent(withApp)).toMatchObject({ oktaUserId: '00u3m90rxKjGQ0G6L1d6' });
    expect(decideOktaEvent({ ...base, target: [{ id: '0oa1', type: 'AppInstance' }] })).toMatchObject({ action: 'ignore' });
  });

  it.each([
    ['a body that is not an object', 'x'],
    ['no data', { eventType: 'com.okta.event_hook' }],
    ['data.events not an array', { data: { events: {} } }],
    ['an event without eventType', { data: { events: [{ uuid: 'u' }] } }],
  ])('refuses a delivery with %s', (_name, body) => {
    expect(() => oktaDeliveryEvents(body)).toThrow(OktaDeliveryError);
  });

  it('refuses a lifecycle event without uuid or with a bad published time', () => {
    const base = fixture('system-log.user.lifecycle.deactivate.json');

    expect(() => decideOktaEvent({ ...base, uuid: undefined })).toThrow(OktaDeliveryError);
    expect(() => decideOktaEvent({ ...base, published: 'yesterday' })).toThrow(OktaDeliveryError);
  });
});
