DROP INDEX `files_list`;--> statement-breakpoint
DROP INDEX `files_list_updated`;--> statement-breakpoint
DROP INDEX `files_list_size`;--> statement-breakpoint
CREATE INDEX `files_list` ON `files` (`parent_id`,`kind`,`name`) WHERE trashed_at IS NULL;--> statement-breakpoint
CREATE INDEX `files_list_updated` ON `files` (`parent_id`,`kind`,`updated_at`) WHERE trashed_at IS NULL;--> statement-breakpoint
CREATE INDEX `files_list_size` ON `files` (`parent_id`,`kind`,`size`) WHERE trashed_at IS NULL;