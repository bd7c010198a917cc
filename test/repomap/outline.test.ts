import { describe, expect, it } from 'vitest';
import { type FileOutline, outlineFile } from '../../src/repomap/repo-map.js';
import { fixture } from './load-fixtures.js';

const outline = (p: string) => outlineFile(p, fixture(p));
const sigs = (o: FileOutline) => o.declarations.map((d) => `${d.kind} ${d.name} @${d.line}: ${d.signature}`);

describe('outlineFile on real-looking sources', () => {
  it('TypeScript: exports, types, a class with its public members (private and #private left out), imports as written', async () => {
    const o = await outline('ts/src/server.ts');
    expect(o.language).toBe('typescript');
    expect(sigs(o)).toEqual([
      'type Handler @7: export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;',
      'class Server @9: export class Server',
      'method constructor @13: constructor(readonly config: Config = DEFAULTS)',
      'method started @18: get started(): boolean',
      'method listen @22: async listen(port = this.config.port): Promise<void>',
      'function createServer @35: export function createServer(config?: Config): Server',
    ]);
    expect(o.imports).toEqual(['./config.js', './routes/orders.js', './routes/users.js', './util/log.js', 'node:http']);
    expect(o.references).toContain('usersRoute');
    expect(o.references).not.toContain('createServer'); // its own name
    expect(o.references).not.toContain('return'); // keywords are no references
  });

  it('TypeScript: an exported constant is cut at its value, a module-private one is left out, re-exports keep their text', async () => {
    expect(sigs(await outline('ts/src/config.ts'))).toEqual([
      'interface Config @3: export interface Config',
      'const DEFAULTS @9: export const DEFAULTS: Config',
      'function loadConfig @13: export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Config',
    ]);
    const index = await outline('ts/src/index.ts');
    expect(sigs(index)).toEqual([
      "reexport createServer, Server @1: export { createServer, Server } from './server.js';",
      "reexport Config @2: export type { Config } from './config.js';",
    ]);
    expect(index.imports).toEqual(['./config.js', './server.js']);
  });

  it('TSX with JSX parses with the tsx grammar; arrow-function constants show their parameters', async () => {
    const app = await outline('ts/src/app.tsx');
    expect(app.language).toBe('tsx');
    expect(sigs(app)).toEqual([
      'interface AppProps @4: export interface AppProps',
      'function App @8: export function App({ title }: AppProps): JSX.Element',
      'export default @13: export default App;',
    ]);
    expect(sigs(await outline('ts/src/util/log.ts'))).toContain('function warn @10: export const warn = (message: string): void =>');
  });

  it('JavaScript: CommonJS exports and require(), ES modules and dynamic import()', async () => {
    const index = await outline('js/lib/index.js');
    expect(index.language).toBe('javascript');
    expect(sigs(index)).toEqual([
      'function format @4: function format(value, indent = 2)',
      'export default @8: module.exports = { parse, format, root }',
    ]);
    expect(index.imports).toEqual(['./parse', 'node:path']);
    expect(sigs(await outline('js/lib/parse.js'))).toEqual([
      'class ParseError @1: class ParseError extends Error',
      'export parse @8: exports.parse = function parse(text, options = {})',
      'export ParseError @13: exports.ParseError',
    ]);
    const render = await outline('js/lib/render.mjs');
    expect(render.imports).toEqual(['./index.js', './parse.js']);
    expect(sigs(render)).toEqual([
      'function render @3: export const render = async (value) =>',
      'function main @5: export default async function main(argv)',
    ]);
  });

  it('Python: classes with public methods and __init__, decorated definitions, typed module constants, nested imports', async () => {
    const models = await outline('py/shop/models.py');
    expect(models.language).toBe('python');
    expect(sigs(models)).toEqual([
      'variable MAX_ITEMS @3: MAX_ITEMS: int',
      'class Order @8: class Order',
      'method __init__ @12: def __init__(self, id: int, items: list[str] | None = None) -> None',
      'method total @17: def total(self) -> float',
      'function make_order @24: def make_order(order_id: int, *items: str) -> Order',
    ]);
    const service = await outline('py/shop/service.py');
    expect(sigs(service)).toEqual([
      'function place_order @10: async def place_order(conn: "Connection", order_id: int, *items: str) -> Order',
      'function open_default @16: def open_default() -> "Connection"',
    ]);
    // `import shop.db as db`, `from shop.models import …`, and the import inside `if TYPE_CHECKING:`
    expect(service.imports).toEqual(expect.arrayContaining(['shop.db', 'shop.models', 'shop.models.make_order', '.db', '.db.Connection']));
  });

  it('Go: functions, methods with receivers, types, constants and variables; go.mod gives its module path', async () => {
    const store = await outline('go/store/store.go');
    expect(store.language).toBe('go');
    expect(sigs(store)).toEqual([
      'const Version @6: const Version',
      'type Store @9: type Store struct',
      'func New @15: func New() *Store',
      'method Get @20: func (s *Store) Get(id string) (Item, error)',
    ]);
    expect(sigs(await outline('go/store/item.go'))).toEqual([
      'var ErrNotFound @6: var ErrNotFound',
      'type Item @9: type Item struct',
      'type Lister @14: type Lister interface',
    ]);
    expect((await outline('go/main.go')).imports).toEqual(['example.com/shop/store', 'fmt']);
    expect(sigs(await outline('go/go.mod'))).toEqual(['module example.com/shop @1: module example.com/shop']);
  });

  it('Rust (a grammar beyond the four): public items and the public methods of an impl', async () => {
    expect(sigs(await outline('rust/lib.rs'))).toEqual([
      'struct Cache @3: pub struct Cache',
      'impl Cache @7: impl Cache',
      'method new @8: pub fn new() -> Self',
      'method get @12: pub fn get(&self, key: &str) -> Option<&String>',
      'fn shared @19: pub fn shared() -> Cache',
    ]);
  });

  it('a file in a language without a grammar gets its path only, however code-like its text', async () => {
    expect(await outline('docs/notes.txt')).toEqual({ path: 'docs/notes.txt', language: null, declarations: [], imports: [], references: [] });
    expect((await outlineFile('Makefile', 'all:\n\tgo build\n')).language).toBeNull();
  });
});
