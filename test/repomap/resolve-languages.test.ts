import { describe, expect, it } from 'vitest';
import { buildRepoMap, type MapSource, outlineFile } from '../../src/repomap/repo-map.js';
import { fixtureSources } from './load-fixtures.js';

const fixtures = fixtureSources();

describe('Java imports', () => {
  const shop = 'java/shop/src/main/java/com/acme/shop';

  it('resolve classes, packages (wildcard), static members and nested classes under any source root', async () => {
    const map = await buildRepoMap(fixtures);
    // `import com.acme.shop.model.*;` is the package's files; `import static …Strings.trim;` is the class's file
    expect(map.imports.get(`${shop}/OrderService.java`)).toEqual([
      `${shop}/model/Customer.java`,
      `${shop}/model/Order.java`,
      `${shop}/util/Strings.java`,
    ]);
    // a nested class is in its enclosing class's file, from another source root (src/test/java)
    expect(map.imports.get('java/shop/src/test/java/com/acme/shop/OrderServiceTest.java')).toEqual([`${shop}/model/Order.java`]);
    // from another module of the build
    expect(map.imports.get('java/web/src/main/java/com/acme/web/Controller.java')).toEqual([
      `${shop}/OrderService.java`,
      `${shop}/util/Strings.java`,
    ]);
    expect(map.importedBy.get(`${shop}/model/Order.java`)).toEqual([
      `${shop}/OrderService.java`,
      'java/shop/src/test/java/com/acme/shop/OrderServiceTest.java',
    ]);
    const r = (p: string) => map.rank.get(p)!;
    expect(r(`${shop}/OrderService.java`)).toBeGreaterThan(r('java/web/src/main/java/com/acme/web/Controller.java'));
  });

  it('the outline keeps an import as its dotted name, without `static` or blanks', async () => {
    const o = await outlineFile('A.java', 'import   com.acme . shop.Weird ;\nimport static a.b.C.*;\nimport x.y.Z;\nclass A {}\n');
    expect(o.imports).toEqual(['a.b.C.*', 'com.acme.shop.Weird', 'x.y.Z']);
  });

  it('matches whole path segments only; the JDK and libraries resolve to nothing; two roots holding one class give both', async () => {
    const file = (path: string, content = 'class X {}\n'): MapSource => ({ path, content });
    const map = await buildRepoMap([
      file('src/main/java/com/acme/Order.java'),
      file('legacy/src/com/acme/Order.java'),
      file('src/main/java/xcom/acme/Util.java'),
      file('src/main/java/com/acme/tools/Util.java'),
      file(
        'src/main/java/com/acme/App.java',
        'package com.acme;\nimport com.acme.Order;\nimport com.acme.Util;\nimport java.util.List;\nimport org.junit.Test;\nimport com.acme.tools.*;\nclass App {}\n',
      ),
    ]);
    expect(map.imports.get('src/main/java/com/acme/App.java')).toEqual([
      'legacy/src/com/acme/Order.java',
      'src/main/java/com/acme/Order.java',
      'src/main/java/com/acme/tools/Util.java',
    ]);
  });
});

