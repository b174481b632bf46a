CREATE TABLE `folder_shares` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`folder_id` text NOT NULL,
	`grantee_id` text NOT NULL,
	`access` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`grantee_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `folder_shares_folder_grantee` ON `folder_shares` (`folder_id`,`grantee_id`);--> statement-breakpoint
CREATE INDEX `folder_shares_grantee` ON `folder_shares` (`grantee_id`);--> statement-breakpoint
ALTER TABLE `files` ADD `created_by` text;