#!/usr/bin/env node
// Fails when package-lock.json has an installed entry without a `version`. npm ci and npm install reject such a
// lockfile with "Invalid Version:" while building the ideal tree (arborist's dedupe compares the versionless entry),
// and a warm npm cache or an older lockfile can hide it on the machine that wrote it. See CONTRIBUTING.md.
'use strict';
const fs = require('fs');
const path = require('path');

const file = path.resolve(process.argv[2] || path.join(__dirname, '..', 'package-lock.json'));
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
if (lock.lockfileVersion < 2 || !lock.packages) {
  console.error(`${file}: lockfileVersion ${lock.lockfileVersion} has no "packages" map; expected 2 or 3`);
  process.exit(1);
}
const bad = Object.entries(lock.packages)
  .filter(([key, entry]) => key !== '' && !entry.link && !entry.version)
  .map(([key]) => key);
if (bad.length > 0) {
  console.error(`${file}: ${bad.length} entries without a version (npm ci fails with "Invalid Version:"):`);
  for (const key of bad) console.error(`  ${key}`);
  console.error('Delete these entries and run `npm install` once (see CONTRIBUTING.md, "The lockfile").');
  process.exit(1);
}
console.log(`${path.basename(file)}: ${Object.keys(lock.packages).length - 1} entries, each with a version`);
