CREATE TABLE `album_shares` (
	`id` text PRIMARY KEY NOT NULL,
	`album_id` text NOT NULL,
	`owner_id` text NOT NULL,
	`grantee_id` text NOT NULL,
	`access` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`album_id`) REFERENCES `albums`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`grantee_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `album_shares_album_grantee` ON `album_shares` (`album_id`,`grantee_id`);--> statement-breakpoint
CREATE INDEX `album_shares_grantee` ON `album_shares` (`grantee_id`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_share_links` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`file_id` text,
	`album_id` text,
	`token_hash` text NOT NULL,
	`password_hash` text,
	`expires_at` integer,
	`allow_download` integer DEFAULT true NOT NULL,
	`allow_metadata` integer DEFAULT false NOT NULL,
	`allow_upload` integer DEFAULT false NOT NULL,
	`views` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`album_id`) REFERENCES `albums`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_share_links`("id", "user_id", "file_id", "album_id", "token_hash", "password_hash", "expires_at", "allow_download", "allow_metadata", "allow_upload", "views", "created_at", "revoked_at") SELECT "id", "user_id", "file_id", NULL, "token_hash", "password_hash", "expires_at", "allow_download", "allow_metadata", 0, "views", "created_at", "revoked_at" FROM `share_links`;--> statement-breakpoint
DROP TABLE `share_links`;--> statement-breakpoint
ALTER TABLE `__new_share_links` RENAME TO `share_links`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `share_links_token_hash_unique` ON `share_links` (`token_hash`);--> statement-breakpoint
CREATE INDEX `share_links_user` ON `share_links` (`user_id`);--> statement-breakpoint
CREATE INDEX `share_links_file` ON `share_links` (`file_id`);