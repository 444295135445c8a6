import { generateClientSecret, hashClientSecret, verifyClientSecret } from './client-secret';

describe('client secrets are stored only as salted hashes', () => {
  it('verifies the secret it hashed and nothing else', async () => {
    const secret = generateClientSecret();
    const stored = await hashClientSecret(secret);
    expect(stored).not.toContain(secret);
    expect(await verifyClientSecret(secret, stored)).toBe(true);
    expect(await verifyClientSecret(`${secret}x`, stored)).toBe(false);
    expect(await verifyClientSecret(generateClientSecret(), stored)).toBe(false);
  });

  it('salts, so the same secret never hashes the same twice', async () => {
    const secret = generateClientSecret();
    expect(await hashClientSecret(secret)).not.toBe(await hashClientSecret(secret));
  });

  it('refuses a stored value in an unknown scheme', async () => {
    expect(await verifyClientSecret('x', 'md5$abc$def')).toBe(false);
    expect(await verifyClientSecret('x', '')).toBe(false);
  });
});
