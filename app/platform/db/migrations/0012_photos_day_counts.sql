CREATE TABLE `media_day_counts` (
	`user_id` text NOT NULL,
	`day` integer NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`user_id`, `day`)
);
--> statement-breakpoint
-- The timeline no longer groups media rows by day: the expression index that walk used goes.
DROP INDEX `media_days`;
--> statement-breakpoint
-- Hand-written below (drizzle-kit makes no triggers): the counts follow every insert, update and delete of a media
-- row that is "shown" (done, with a time, not the video half of a Live Photo); the day is the local capture day (LOCAL / DAY in app/photos/repo.ts).
INSERT INTO `media_day_counts` (`user_id`, `day`, `n`)
	SELECT `user_id`, (`taken_at` + coalesce(`taken_offset`, 0) * 60000) / 86400000, count(*) FROM `media`
	WHERE `status` = 'done' AND `taken_at` IS NOT NULL AND NOT (`kind` = 'video' AND `live_pair_sha256` IS NOT NULL)
	GROUP BY 1, 2;
--> statement-breakpoint
CREATE TRIGGER `media_day_counts_insert` AFTER INSERT ON `media`
	WHEN NEW.`status` = 'done' AND NEW.`taken_at` IS NOT NULL AND NOT (NEW.`kind` = 'video' AND NEW.`live_pair_sha256` IS NOT NULL)
BEGIN
	INSERT INTO `media_day_counts` (`user_id`, `day`, `n`) VALUES (NEW.`user_id`, (NEW.`taken_at` + coalesce(NEW.`taken_offset`, 0) * 60000) / 86400000, 1)
		ON CONFLICT (`user_id`, `day`) DO UPDATE SET `n` = `n` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `media_day_counts_delete` AFTER DELETE ON `media`
	WHEN OLD.`status` = 'done' AND OLD.`taken_at` IS NOT NULL AND NOT (OLD.`kind` = 'video' AND OLD.`live_pair_sha256` IS NOT NULL)
BEGIN
	UPDATE `media_day_counts` SET `n` = `n` - 1
		WHERE `user_id` = OLD.`user_id` AND `day` = (OLD.`taken_at` + coalesce(OLD.`taken_offset`, 0) * 60000) / 86400000;
	DELETE FROM `media_day_counts` WHERE `user_id` = OLD.`user_id` AND `day` = (OLD.`taken_at` + coalesce(OLD.`taken_offset`, 0) * 60000) / 86400000 AND `n` <= 0;
END;
--> statement-breakpoint
CREATE TRIGGER `media_day_counts_update_old` AFTER UPDATE OF `user_id`, `status`, `taken_at`, `taken_offset`, `kind`, `live_pair_sha256` ON `media`
	WHEN OLD.`status` = 'done' AND OLD.`taken_at` IS NOT NULL AND NOT (OLD.`kind` = 'video' AND OLD.`live_pair_sha256` IS NOT NULL)
BEGIN
	UPDATE `media_day_counts` SET `n` = `n` - 1
		WHERE `user_id` = OLD.`user_id` AND `day` = (OLD.`taken_at` + coalesce(OLD.`taken_offset`, 0) * 60000) / 86400000;
	DELETE FROM `media_day_counts` WHERE `user_id` = OLD.`user_id` AND `day` = (OLD.`taken_at` + coalesce(OLD.`taken_offset`, 0) * 60000) / 86400000 AND `n` <= 0;
END;
--> statement-breakpoint
CREATE TRIGGER `media_day_counts_update_new` AFTER UPDATE OF `user_id`, `status`, `taken_at`, `taken_offset`, `kind`, `live_pair_sha256` ON `media`
	WHEN NEW.`status` = 'done' AND NEW.`taken_at` IS NOT NULL AND NOT (NEW.`kind` = 'video' AND NEW.`live_pair_sha256` IS NOT NULL)
BEGIN
	INSERT INTO `media_day_counts` (`user_id`, `day`, `n`) VALUES (NEW.`user_id`, (NEW.`taken_at` + coalesce(NEW.`taken_offset`, 0) * 60000) / 86400000, 1)
		ON CONFLICT (`user_id`, `day`) DO UPDATE SET `n` = `n` + 1;
END;
