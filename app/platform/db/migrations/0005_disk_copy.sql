CREATE TABLE `disk_copy` (
	`id` integer PRIMARY KEY NOT NULL,
	`target_path` text NOT NULL,
	`nightly` integer DEFAULT false NOT NULL,
	`last_run_at` integer,
	`last_ok` integer,
	`last_summary` text
);
