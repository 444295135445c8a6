import { clientCredentialsFrom } from './client-credentials';
import { OAuthError } from './credentials.errors';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe('client authentication parameters', () => {
  it('reads HTTP Basic with form-encoded id and secret', () => {
    expect(clientCredentialsFrom(basic('agent-1', 'a:b+c/d'), {})).toEqual({ clientId: 'agent-1', clientSecret: 'a:b+c/d', method: 'client_secret_basic' });
  });

  it('reads client_secret_post', () => {
    expect(clientCredentialsFrom(undefined, { client_id: 'agent-1', client_secret: 's' })).toMatchObject({ method: 'client_secret_post' });
  });

  it('refuses two methods at once, and repeated parameters', () => {
    expect(() => clientCredentialsFrom(basic('a', 'b'), { client_secret: 's' })).toThrow(expect.objectContaining({ error: 'invalid_request' }));
    expect(() => clientCredentialsFrom(undefined, { client_id: ['a', 'b'], client_secret: 's' })).toThrow(OAuthError);
  });

  it('answers invalid_client when no credentials are given, or Basic is malformed', () => {
    expect(() => clientCredentialsFrom(undefined, { client_id: 'a' })).toThrow(expect.objectContaining({ error: 'invalid_client', status: 401 }));
    expect(() => clientCredentialsFrom(`Basic ${Buffer.from('no-colon').toString('base64')}`, {})).toThrow(
      expect.objectContaining({ error: 'invalid_client' }),
    );
  });
});
