#!/usr/bin/env node
// Thin launcher, CommonJS (bin/package.json) so that the fast paths — --version, help, completion — start no ESM
// loader: dist/bin.cjs (from src/bin.cts) serves them; anything else imports the CLI, dist/bin.js.
if (!require('../dist/bin.cjs').serve(process.argv.slice(2))) void import('../dist/bin.js');
