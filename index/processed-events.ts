// Platform events already handled, remembered in SQLite so a redelivery after a restart is ignored.
import type Database from "better-sqlite3";

export interface EventDedupe {
  /** Marks the id as processed and returns whether it already was. */
  seen(eventId: string): boolean;
}

/** Platforms redeliver for hours at most; a week of ids is plenty. */
const KEEP_MS = 7 * 24 * 3600 * 1000;

export function sqliteEventDedupe(db: Database.Database, platform: string, now: () => number = Date.now): EventDedupe {
  db.prepare("DELETE FROM processed_events WHERE platform = ? AND received_at < ?").run(platform, now() - KEEP_MS);
  const insert = db.prepare("INSERT OR IGNORE INTO processed_events (event_id, platform, received_at) VALUES (?, ?, ?)");
  return {
    seen: (eventId) => insert.run(`${platform}:${eventId}`, platform, now()).changes === 0,
  };
}
