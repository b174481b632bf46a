CREATE TABLE `dav_folder_versions` (
	`folder_id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `dav_locks` (
	`token` text PRIMARY KEY NOT NULL,
	`file_id` text NOT NULL,
	`user_id` text NOT NULL,
	`scope` text NOT NULL,
	`depth` text NOT NULL,
	`owner` text,
	`root` text NOT NULL,
	`timeout_seconds` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`file_id`) REFERENCES `files`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `dav_locks_file` ON `dav_locks` (`file_id`);--> statement-breakpoint
CREATE TABLE `dav_properties` (
	`file_id` text NOT NULL,
	`namespace` text NOT NULL,
	`name` text NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`file_id`, `namespace`, `name`),
	FOREIGN KEY (`file_id`) REFERENCES `files`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `device_uploads` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`device_id` text NOT NULL,
	`owner_id` text NOT NULL,
	`file_id` text NOT NULL,
	`sha256` text NOT NULL,
	`size` integer NOT NULL,
	`kind` text NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`device_id`) REFERENCES `app_tokens`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `device_uploads_device_at` ON `device_uploads` (`device_id`,`at`);--> statement-breakpoint
ALTER TABLE `app_tokens` ADD `scope` text DEFAULT 'api' NOT NULL;--> statement-breakpoint
ALTER TABLE `app_tokens` ADD `last_used_ip` text;--> statement-breakpoint
-- A change to an item bumps its folder's version; a folder's bump bumps its parent's, up to the root (the
-- triggers on dav_folder_versions fire each other: every connection sets PRAGMA recursive_triggers, app/db/client.ts).
CREATE TRIGGER `files_dav_version_insert` AFTER INSERT ON `files` WHEN NEW.`parent_id` IS NOT NULL BEGIN
	INSERT INTO `dav_folder_versions` (`folder_id`, `version`) VALUES (NEW.`parent_id`, 1)
		ON CONFLICT (`folder_id`) DO UPDATE SET `version` = `version` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `files_dav_version_update` AFTER UPDATE OF `parent_id`, `name`, `sha256`, `size`, `updated_at`, `trashed_at` ON `files` BEGIN
	INSERT INTO `dav_folder_versions` (`folder_id`, `version`) SELECT OLD.`parent_id`, 1 WHERE OLD.`parent_id` IS NOT NULL
		ON CONFLICT (`folder_id`) DO UPDATE SET `version` = `version` + 1;
	INSERT INTO `dav_folder_versions` (`folder_id`, `version`) SELECT NEW.`parent_id`, 1 WHERE NEW.`parent_id` IS NOT NULL AND NEW.`parent_id` IS NOT OLD.`parent_id`
		ON CONFLICT (`folder_id`) DO UPDATE SET `version` = `version` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `files_dav_version_delete` AFTER DELETE ON `files` BEGIN
	DELETE FROM `dav_folder_versions` WHERE `folder_id` = OLD.`id`;
	INSERT INTO `dav_folder_versions` (`folder_id`, `version`) SELECT OLD.`parent_id`, 1 WHERE OLD.`parent_id` IS NOT NULL AND EXISTS (SELECT 1 FROM `files` WHERE `id` = OLD.`parent_id`)
		ON CONFLICT (`folder_id`) DO UPDATE SET `version` = `version` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `dav_folder_versions_up_insert` AFTER INSERT ON `dav_folder_versions` BEGIN
	INSERT INTO `dav_folder_versions` (`folder_id`, `version`) SELECT `parent_id`, 1 FROM `files` WHERE `id` = NEW.`folder_id` AND `parent_id` IS NOT NULL
		ON CONFLICT (`folder_id`) DO UPDATE SET `version` = `version` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `dav_folder_versions_up_update` AFTER UPDATE ON `dav_folder_versions` BEGIN
	INSERT INTO `dav_folder_versions` (`folder_id`, `version`) SELECT `parent_id`, 1 FROM `files` WHERE `id` = NEW.`folder_id` AND `parent_id` IS NOT NULL
		ON CONFLICT (`folder_id`) DO UPDATE SET `version` = `version` + 1;
END;
