CREATE TABLE `backup_guests` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`quota_bytes` integer NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer,
	`prune_until` integer
);
--> statement-breakpoint
CREATE TABLE `backup_snapshots` (
	`target_id` text NOT NULL,
	`id` text NOT NULL,
	`time` integer NOT NULL,
	`hostname` text NOT NULL,
	PRIMARY KEY(`target_id`, `id`),
	FOREIGN KEY (`target_id`) REFERENCES `backup_targets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `backup_snapshots_time` ON `backup_snapshots` (`target_id`,`time`);--> statement-breakpoint
CREATE TABLE `backup_targets` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`location` text NOT NULL,
	`port` integer,
	`state` text NOT NULL,
	`test` text,
	`password_set_at` integer,
	`kit_shown_at` integer,
	`kit_confirmed_at` integer,
	`include_media` integer DEFAULT false NOT NULL,
	`hour` integer DEFAULT 2 NOT NULL,
	`limit_upload_kib` integer,
	`low_priority` integer DEFAULT true NOT NULL,
	`keep_daily` integer DEFAULT 31 NOT NULL,
	`keep_weekly` integer DEFAULT 52 NOT NULL,
	`keep_monthly` integer,
	`created_at` integer NOT NULL,
	`last_run_at` integer,
	`last_success_at` integer,
	`last_error` text,
	`failures` integer DEFAULT 0 NOT NULL,
	`last_summary` text,
	`snapshot_count` integer,
	`repo_bytes` integer,
	`last_forget_at` integer,
	`forget_note` text,
	`checked_at` integer,
	`check_ok` integer,
	`check_detail` text,
	`check_slice` integer DEFAULT 0 NOT NULL,
	`lock_note` text,
	`running` text
);
--> statement-breakpoint
CREATE TABLE `scrub_findings` (
	`user_id` text NOT NULL,
	`sha256` text NOT NULL,
	`problem` text NOT NULL,
	`state` text NOT NULL,
	`found_at` integer NOT NULL,
	`repaired_from` text,
	`repaired_at` integer,
	`detail` text,
	PRIMARY KEY(`user_id`, `sha256`)
);
--> statement-breakpoint
CREATE INDEX `scrub_findings_state` ON `scrub_findings` (`state`);--> statement-breakpoint
CREATE TABLE `scrub_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`pass_started_at` integer,
	`cursor_user` text,
	`cursor_sha256` text,
	`bytes_done` integer DEFAULT 0 NOT NULL,
	`blobs_done` integer DEFAULT 0 NOT NULL,
	`total_bytes` integer DEFAULT 0 NOT NULL,
	`last_pass_at` integer,
	`last_pass_blobs` integer,
	`last_pass_bytes` integer,
	`last_pass_seconds` integer
);
