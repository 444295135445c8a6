import { ReactNode, useEffect } from 'react';

import { SignedInUser, useSession } from '../auth/session';
import { Role } from '../config';
import { ConsolePage, PAGES } from './pages';
import { Link, matchPath, navigate, useLocation } from './router';

const ROLE_NAMES: Record<Role, string> = { admin: 'admin', 'soc-analyst': 'SOC analyst', reviewer: 'reviewer' };

const allowed = (page: ConsolePage, user: SignedInUser) => page.roles.some((role) => user.roles.includes(role));

export function App() {
  const session = useSession();
  const { state } = session;
  if (state.status === 'starting') return <Centered>Signing you in…</Centered>;
  if (state.status === 'signed-out') {
    return (
      <Centered>
        <h1>agentgov SOC console</h1>
        {state.message && (
          <p role="status" className="notice">
            {state.message}
          </p>
        )}
        <p>Sign in with your organisation&apos;s account to see incidents and act on them.</p>
        <button type="button" className="primary" onClick={() => void session.signIn()}>
          Sign in
        </button>
      </Centered>
    );
  }
  return <Shell user={state.user} />;
}

function Shell({ user }: { user: SignedInUser }) {
  const session = useSession();
  const { pathname } = useLocation();
  const navigation = PAGES.filter((page) => page.nav && allowed(page, user));
  const found = PAGES.map((page) => ({ page, params: matchPath(page.path, pathname) })).find((m) => m.params);

  useEffect(() => {
    if (pathname === '/' && navigation[0]) navigate(navigation[0].path, { replace: true });
  }, [pathname, navigation]);
  useEffect(() => {
    document.title = `${found?.page.title ?? 'agentgov'} · agentgov SOC console`;
  }, [found]);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top-bar">
        <span className="brand">agentgov</span>
        <nav aria-label="Main">
          <ul>
            {navigation.map((page) => (
              <li key={page.path}>
                <Link to={page.path} aria-current={pathname.startsWith(page.path) ? 'page' : undefined}>
                  {page.nav}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span>
            {user.name}
            <span className="roles"> · {user.roles.length ? user.roles.map((r) => ROLE_NAMES[r]).join(', ') : 'no role'}</span>
          </span>
          <button type="button" onClick={() => void session.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {user.roles.length === 0 ? (
          <section className="empty-state">
            <h1>No access yet</h1>
            <p>
              You are signed in as <strong>{user.name}</strong>, but your account has no agentgov role. Ask an administrator to give you the SOC analyst,
              reviewer or admin role at your identity provider, then sign in again.
            </p>
          </section>
        ) : !found ? (
          pathname === '/' ? null : (
            <section className="empty-state">
              <h1>Page not found</h1>
              <p>
                <Link to="/">Back to the console</Link>
              </p>
            </section>
          )
        ) : !allowed(found.page, user) ? (
          <section className="empty-state">
            <h1>Not for your role</h1>
            <p>
              {found.page.title} is for {found.page.roles.map((r) => ROLE_NAMES[r]).join(' or ')}; you are {user.roles.map((r) => ROLE_NAMES[r]).join(', ')}.
            </p>
          </section>
        ) : (
          found.page.render(found.params as Record<string, string>)
        )}
      </main>
    </>
  );
}

function Centered({ children }: { children: ReactNode }) {
  return (
    <main id="main" className="centered">
      <section className="card">{children}</section>
    </main>
  );
}
