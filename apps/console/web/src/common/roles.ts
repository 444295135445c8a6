import { useSession } from '../auth/session';
import { Role } from '../config';

/** The signed-in person's roles (none when signed out). */
export function useRoles(): readonly Role[] {
  const { state } = useSession();
  return state.status === 'signed-in' ? state.user.roles : [];
}

/** The signed-in person's subject, as the services record them. */
export function useSubject(): string {
  const { state } = useSession();
  return state.status === 'signed-in' ? state.user.subject : '';
}

/** Whether these roles read audit trails, scores and incidents (the services give them to admins and SOC analysts). */
export function seesSocData(roles: readonly Role[]): boolean {
  return roles.includes('admin') || roles.includes('soc-analyst');
}
