ALTER TABLE `media` ADD `taken_zone_known` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `media` ADD `locality` text;--> statement-breakpoint
ALTER TABLE `media` ADD `place_names` text;--> statement-breakpoint
ALTER TABLE `media` ADD `damaged` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `media_region` ON `media` (`user_id`,`region`);--> statement-breakpoint
CREATE INDEX `media_locality` ON `media` (`user_id`,`locality`);--> statement-breakpoint
-- Hand-written: rows made before the capture-time precedence keep their times until `nas media reprocess` (the
-- pipeline version went up) redoes them; meanwhile an offset they recorded is a known zone, and the old source names
-- become the new ones.
UPDATE `media` SET `taken_zone_known` = (`taken_offset` IS NOT NULL),
	`taken_source` = CASE `taken_source` WHEN 'box-timezone' THEN 'exif-local' WHEN 'file-mtime' THEN 'file-time' ELSE `taken_source` END;
