################################################################################
#
# nasd: the app bundle (Bun for the target CPU + app + production node_modules)
#
################################################################################

NASD_VERSION = $(shell sed -n 's/.*"version": "\(.*\)".*/\1/p' $(BR2_EXTERNAL_NAS_PATH)/../package.json)
# Nothing to download: the sources are this repository (bundle-app.sh reads them in place).
NASD_SOURCE =
NASD_LICENSE = Proprietary
NASD_DEPENDENCIES = ffmpeg

ifeq ($(BR2_aarch64),y)
NASD_BUN_PACKAGE = @oven/bun-linux-aarch64
NASD_BUN_CPU = arm64
else
# The baseline build runs on x86-64 CPUs without AVX2 (Celeron/Atom NAS boards).
NASD_BUN_PACKAGE = @oven/bun-linux-x64-baseline
NASD_BUN_CPU = x64
endif

define NASD_BUILD_CMDS
	$(BR2_EXTERNAL_NAS_PATH)/scripts/bundle-app.sh $(NASD_BUN_PACKAGE) $(NASD_BUN_CPU) $(@D)/bundle
endef

define NASD_INSTALL_TARGET_CMDS
	$(BR2_EXTERNAL_NAS_PATH)/package/nasd/install.sh $(@D)/bundle $(TARGET_DIR)
endef

define NASD_USERS
	nasd -1 nasd -1 * /data/nasd - video,render NAS services
endef

$(eval $(generic-package))
