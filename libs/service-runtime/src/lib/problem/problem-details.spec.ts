import { BadRequestException, Body, Controller, Get, INestApplication, NotFoundException, Post, UnauthorizedException } from '@nestjs/common';

import { RecordingLogger, startTestApp } from '../testing-app.spec-helper';
import { DomainError } from './domain-error';

class AgentNotFoundError extends DomainError {
  constructor(agentId: string) {
    super({ code: 'AGENT_NOT_FOUND', status: 404, title: 'Agent not found', detail: `No agent with id ${agentId}.` });
  }
}

@Controller('boom')
class BoomController {
  @Get('domain')
  domain(): never {
    throw new AgentNotFoundError('agt_42');
  }

  @Get('conflict')
  conflict(): never {
    throw new DomainError({
      code: 'OWNER_HAS_AGENTS',
      status: 409,
      title: 'Owner still owns agents',
      detail: 'Reassign or deprovision the agents first.',
      errors: [{ pointer: '/ownerId', detail: 'owns 3 active agents' }],
    });
  }

  @Get('http')
  http(): never {
    throw new NotFoundException('Review rev_1 does not exist');
  }

  @Get('validation')
  validation(): never {
    throw new BadRequestException(['name must be a string', 'riskTier must be one of low, high']);
  }

  @Get('unauthorized')
  unauthorized(): never {
    throw new UnauthorizedException({ code: 'TOKEN_EXPIRED', message: 'The bearer token has expired.' });
  }

  @Post('echo')
  echo(@Body() body: unknown): unknown {
    return body;
  }

  @Get('bug')
  bug(): never {
    throw new TypeError("Cannot read properties of undefined (reading 'secretKey') at /srv/app/db.ts:12");
  }
}

describe('problem details', () => {
  let app: INestApplication;
  let url: string;
  let logger: RecordingLogger;

  beforeAll(async () => {
    ({ app, url, logger } = await startTestApp({ controllers: [BoomController] }));
  });

  afterAll(async () => {
    await app.close();
  });

  async function get(path: string): Promise<{ status: number; contentType: string | null; body: any }> {
    const response = await fetch(`${url}${path}`);
    return { status: response.status, contentType: response.headers.get('content-type'), body: await response.json() };
  }

  it('maps a domain error to its status, code and title', async () => {
    const { status, contentType, body } = await get('/boom/domain?token=abc');

    expect(status).toBe(404);
    expect(contentType).toMatch(/^application\/problem\+json/);
    expect(body).toEqual({
      type: 'urn:agentgov:problem:agent-not-found',
      title: 'Agent not found',
      status: 404,
      detail: 'No agent with id agt_42.',
      instance: '/boom/domain',
      code: 'AGENT_NOT_FOUND',
    });
  });

  it('carries field errors of a domain error', async () => {
    const { status, body } = await get('/boom/conflict');

    expect(status).toBe(409);
    expect(body.errors).toEqual([{ pointer: '/ownerId', detail: 'owns 3 active agents' }]);
  });

  it('maps a Nest HttpException with the status phrase as title', async () => {
    const { status, body } = await get('/boom/http');

    expect(status).toBe(404);
    expect(body).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'Review rev_1 does not exist',
      instance: '/boom/http',
      code: 'NOT_FOUND',
    });
  });

  it('turns validation messages into errors entries', async () => {
    const { status, body } = await get('/boom/validation');

    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'BAD_REQUEST', detail: 'The request is invalid.' });
    expect(body.errors).toEqual([{ detail: 'name must be a string' }, { detail: 'riskTier must be one of low, high' }]);
  });

  it('keeps a code given by the thrower', async () => {
    const { status, body } = await get('/boom/unauthorized');

    expect(status).toBe(401);
    expect(body).toMatchObject({
      code: 'TOKEN_EXPIRED',
      type: 'urn:agentgov:problem:token-expired',
      detail: 'The bearer token has expired.',
    });
  });

  it('answers 500 with a generic detail for an unexpected error and logs the error instead', async () => {
    const { status, contentType, body } = await get('/boom/bug');

    expect(status).toBe(500);
    expect(contentType).toMatch(/^application\/problem\+json/);
    expect(body).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred. It has been logged.',
      instance: '/boom/bug',
      code: 'INTERNAL_ERROR',
    });
    expect(JSON.stringify(body)).not.toContain('secretKey');
    expect(logger.text()).toContain("reading 'secretKey'");
  });

  it('refuses a body that is not JSON without repeating any of it', async () => {
    const response = await fetch(`${url}/boom/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"clientSecret": "s3cr3t-value", oops',
    });
    const body = await response.json();

    expect(response.status).toBe(400);
    expect(body).toMatchObject({ status: 400, detail: 'The request body is not valid JSON.', code: 'INVALID_JSON' });
    expect(JSON.stringify(body)).not.toContain('s3cr3t');
    // The control: a valid body is parsed as before.
    const parsed = await fetch(`${url}/boom/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(await parsed.json()).toEqual({ a: 1 });
  });

  it('answers an unknown route with a 404 problem', async () => {
    const { status, body } = await get('/nowhere');

    expect(status).toBe(404);
    expect(body).toMatchObject({ code: 'NOT_FOUND', instance: '/nowhere' });
  });
});
