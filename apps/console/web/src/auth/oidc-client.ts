import * as oauth from 'oauth4webapi';

import { ConsoleConfig } from '../config';

/**
 * The sign-in transaction kept across the redirect to the identity provider and back: the PKCE verifier, state and
 * nonce, and the page to return to. It is the one thing the console puts in sessionStorage (a page that leaves for the
 * IdP loses its memory), only for the round trip, and removes it as soon as the callback reads it. Tokens never go
 * there, nor to localStorage: they live in memory only.
 */
const TRANSACTION_KEY = 'agentgov.console.sign-in';

interface SignInTransaction {
  codeVerifier: string;
  state: string;
  nonce: string;
  returnTo: string;
}

export interface Tokens {
  accessToken: string;
  /** When the access token expires (epoch ms). */
  expiresAt: number;
  refreshToken?: string;
  idToken?: string;
  /** The validated ID token's claims (the person's name). */
  idClaims: Record<string, unknown>;
}

export class SignInError extends Error {
  override readonly name = 'SignInError';
}

/** Authorization code flow with PKCE (S256) against the configured issuer, as a public client. */
export class OidcClient {
  private server?: oauth.AuthorizationServer;
  private readonly client: oauth.Client;
  private readonly issuer: URL;
  /** Plain http only for an issuer on this machine (the local Keycloak); anywhere else https is required. */
  private readonly options: { [oauth.allowInsecureRequests]?: boolean };

  constructor(private readonly config: ConsoleConfig) {
    this.issuer = new URL(config.issuer);
    this.client = { client_id: config.clientId };
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(this.issuer.hostname);
    this.options = this.issuer.protocol === 'http:' && loopback ? { [oauth.allowInsecureRequests]: true } : {};
  }

  get redirectUri(): string {
    return `${window.location.origin}/callback`;
  }

  /** Leaves for the identity provider's sign-in page; comes back to /callback, then to `returnTo`. */
  async signIn(returnTo: string): Promise<void> {
    const server = await this.authorizationServer();
    const transaction: SignInTransaction = {
      codeVerifier: oauth.generateRandomCodeVerifier(),
      state: oauth.generateRandomState(),
      nonce: oauth.generateRandomNonce(),
      returnTo: returnTo.startsWith('/') && !returnTo.startsWith('//') ? returnTo : '/',
    };
    const url = new URL(server.authorization_endpoint as string);
    url.search = new URLSearchParams({
      client_id: this.config.clientId,
      response_type: 'code',
      redirect_uri: this.redirectUri,
      scope: this.config.scopes,
      state: transaction.state,
      nonce: transaction.nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(transaction.codeVerifier),
      code_challenge_method: 'S256',
    }).toString();
    sessionStorage.setItem(TRANSACTION_KEY, JSON.stringify(transaction));
    window.location.assign(url.toString());
  }

  /** On /callback: checks the answer against the transaction, exchanges the code, validates the ID token. */
  async completeSignIn(callbackUrl: URL): Promise<{ tokens: Tokens; returnTo: string }> {
    const stored = sessionStorage.getItem(TRANSACTION_KEY);
    sessionStorage.removeItem(TRANSACTION_KEY);
    if (!stored) throw new SignInError('This sign-in was not started here, or was already completed. Sign in again.');
    const transaction = JSON.parse(stored) as SignInTransaction;
    const server = await this.authorizationServer();
    let parameters: URLSearchParams;
    try {
      parameters = oauth.validateAuthResponse(server, this.client, callbackUrl, transaction.state);
    } catch (error) {
      throw new SignInError(describeOAuthError(error, 'The identity provider did not sign you in'));
    }
    const response = await oauth.authorizationCodeGrantRequest(
      server,
      this.client,
      oauth.None(),
      parameters,
      this.redirectUri,
      transaction.codeVerifier,
      this.options,
    );
    try {
      const result = await oauth.processAuthorizationCodeResponse(server, this.client, response, { expectedNonce: transaction.nonce, requireIdToken: true });
      return { tokens: tokensOf(result), returnTo: transaction.returnTo };
    } catch (error) {
      throw new SignInError(describeOAuthError(error, 'The sign-in could not be completed'));
    }
  }

  /** New tokens for the refresh token, before the access token expires. */
  async refresh(tokens: Tokens): Promise<Tokens> {
    if (!tokens.refreshToken) throw new SignInError('The session cannot be extended; sign in again.');
    const server = await this.authorizationServer();
    const response = await oauth.refreshTokenGrantRequest(server, this.client, oauth.None(), tokens.refreshToken, this.options);
    try {
      const result = await oauth.processRefreshTokenResponse(server, this.client, response);
      const renewed = tokensOf(result);
      // The ID token need not be issued again; the person has not changed.
      return { ...renewed, idToken: renewed.idToken ?? tokens.idToken, idClaims: renewed.idToken ? renewed.idClaims : tokens.idClaims };
    } catch (error) {
      throw new SignInError(describeOAuthError(error, 'Your session has ended'));
    }
  }

  /** Where to send the browser to end the session at the identity provider too (RP-initiated logout), if it offers it. */
  async signOutUrl(tokens: Tokens | undefined): Promise<string | undefined> {
    const server = await this.authorizationServer();
    if (!server.end_session_endpoint) return undefined;
    const url = new URL(server.end_session_endpoint);
    url.search = new URLSearchParams({
      client_id: this.config.clientId,
      post_logout_redirect_uri: `${window.location.origin}/`,
      ...(tokens?.idToken ? { id_token_hint: tokens.idToken } : {}),
    }).toString();
    return url.toString();
  }

  private async authorizationServer(): Promise<oauth.AuthorizationServer> {
    if (!this.server) {
      const response = await oauth.discoveryRequest(this.issuer, { algorithm: 'oidc', ...this.options });
      this.server = await oauth.processDiscoveryResponse(this.issuer, response);
    }
    return this.server;
  }
}

function tokensOf(result: oauth.TokenEndpointResponse): Tokens {
  return {
    accessToken: result.access_token,
    expiresAt: Date.now() + (result.expires_in ?? 300) * 1000,
    ...(result.refresh_token ? { refreshToken: result.refresh_token } : {}),
    ...(result.id_token ? { idToken: result.id_token } : {}),
    idClaims: (oauth.getValidatedIdTokenClaims(result) as Record<string, unknown> | undefined) ?? {},
  };
}

function describeOAuthError(error: unknown, what: string): string {
  if (error instanceof oauth.AuthorizationResponseError || error instanceof oauth.ResponseBodyError) {
    return `${what}: ${error.error_description ?? error.error}.`;
  }
  return `${what}.`;
}
