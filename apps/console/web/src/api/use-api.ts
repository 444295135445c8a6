import { useSession } from '../auth/session';
import { ApiClient } from './api-client';

/** The services as the signed-in person: one client for the session, whatever token it holds now. */
export function useApi(): ApiClient {
  return useSession().api;
}
