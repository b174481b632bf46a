-- Search over live (not trashed) item names. A plain FTS5 table keyed by files.seq, kept in step by triggers;
-- prefix indexes make "as you type" queries cheap. Roots (parent_id NULL) are not searchable.
CREATE VIRTUAL TABLE `files_fts` USING fts5(name, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3');
--> statement-breakpoint
CREATE TRIGGER `files_fts_insert` AFTER INSERT ON `files` WHEN new.trashed_at IS NULL AND new.parent_id IS NOT NULL BEGIN
  INSERT INTO files_fts(rowid, name) VALUES (new.seq, new.name);
END;
--> statement-breakpoint
CREATE TRIGGER `files_fts_delete` AFTER DELETE ON `files` BEGIN
  DELETE FROM files_fts WHERE rowid = old.seq;
END;
--> statement-breakpoint
CREATE TRIGGER `files_fts_update` AFTER UPDATE OF name, trashed_at, parent_id ON `files` BEGIN
  DELETE FROM files_fts WHERE rowid = old.seq;
  INSERT INTO files_fts(rowid, name) SELECT new.seq, new.name WHERE new.trashed_at IS NULL AND new.parent_id IS NOT NULL;
END;
