// The benchmarks' own unit tests (the report writer, the runner); the benchmarks themselves run with `npm run bench`.
module.exports = require('../jest.project')(__dirname, 'unit');
