import { OAuthError } from './credentials.errors';
import { ACCESS_TOKEN_TYPE_URI, resourceParameters, tokenExchangeParameters } from './token-request-parameters';

const AGENT = '0b0b0b0b-0000-4000-8000-00000000000b';

function refusal(run: () => unknown): { error: string; description: string } | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    return { error: error.error, description: error.description };
  }
}

describe('token request parameters', () => {
  const exchange = (extra: Record<string, unknown>) => tokenExchangeParameters({ subject_token: 'jwt', subject_token_type: ACCESS_TOKEN_TYPE_URI, ...extra });

  it('reads an RFC 8693 request: subject and actor tokens, one agent audience, resources, scope', () => {
    expect(
      exchange({
        actor_token: 'own',
        actor_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        audience: AGENT,
        resource: ['https://crm.example/mcp', 'https://crm.example/mcp', 'https://mail.example/mcp'],
        scope: 'crm.records.read',
        requested_token_type: ACCESS_TOKEN_TYPE_URI,
      }),
    ).toEqual({
      subjectToken: 'jwt',
      actorToken: 'own',
      audience: AGENT,
      resources: ['https://crm.example/mcp', 'https://mail.example/mcp'],
      scope: 'crm.records.read',
    });
  });

  it.each([
    [{ subject_token: undefined }, 'invalid_request', 'The subject_token parameter is required.'],
    [{ subject_token_type: undefined }, 'invalid_request', 'The subject_token_type parameter is required.'],
    [{ actor_token: 'own' }, 'invalid_request', 'The actor_token_type parameter is required.'],
    [{ actor_token_type: ACCESS_TOKEN_TYPE_URI }, 'invalid_request', 'actor_token_type is given without actor_token.'],
    [{ subject_token: ['a', 'b'] }, 'invalid_request', 'The subject_token parameter must be given once, as a string.'],
    [{ audience: [AGENT, '0c0c0c0c-0000-4000-8000-00000000000c'] }, 'invalid_target', 'At most one audience: the downstream agent the token is for.'],
    [{ resource: { nested: 'x' } }, 'invalid_request', 'Each resource parameter must be a string.'],
  ])('refuses %j', (extra, error, description) => {
    expect(refusal(() => exchange(extra))).toEqual({ error, description });
  });

  it('takes RFC 8707 resources as absolute URIs without a fragment, ten at most', () => {
    expect(resourceParameters({})).toEqual([]);
    expect(resourceParameters({ resource: 'urn:example:crm' })).toEqual(['urn:example:crm']);
    expect(refusal(() => resourceParameters({ resource: 'crm' }))).toMatchObject({ error: 'invalid_target' });
    expect(refusal(() => resourceParameters({ resource: Array.from({ length: 11 }, (_, i) => `https://r${i}.example/`) }))).toEqual({
      error: 'invalid_target',
      description: 'At most 10 resource parameters.',
    });
  });
});
