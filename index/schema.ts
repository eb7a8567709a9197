// Database layout and migrations (PRAGMA user_version). Amounts are integer cents of 万元 so
// sums are exact; times of documents are ISO strings, times of the chat tables epoch ms.
import type Database from "better-sqlite3";

const MIGRATIONS: string[] = [
  // 1: documents and their contents, long-text index, chat-side tables.
  `
  CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    source_name TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    department TEXT,
    title TEXT,
    year INTEGER,
    layout TEXT NOT NULL CHECK (layout IN ('wide-table', 'project-cards')),
    declared_total_cents INTEGER,
    warnings TEXT NOT NULL DEFAULT '[]',
    ingested_at TEXT NOT NULL,
    superseded_by INTEGER REFERENCES documents(id)
  );
  CREATE INDEX documents_current_source ON documents(source_name) WHERE superseded_by IS NULL;

  CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    name TEXT NOT NULL,
    declared_total_cents INTEGER
  );
  CREATE INDEX units_document ON units(document_id);

  CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    name TEXT NOT NULL,
    unit TEXT,
    total_cents INTEGER NOT NULL,
    fiscal_cents INTEGER,
    special_account_cents INTEGER,
    other_cents INTEGER,
    goal TEXT,
    -- pinyin syllables of the name, space-separated, no tones (computed once at ingest)
    name_pinyin TEXT NOT NULL DEFAULT ''
  );
  CREATE INDEX projects_document ON projects(document_id, ord);

  -- Keyed by (project, position): one B-tree, rows of a project stored together and in order.
  CREATE TABLE indicators (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    level1 TEXT,
    level2 TEXT,
    name TEXT NOT NULL,
    description TEXT,
    period_value TEXT,
    annual_value TEXT,
    PRIMARY KEY (project_id, ord)
  ) WITHOUT ROWID;

  -- Goal and indicator text of current projects, pre-bigrammed (see index/tokenize.ts);
  -- rowid = projects.id. Superseded projects are deleted from it.
  CREATE VIRTUAL TABLE project_text USING fts5(
    body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0'
  );
  -- One segment per document transaction: merge less eagerly (measured ~25% faster ingest).
  INSERT INTO project_text (project_text, rank) VALUES ('automerge', 16);
  INSERT INTO project_text (project_text, rank) VALUES ('crisismerge', 64);

  CREATE TABLE chats (
    chat_key TEXT PRIMARY KEY,          -- "telegram:-100123", "feishu:oc_x"
    platform TEXT NOT NULL,
    title TEXT,
    state TEXT NOT NULL DEFAULT '{}',   -- JSON, per-chat conversation state
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );

  CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY,
    chat_key TEXT NOT NULL,
    kind TEXT NOT NULL,                 -- e.g. "all", "department", "keyword"
    target TEXT NOT NULL DEFAULT '',
    created_by TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (chat_key, kind, target)
  );

  CREATE TABLE processed_events (
    event_id TEXT PRIMARY KEY,          -- platform event/update id, for exactly-once handling
    platform TEXT NOT NULL,
    received_at INTEGER NOT NULL
  );

  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    chat_key TEXT NOT NULL,
    payload TEXT NOT NULL,              -- JSON
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    sent_at INTEGER,
    last_error TEXT,
    document_id INTEGER REFERENCES documents(id)
  );
  CREATE INDEX outbox_pending ON outbox(next_attempt_at) WHERE sent_at IS NULL;
  `,
  // 2 (alerts): whether a subscription was made by an admin (refusal notices go to those chats);
  // an event key per notice so one event reaches one chat at most once (outbox rows written again
  // after a crash, e.g. a refused inbox file seen twice, are ignored).
  `
  ALTER TABLE subscriptions ADD COLUMN by_admin INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE outbox ADD COLUMN event_key TEXT;
  CREATE UNIQUE INDEX outbox_event_once ON outbox(chat_key, event_key) WHERE event_key IS NOT NULL;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function configure(db: Database.Database): void {
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
}

/** Applies the migrations the file has not seen yet, each in its own transaction. */
export function migrate(db: Database.Database): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`database schema version ${current} is newer than this program (${MIGRATIONS.length})`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    // IMMEDIATE takes the write lock first; another process may have migrated meanwhile.
    db.transaction(() => {
      if ((db.pragma("user_version", { simple: true }) as number) > v) return;
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}
