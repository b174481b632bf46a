CREATE TABLE `media` (
	`user_id` text NOT NULL,
	`sha256` text NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`error` text,
	`version` integer DEFAULT 0 NOT NULL,
	`width` integer,
	`height` integer,
	`orientation` integer,
	`taken_at` integer,
	`taken_offset` integer,
	`taken_source` text,
	`make` text,
	`model` text,
	`lens` text,
	`f_number` real,
	`exposure_time` real,
	`iso` integer,
	`focal_length` real,
	`latitude` real,
	`longitude` real,
	`altitude` real,
	`city` text,
	`region` text,
	`country` text,
	`duration_ms` integer,
	`video_codec` text,
	`playback` text,
	`encoder` text,
	`thumbhash` text,
	`content_id` text,
	`live_pair_sha256` text,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `sha256`),
	FOREIGN KEY (`user_id`,`sha256`) REFERENCES `blobs`(`user_id`,`sha256`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `media_user_status` ON `media` (`user_id`,`status`);--> statement-breakpoint
CREATE INDEX `media_content_id` ON `media` (`user_id`,`content_id`);--> statement-breakpoint
CREATE INDEX `media_place` ON `media` (`user_id`,`city`);--> statement-breakpoint
-- Drive used to queue a job per new file that nothing ran; the media pipeline's own jobs replace them (and the worker backfills rows for content stored before it).
DELETE FROM `jobs` WHERE `kind` = 'drive.file-added';
