import { CommandFailure } from '../cli.errors';
import type { CommandSpec } from '../command';
import { fields, when } from '../output/text';
import { deviceLogin, discoverIssuer } from '../session/device-login';
import { readTokenClaims, TokenClaims } from '../session/token-claims';

function describe(claims: TokenClaims | undefined) {
  return {
    subject: claims?.subject ?? null,
    issuer: claims?.issuer ?? null,
    audience: claims?.audience ?? [],
    roles: claims?.roles ?? [],
    ...(claims?.providerRoles ? { providerRoles: claims.providerRoles } : {}),
    expiresAt: claims?.expiresAt?.toISOString() ?? null,
    expired: claims?.expiresAt ? claims.expiresAt.getTime() <= Date.now() : false,
  };
}

function rolesText(d: ReturnType<typeof describe>): string {
  if (d.roles.length) return d.roles.join(', ');
  if (d.providerRoles?.length) return `${d.providerRoles.join(', ')} (the identity provider's names; each service maps them to its roles)`;
  return 'none';
}

const login: CommandSpec = {
  name: ['login'],
  summary: 'sign in at your OpenID issuer in a browser (device authorization, RFC 8628); the token is kept for the next commands',
  description: [
    'Prints a page and a code: open the page on any device, sign in, enter the code. The tokens are stored in',
    '~/.config/agentgov/credentials.json (mode 0600) and never printed; agentgov logout deletes them. The issuer',
    'comes from --issuer, AGENTGOV_OIDC_ISSUER or oidc.issuer in the configuration file; the client (a public',
    'client allowed the device grant) from --client-id, AGENTGOV_OIDC_CLIENT_ID or oidc.clientId (default agentgov-cli).',
  ].join('\n'),
  options: {
    issuer: { kind: 'value', value: 'URL', description: 'the OpenID issuer, e.g. http://127.0.0.1:8180/realms/agentgov' },
    'client-id': { kind: 'value', value: 'ID', description: 'the OAuth client id' },
    scope: { kind: 'value', value: 'SCOPES', description: 'the scopes to ask for (default openid)' },
  },
  examples: ['agentgov login', 'AGENTGOV_OIDC_ISSUER=https://login.example.com/realms/agentgov agentgov login'],
  async run({ settings, session, io }, args) {
    const issuer = args.value('issuer') ?? settings.oidc.issuer;
    if (!issuer) {
      throw new CommandFailure('no OpenID issuer configured to sign in at', {
        hint: 'give --issuer, set AGENTGOV_OIDC_ISSUER, or put "oidc": { "issuer": "..." } in ~/.config/agentgov/config.json',
      });
    }
    const clientId = args.value('client-id') ?? settings.oidc.clientId;
    const waiting = { progress: undefined as ReturnType<typeof io.progress> | undefined };
    try {
      const credentials = await deviceLogin({
        issuer,
        clientId,
        scope: args.value('scope') ?? settings.oidc.scope,
        onPrompt: (prompt) => {
          io.message(`To sign in, open ${prompt.verificationUri} and enter the code ${prompt.userCode}`);
          if (prompt.verificationUriComplete) io.message(`(or open ${prompt.verificationUriComplete})`);
          io.message(`The code is good until ${when(prompt.expiresAt.toISOString())}.`);
          waiting.progress = io.progress({ label: 'waiting for the sign-in' });
        },
      });
      session.store.write(credentials);
      waiting.progress?.done('signed in');
      const who = describe(readTokenClaims(credentials.accessToken));
      return {
        data: { ...who, credentialsFile: session.store.path },
        text: `signed in as ${who.subject ?? '(no subject)'} at ${issuer}; roles: ${rolesText(who)}; until ${when(who.expiresAt) ?? '-'}${credentials.refreshToken ? ' (renewed as needed)' : ''}`,
      };
    } catch (error) {
      waiting.progress?.fail(error instanceof Error ? error.message : String(error));
      throw error;
    }
  },
};

const logout: CommandSpec = {
  name: ['logout'],
  summary: 'sign out: revoke the stored refresh token at the issuer when it can, and delete the stored credentials',
  async run({ session, io }) {
    const stored = session.store.read();
    if (!stored) return { data: { signedOut: false }, text: 'not signed in: nothing to delete' };
    let revoked = false;
    if (stored.refreshToken) {
      // Best effort: the credentials go in any case, and an issuer without RFC 7009 lets the refresh token expire.
      try {
        revoked = await revokeAt(stored.issuer, stored.refreshToken, stored.clientId);
      } catch (error) {
        io.message(`the issuer did not revoke the refresh token (${error instanceof Error ? error.message : String(error)}); it expires on its own`);
      }
    }
    session.store.delete();
    return {
      data: { signedOut: true, refreshTokenRevoked: revoked },
      text: `signed out: deleted ${session.store.path}${revoked ? ' and revoked the refresh token' : ''}`,
    };
  },
};

/** RFC 7009 revocation of the refresh token, when the issuer's discovery document names a revocation endpoint. */
async function revokeAt(issuer: string, refreshToken: string, clientId: string): Promise<boolean> {
  const endpoints = await discoverIssuer(issuer, fetch, false);
  if (!endpoints.revocationEndpoint) return false;
  const response = await fetch(endpoints.revocationEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: refreshToken, token_type_hint: 'refresh_token', client_id: clientId }).toString(),
    signal: AbortSignal.timeout(15_000),
  });
  if (!response.ok) throw new Error(`revocation answered ${response.status}`);
  return true;
}

const whoami: CommandSpec = {
  name: ['whoami'],
  summary: 'who the token in use names: subject, roles, issuer, expiry, and where the token comes from (never the token)',
  async run({ session }) {
    const source = session.source();
    if (!source) throw new CommandFailure('not signed in', { hint: 'run agentgov login, or give a token with --token or AGENTGOV_TOKEN' });
    const claims = await session.claims();
    if (!claims) throw new CommandFailure(`the token from ${source} is not a JWT`);
    const who = describe(claims);
    return {
      data: { ...who, source },
      text: fields([
        ['subject', who.subject],
        ['roles', rolesText(who)],
        ['issuer', who.issuer],
        ['audience', who.audience.join(', ')],
        ['expires', who.expiresAt ? `${when(who.expiresAt)}${who.expired ? ' (expired)' : ''}` : 'never'],
        ['token from', source],
      ]),
    };
  },
};

export const SESSION_COMMANDS: readonly CommandSpec[] = [login, logout, whoami];
