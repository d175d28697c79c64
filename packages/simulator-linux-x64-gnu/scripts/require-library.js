#!/usr/bin/env node
// `prepack`: refuses to pack or publish this package without the library it exists to carry.
// The release copies it here with `npm run stage-prebuilt -w @wfpkit/packaging` after building.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
const missing = manifest.files.filter((f) => /^libwfpsim\./.test(f) && !fs.existsSync(path.join(__dirname, '..', f)));
if (missing.length > 0) {
  console.error(
    `${manifest.name}: ${missing.join(', ')} is missing, so the package would ship without its library. ` +
      'Build libwfpsim on a matching machine and stage it first: `npm run build -w @wfpkit/simulator && ' +
      'npm run stage-prebuilt -w @wfpkit/packaging` (CONTRIBUTING.md, "Releasing").',
  );
  process.exit(1);
}
