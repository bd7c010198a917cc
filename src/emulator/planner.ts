/**
 * The offline model's answer to the planner prompt (a line exactly `## Spec`): a task list in
 * task-list.md format.
 *
 * - Entities: list items `- Name: ...` of the spec (Name = 1–4 capitalised words, not a label such
 *   as Note or Example), at most 3 spaces of indent, outside code fences. Each gives
 *   `src/models/<kebab>.ts`, `src/services/<kebab>.service.ts`, `src/routes/<kebab>.routes.ts` and
 *   `test/<kebab>.test.ts`, under `## Stage 1: Models`, `## Stage 2: Services`, `## Stage 3: Routes`,
 *   `## Stage 4: Tests` (docs/task-list.md#stages), each described by its exports and their
 *   signatures (`class UserService`: `create(input: NewUser): User`; …), as planner.md asks.
 * - Files (`## Files`, after the stages: the last stage): code spans of the spec that look like a file path (a `/`, an extension, no
 *   spaces), unless the path is context rather than a new file: it appears in the request before the
 *   spec (the codebase), or the words just before it on its line say so ("on top of", "from", "in",
 *   "see", "existing", "extends", "based on", "uses", "like").
 * - Nothing found: one task, `src/index.ts`.
 */
import { renderTaskList, type TaskPlan } from '../tasks/render-task-list.js';
import { codeSpans, lastHeading, splitLines } from './prompt.js';

const NOT_ENTITIES = new Set(['Note', 'Notes', 'Example', 'Examples', 'Todo', 'TODO', 'Warning', 'Hint', 'Tip', 'Important', 'See', 'Rules', 'Rule']);
const ENTITY = /^ {0,3}[-*+] +(?:\*\*)?([A-Z][A-Za-z0-9]*(?: [A-Z][A-Za-z0-9]*){0,3})(?:\*\*)?:(?:\s+(.*))?$/;
const PATH_LIKE = /^[\w.@-]+(?:\/[\w.@-]+)+$/;
const CONTEXT_CUE =
  /\b(?:on top of|from|in|of|see|existing|extends?|extending|based on|uses?|using|like)\s+(?:the\s+)?(?:existing\s+)?(?:file\s+|module\s+)?$/i;

function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
}

const hasExtension = (p: string) => /\.[A-Za-z0-9]+$/.test(p.slice(p.lastIndexOf('/') + 1)) && !p.endsWith('/');

function clean(s: string): string {
  return s.replace(/`+/g, '').replace(/\s+/g, ' ').trim();
}

interface Entity {
  name: string;
  slug: string;
  rest: string;
}

/** `LineItem` for `Line Item`: the name as a TypeScript identifier. */
const typeName = (e: Entity): string => e.name.replace(/[^A-Za-z0-9]+/g, '');
const camel = (e: Entity): string => typeName(e).charAt(0).toLowerCase() + typeName(e).slice(1);

function modelDescription(e: Entity): string {
  const T = typeName(e);
  const fields = e.rest ? ` (${e.rest})` : '';
  return `${e.name} model${fields}: \`type ${T}\`; \`type New${T} = Omit<${T}, 'id'>\`; \`validate${T}(input: unknown): New${T}\` (throws on a bad field)`;
}

function serviceDescription(e: Entity): string {
  const T = typeName(e);
  return `\`class ${T}Service\` (in memory): \`create(input: New${T}): ${T}\`; \`get(id: string): ${T} | undefined\`; \`list(): ${T}[]\`; \`update(id: string, patch: Partial<New${T}>): ${T} | undefined\`; \`remove(id: string): boolean\``;
}

function routesDescription(e: Entity): string {
  const base = `/${e.slug}s`;
  return `\`${camel(e)}Routes(service: ${typeName(e)}Service): void\`: POST ${base}, GET ${base}, GET ${base}/:id, PATCH ${base}/:id, DELETE ${base}/:id`;
}

/** The planner answer for a prompt whose spec starts after the last `## Spec` line; null without one. */
export function planFromPrompt(text: string, contextOutside: string): string | null {
  const lines = splitLines(text);
  const at = lastHeading(lines, '## Spec');
  if (at < 0) return null;
  const before = `${contextOutside}\n${lines.slice(0, at).join('\n')}`;
  const entities: Entity[] = [];
  const files: { path: string; description: string }[] = [];
  const slugs = new Set<string>();
  const paths = new Set<string>();
  let fence: string | null = null;
  for (const line of lines.slice(at + 1)) {
    const f = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (f) {
      if (fence === null) fence = f[1]!;
      else if (f[1]!.startsWith(fence)) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const e = ENTITY.exec(line);
    if (e && !NOT_ENTITIES.has(e[1]!)) {
      const slug = kebab(e[1]!);
      if (slug && !slugs.has(slug)) {
        slugs.add(slug);
        entities.push({ name: e[1]!, slug, rest: clean(e[2] ?? '') });
      }
    }
    for (const span of codeSpans(line)) {
      const p = span.value.trim();
      if (!PATH_LIKE.test(p) || !hasExtension(p) || p.startsWith('/') || p.split('/').includes('..')) continue;
      if (paths.has(p) || before.includes(p)) continue;
      if (CONTEXT_CUE.test(line.slice(0, span.start))) continue;
      paths.add(p);
      files.push({ path: p, description: clean(line.replace(/^ {0,3}(?:[-*+]|\d+[.)]) +/, '').replace(/^#+ +/, '')) });
    }
  }
  const plan: TaskPlan = { groups: [] };
  if (entities.length > 0) {
    plan.groups.push(
      { heading: 'Stage 1: Models', tasks: entities.map((e) => ({ path: `src/models/${e.slug}.ts`, description: modelDescription(e) })) },
      {
        heading: 'Stage 2: Services',
        tasks: entities.map((e) => ({ path: `src/services/${e.slug}.service.ts`, description: serviceDescription(e) })),
      },
      { heading: 'Stage 3: Routes', tasks: entities.map((e) => ({ path: `src/routes/${e.slug}.routes.ts`, description: routesDescription(e) })) },
      {
        heading: 'Stage 4: Tests',
        tasks: entities.map((e) => ({
          path: `test/${e.slug}.test.ts`,
          description: `vitest tests covering src/models/${e.slug}.ts, src/services/${e.slug}.service.ts and src/routes/${e.slug}.routes.ts`,
        })),
      },
    );
  }
  const generated = new Set(plan.groups.flatMap((g) => g.tasks.map((t) => t.path)));
  const extra = files.filter((f) => !generated.has(f.path));
  if (extra.length > 0) plan.groups.push({ heading: 'Files', tasks: extra });
  if (plan.groups.length === 0) {
    plan.groups.push({ heading: 'Files', tasks: [{ path: 'src/index.ts', description: 'entry point (the spec names no entities or files)' }] });
  }
  return renderTaskList(plan);
}
