#!/usr/bin/env node
// The command npm links as `monitor-cli`. It exists before the TypeScript build, so npm can
// link it at install time; the program itself is dist/bin.js.
'use strict';
const path = require('node:path');
const fs = require('node:fs');

const program = path.join(__dirname, '..', 'dist', 'bin.js');
if (!fs.existsSync(program)) {
  process.stderr.write('monitor-cli: it is not built yet (dist/bin.js is missing): run `npm run build` at the repository root.\n');
  process.exit(1);
}
require(program);
