import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { RevocationConnector } from '@agentgov/revocation-connectors';

export type ActionKind = 'contain' | 'release' | 'deprovision';
export type ActionOrigin = 'policy' | 'analyst' | 'lifecycle';

/** Read once at boot; a bad file stops the service with a message naming the file and the entry (never a secret). */
export function readConnectorsFile(path: string | undefined): unknown {
  if (!path) return [];
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`CONNECTORS_FILE cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): ${file}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`CONNECTORS_FILE is not valid JSON: ${file}`);
  }
}

/** The connectors universal logout fans out to, and which of them an action of a kind reaches. */
export class ConnectorRegistry {
  private readonly byName: Map<string, RevocationConnector>;

  constructor(readonly connectors: readonly RevocationConnector[]) {
    this.byName = new Map(connectors.map((c) => [c.name, c]));
  }

  get(name: string): RevocationConnector | undefined {
    return this.byName.get(name);
  }

  /**
   * A release restores access: it goes only where it means something. The issuer and RFC 7009 end every token
   * from before (the agent starts again with fresh credentials), Keycloak enables the client again, a webhook
   * receiver may restore. A session revocation SET would only repeat the containment.
   */
  targetsOf(kind: ActionKind): RevocationConnector[] {
    if (kind !== 'release') return [...this.connectors];
    return this.connectors.filter((c) => c.type !== 'ssf');
  }

  /**
   * When the registry itself suspended or deprovisioned the agent (a lifecycle event), its tokens are already
   * inactive at the built-in issuer: that receipt is written as confirmed without a call.
   */
  static settledByOrigin(connector: RevocationConnector, origin: ActionOrigin): string | undefined {
    return origin === 'lifecycle' && connector.type === 'builtin-issuer' ? "the registry ended the agent's tokens itself" : undefined;
  }
}
