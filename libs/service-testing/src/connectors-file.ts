import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A connector entry as containment's CONNECTORS_FILE holds it (see apps/containment/README.md). */
export type ConnectorEntry = Record<string, unknown> & { name: string; type: string };

/**
 * Writes the connectors file a containment instance reads at start-up, readable by its owner only (it holds
 * secrets and bearer tokens), and returns its path: a fresh file under the system's temporary folder unless `file`
 * says where. The caller removes a temporary file when done.
 */
export function writeConnectorsFile(entries: ConnectorEntry[], file: string = join(tmpdir(), `containment-connectors-${randomUUID()}.json`)): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(entries, null, 2)}\n`, { mode: 0o600 });
  return file;
}
