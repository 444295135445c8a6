// Workspace-level checks: docker-compose, deploy manifests, env documentation, lint rules.
module.exports = require('../jest.project')(__dirname, 'unit', { displayName: 'workspace' });
