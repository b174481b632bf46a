CREATE TABLE `blobs` (
	`user_id` text NOT NULL,
	`sha256` text NOT NULL,
	`size` integer NOT NULL,
	`mime` text NOT NULL,
	`refcount` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `sha256`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `files` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`user_id` text NOT NULL,
	`parent_id` text,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`sha256` text,
	`size` integer DEFAULT 0 NOT NULL,
	`mime` text,
	`starred` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`trashed_at` integer,
	`trash_root_id` text,
	`trashed_from_path` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `files_id_unique` ON `files` (`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `files_live_name` ON `files` (`parent_id`,`name`) WHERE trashed_at IS NULL;--> statement-breakpoint
CREATE INDEX `files_list` ON `files` (`parent_id`,`kind`,`name`);--> statement-breakpoint
CREATE INDEX `files_list_updated` ON `files` (`parent_id`,`updated_at`);--> statement-breakpoint
CREATE INDEX `files_list_size` ON `files` (`parent_id`,`size`);--> statement-breakpoint
CREATE INDEX `files_user_recent` ON `files` (`user_id`,`updated_at`);--> statement-breakpoint
CREATE INDEX `files_user_trash` ON `files` (`user_id`,`trashed_at`);--> statement-breakpoint
CREATE INDEX `files_user_starred` ON `files` (`user_id`,`starred`);--> statement-breakpoint
CREATE INDEX `files_blob` ON `files` (`user_id`,`sha256`);--> statement-breakpoint
CREATE TABLE `uploads` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`parent_id` text NOT NULL,
	`name` text NOT NULL,
	`length` integer NOT NULL,
	`on_conflict` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `uploads_user` ON `uploads` (`user_id`);