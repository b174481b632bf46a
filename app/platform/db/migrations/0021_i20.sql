ALTER TABLE `share_links` ADD `seq` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `share_links_seq` ON `share_links` (`seq`);--> statement-breakpoint
-- Links made before this migration get their numbers in the order they were made.
UPDATE `share_links` SET `seq` = (SELECT count(*) FROM `share_links` AS o WHERE o.`created_at` < `share_links`.`created_at` OR (o.`created_at` = `share_links`.`created_at` AND o.`id` <= `share_links`.`id`));
