CREATE TABLE `alerts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`code` text NOT NULL,
	`subject` text NOT NULL,
	`severity` text NOT NULL,
	`message` text NOT NULL,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`cleared_at` integer,
	`acknowledged_at` integer,
	`acknowledged_by` text,
	FOREIGN KEY (`acknowledged_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alerts_open_code_subject` ON `alerts` (`code`,`subject`) WHERE cleared_at is null;--> statement-breakpoint
CREATE INDEX `alerts_last_seen` ON `alerts` (`last_seen_at`);--> statement-breakpoint
CREATE TABLE `disk_health` (
	`device` text PRIMARY KEY NOT NULL,
	`subject` text NOT NULL,
	`report` text NOT NULL,
	`counters` text,
	`checked_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `disk_health_subject` ON `disk_health` (`subject`);--> statement-breakpoint
CREATE TABLE `system_samples` (
	`at` integer PRIMARY KEY NOT NULL,
	`cpu_percent` real NOT NULL,
	`mem_percent` real NOT NULL,
	`cpu_temp_c` real,
	`rx_bytes_per_sec` integer,
	`tx_bytes_per_sec` integer
);
