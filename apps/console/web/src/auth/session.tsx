import { createContext, ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';

import { ApiClient } from '../api/api-client';
import { ConsoleConfig, Role } from '../config';
import { claimAt, rolesOf, unverifiedClaims } from './claims';
import { OidcClient, SignInError, Tokens } from './oidc-client';

export interface SignedInUser {
  /** As the services record the person (the configured subject claim). */
  subject: string;
  name: string;
  roles: Role[];
}

export type SessionState = { status: 'starting' } | { status: 'signed-out'; message?: string } | { status: 'signed-in'; user: SignedInUser };

export interface Session {
  state: SessionState;
  config: ConsoleConfig;
  signIn(returnTo?: string): Promise<void>;
  signOut(): Promise<void>;
  /** The current access token, for the Authorization header; throws when signed out. */
  accessToken(): string;
  /** The services as the signed-in person (the same client across token renewals). */
  api: ApiClient;
}

const SessionContext = createContext<Session | undefined>(undefined);

/** Renew the access token this long before it expires. */
const RENEW_BEFORE_MS = 60_000;

function userOf(tokens: Tokens, config: ConsoleConfig): SignedInUser {
  const claims = unverifiedClaims(tokens.accessToken);
  const subject = String(claimAt(claims, config.subjectClaim) ?? claims['sub'] ?? '');
  const name = [tokens.idClaims['name'], tokens.idClaims['preferred_username'], subject].find((v): v is string => typeof v === 'string' && v !== '') ?? subject;
  return { subject, name, roles: rolesOf(claims, config) };
}

/**
 * The signed-in person, their tokens in memory only (a reload signs in again, silently while the identity provider's
 * session lasts), renewed before they expire, and ended at the identity provider on sign-out.
 */
export function SessionProvider({ config, children }: { config: ConsoleConfig; children: ReactNode }) {
  const client = useMemo(() => new OidcClient(config), [config]);
  const tokens = useRef<Tokens | undefined>(undefined);
  const [state, setState] = useState<SessionState>({ status: 'starting' });
  // The callback is read once: its code and transaction are single-use.
  const started = useRef(false);

  const adopt = useCallback(
    (next: Tokens) => {
      tokens.current = next;
      setState({ status: 'signed-in', user: userOf(next, config) });
    },
    [config],
  );

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    if (window.location.pathname !== '/callback') {
      setState({ status: 'signed-out' });
      return;
    }
    const callback = new URL(window.location.href);
    // The code is single-use and the URL is not kept: the address bar and history lose it at once.
    window.history.replaceState(null, '', '/');
    client.completeSignIn(callback).then(
      ({ tokens: signedIn, returnTo }) => {
        window.history.replaceState(null, '', returnTo);
        adopt(signedIn);
      },
      (error: unknown) => setState({ status: 'signed-out', message: error instanceof SignInError ? error.message : 'The sign-in could not be completed.' }),
    );
  }, [client, adopt]);

  const expiresAt = state.status === 'signed-in' ? tokens.current?.expiresAt : undefined;
  useEffect(() => {
    if (expiresAt === undefined || !tokens.current) return;
    const timer = window.setTimeout(
      () => {
        const current = tokens.current;
        if (!current) return;
        client.refresh(current).then(adopt, (error: unknown) => {
          tokens.current = undefined;
          setState({ status: 'signed-out', message: error instanceof SignInError ? error.message : 'Your session has ended; sign in again.' });
        });
      },
      Math.max(5_000, expiresAt - Date.now() - RENEW_BEFORE_MS),
    );
    return () => window.clearTimeout(timer);
  }, [client, adopt, expiresAt]);

  const api = useMemo(
    () =>
      new ApiClient(() => {
        if (!tokens.current) throw new SignInError('You are signed out.');
        return tokens.current.accessToken;
      }),
    [],
  );
  const session = useMemo<Session>(
    () => ({
      state,
      config,
      signIn: (returnTo = window.location.pathname + window.location.search) => client.signIn(returnTo),
      signOut: async () => {
        const url = await client.signOutUrl(tokens.current);
        tokens.current = undefined;
        setState({ status: 'signed-out', message: 'You are signed out.' });
        if (url) window.location.assign(url);
      },
      accessToken: () => {
        if (!tokens.current) throw new SignInError('You are signed out.');
        return tokens.current.accessToken;
      },
      api,
    }),
    [state, config, client, api],
  );
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}