describe('Rust modules', () => {
  const core = 'rust-ws/core';

  it('resolve `mod`, `use crate::`/`self::`/`super::` paths, use trees and workspace crates by their Cargo.toml name', async () => {
    const map = await buildRepoMap(fixtures);
    const imports = (p: string) => map.imports.get(p);
    // `mod model; mod store; mod util;` next to lib.rs (util/mod.rs), and `pub use model::Order` (a child module)
    expect(imports(`${core}/src/lib.rs`)).toEqual([`${core}/src/model.rs`, `${core}/src/store.rs`, `${core}/src/util/mod.rs`]);
    // `mod line;` in model.rs is model/line.rs
    expect(imports(`${core}/src/model.rs`)).toEqual([`${core}/src/model/line.rs`]);
    // `use super::Order` and a use tree under crate::
    expect(imports(`${core}/src/model/line.rs`)).toEqual([`${core}/src/model.rs`, `${core}/src/util/money.rs`]);
    // `pub mod fmt { pub mod iso; }` in util/mod.rs is util/fmt/iso.rs
    expect(imports(`${core}/src/util/mod.rs`)).toEqual([`${core}/src/util/fmt/iso.rs`, `${core}/src/util/money.rs`]);
    expect(imports(`${core}/src/util/fmt/iso.rs`)).toEqual([`${core}/src/util/money.rs`]); // super::super::money
    expect(imports(`${core}/src/util/money.rs`)).toEqual([]); // mod tests { use super::*; } is the file itself
    expect(imports(`${core}/src/store.rs`)).toEqual([`${core}/src/model.rs`, `${core}/src/store/cache.rs`]);
    expect(imports(`${core}/src/store/cache.rs`)).toEqual([`${core}/src/model.rs`]);
    // another crate by name (shop-core is shop_core); an item of the crate root is lib.rs
    expect(imports('rust-ws/cli/src/main.rs')).toEqual(['rust-ws/cli/src/args.rs', `${core}/src/lib.rs`, `${core}/src/store.rs`]);
    // an integration test is a crate root of its own: `mod common;` is tests/common/mod.rs
    expect(imports(`${core}/tests/store_test.rs`)).toEqual([`${core}/src/store.rs`, `${core}/tests/common/mod.rs`]);
    expect(imports(`${core}/tests/common/mod.rs`)).toEqual([`${core}/src/lib.rs`]);
    expect(map.text).toContain(`${core}/Cargo.toml\n  crate shop_core\n`);
    const r = (p: string) => map.rank.get(p)!;
    expect(r(`${core}/src/model.rs`)).toBeGreaterThan(r(`${core}/src/store/cache.rs`));
  });

  it('inline modules shift `super::`, `self::` and `mod` by one level each; paths out of the crate root or to other crates resolve to nothing', async () => {
    const rs = (path: string, content = ''): MapSource => ({ path, content });
    const map = await buildRepoMap([
      rs('Cargo.toml', '[package]\nname = "app"\n\n[lib]\nname = "app_lib" # the library\n'),
      rs(
        'src/lib.rs',
        'mod a;\nmod b;\nmod outer {\n    mod inner;\n    use super::a::Thing;\n    use self::inner::X;\n    mod deep { use super::super::b::Y; }\n}\nuse super::z;\nuse ::serde::Serialize;\nuse std::io;\nuse {crate::a, crate::b::{self, c::{D as E}}};\n',
      ),
      rs('src/a.rs', 'pub struct Thing;\n'),
      rs('src/b.rs', 'pub mod c;\n'),
      rs('src/b/c.rs'),
      rs('src/outer/inner.rs'),
      rs('src/bin/tool.rs', 'mod helper;\nuse app_lib::a::Thing;\nuse app::b;\nuse crate::a;\n'),
      rs('src/bin/helper.rs'),
    ]);
    expect(map.imports.get('src/lib.rs')).toEqual(['src/a.rs', 'src/b.rs', 'src/b/c.rs', 'src/outer/inner.rs']);
    // src/bin/tool.rs is a crate of its own: `mod helper;` is next to it, the library is `app_lib` (its [lib] name), not `app`
    expect(map.imports.get('src/bin/tool.rs')).toEqual(['src/a.rs', 'src/bin/helper.rs']);
  });

  it('the module tree follows the `mod` declarations: a crate root anywhere, test crates whose modules use `crate::`, #[path]', async () => {
    const rs = (path: string, content = ''): MapSource => ({ path, content });
    const map = await buildRepoMap([
      rs('Cargo.toml', '[[bin]]\nname = "rg"\npath = "crates/core/main.rs"\n\n[package]\nname = "ripgrep"\n'),
      rs('crates/core/main.rs', 'mod flags;\nmod search;\n'),
      rs('crates/core/flags/mod.rs', 'mod defs;\nmod parse;\npub use self::defs::Flag;\n'),
      rs('crates/core/flags/defs.rs', 'use crate::flags::parse::parse_low;\nuse super::parse;\n'),
      rs('crates/core/flags/parse.rs', 'use crate::search::Searcher;\n'),
      rs('crates/core/search.rs', '#[cfg(unix)]\n#[path = "search_unix.rs"]\nmod imp;\n#[cfg(not(unix))]\n#[path = "search_other.rs"]\nmod imp;\n'),
      rs('crates/core/search_unix.rs', 'use super::Searcher;\n'),
      rs('crates/core/search_other.rs'),
      rs('tests/tests.rs', 'mod util;\nmod binary;\n'),
      rs('tests/util.rs', 'pub struct Dir;\n'),
      rs('tests/binary.rs', 'use crate::util::{Dir, TestCommand};\nmod inner;\n'),
      rs('tests/binary/inner.rs', 'use super::super::util::Dir;\n'),
    ]);
    const imports = (p: string) => map.imports.get(p);
    expect(imports('crates/core/main.rs')).toEqual(['crates/core/flags/mod.rs', 'crates/core/search.rs']);
    expect(imports('crates/core/flags/mod.rs')).toEqual(['crates/core/flags/defs.rs', 'crates/core/flags/parse.rs']);
    expect(imports('crates/core/flags/defs.rs')).toEqual(['crates/core/flags/parse.rs']);
    expect(imports('crates/core/flags/parse.rs')).toEqual(['crates/core/search.rs']);
    expect(imports('crates/core/search.rs')).toEqual(['crates/core/search_other.rs', 'crates/core/search_unix.rs']);
    expect(imports('crates/core/search_unix.rs')).toEqual(['crates/core/search.rs']); // module search::imp: super is search
    // tests/binary.rs is a module of the tests.rs crate (declared there), not a root: crate::util is tests/util.rs
    expect(imports('tests/tests.rs')).toEqual(['tests/binary.rs', 'tests/util.rs']);
    expect(imports('tests/binary.rs')).toEqual(['tests/binary/inner.rs', 'tests/util.rs']);
    expect(imports('tests/binary/inner.rs')).toEqual(['tests/util.rs']);
    expect(map.text).toContain('\nCargo.toml\n  crate ripgrep\n'); // the [[bin]] name is not the library's
  });

  it('the outline records `mod x;` as an import and a declaration, and a `use` inside inline modules relative to the file', async () => {
    const o = await outlineFile(
      'src/lib.rs',
      '#[cfg(unix)]\n#[path = "sys/unix.rs"]\npub mod a;\nmod t {\n    use super::*;\n    use super::super::x;\n    mod u { use self::v::W; mod w; }\n}\n',
    );
    expect(o.imports).toEqual(['mod a @ sys/unix.rs', 'mod t::u::w', 'self::*', 'self::t::u::v::W', 'super::x']);
    expect(o.declarations.map((d) => d.signature)).toContain('pub mod a;');
  });
});

