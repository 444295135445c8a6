import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createHttpClient } from './http-client';

/** A peer that answers 200 and then streams a body far larger than any revocation answer, until it is cut off. */
function floodingPeer(): Promise<{ url: string; sent: () => number; server: Server }> {
  let sent = 0;
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const push = () => {
      while (sent < 64 * 1024 * 1024 && response.write(chunk)) sent += chunk.length;
      if (sent >= 64 * 1024 * 1024) response.end();
      else response.once('drain', push);
    };
    push();
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/revoke`, sent: () => sent, server })),
  );
}

describe('the connectors’ HTTP client', () => {
  it('reads at most the cap of an answer and stops the transfer there', async () => {
    const peer = await floodingPeer();
    try {
      const result = await createHttpClient(fetch, 10_000, 1000).send({ method: 'POST', url: peer.url, body: '{}' });
      expect(result).toMatchObject({ answered: true, status: 200 });
      expect(result.answered && result.body.length).toBe(1000);
      // The peer was cut off long before its 64 MiB.
      await new Promise((r) => setTimeout(r, 200));
      expect(peer.sent()).toBeLessThan(16 * 1024 * 1024);
    } finally {
      peer.server.closeAllConnections();
      peer.server.close();
    }
  });

  it('reads a short answer whole', async () => {
    const server = createServer((_q, r) => r.end('{"ok":true}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const result = await createHttpClient(fetch, 5000).send({ method: 'GET', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
      expect(result).toMatchObject({ answered: true, status: 200, body: '{"ok":true}' });
    } finally {
      server.close();
    }
  });
});
