CREATE TABLE `photo_edits` (
	`user_id` text NOT NULL,
	`sha256` text NOT NULL,
	`params` text NOT NULL,
	`edited_by` text NOT NULL,
	`edited_at` integer NOT NULL,
	`revision` integer DEFAULT 1 NOT NULL,
	`rendered_revision` integer,
	`width` integer,
	`height` integer,
	`thumbhash` text,
	`error` text,
	PRIMARY KEY(`user_id`, `sha256`),
	FOREIGN KEY (`user_id`,`sha256`) REFERENCES `blobs`(`user_id`,`sha256`) ON UPDATE no action ON DELETE cascade
);
