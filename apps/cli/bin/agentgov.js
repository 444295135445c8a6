#!/usr/bin/env node
'use strict';
// `npx agentgov` (the root package.json's bin) runs the CLI's TypeScript entry as the repository's scripts run theirs,
// through @swc-node/register, so that it works right after `npm ci` with no build step. The workspace's tsconfig.json
// gives the @agentgov/* paths wherever the command is started from.
const { join } = require('node:path');

process.env.SWC_NODE_PROJECT = join(__dirname, '..', '..', '..', 'tsconfig.json');
require('@swc-node/register');
require('../src/main');
