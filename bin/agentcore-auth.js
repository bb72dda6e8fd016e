#!/usr/bin/env node
// Thin launcher: everything lives in dist/bin.js (built from src/bin.ts).
import '../dist/bin.js';
