#!/usr/bin/env node
// The `resnet-lab` command. The CLI is TypeScript: register tsx's loader, then run it.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
