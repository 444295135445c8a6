import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';

/**
 * The documentation names files, and files move. This reads README.md, docs/*.md and every libs/*\/README.md and
 * apps/*\/README.md, and fails listing every path they mention that does not exist, and every link or path that
 * leads out of the repository (the repository explains itself; nothing it says may rest on files beside it).
 *
 * What counts as a path:
 * - in backticks (inline code and fenced blocks), a word starting with apps/, libs/, test/, bench/, scripts/,
 *   deploy/ or docs/, read from the repository root, with or without a `:line` or `#anchor` suffix. `*`, `?` and
 *   `<placeholder>` match within one folder level and `{a,b}` means either; such a pattern must match something.
 * - every relative markdown link, read from the folder of the file it is in (as GitHub reads it).
 * - anywhere, a word starting with ../ (read from the file's folder) and an absolute path under the folder that
 *   holds the repository (/work/...): the first must stay inside the repository, the second is never allowed.
 */

const REPO_ROOT = resolve(__dirname, '../..');
const PATH_PREFIX = /^(?:apps|libs|test|bench|scripts|deploy|docs)\//;
/** Absolute paths that point beside the repository: the folder holding it here, and /work wherever it runs. */
const OUTSIDE_ROOTS = [...new Set(['/work/', ...(dirname(REPO_ROOT) === '/' ? [] : [`${dirname(REPO_ROOT)}/`])])];

export interface DocProblem {
  /** Repo-relative file and 1-based line. */
  where: string;
  path: string;
  problem: 'does not exist' | 'matches nothing' | 'points outside the repository' | 'is an absolute path';
}

/** The documents checked, repo-relative, in a fixed order. */
export function documentsToCheck(root = REPO_ROOT): string[] {
  const docs: string[] = [];
  if (existsSync(join(root, 'README.md'))) docs.push('README.md');
  if (existsSync(join(root, 'docs'))) {
    for (const name of readdirSync(join(root, 'docs')).sort()) if (name.endsWith('.md')) docs.push(`docs/${name}`);
  }
  for (const group of ['apps', 'libs']) {
    if (!existsSync(join(root, group))) continue;
    for (const name of readdirSync(join(root, group)).sort()) {
      if (existsSync(join(root, group, name, 'README.md'))) docs.push(`${group}/${name}/README.md`);
    }
  }
  return docs;
}

/** Every problem with the paths one markdown document mentions. `file` is repo-relative. */
export function checkDocument(file: string, text: string, root = REPO_ROOT): DocProblem[] {
  const found: Array<DocProblem & { offset: number }> = [];
  const lineAt = lineIndex(text);
  const fileDir = posix.dirname(file);
  const add = (offset: number, path: string, problem: DocProblem['problem'] | undefined) => {
    if (problem) found.push({ where: `${file}:${lineAt(offset)}`, path, problem, offset });
  };

  // Code: fenced blocks, then inline spans. Both are masked out of the prose, where links are looked for.
  const code: Array<{ offset: number; text: string; fenced: boolean }> = [];
  let prose = text.replace(
    /^( {0,3})(`{3,}|~{3,})[^\n]*\n([\s\S]*?)(?:^ {0,3}\2[`~]*[ \t]*$|(?![\s\S]))/gm,
    (block, _indent, _fence, body: string, offset: number) => {
      code.push({ offset: offset + block.indexOf(body), text: body, fenced: true });
      return mask(block);
    },
  );
  prose = prose.replace(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g, (span, ticks: string, body: string, offset: number) => {
    code.push({ offset: offset + ticks.length, text: body, fenced: false });
    return mask(span);
  });

  for (const span of code) {
    for (const { token, offset } of words(span.text)) {
      const at = span.offset + offset;
      if (token.startsWith('../')) {
        // A sample's module specifier is not a document path, but must not lead out of the repository either.
        add(at, token, span.fenced ? outsideOnly(fileDir, token, root) : checkRelative(fileDir, token, root));
      } else if (PATH_PREFIX.test(token)) {
        add(at, token, checkRepoPath(token, root));
      }
    }
  }

  // Links and reference definitions in the prose (not in code, where brackets mean something else).
  const links = /\]\(\s*<?([^)\s>]+)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)|^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm;
  for (const match of prose.matchAll(links)) {
    const target = match[1] ?? match[2];
    const at = (match.index ?? 0) + match[0].indexOf(target);
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) && !/^file:/i.test(target)) continue; // https:, mailto:
    if (target.startsWith('#')) continue;
    if (/^file:/i.test(target) || target.startsWith('/')) {
      add(at, target, 'is an absolute path');
      continue;
    }
    add(at, target, checkRelative(fileDir, target, root));
  }

  // Anywhere else: ../ words and absolute paths beside the repository.
  for (const { token, offset } of words(prose)) {
    if (token.startsWith('../')) add(offset, token, checkRelative(fileDir, token, root));
  }
  for (const root_ of OUTSIDE_ROOTS) {
    const absolute = new RegExp(`(?<![\\w.:/~-])${escapeRegExp(root_)}[^\\s)\`'"<>\\]]*`, 'g');
    for (const match of text.matchAll(absolute)) add(match.index ?? 0, match[0].replace(/[.,;:!]+$/, ''), 'is an absolute path');
  }

  // In the order of the document; a path found twice (a link's target is also a word) is reported once.
  found.sort((a, b) => a.offset - b.offset || a.path.localeCompare(b.path));
  return dedupe(found.map(({ where, path, problem }) => ({ where, path, problem })));
}

