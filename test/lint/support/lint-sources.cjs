// Lints in-memory sources as if they were files of the workspace, with the workspace's real ESLint config, through
// ESLint's Node API. Run as a child process of the lint tests: the flat config is an ES module, which jest's module
// system cannot load. Reads [{ file, code }] on stdin; writes to the file named by its argument
// { projects, results } where projects is the Nx project graph the boundary rule reads (null when it has none, and
// the rule then skips itself) and results[i] the messages of the i-th source.
const { readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../../..');

async function main() {
  const [report] = process.argv.slice(2);
  const sources = JSON.parse(readFileSync(0, 'utf8'));
  const { ESLint } = require(require.resolve('eslint', { paths: [ROOT] }));
  const { readProjectGraph } = require(require.resolve('@nx/eslint-plugin/src/utils/project-graph-utils', { paths: [ROOT] }));
  process.chdir(ROOT);
  const { projectGraph } = readProjectGraph('enforce-module-boundaries');
  const projects = projectGraph ? Object.values(projectGraph.nodes).map((n) => ({ name: n.name, root: n.data.root, tags: n.data.tags ?? [] })) : null;
  const eslint = new ESLint({ cwd: ROOT });
  const results = [];
  for (const { file, code } of sources) {
    const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file), warnIgnored: true });
    results.push(result.messages.map((m) => ({ ruleId: m.ruleId, line: m.line, message: m.message })));
  }
  writeFileSync(report, JSON.stringify({ projects, results }));
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(2);
});
