#!/usr/bin/env node
// The `studio` command. The sources are TypeScript run as they are (tsx's loader), so a checkout
// needs no build step and the CLI can never run stale compiled code.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
await main(process.argv);
