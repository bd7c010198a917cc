/**
 * docs/commands.md documents every command and every flag `harness --help` shows: a command gets
 * a `## \`harness NAME\`` section, and each of its flags appears in that section (or, for the
 * options every command takes, in the section about them).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';

/** The flags a command's --help lists (`--dry-run`, `--no-submit`, `-h`...). */
function flagsOf(help: string): string[] {
  const options = help.slice(help.indexOf('Options:'));
  return [...options.matchAll(/^ {2}(?:(-\w), )?(--[\w-]+)/gm)].map((m) => m[2]!);
}

/** `## heading` → its text, up to the next `## `. */
function sections(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = markdown.split(/^## /m).slice(1);
  for (const part of parts) out.set(part.slice(0, part.indexOf('\n')).trim(), part);
  return out;
}

describe('docs/commands.md', () => {
  it('has a section for every command, naming every flag of it', async () => {
    const doc = sections(await readFile(path.join(ROOT, 'docs', 'commands.md'), 'utf8'));
    const common = doc.get('Options of every command') ?? '';
    const top = await runCli(['--help']);
    const names = [...top.stdout.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]!).filter((n) => n !== 'help');
    expect(names.length).toBeGreaterThanOrEqual(9);
    const missing: string[] = [];
    for (const name of names) {
      const heading = [...doc.keys()].find((h) => h === `\`harness ${name}\`` || h.startsWith(`\`harness ${name} `));
      if (!heading) {
        missing.push(`no section "## \`harness ${name}\`"`);
        continue;
      }
      const help = (await runCli([name, '--help'])).stdout;
      for (const flag of flagsOf(help)) {
        if (flag === '--help') continue;
        const documented = new RegExp(`\`${flag}(?=[\\s\`])`);
        if (!documented.test(doc.get(heading)!) && !documented.test(common)) missing.push(`${name} ${flag}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('the options of every command include --repo and --config, with the model flags', async () => {
    const doc = sections(await readFile(path.join(ROOT, 'docs', 'commands.md'), 'utf8'));
    const common = doc.get('Options of every command') ?? '';
    for (const flag of ['--repo <dir>', '--config <file>', '--model <id>', '--max-tokens <n>']) expect(common).toContain(`\`${flag}\``);
  });
});
