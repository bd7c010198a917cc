/**
 * The effect half of the report: reads the status, the journal and git, then writes the page
 * (atomically) and, when asked, appends the Markdown summary to a file (GitHub's
 * `$GITHUB_STEP_SUMMARY` is one) or prints it. Git and the clock are injected for the tests.
 */
import { execFile } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ModelInfo } from '../models/models.js';
import { buildStatus } from '../pipeline/status.js';
import { writeFileAtomic } from '../shared/atomic-write.js';
import { HarnessError } from '../shared/errors.js';
import { HARNESS_STATE_DIR } from '../shared/paths.js';
import { ensureStateGitignore } from '../state/files.js';
import { readJournal } from '../state/journal.js';
import { reportData, type ReportData } from './report-data.js';
import { renderReportHtml } from './report-html.js';
import { renderReportMarkdown } from './report-markdown.js';

/** Where `harness report` and every `run` write the page, relative to the repo. */
const DEFAULT_REPORT_FILE = `${HARNESS_STATE_DIR}/report.html`;

export interface ReportDeps {
  /** Runs git in the repo; resolves its stdout, or null when git fails (no repo, no commits, no remote). */
  git: (repoDir: string, args: string[]) => Promise<string | null>;
  now: () => string;
}

const execFileP = promisify(execFile);

const defaultDeps: ReportDeps = {
  git: (repoDir, args) =>
    execFileP('git', ['-C', repoDir, ...args], { maxBuffer: 64 * 1024 * 1024 }).then(
      (r) => r.stdout,
      () => null,
    ),
  now: () => new Date().toISOString(),
};

/** The collect commit of each batch, from the subjects `harness: collect <id> (<n> files)`. */
export function collectCommits(log: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of log.split('\n')) {
    const m = /^([0-9a-f]{40})\tharness: collect (\S+) \(/.exec(line);
    // Newest first: a batch collected again (a replay) keeps its latest commit.
    if (m && !out.has(m[2]!)) out.set(m[2]!, m[1]!);
  }
  return out;
}

async function gatherReport(repoDir: string, model: ModelInfo, env: NodeJS.ProcessEnv, deps: ReportDeps = defaultDeps): Promise<ReportData> {
  const [status, journal, log, remote] = await Promise.all([
    buildStatus(repoDir, model),
    readJournal(repoDir),
    deps.git(repoDir, ['log', '--format=%H%x09%s', '--grep=^harness: collect ']),
    deps.git(repoDir, ['remote', 'get-url', 'origin']),
  ]);
  return reportData({
    status,
    journal,
    prices: model.prices,
    commits: collectCommits(log ?? ''),
    remote: remote?.trim() || null,
    repo: path.basename(repoDir),
    env,
    now: deps.now(),
  });
}

export interface WriteReportOptions {
  /** The page's file (absolute); default `.harness/report.html` in the repo. */
  out?: string;
  /** Append the Markdown summary to this file (absolute), or `-` for `write`. */
  markdown?: string;
  /** Where `--markdown -` goes. */
  write?: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

/** Writes the page (and the summary); returns the page's path. */
export async function writeReport(repoDir: string, model: ModelInfo, options: WriteReportOptions, deps: ReportDeps = defaultDeps): Promise<string> {
  const data = await gatherReport(repoDir, model, options.env, deps);
  const file = options.out ?? path.join(repoDir, DEFAULT_REPORT_FILE);
  if (!options.out) await ensureStateGitignore(repoDir); // the page is local: kept out of git
  await writeFileAtomic(file, renderReportHtml(data)).catch((error: NodeJS.ErrnoException) => {
    // A path the person gave is bad input (exit 2); the default one failing is the state's trouble.
    throw new HarnessError(options.out ? 'BAD_USAGE' : 'STATE', `cannot write the report to ${file}: ${error.code ?? error.message}`, {
      hint: 'pass --out with a file in a directory you can write to',
      cause: error,
    });
  });
  if (options.markdown === '-') options.write?.(renderReportMarkdown(data));
  else if (options.markdown) {
    await appendFile(options.markdown, renderReportMarkdown(data)).catch((error: NodeJS.ErrnoException) => {
      throw new HarnessError('BAD_USAGE', `cannot append the summary to ${options.markdown}: ${error.code ?? error.message}`, { cause: error });
    });
  }
  return file;
}

/** Opens `file` with the platform's opener (never waits for it, never fails the command). */
export function openerFor(platform: NodeJS.Platform): { command: string; args: (file: string) => string[] } {
  if (platform === 'darwin') return { command: 'open', args: (f) => [f] };
  if (platform === 'win32') return { command: 'cmd', args: (f) => ['/c', 'start', '""', f] };
  return { command: 'xdg-open', args: (f) => [f] };
}
