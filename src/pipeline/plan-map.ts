/**
 * The requests of `map` mode (docs/context.md, "Map mode"): the tasks are packed group by group (a
 * request never mixes groups), and every request carries, after the system prompt,
 *
 *   [repo map] [earlier stages' files] [plan] [the group's own files] [request]
 *
 * the cached blocks ordered from the most shared to the least. A group's own block holds the files
 * its tasks rewrite, then the most related ones (group-context.ts), within what is left of the
 * window after everything else of its largest request and `max_tokens` (and within
 * `context.groupBudgetTokens`). A group whose own files do not fit is an error before any spend.
 * Pure: the caller packs, builds and counts.
 */
import type { ContextMode } from '../repo/context.js';
import { comparePaths } from '../repo/scan.js';
import type { BatchRequest } from '../requests/build.js';
import {
  byDirectory,
  GROUP_CONTEXT_HEADER,
  groupContextText,
  REPO_MAP_HEADER,
  type RelatedGraph,
  sectionTokens,
  selectGroupContext,
} from '../requests/group-context.js';
import type { PackedRequest } from '../requests/pack.js';
import { HarnessError } from '../shared/errors.js';
import { estimateTokens } from '../shared/tokens.js';
import type { Task } from '../tasks/task.js';

/** What one request sees in full (the rest of the codebase only in the map, in `map` mode). */
export interface RequestContext {
  customId: string;
  mode: ContextMode;
  /** Repo paths of the codebase files the request holds in full, sorted. */
  inFull: readonly string[];
  /** Every path of the codebase snapshot, sorted (one array shared by all requests). */
  codebase: readonly string[];
}

export interface MapPlanInput {
  tasks: readonly Task[];
  files: readonly { path: string; content: string }[];
  map: RelatedGraph & { text: string };
  repoPath: (taskPath: string) => string;
  pack: (tasks: readonly Task[]) => PackedRequest[];
  /** The request text (request.md filled) of a packed request. */
  requestText: (p: PackedRequest) => string;
  build: (p: PackedRequest, prefix: { text: string; shared: number; tokens: number }[]) => BatchRequest;
  system: string;
  earlier?: { text: string; paths: ReadonlySet<string> };
  plan: string;
  window: number;
  maxTokens: number;
  /** `context.groupBudgetTokens`. */
  budget?: number;
}

export interface MapPlan {
  packed: PackedRequest[];
  requests: BatchRequest[];
  contexts: RequestContext[];
}

export function planMapRequests(input: MapPlanInput): MapPlan {
  const mapText = REPO_MAP_HEADER + input.map.text;
  const shared = [{ text: mapText, tokens: estimateTokens(mapText) }];
  if (input.earlier) shared.push({ text: input.earlier.text, tokens: estimateTokens(input.earlier.text) });
  shared.push({ text: input.plan, tokens: estimateTokens(input.plan) });
  const fixed = estimateTokens(input.system) + shared.reduce((n, b) => n + b.tokens, 0) + estimateTokens(GROUP_CONTEXT_HEADER);
  const tokens = sectionTokens(input.files);
  const content = new Map(input.files.map((f) => [f.path, f.content]));
  const dirs = byDirectory(tokens.keys());
  const order = new Map(input.tasks.map((t, i) => [t, i]));
  const codebase = [...tokens.keys()].sort(comparePaths);

  const groups = new Map<string, Task[]>();
  for (const t of input.tasks) {
    const list = groups.get(t.group);
    if (list) list.push(t);
    else groups.set(t.group, [t]);
  }
  const out: { packed: PackedRequest; request: BatchRequest; context: RequestContext; first: number }[] = [];
  const packedGroups = [...groups].map(([group, tasks]) => ({ group, tasks, packed: input.pack(tasks) }));
  const total = packedGroups.reduce((n, g) => n + g.packed.length, 0);
  for (const { group, tasks, packed } of packedGroups) {
    const texts = packed.map((p) => input.requestText(p));
    const room = input.window - input.maxTokens - fixed - Math.max(...texts.map((t) => estimateTokens(t)));
    if (room < 0) throw sharedTooLarge(shared[0]!.tokens, fixed, room, input);
    const selection = selectGroupContext({
      own: tasks.map((t) => input.repoPath(t.path)),
      tokens,
      dirs,
      graph: input.map,
      budget: Math.min(room, input.budget ?? room),
      ...(input.earlier ? { skip: input.earlier.paths } : {}),
    });
    if (selection.ownTokens > room) throw groupTooLarge(group, selection.own, tokens, selection.ownTokens, room, input);
    const text = groupContextText(selection.paths.map((p) => ({ path: p, content: content.get(p)! })));
    const prefix = [...shared.map((b) => ({ ...b, shared: total })), { text, shared: packed.length, tokens: estimateTokens(text) }];
    const inFull = [...selection.paths, ...(input.earlier?.paths ?? [])].filter((p) => tokens.has(p)).sort(comparePaths);
    for (const p of packed) {
      out.push({
        packed: p,
        request: input.build(p, prefix),
        context: { customId: p.customId, mode: 'map', inFull, codebase },
        first: order.get(p.tasks[0]!)!,
      });
    }
  }
  out.sort((a, b) => a.first - b.first);
  return { packed: out.map((o) => o.packed), requests: out.map((o) => o.request), contexts: out.map((o) => o.context) };
}

const fmt = (n: number) => n.toLocaleString('en-US');

function groupTooLarge(
  group: string,
  own: readonly string[],
  tokens: ReadonlyMap<string, number>,
  ownTokens: number,
  room: number,
  input: Pick<MapPlanInput, 'window' | 'maxTokens'>,
): HarnessError {
  const largest = [...own].sort((a, b) => tokens.get(b)! - tokens.get(a)! || comparePaths(a, b)).slice(0, 5);
  return new HarnessError(
    'CONTEXT_TOO_LARGE',
    `the files the tasks of group "${group}" rewrite do not fit one request: ~${fmt(ownTokens)} tokens, and ${fmt(room)} are left of the ` +
      `${fmt(input.window)}-token window after the repo map, the plan, the request and max_tokens ${fmt(input.maxTokens)}\n` +
      `largest files of the group:\n${largest.map((p) => `  ${p}  ~${fmt(tokens.get(p)!)} tokens`).join('\n')}`,
    {
      hint:
        tokens.get(largest[0]!)! > room
          ? `${largest[0]} alone is larger than that: rewrite it with a model of a larger window, or leave its task out of this run`
          : 'split the group: put some of its tasks under another heading of the task list (each group is sent with its own files), or lower `maxTokens`',
    },
  );
}

/** The map, the plan and the rest leave no room for any group's files. */
function sharedTooLarge(mapTokens: number, fixed: number, room: number, input: Pick<MapPlanInput, 'window' | 'maxTokens'>): HarnessError {
  return new HarnessError(
    'CONTEXT_TOO_LARGE',
    `the repo map (~${fmt(mapTokens)} tokens) with the system prompt, the earlier stages' files and the plan (~${fmt(fixed)} tokens in all), ` +
      `a request and max_tokens ${fmt(input.maxTokens)} do not fit the ${fmt(input.window)}-token window (over by ${fmt(-room)})`,
    { hint: 'leave files out of the context (`exclude` in harness.config, or .harnessignore), or lower `maxTokens`' },
  );
}
