import { parseAllDocuments } from 'yaml';

/**
 * YAML as a strict parser reads it (duplicate keys, bad indentation, tabs, anything it would only warn about)
 * plus the house rules: no trailing spaces, a final newline, no empty document.
 */
export function lintYaml(file: string, text: string): string[] {
  const problems: string[] = [];
  const documents = parseAllDocuments(text, { strict: true, uniqueKeys: true, prettyErrors: false });
  for (const [index, document] of documents.entries()) {
    for (const issue of [...document.errors, ...document.warnings]) {
      problems.push(`${file}: ${issue.code} at line ${lineOf(text, issue.pos[0])}: ${issue.message.split('\n')[0]}`);
    }
    if (document.contents === null && documents.length > 1) problems.push(`${file}: document ${index + 1} is empty`);
  }
  text.split('\n').forEach((line, i) => {
    if (/[ \t]+$/.test(line)) problems.push(`${file}: trailing whitespace at line ${i + 1}`);
    if (/^\t/.test(line)) problems.push(`${file}: tab indentation at line ${i + 1}`);
  });
  if (text.length > 0 && !text.endsWith('\n')) problems.push(`${file}: no newline at the end`);
  return problems;
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}