/** A repo-relative path (possibly a pattern) from backticks. */
function checkRepoPath(token: string, root: string): DocProblem['problem'] | undefined {
  const path = posix.normalize(withoutSuffix(token));
  if (path.startsWith('../')) return 'points outside the repository';
  return existsOrMatches(path, root);
}

/** A path relative to the document's folder: a link, or a ../ word. */
function checkRelative(fileDir: string, token: string, root: string): DocProblem['problem'] | undefined {
  const path = posix.normalize(posix.join(fileDir, safeDecode(withoutSuffix(token))));
  if (path === '..' || path.startsWith('../')) return 'points outside the repository';
  return existsOrMatches(path, root);
}

function outsideOnly(fileDir: string, token: string, root: string): DocProblem['problem'] | undefined {
  const problem = checkRelative(fileDir, token, root);
  return problem === 'points outside the repository' ? problem : undefined;
}

/** `path:12`, `path:12-20`, `path#anchor`, `path?query` and trailing punctuation name the file `path`. */
function withoutSuffix(token: string): string {
  return token
    .replace(/[#?].*$/, '')
    .replace(/(?::\d+)+(?:-\d+)?$/, '')
    .replace(/[.,;:!]+$/, '');
}

function existsOrMatches(path: string, root: string): DocProblem['problem'] | undefined {
  const patterns = expandBraces(path);
  const isPattern = patterns.length > 1 || patterns.some((p) => /[*?<]|(^|\/)(\.\.\.|…)(\/|$)/.test(p));
  if (!isPattern) return existsSync(join(root, path)) ? undefined : 'does not exist';
  // Every alternative of {a,b} must exist; a wildcard must match at least one entry.
  return patterns.every((pattern) => matchesSomething(pattern, root)) ? undefined : 'matches nothing';
}

function matchesSomething(pattern: string, root: string): boolean {
  const segments: string[] = [];
  for (const segment of pattern.split('/')) {
    if (segment === '...' || segment === '…') break; // "and so on": what comes before must exist
    if (segment !== '') segments.push(segment);
  }
  let candidates = [root];
  for (const segment of segments) {
    const next: string[] = [];
    const glob = /[*?<]/.test(segment) ? segmentRegExp(segment) : undefined;
    for (const dir of candidates) {
      if (!glob) {
        if (existsSync(join(dir, segment))) next.push(join(dir, segment));
        continue;
      }
      if (!isDirectory(dir)) continue;
      for (const name of readdirSync(dir)) if (glob.test(name)) next.push(join(dir, name));
    }
    if (next.length === 0) return false;
    candidates = next;
  }
  return true;
}

/** One path segment with `*`, `?` and `<placeholder>` as a regular expression. */
function segmentRegExp(segment: string): RegExp {
  let source = '';
  for (const part of segment.split(/(<[^>]*>|\*|\?)/)) {
    if (part === '*' || part.startsWith('<')) source += '.*';
    else if (part === '?') source += '.';
    else source += escapeRegExp(part);
  }
  return new RegExp(`^${source}$`);
}

/** `a.{md,json}` is `a.md` and `a.json` (nested and repeated groups too). */
function expandBraces(path: string): string[] {
  const match = /\{([^{}]*,[^{}]*)\}/.exec(path);
  if (!match) return [path];
  const before = path.slice(0, match.index);
  const after = path.slice(match.index + match[0].length);
  return match[1].split(',').flatMap((alternative) => expandBraces(`${before}${alternative}${after}`));
}

/** The whitespace- and quote-separated words of a text, with their offsets. */
function words(text: string): Array<{ token: string; offset: number }> {
  const out: Array<{ token: string; offset: number }> = [];
  for (const match of text.matchAll(/[^\s'"`()=|[\]]+/g)) {
    let token = match[0];
    let offset = match.index ?? 0;
    if (token.startsWith('./')) {
      token = token.slice(2);
      offset += 2;
    }
    out.push({ token, offset });
  }
  return out;
}

function mask(text: string): string {
  return text.replace(/[^\n]/g, ' ');
}

function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function dedupe(problems: DocProblem[]): DocProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.where} ${p.path} ${p.problem}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function describeProblem(p: DocProblem): string {
  return `${p.where}: ${p.path} ${p.problem}`;
}

describe('paths in the documentation', () => {
  it('every path the READMEs and docs/ mention exists, and none leads out of the repository', () => {
    const documents = documentsToCheck();
    expect(documents).toEqual(expect.arrayContaining(['README.md', 'docs/architecture.md']));

    const problems = documents.flatMap((file) => checkDocument(file, readFileSync(join(REPO_ROOT, file), 'utf8')));

    expect(problems.map(describeProblem)).toEqual([]);
  });

  describe('the check itself', () => {
    const check = (file: string, markdown: string) => checkDocument(file, markdown).map(describeProblem);

    it('finds paths in backticks, with or without :line or #anchor, and reads them from the repository root', () => {
      expect(
        check(
          'docs/x.md',
          [
            'See `apps/containment/README.md:12`, `libs/contracts/README.md#add-an-event` and `docs/architecture.md`.',
            'Run `npx jest -c libs/contracts/jest.config.js` then `apps/nowhere/src/gone.ts:40` and `libs/contracts/src/gone.ts#L3`.',
            '```sh',
            'node -r @swc-node/register scripts/missing.ts',
            '```',
          ].join('\n'),
        ),
      ).toEqual([
        'docs/x.md:2: apps/nowhere/src/gone.ts:40 does not exist',
        'docs/x.md:2: libs/contracts/src/gone.ts#L3 does not exist',
        'docs/x.md:4: scripts/missing.ts does not exist',
      ]);
    });

    it('reads links from the document’s folder, and refuses those leading out of the repository', () => {
      expect(
        check(
          'docs/x.md',
          [
            '[arch](architecture.md), [contracts](../libs/contracts/README.md), [web](https://example.com/a), [here](#flows)',
            '[gone](../apps/gone.md) and [briefing](../../outside/briefing.md), [abs](/work/elsewhere/b.md)',
            '[ref]: ../elsewhere/notes.md',
          ].join('\n'),
        ),
      ).toEqual([
        'docs/x.md:2: ../apps/gone.md does not exist',
        'docs/x.md:2: ../../outside/briefing.md points outside the repository',
        'docs/x.md:2: /work/elsewhere/b.md is an absolute path',
        'docs/x.md:3: ../elsewhere/notes.md does not exist',
      ]);
      expect(check('README.md', 'As said in ../elsewhere/spec.md and `../../elsewhere/x.md`.')).toEqual([
        'README.md:1: ../elsewhere/spec.md points outside the repository',
        'README.md:1: ../../elsewhere/x.md points outside the repository',
      ]);
    });

    it('refuses absolute paths beside the repository anywhere, and only those', () => {
      expect(check('README.md', 'Copied from /work/elsewhere/flows.md; served at `/health/live`, https://h.example/work/a.')).toEqual([
        'README.md:1: /work/elsewhere/flows.md is an absolute path',
      ]);
    });

    it('takes patterns: a wildcard or placeholder must match something, each {a,b} alternative must exist', () => {
      expect(
        check(
          'README.md',
          '`apps/*/README.md`, `libs/<name>/project.json`, `apps/*/src/nothing-like-this.ts`, `docs/{architecture,nope}.md`, `apps/containment/...`',
        ),
      ).toEqual(['README.md:1: apps/*/src/nothing-like-this.ts matches nothing', 'README.md:1: docs/{architecture,nope}.md matches nothing']);
    });

    it('ignores words that are not paths into the repository', () => {
      expect(check('README.md', '`npm test`, `@agentgov/contracts`, `dist/apps/<service>/src/main.js`, `test`, `src/events/<topic>`')).toEqual([]);
    });
  });
});
