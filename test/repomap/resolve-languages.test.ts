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
