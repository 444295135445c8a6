import { Body, Controller, INestApplication, Param, Post, Query } from '@nestjs/common';

import { startTestApp } from '../testing-app.spec-helper';

@Controller('echo')
class EchoController {
  @Post(':id')
  echo(@Param('id') id: string, @Query() query: Record<string, unknown>, @Body() body: unknown) {
    return { id, query, body };
  }
}

describe('text Postgres cannot store, and bodies too large, are client errors', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await startTestApp({ controllers: [EchoController] }));
  });

  afterAll(() => app.close());

  const post = async (path: string, body: string) => {
    const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    return { status: response.status, contentType: response.headers.get('content-type'), body: (await response.json()) as any };
  };

  it.each([
    [
      'a NUL in a body member',
      '/echo/1',
      '{"a":{"b":["ok","x\\u0000"]}}',
      'The body at /a/b/1 contains a NUL character or an unpaired surrogate, which cannot be stored.',
    ],
    [
      'a lone surrogate in a member name',
      '/echo/1',
      '{"\\ud800":1}',
      'The body at /\ufffd contains a NUL character or an unpaired surrogate, which cannot be stored.',
    ],
    ['a NUL in a path parameter', '/echo/a%00b', '{}', 'The param id contains a NUL character or an unpaired surrogate, which cannot be stored.'],
    ['a NUL in the query', '/echo/1?filter=a%00', '{}', 'The query at /filter contains a NUL character or an unpaired surrogate, which cannot be stored.'],
  ])('refuses %s with a 400 problem naming where', async (_name, path, body, detail) => {
    expect(await post(path, body)).toEqual({
      status: 400,
      contentType: expect.stringMatching(/^application\/problem\+json/),
      body: expect.objectContaining({ code: 'UNSTORABLE_TEXT', status: 400, detail }),
    });
  });

  it('lets any other text through', async () => {
    const { status, body } = await post('/echo/%F0%9F%A4%96?q=e%CC%81', '{"name":"\\ud83e\\udd16 \\u0001 ‮x‬"}');

    expect(status).toBe(201);
    expect(body).toEqual({ id: '🤖', query: { q: 'e\u0301' }, body: { name: '🤖 \u0001 ‮x‬' } });
  });

  it('answers a body above the parser limit with 413, not 500', async () => {
    const { status, body } = await post('/echo/1', JSON.stringify({ pad: 'x'.repeat(200_000) }));

    expect(status).toBe(413);
    expect(body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', title: 'Payload Too Large', detail: 'request entity too large', instance: '/echo/1' });
  });
});
