import { ConsoleRealm, KeycloakAdmin } from '@agentgov/test-support';

/** The CLI's client at a realm: public, the device authorization grant only, its access tokens for the services' audience. */
export async function addCliClient(admin: KeycloakAdmin, realm: Pick<ConsoleRealm, 'name'>, audience: string): Promise<void> {
  await admin.call('POST', `/${encodeURIComponent(realm.name)}/clients`, {
    clientId: 'agentgov-cli',
    name: 'agentgov command line',
    enabled: true,
    publicClient: true,
    standardFlowEnabled: false,
    implicitFlowEnabled: false,
    directAccessGrantsEnabled: false,
    serviceAccountsEnabled: false,
    attributes: { 'oauth2.device.authorization.grant.enabled': 'true' },
    protocolMappers: [
      {
        name: 'agentgov API audience',
        protocol: 'openid-connect',
        protocolMapper: 'oidc-audience-mapper',
        config: { 'included.custom.audience': audience, 'access.token.claim': 'true', 'id.token.claim': 'false', 'introspection.token.claim': 'true' },
      },
    ],
  });
}

/**
 * What a person does in a browser for `agentgov login`, through Keycloak's real pages without a browser: opens the
 * verification page with the code, signs in on the login form, and grants the CLI access on the consent page
 * (cookies kept by hand, as a browser keeps them).
 */
export async function approveDeviceSignIn(verificationUriComplete: string, user: { username: string; password: string }): Promise<void> {
  const cookies = new Map<string, string>();
  const request = async (url: string, form?: Record<string, string>) => {
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
      signal: AbortSignal.timeout(30_000),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      if (at > 0) cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    return { response, html: await response.text(), url };
  };
  /** Follows redirects from a page to the next page that is not one. */
  const settle = async (page: Awaited<ReturnType<typeof request>>) => {
    let current = page;
    for (let hops = 0; hops < 10 && current.response.status >= 300 && current.response.status < 400; hops++) {
      current = await request(new URL(current.response.headers.get('location') ?? '', current.url).toString());
    }
    return current;
  };
  const formAction = (page: { html: string; url: string }, pattern: RegExp, what: string) => {
    const action = pattern.exec(page.html)?.[1];
    if (!action) throw new Error(`keycloak did not show its ${what} (at ${page.url})`);
    return new URL(action.replace(/&amp;/g, '&'), page.url).toString();
  };

  const loginPage = await settle(await request(verificationUriComplete));
  const login = formAction(loginPage, /<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"/, 'login form');
  const consentPage = await settle(await request(login, { username: user.username, password: user.password, credentialId: '' }));
  const consent = formAction(consentPage, /<form[^>]*action="([^"]*login-actions\/consent[^"]*)"/, 'consent page');
  const code = /name="code" value="([^"]+)"/.exec(consentPage.html)?.[1];
  if (!code) throw new Error('the consent page has no code');
  const granted = await request(consent, { code, accept: 'Yes' });
  if (!/\/device\/status/.test(granted.response.headers.get('location') ?? '')) {
    throw new Error(`keycloak did not confirm the device sign-in (HTTP ${granted.response.status}, to ${granted.response.headers.get('location')})`);
  }
}
