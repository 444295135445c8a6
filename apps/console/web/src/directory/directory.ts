import { useEffect, useState } from 'react';

import { ApiClient } from '../api/api-client';
import { useApi } from '../api/use-api';

/** An agent as the provisioner shows it (GET /agents/{id}). */
export interface Agent {
  id: string;
  name: string;
  ownerId: string;
  parentAgentId: string | null;
  purpose: string | null;
  platform: string | null;
  riskTier: string;
  scopes: string[];
  status: string;
  statusReason: string | null;
  expiresAt: string | null;
}

/** An owner as the provisioner shows it (GET /owners/{id}). */
export interface Owner {
  id: string;
  displayName: string | null;
  email: string | null;
  team: string | null;
  status: string;
}

type Entry<T> = { state: 'loading' } | { state: 'found'; value: T } | { state: 'missing' };

/**
 * Agents and owners by id, read once per page load and shared by every component that names one (a queue of fifty
 * incidents about three agents asks three times). An id the provisioner does not know (a shadow agent) is `missing`.
 */
class Directory {
  private readonly entries = new Map<string, Entry<unknown>>();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly api: ApiClient) {}

  agent(id: string): Entry<Agent> {
    return this.lookup(`agent:${id}`, () => this.api.get<Agent>('provisioner', `/agents/${encodeURIComponent(id)}`)) as Entry<Agent>;
  }

  owner(id: string): Entry<Owner> {
    return this.lookup(`owner:${id}`, () => this.api.get<Owner>('provisioner', `/owners/${encodeURIComponent(id)}`)) as Entry<Owner>;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private lookup(key: string, fetch: () => Promise<unknown>): Entry<unknown> {
    const known = this.entries.get(key);
    if (known) return known;
    this.entries.set(key, { state: 'loading' });
    fetch().then(
      (value) => this.settle(key, { state: 'found', value }),
      () => this.settle(key, { state: 'missing' }),
    );
    return { state: 'loading' };
  }

  private settle(key: string, entry: Entry<unknown>): void {
    this.entries.set(key, entry);
    this.listeners.forEach((listener) => listener());
  }
}

let shared: { api: ApiClient; directory: Directory } | undefined;

/** The shared directory for the signed-in person; components re-render as names arrive. */
export function useDirectory(): Directory {
  const api = useApi();
  if (!shared || shared.api !== api) shared = { api, directory: new Directory(api) };
  const directory = shared.directory;
  const [, setVersion] = useState(0);
  useEffect(() => directory.subscribe(() => setVersion((v) => v + 1)), [directory]);
  return directory;
}

export function agentName(entry: Entry<Agent>, id: string): string {
  return entry.state === 'found' ? entry.value.name : entry.state === 'missing' ? id : '…';
}

export function ownerName(entry: Entry<Owner> | undefined, id: string | undefined): string {
  if (!id || !entry) return 'no owner known';
  return entry.state === 'found' ? (entry.value.displayName ?? entry.value.email ?? id) : entry.state === 'missing' ? id : '…';
}
