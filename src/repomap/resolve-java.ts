/**
 * Java imports to repo files, from the paths alone (as javac's source path finds them): a class
 * `com.acme.shop.Order` is a file whose path ends with `com/acme/shop/Order.java`, under any
 * source root (`src/main/java/`, `app/src/test/java/`, the repo root…); a package `com.acme.shop`
 * is every such directory. Indexed once per map: files by base name, directories by last name,
 * so an import looks at the few candidates of one name, never at every file.
 *
 * - `import com.acme.shop.Order;` -> that class's file (every file of that name, should two
 *   source roots hold one); a nested class (`…Order.Line`) or a static member
 *   (`import static …Strings.trim;`) falls back to the enclosing class's file;
 * - `import com.acme.shop.*;` -> every `.java` file of the package's directories; a static
 *   on-demand import (`import static …Strings.*;`) names a class: its file.
 */
import { dirOf } from './import-paths.js';
import type { FileOutline } from './repo-map.js';

export interface JavaIndex {
  /** `Order.java` -> the files of that name, sorted. */
  byName: ReadonlyMap<string, readonly string[]>;
  /** Last directory name -> the directories of that name holding `.java` files, sorted. */
  dirsByName: ReadonlyMap<string, readonly string[]>;
  /** Directory -> its `.java` files, sorted. */
  dirFiles: ReadonlyMap<string, readonly string[]>;
}

const push = (m: Map<string, string[]>, k: string, v: string) => {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
};

export function indexJava(outlines: readonly FileOutline[]): JavaIndex {
  const byName = new Map<string, string[]>();
  const dirFiles = new Map<string, string[]>();
  for (const { path } of outlines) {
    if (!path.endsWith('.java')) continue;
    push(byName, path.slice(path.lastIndexOf('/') + 1), path);
    push(dirFiles, dirOf(path), path);
  }
  const dirsByName = new Map<string, string[]>();
  for (const dir of dirFiles.keys()) push(dirsByName, dir.slice(dir.lastIndexOf('/') + 1), dir);
  for (const m of [byName, dirFiles, dirsByName]) for (const list of m.values()) list.sort();
  return { byName, dirsByName, dirFiles };
}

/** `a/b` is `a/b` or ends with `/a/b`. */
const endsAt = (path: string, suffix: string) => path === suffix || path.endsWith(`/${suffix}`);

/** The repo files a Java import names (none, a class's file, or a package's files). */
export function resolveJava(index: JavaIndex, spec: string): readonly string[] {
  if (!/^[\p{L}\p{N}_$]+(?:\.[\p{L}\p{N}_$]+)*(?:\.\*)?$/u.test(spec)) return [];
  const wildcard = spec.endsWith('.*');
  const names = (wildcard ? spec.slice(0, -2) : spec).split('.');
  if (wildcard) {
    const dir = names.join('/');
    const files = (index.dirsByName.get(names[names.length - 1]!) ?? []).filter((d) => endsAt(d, dir)).flatMap((d) => index.dirFiles.get(d)!);
    if (files.length) return files;
  }
  // the class itself, else its enclosing classes (nested classes, static members); a class has a package
  for (let n = names.length; n >= Math.max(2, names.length - 2); n--) {
    const file = `${names.slice(0, n).join('/')}.java`;
    const hits = (index.byName.get(`${names[n - 1]}.java`) ?? []).filter((p) => endsAt(p, file));
    if (hits.length) return hits;
  }
  return [];
}
