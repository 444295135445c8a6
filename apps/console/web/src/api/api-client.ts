/** A refusal or failure of a service, as its problem details describe it (RFC 9457, with the services' stable `code`). */
export class ApiProblem extends Error {
  override readonly name = 'ApiProblem';

  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
  ) {
    super(detail || title);
  }

  static async of(response: Response): Promise<ApiProblem> {
    const text = await response.text().catch(() => '');
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      // not problem details: the status says enough
    }
    const str = (value: unknown, fallback: string) => (typeof value === 'string' && value ? value : fallback);
    return new ApiProblem(
      response.status,
      str(body['code'], `HTTP_${response.status}`),
      str(body['title'], response.statusText || 'Error'),
      str(body['detail'], ''),
    );
  }
}

export type ServiceName = 'provisioner' | 'behavior-baseliner' | 'containment' | 'review-scheduler';

/**
 * The services, through the console's same-origin proxy (/api/<service>/…), with the signed-in person's access token.
 * Every decision is the service's: a refusal comes back as an ApiProblem.
 */
export class ApiClient {
  constructor(private readonly accessToken: () => string) {}

  url(service: ServiceName, path: string): string {
    return `/api/${service}${path}`;
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.accessToken()}`, accept: 'application/json', ...extra };
  }

  async get<T>(service: ServiceName, path: string, signal?: AbortSignal): Promise<T> {
    return this.send<T>('GET', service, path, undefined, signal);
  }

  async post<T>(service: ServiceName, path: string, body: unknown): Promise<T> {
    return this.send<T>('POST', service, path, body);
  }

  private async send<T>(method: string, service: ServiceName, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const response = await fetch(this.url(service, path), {
      method,
      headers: this.headers(body === undefined ? {} : { 'content-type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      cache: 'no-store',
    });
    if (!response.ok) throw await ApiProblem.of(response);
    return (await response.json()) as T;
  }
}
