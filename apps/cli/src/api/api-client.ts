import { CommandFailure } from '../cli.errors';
import { Service } from '../command-line/global-options';
import type { Session } from '../session/session';
import type { TokenClaims } from '../session/token-claims';
import { urlVariable } from '../settings/settings';

export interface ApiRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH';
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
}

/** An RFC 9457 problem as the services answer one (with their stable `code` and field `errors`). */
interface Problem {
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: Array<{ pointer?: string; detail?: string }>;
}

const TIMEOUT_MS = 30_000;

function asProblem(body: unknown): Problem {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Problem) : {};
}

/** "admin" or "admin, soc-analyst" from the services' 403 detail ("This action requires one of the roles: admin."). */
function requiredRoles(detail: string | undefined): string[] | undefined {
  const match = detail ? /roles?: ([a-z0-9, -]+)\.?$/i.exec(detail) : null;
  return match
    ? match[1]
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean)
    : undefined;
}

/**
 * An API's refusal in plain words: 401 is "not signed in", 403 "your token lacks role X", anything else the
 * problem's detail with its status and code; field errors are listed under it.
 */
export function explainRefusal(service: Service, status: number, body: unknown, claims: TokenClaims | undefined): CommandFailure {
  const problem = asProblem(body);
  const code = typeof problem.code === 'string' ? problem.code : undefined;
  const detail = typeof problem.detail === 'string' ? problem.detail : typeof body === 'string' && body.trim() ? body.trim().slice(0, 300) : undefined;
  const details = { status, service, ...(code ? { code } : {}) };
  if (status === 401) {
    return new CommandFailure(`not signed in: the ${service} API refused the token${detail ? ` (${detail.replace(/\.$/, '')})` : ''}`, {
      ...details,
      hint: 'sign in again with agentgov login, or give a valid token with --token or AGENTGOV_TOKEN',
    });
  }
  if (status === 403) {
    const roles = requiredRoles(detail);
    const lacks = roles ? `your token lacks role ${roles.join(' or ')}` : 'your token lacks the role this needs';
    const held = claims?.roles ? ` (it has ${claims.roles.length ? claims.roles.join(', ') : 'no role'})` : '';
    return new CommandFailure(`${lacks}${held}: the ${service} API refused${detail ? `: ${detail}` : ''}`, {
      ...details,
      hint: 'ask an administrator for that role, or use a token that has it',
    });
  }
  const fields = (problem.errors ?? []).map((e) => `\n  ${e.pointer ? `${e.pointer}: ` : ''}${e.detail ?? ''}`).join('');
  const what = detail ?? problem.title ?? 'no explanation given';
  return new CommandFailure(`${what} (${service}: ${status}${code ? ` ${code}` : ''})${fields}`, details);
}

/** The services' HTTP APIs with the session's bearer token; every failure becomes a CommandFailure in words. */
export class ApiClient {
  constructor(
    private readonly urls: Readonly<Record<Service, string>>,
    private readonly session: Session,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** The answer's JSON body (undefined for an empty one) when the status is 2xx; throws a CommandFailure otherwise. */
  async call<T = any>(service: Service, path: string, request: ApiRequest = {}): Promise<T> {
    const token = await this.session.bearer();
    const base = this.urls[service];
    const url = new URL(`${base}${path}`);
    for (const [name, value] of Object.entries(request.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method: request.method ?? 'GET',
        headers: {
          accept: 'application/json, application/problem+json',
          authorization: `Bearer ${token}`,
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...request.headers,
        },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw this.unreachable(service, base, error);
    }
    const text = await response.text();
    let body: unknown = text;
    if (text && /json/.test(response.headers.get('content-type') ?? '')) {
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON after all: explained as text below
      }
    }
    if (response.ok) return (text ? body : undefined) as T;
    throw explainRefusal(service, response.status, body, response.status === 403 ? await this.session.claims() : undefined);
  }

  private unreachable(service: Service, base: string, error: unknown): CommandFailure {
    const hint = `is it running? Its URL comes from --${service}-url, ${urlVariable(service)} or the configuration file`;
    if ((error as Error)?.name === 'TimeoutError') {
      return new CommandFailure(`the ${service} API at ${base} did not answer within ${TIMEOUT_MS / 1000} s`, { service, hint });
    }
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
    return new CommandFailure(`cannot reach the ${service} API at ${base} (${why})`, { service, hint });
  }
}
