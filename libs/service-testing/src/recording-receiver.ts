import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

/** How the receiver answers one request: a status and body, or never (the request hangs until `release`). */
export type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | 'hang';

/**
 * A real HTTP server standing in for a system the services call (a webhook receiver, an SSF receiver, Keycloak's
 * admin API): it records every request and answers as the test scripts it. The one recording receiver of the
 * system tests and benchmarks.
 */
export class RecordingReceiver {
  readonly requests: ReceivedRequest[] = [];
  private server?: Server;
  private readonly hanging: ServerResponse[] = [];

  constructor(private answer: (request: ReceivedRequest, index: number) => Answer = () => ({ status: 200, body: { ok: true } })) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  answerWith(answer: (request: ReceivedRequest, index: number) => Answer): void {
    this.answer = answer;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const request = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
        this.requests.push(request);
        const answer = this.answer(request, this.requests.length - 1);
        if (answer === 'hang') {
          this.hanging.push(res);
          return;
        }
        const body = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** Requests whose body or path mentions the text (an agent id, an action id). */
  about(text: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.body.includes(text) || r.path.includes(encodeURIComponent(text)) || r.path.includes(text));
  }

  async stop(): Promise<void> {
    for (const res of this.hanging.splice(0)) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
