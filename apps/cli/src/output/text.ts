/** Columns aligned with two spaces between them; the last column is not padded. Empty cells print as "-". */
export function table(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>): string {
  const cells = [headers, ...rows.map((row) => row.map((cell) => (cell === null || cell === undefined || cell === '' ? '-' : String(cell))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')).join('\n');
}

/** "name: value" lines, the names aligned; absent values print as "-". */
export function fields(entries: ReadonlyArray<readonly [string, string | number | boolean | null | undefined]>): string {
  const width = Math.max(0, ...entries.map(([name]) => name.length));
  return entries
    .map(([name, value]) => `${`${name}:`.padEnd(width + 1)} ${value === null || value === undefined || value === '' ? '-' : String(value)}`)
    .join('\n');
}

/** An ISO time to the second, in UTC: "2026-03-01 09:30:00Z". */
export function when(iso: string | null | undefined): string | undefined {
  if (!iso) return undefined;
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : `${at.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** "3 agents", "1 agent". */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? singular : plural}`;
}

export interface TreeNode {
  label: string;
  children: TreeNode[];
}

/** A tree in text, drawn with box characters: the root, then each child under it with ├── and └──. */
export function drawTree(root: TreeNode): string {
  const lines = [root.label];
  const walk = (node: TreeNode, indent: string) => {
    node.children.forEach((child, i) => {
      const last = i === node.children.length - 1;
      lines.push(`${indent}${last ? '└── ' : '├── '}${child.label}`);
      walk(child, `${indent}${last ? '    ' : '│   '}`);
    });
  };
  walk(root, '');
  return lines.join('\n');
}
