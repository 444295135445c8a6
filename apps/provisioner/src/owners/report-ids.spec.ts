import { randomBytes } from 'node:crypto';

import { deterministicUuid } from '@agentgov/contracts';

import type { ProvisionerEnv } from '../config/provisioner.env';
import { ReportIds } from './report-ids';

const withKey = (key: string | undefined) => new ReportIds({ ISSUER_KEY_ENCRYPTION_KEY: key } as ProvisionerEnv);

describe('ids of reported lifecycle events', () => {
  const key = randomBytes(32).toString('base64');

  it('are the same for a retried report, so inboxes absorb the retry', () => {
    expect(withKey(key).of('scim', 'owner-1', 'DELETE')).toBe(withKey(key).of('scim', 'owner-1', 'DELETE'));
  });

  it('cannot be computed from what a topic writer knows: another key, or the public scheme, gives another id', () => {
    const id = withKey(key).of('scim', 'owner-1', 'DELETE');
    expect(id).not.toBe(withKey(randomBytes(32).toString('base64')).of('scim', 'owner-1', 'DELETE'));
    expect(id).not.toBe(deterministicUuid('scim', 'owner-1', 'DELETE'));
    // The development key (no ISSUER_KEY_ENCRYPTION_KEY) is public, and its ids differ from a real key's.
    expect(withKey(undefined).of('scim', 'owner-1', 'DELETE')).not.toBe(id);
  });
});
