/**
 * A generic in-memory store with ids, optimistic versions and unique indexes: the services of
 * each entity wrap one. Swap it for a database later without touching the routes.
 */
import { conflict, notFound } from './errors.js';
import { newId } from './ids.js';

export interface Stored {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export class MemoryStore<T extends object> {
  private readonly rows = new Map<string, T & Stored>();
  private readonly unique = new Map<keyof T, Map<unknown, string>>();

  constructor(
    private readonly name: string,
    private readonly prefix: string,
    uniqueKeys: (keyof T)[] = [],
  ) {
    for (const key of uniqueKeys) this.unique.set(key, new Map());
  }

  create(data: T): T & Stored {
    this.checkUnique(data, null);
    const now = new Date().toISOString();
    const row = { ...data, id: newId(this.prefix), version: 1, createdAt: now, updatedAt: now };
    this.rows.set(row.id, row);
    this.index(row);
    return row;
  }

  get(id: string): T & Stored {
    const row = this.rows.get(id);
    if (!row) throw notFound(this.name, id);
    return row;
  }

  list(page: { limit: number; offset: number } = { limit: 20, offset: 0 }): { items: (T & Stored)[]; total: number } {
    const all = [...this.rows.values()];
    return { items: all.slice(page.offset, page.offset + page.limit), total: all.length };
  }

  update(id: string, patch: Partial<T>, expectedVersion?: number): T & Stored {
    const row = this.get(id);
    if (expectedVersion !== undefined && expectedVersion !== row.version) {
      throw conflict(`${this.name} ${id} changed since version ${expectedVersion}`, { version: row.version });
    }
    const next = { ...row, ...patch, id, version: row.version + 1, updatedAt: new Date().toISOString() };
    this.checkUnique(next, id);
    this.unindex(row);
    this.rows.set(id, next);
    this.index(next);
    return next;
  }

  remove(id: string): void {
    const row = this.get(id);
    this.unindex(row);
    this.rows.delete(id);
  }

  findBy<K extends keyof T>(key: K, value: T[K]): (T & Stored) | undefined {
    const id = this.unique.get(key)?.get(value);
    return id === undefined ? undefined : this.rows.get(id);
  }

  private checkUnique(data: T, self: string | null): void {
    for (const [key, index] of this.unique) {
      const owner = index.get(data[key]);
      if (owner !== undefined && owner !== self) throw conflict(`${this.name} with this ${String(key)} exists`, { field: String(key) });
    }
  }

  private index(row: T & Stored): void {
    for (const [key, index] of this.unique) index.set(row[key], row.id);
  }

  private unindex(row: T & Stored): void {
    for (const [key, index] of this.unique) index.delete(row[key]);
  }
}
