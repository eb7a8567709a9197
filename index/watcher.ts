// Inbox: files dropped into a folder are ingested once, when complete, then moved to
// processed/ (or failed/, with <name>.error.txt saying why).
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { basename, extname, join, resolve } from "node:path";
import { watch, type FSWatcher } from "chokidar";
import type { IngestEvent } from "./events.ts";
import type { IngestOptions } from "./ingest.ts";

export interface InboxTarget {
  ingestFile(path: string, opts?: IngestOptions): IngestEvent;
}

export interface WatchOptions {
  /** How long a file's size must stay unchanged before it is read (ms). */
  stabilityMs?: number;
  pollMs?: number;
  /** Stat polling instead of fs events (network shares, some containers). */
  usePolling?: boolean;
  onError?: (err: unknown, file: string) => void;
}

export interface InboxWatcher {
  /** Resolves once the files already in the folder have been seen. */
  ready: Promise<void>;
  /** Resolves when nothing is queued or being ingested. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const PARTIAL = new Set([".part", ".tmp", ".crdownload", ".download", ".partial"]);

/** Dotfiles, half-downloaded names and our own .error.txt files are never ingested. */
export function isIgnoredName(name: string): boolean {
  return name.startsWith(".") || name.startsWith("~$") || PARTIAL.has(extname(name).toLowerCase()) || name.endsWith(".error.txt");
}

export function watchInbox(
  catalog: InboxTarget,
  dir: string,
  onEvent: (event: IngestEvent, file: string) => void,
  opts: WatchOptions = {},
): InboxWatcher {
  const root = resolve(dir);
  const processed = join(root, "processed");
  const failed = join(root, "failed");
  for (const d of [root, processed, failed]) mkdirSync(d, { recursive: true });

  const queued = new Set<string>();
  let chain: Promise<void> = Promise.resolve();

  const handle = (file: string): void => {
    if (!existsSync(file)) return; // moved or deleted meanwhile
    const event = catalog.ingestFile(file);
    if (event.kind === "refused") {
      const target = moveInto(failed, file);
      writeFileSync(
        `${target}.error.txt`,
        `文件：${basename(file)}\n原因：${event.reason}\n代码：${event.code}\n时间：${new Date().toISOString()}\n`,
      );
    } else {
      moveInto(processed, file);
    }
    onEvent(event, file);
  };

  const watcher: FSWatcher = watch(root, {
    depth: 0,
    ignoreInitial: false,
    usePolling: opts.usePolling ?? false,
    interval: opts.pollMs ?? 100,
    awaitWriteFinish: { stabilityThreshold: opts.stabilityMs ?? 2000, pollInterval: opts.pollMs ?? 100 },
    ignored: (path, stats) => {
      const abs = resolve(path);
      if (abs === root) return false;
      if (abs === processed || abs === failed || abs.startsWith(processed + "/") || abs.startsWith(failed + "/")) return true;
      return isIgnoredName(basename(abs)) || (stats !== undefined && !stats.isFile());
    },
  });

  watcher.on("add", (path) => {
    const file = resolve(path);
    if (queued.has(file)) return;
    queued.add(file);
    // One file at a time, in arrival order.
    chain = chain.then(() => {
      try {
        handle(file);
      } catch (err) {
        opts.onError?.(err, file);
      } finally {
        queued.delete(file);
      }
    });
  });
  watcher.on("error", (err) => opts.onError?.(err, root));

  const ready = new Promise<void>((res) => watcher.once("ready", () => res()));
  return {
    ready,
    idle: async () => {
      let seen: Promise<void>;
      do {
        seen = chain;
        await seen;
      } while (seen !== chain);
    },
    close: async () => {
      await watcher.close();
      await chain;
    },
  };
}

/** Moves a file into a folder, keeping its name unless taken (then name-2, name-3 …). Returns the new path. */
function moveInto(folder: string, file: string): string {
  const name = basename(file);
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  let target = join(folder, name);
  for (let i = 2; existsSync(target); i++) target = join(folder, `${stem}-${i}${ext}`);
  renameSync(file, target);
  return target;
}
