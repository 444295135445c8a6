import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';

import { mintDevToken, Role } from '@agentgov/auth';
import { createLogger } from '@agentgov/telemetry';

import { findSecretLeaks, logLinesOf, secretForms } from './support/log-secrets';

/** A real service logger (pino, with the services' redaction) writing into memory. */
function memoryLogger() {
  let text = '';
  const destination = new Writable({
    write(chunk, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  const logger = createLogger({ serviceName: 'scan-test', level: 'debug', destination: destination as never });
  return { logger, source: { stdout: () => text, stderr: () => '' } };
}

describe('the log scan for secrets', () => {
  const privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

  it('finds a planted bearer token, a client secret and key material that a service logged, and names the line without printing them', async () => {
    const token = await mintDevToken({ sub: 'alice', roles: [Role.Admin], privateKey });
    const clientSecret = randomBytes(32).toString('base64url');
    const kek = randomBytes(32).toString('base64');
    const { logger, source } = memoryLogger();
    logger.info('service started');
    // None of these fields is named like a secret, and the opaque values do not look like tokens: the logger's
    // redaction cannot know them. The scan must.
    logger.warn({ detail: `issued ${clientSecret} to the caller` }, 'odd request');
    logger.info({ note: `key ${kek.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}` }, 'key loaded');
    logger.info({ url: `/callback?sig=${encodeURIComponent(token.split('.')[2]!)}` }, 'callback');
    logger.flush();

    const leaks = findSecretLeaks(logLinesOf('scan-test', source), [
      { name: 'admin token', value: token },
      { name: 'client secret', value: clientSecret },
      { name: 'key-encryption key', value: kek },
    ]);

    expect(leaks.map((l) => [l.secret, l.line])).toEqual([
      ['client secret', 2],
      ['key-encryption key', 3],
      ['admin token', 4],
    ]);
    for (const leak of leaks) {
      expect(leak.excerpt).not.toContain(clientSecret);
      expect(leak.excerpt).not.toContain(token.split('.')[2]);
    }
  });

  it('finds nothing where the logger redacted the token, and nothing in clean logs', async () => {
    const token = await mintDevToken({ sub: 'alice', roles: [Role.Admin], privateKey });
    const { logger, source } = memoryLogger();
    logger.info({ headers: { authorization: `Bearer ${token}` } }, 'request');
    logger.error(`call failed with Bearer ${token}`);
    logger.flush();

    expect(source.stdout()).toContain('[REDACTED]');
    expect(findSecretLeaks(logLinesOf('scan-test', source), [{ name: 'admin token', value: token }])).toEqual([]);
  });

  it('looks for a JWT signature alone, base64 in both alphabets, URL-encoded, and refuses secrets too short to be told from chance', () => {
    expect(secretForms('aaaaaaaaaaaa.bbbbbbbbbbbb.cccccccccccc')).toEqual(expect.arrayContaining(['aaaaaaaaaaaa.bbbbbbbbbbbb.cccccccccccc', 'cccccccccccc']));
    expect(secretForms('ab+/cdefghijklmn==')).toEqual(expect.arrayContaining(['ab+/cdefghijklmn==', 'ab-_cdefghijklmn', 'ab%2B%2Fcdefghijklmn%3D%3D']));
    expect(() => secretForms('short')).toThrow(/at least 12/);
  });
});
