CREATE TABLE `hidden_memories` (
	`user_id` text NOT NULL,
	`key` text NOT NULL,
	`hidden_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `key`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
