module.exports = require('../../jest.project')(__dirname, 'unit');
