import { RegistryOwner } from '../agents/agent-types';

/** Whether the owner is the one the text names: part of their id, email, name or team, whatever the case. */
export function ownerMatches(owner: Pick<RegistryOwner, 'id' | 'email' | 'displayName' | 'team'>, text: string): boolean {
  const wanted = text.trim().toLowerCase();
  if (!wanted) return true;
  return [owner.id, owner.email, owner.displayName, owner.team].some((field) => field?.toLowerCase().includes(wanted));
}

/** Exact matches first (the id or the email as typed), then by name. */
export function rankOwners<T extends Pick<RegistryOwner, 'id' | 'email' | 'displayName'>>(owners: readonly T[], text: string): T[] {
  const wanted = text.trim().toLowerCase();
  const exact = (o: T) => o.id.toLowerCase() === wanted || o.email?.toLowerCase() === wanted;
  return [...owners].sort((a, b) => Number(exact(b)) - Number(exact(a)) || (a.displayName ?? a.email ?? a.id).localeCompare(b.displayName ?? b.email ?? b.id));
}
