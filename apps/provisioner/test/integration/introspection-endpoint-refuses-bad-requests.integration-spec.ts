import { ProvisionerHarness } from '../support/provisioner-harness';

describe('the introspection endpoint checks its caller and its input like every other endpoint', () => {
  const harness = new ProvisionerHarness();
  beforeAll(() => harness.start(), 60000);
  afterAll(() => harness.stop());

  async function call(headers: Record<string, string>, body: string) {
    const response = await fetch(`${harness.url}/oauth2/introspect`, { method: 'POST', headers, body });
    return { status: response.status, headers: response.headers, body: await response.json() };
  }

  it('refuses a missing or forged bearer token with 401 and a challenge, and a caller without the role with 403', async () => {
    const none = await call({ 'content-type': 'application/x-www-form-urlencoded' }, 'token=x');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /);
    const forged = await call({ 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer a.b.c' }, 'token=x');
    expect(forged.status).toBe(401);
    expect(JSON.stringify(forged.body)).not.toContain('a.b.c');
    const reviewer = await call(
      { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${await harness.token(['reviewer'])}` },
      'token=x',
    );
    expect(reviewer.status).toBe(403);
  });

  it('answers bad input with the RFC 6749 error shape, and a token it did not issue with active: false', async () => {
    const auth = { authorization: `Bearer ${await harness.token(['introspect'])}` };
    expect((await call({ ...auth, 'content-type': 'text/plain' }, 'token=x')).status).toBe(415);
    const missing = await call({ ...auth, 'content-type': 'application/x-www-form-urlencoded' }, 'nothing=here');
    expect(missing).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect((await call({ ...auth, 'content-type': 'application/json' }, '{"token":')).status).toBe(400);
    expect((await call({ ...auth, 'content-type': 'application/x-www-form-urlencoded' }, `token=${'x'.repeat(20000)}`)).status).toBe(413);
    const foreign = await call({ ...auth, 'content-type': 'application/json' }, JSON.stringify({ token: await harness.token(['admin']) }));
    expect(foreign).toMatchObject({ status: 200, body: { active: false } });
  });
});
