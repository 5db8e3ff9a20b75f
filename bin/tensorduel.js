#!/usr/bin/env node
// Runs the TypeScript CLI straight from the checkout, so `npx tensorduel` works right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
