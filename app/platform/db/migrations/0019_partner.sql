CREATE TABLE `partner_shares` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`from_local` integer,
	`photos_only` integer DEFAULT false NOT NULL,
	`in_timeline` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`partner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `partner_shares_pair` ON `partner_shares` (`owner_id`,`partner_id`);--> statement-breakpoint
CREATE INDEX `partner_shares_partner` ON `partner_shares` (`partner_id`);