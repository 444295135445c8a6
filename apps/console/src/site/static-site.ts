import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

export interface SiteFile {
  body: Buffer;
  contentType: string;
  /** Vite names built assets by their content hash: such a file never changes under its name. */
  immutable: boolean;
}

/**
 * The built single-page app, read once at start-up into memory (a few hundred KB): every file by its URL path, and
 * index.html for every other page the app routes itself. Only files found at start-up are ever served, so no request
 * path reaches the file system.
 */
export class StaticSite {
  private readonly files = new Map<string, SiteFile>();
  readonly index: SiteFile;

  constructor(directory: string) {
    const root = resolve(directory);
    if (!existsSync(join(root, 'index.html'))) {
      throw new Error(`CONSOLE_STATIC_DIR: ${root} has no index.html; build the console first (npx vite build --config apps/console/web/vite.config.ts)`);
    }
    for (const file of walk(root)) {
      const contentType = CONTENT_TYPES[extname(file)];
      if (!contentType) continue;
      const path = `/${relative(root, file).split(sep).join('/')}`;
      this.files.set(path, { body: readFileSync(file), contentType, immutable: path.startsWith('/assets/') });
    }
    this.index = this.files.get('/index.html') as SiteFile;
  }

  file(path: string): SiteFile | undefined {
    return this.files.get(path);
  }
}

function* walk(directory: string): Iterable<string> {
  for (const entry of readdirSync(directory)) {
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}
