import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CredentialsStore } from './credentials-store';

const CREDENTIALS = { issuer: 'https://idp.example/realms/a', clientId: 'agentgov-cli', tokenEndpoint: 'https://idp.example/token', accessToken: 'access-1' };

describe('the credentials file', () => {
  let home: string;
  beforeEach(() => (home = mkdtempSync(join(tmpdir(), 'agentgov-cli-'))));
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('is written readable by its owner only, in a folder only its owner can enter, and read back', () => {
    const store = new CredentialsStore(join(home, 'agentgov'));
    store.write(CREDENTIALS);

    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'agentgov')).mode & 0o777).toBe(0o700);
    expect(store.read()).toEqual(CREDENTIALS);
    store.write({ ...CREDENTIALS, accessToken: 'access-2' });
    expect(JSON.parse(readFileSync(store.path, 'utf8')).accessToken).toBe('access-2');
  });

  it('is refused when others can read it, and deleted on sign-out', () => {
    const store = new CredentialsStore(join(home, 'agentgov'));
    expect(store.read()).toBeUndefined();
    store.write(CREDENTIALS);
    chmodSync(store.path, 0o644);

    expect(() => store.read()).toThrow(/can be read by other users \(mode 644\)/);
    expect(store.delete()).toBe(true);
    expect(store.delete()).toBe(false);
    expect(store.read()).toBeUndefined();
  });
});
