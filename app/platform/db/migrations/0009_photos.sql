-- drizzle-kit 0.31 splits an expression index at its commas; media_days below was corrected by hand (the snapshot is right).
CREATE TABLE `album_items` (
	`album_id` text NOT NULL,
	`user_id` text NOT NULL,
	`sha256` text NOT NULL,
	`added_at` integer NOT NULL,
	PRIMARY KEY(`album_id`, `sha256`),
	FOREIGN KEY (`album_id`) REFERENCES `albums`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`,`sha256`) REFERENCES `blobs`(`user_id`,`sha256`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `album_items_content` ON `album_items` (`user_id`,`sha256`);--> statement-breakpoint
CREATE TABLE `albums` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`cover_sha256` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `albums_user` ON `albums` (`user_id`,`name`);--> statement-breakpoint
CREATE TABLE `photo_flags` (
	`user_id` text NOT NULL,
	`sha256` text NOT NULL,
	`favourite` integer DEFAULT false NOT NULL,
	`archived` integer DEFAULT false NOT NULL,
	PRIMARY KEY(`user_id`, `sha256`),
	FOREIGN KEY (`user_id`,`sha256`) REFERENCES `blobs`(`user_id`,`sha256`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `media_timeline` ON `media` (`user_id`,`taken_at`,`taken_offset`,`status`,`kind`,`live_pair_sha256`);--> statement-breakpoint
CREATE INDEX `media_days` ON `media` (`user_id`,((taken_at + coalesce(taken_offset, 0) * 60000) / 86400000),`status`,`kind`,`live_pair_sha256`,`taken_at`,`taken_offset`);--> statement-breakpoint
CREATE INDEX `media_country` ON `media` (`user_id`,`country`);--> statement-breakpoint
CREATE INDEX `media_user_updated` ON `media` (`user_id`,`updated_at`);