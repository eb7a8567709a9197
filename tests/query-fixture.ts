// A real catalog for query tests: the five seeds ingested into an SQLite file in a temp dir.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openCatalog, type CatalogHandle } from "../index/open.ts";

export const SEEDS_DIR = join(import.meta.dirname, "..", "seeds");

export interface SeedCatalog {
  catalog: CatalogHandle;
  dbPath: string;
  dispose(): void;
}

export function openSeedCatalog(): SeedCatalog {
  const dir = mkdtempSync(join(tmpdir(), "budget-query-"));
  const dbPath = join(dir, "budget.db");
  const catalog = openCatalog(dbPath);
  for (const f of readdirSync(SEEDS_DIR).sort()) {
    const event = catalog.ingestFile(join(SEEDS_DIR, f));
    if (event.kind !== "ingested") throw new Error(`seed ${f} not ingested: ${JSON.stringify(event)}`);
  }
  return {
    catalog,
    dbPath,
    dispose() {
      catalog.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
