#!/usr/bin/env node
// Stable entry for the `hyphae` command; the compiled CLI lives in dist/.
import '../dist/cli/main.js';