describe('C# using directives', () => {
  const cs = 'csharp';

  it('resolve a namespace to the files that declare it, and `using static` or an alias of a type to the file declaring the type', async () => {
    const map = await buildRepoMap(fixtures);
    // using Acme.Shop.Models (two files), using static Acme.Shop.Util.Strings (a type in a nested namespace block)
    expect(map.imports.get(`${cs}/Shop/OrderService.cs`)).toEqual([
      `${cs}/Shop/Models/Customer.cs`,
      `${cs}/Shop/Models/Order.cs`,
      `${cs}/Shop/Util/Strings.cs`,
    ]);
    // global using, using of a namespace, an alias of a type; a framework namespace resolves to nothing
    expect(map.imports.get(`${cs}/Web/Controller.cs`)).toEqual([
      `${cs}/Shop/Models/Order.cs`,
      `${cs}/Shop/OrderService.cs`,
      `${cs}/Shop/Util/Strings.cs`,
    ]);
    expect(map.importedBy.get(`${cs}/Shop/Models/Order.cs`)).toEqual([`${cs}/Shop/OrderService.cs`, `${cs}/Web/Controller.cs`]);
  });

  it('the outline lists the namespaces a file declares, file-scoped, block and nested', async () => {
    expect(
      (await outlineFile(`${cs}/Shop/Util/Strings.cs`, 'namespace Acme { namespace Shop.Util { class S {} } }\nnamespace Other { }\n')).namespaces,
    ).toEqual(['Acme', 'Acme.Shop.Util', 'Other']);
    expect((await outlineFile('a.cs', 'namespace A.B;\nclass C {}\n')).namespaces).toEqual(['A.B']);
    expect((await outlineFile('b.cs', 'class C {}\n')).namespaces).toBeUndefined();
  });

  it('an alias of a generic type or a tuple, or a type the namespace does not declare, resolves to nothing', async () => {
    const map = await buildRepoMap([
      { path: 'A.cs', content: 'namespace Acme;\npublic class Box<T> {}\npublic class Thing {}\n' },
      {
        path: 'B.cs',
        content:
          'using Pair = (int, int);\nusing Boxes = System.Collections.Generic.List<Acme.Box<int>>;\nusing static Acme.Missing;\nusing T = global::Acme.Thing;\nclass B {}\n',
      },
    ]);
    expect(map.imports.get('B.cs')).toEqual(['A.cs']);
  });
});
