import { CommandFailure, UsageError } from '../cli.errors';
import { GlobalOptions } from '../command-line/global-options';
import { loadSettings } from './settings';

const globals = (extra: Partial<GlobalOptions> = {}): GlobalOptions => ({ json: false, help: false, urls: {}, ...extra });
const files = (content: Record<string, string>) => (path: string) => {
  if (path in content) return content[path];
  throw Object.assign(new Error('missing'), { code: 'ENOENT' });
};

describe('settings', () => {
  it('takes each URL from its flag, else its variable, else the configuration file, else the default', () => {
    const config = JSON.stringify({
      urls: { provisioner: 'https://p.example/', containment: 'https://c.example' },
      oidc: { issuer: 'https://idp.example/realms/a/' },
    });
    const settings = loadSettings(
      globals({ urls: { provisioner: 'http://127.0.0.1:9001' } }),
      { HOME: '/home/op', AGENTGOV_CONTAINMENT_URL: 'http://containment.internal:3003', AGENTGOV_OIDC_CLIENT_ID: 'ops-cli' },
      files({ '/home/op/.config/agentgov/config.json': config }),
    );

    expect(settings.urls).toEqual({
      provisioner: 'http://127.0.0.1:9001',
      baseliner: 'http://127.0.0.1:3002',
      containment: 'http://containment.internal:3003',
      'review-scheduler': 'http://127.0.0.1:3004',
    });
    // The issuer identifier is kept exactly as written (its trailing slash is part of it).
    expect(settings.oidc).toEqual({ issuer: 'https://idp.example/realms/a/', clientId: 'ops-cli', scope: 'openid' });
    expect(settings.configDir).toBe('/home/op/.config/agentgov');
  });

  it('reads the file --config or AGENTGOV_CONFIG names, and XDG_CONFIG_HOME for the folder', () => {
    const read = files({ '/etc/agentgov.json': JSON.stringify({ urls: { 'review-scheduler': 'https://r.example' } }) });

    expect(loadSettings(globals({ config: '/etc/agentgov.json' }), { HOME: '/h' }, read).urls['review-scheduler']).toBe('https://r.example');
    expect(loadSettings(globals(), { HOME: '/h', AGENTGOV_CONFIG: '/etc/agentgov.json' }, read).urls['review-scheduler']).toBe('https://r.example');
    expect(loadSettings(globals(), { HOME: '/h', XDG_CONFIG_HOME: '/x' }, read).configDir).toBe('/x/agentgov');
  });

  it('refuses a missing named file, a misspelt setting, and a URL that is not http(s) or carries credentials', () => {
    expect(() => loadSettings(globals({ config: '/nope.json' }), { HOME: '/h' }, files({}))).toThrow('cannot read the configuration file /nope.json (ENOENT)');
    const misspelt = files({ '/c.json': JSON.stringify({ urls: { provisionner: 'http://p' } }) });
    expect(() => loadSettings(globals({ config: '/c.json' }), {}, misspelt)).toThrow('unknown setting "urls.provisionner"');
    expect(() => loadSettings(globals({ urls: { baseliner: 'ftp://b' } }), {}, files({}))).toThrow(UsageError);
    expect(() => loadSettings(globals(), { AGENTGOV_PROVISIONER_URL: 'http://user:pw@p' }, files({}))).toThrow(CommandFailure);
  });
});
