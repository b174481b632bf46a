CREATE TABLE `faces` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` text NOT NULL,
	`sha256` text NOT NULL,
	`idx` integer NOT NULL,
	`x` real NOT NULL,
	`y` real NOT NULL,
	`w` real NOT NULL,
	`h` real NOT NULL,
	`score` real NOT NULL,
	`landmarks` real NOT NULL,
	`embedding` blob NOT NULL,
	`scale` real NOT NULL,
	`person_id` text,
	`assigned` text,
	`rejected_person_id` text,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`user_id`,`sha256`) REFERENCES `blobs`(`user_id`,`sha256`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `faces_content` ON `faces` (`user_id`,`sha256`);--> statement-breakpoint
CREATE INDEX `faces_person` ON `faces` (`user_id`,`person_id`,`sha256`);--> statement-breakpoint
CREATE TABLE `people` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`name` text,
	`hidden` integer DEFAULT false NOT NULL,
	`cover_face_id` integer,
	`centroid` blob,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `people_user_name` ON `people` (`user_id`,`name`);--> statement-breakpoint
CREATE TABLE `people_index` (
	`user_id` text NOT NULL,
	`sha256` text NOT NULL,
	`version` text NOT NULL,
	`status` text NOT NULL,
	`error` text,
	`indexed_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `sha256`),
	FOREIGN KEY (`user_id`,`sha256`) REFERENCES `blobs`(`user_id`,`sha256`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `people_index_version` ON `people_index` (`version`);--> statement-breakpoint
CREATE TABLE `photo_objects` (
	`user_id` text NOT NULL,
	`sha256` text NOT NULL,
	`label` text NOT NULL,
	`score` real NOT NULL,
	`x` real NOT NULL,
	`y` real NOT NULL,
	`w` real NOT NULL,
	`h` real NOT NULL,
	FOREIGN KEY (`user_id`,`sha256`) REFERENCES `blobs`(`user_id`,`sha256`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `photo_objects_label` ON `photo_objects` (`user_id`,`label`,`score`);--> statement-breakpoint
CREATE INDEX `photo_objects_content` ON `photo_objects` (`user_id`,`sha256`);