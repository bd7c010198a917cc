// The worker of collect-memory.test.ts: collects an ended batch served by the emulator through
// the built harness (openWorkspace + collectEnded, as `harness collect` does), under the heap limit
// the test starts it with. Prints one JSON line: { files, maxRss }.
import { readFileSync } from 'node:fs';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { defaultConfig } = await import('../../dist/config/schema.js');
const { openWorkspace } = await import('../../dist/pipeline/workspace.js');
const { collectEnded } = await import('../../dist/pipeline/collect.js');
const env = { ...process.env, ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: spec.url };
const ws = await openWorkspace({ repoDir: spec.repo, config: defaultConfig, configFile: null, env });
const at = new Date().toISOString();
const record = {
  intent: {
    type: 'intent',
    at,
    intentId: 'memory',
    model: defaultConfig.model,
    betas: [],
    fingerprint: 'memory',
    requests: spec.requests,
    estimateUsd: 0,
    purpose: 'tasks',
  },
  batchId: spec.batchId,
  submittedAt: at,
  adopted: false,
  abandoned: false,
  cancelRequested: false,
  collectStarted: false,
  collected: null,
};
const outcome = await collectEnded(ws, record);
console.log(JSON.stringify({ files: outcome.files, maxRss: process.resourceUsage().maxRSS * 1024 }));
