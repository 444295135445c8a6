// The whole system through its running services: end-to-end scenarios, faults, hostile input.
module.exports = require('../jest.project')(__dirname, 'integration', { displayName: 'system:integration', testTimeout: 120000 });
