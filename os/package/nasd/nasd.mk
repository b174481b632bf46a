################################################################################
#
# nasd: the app bundle (Bun for the target CPU + app + production node_modules)
#
################################################################################

NASD_VERSION = $(shell sed -n 's/.*"version": "\(.*\)".*/\1/p' $(BR2_EXTERNAL_NAS_PATH)/../package.json)
# The bundle is a build input, made before Buildroot runs by scripts/buildroot-build.sh (bundle-app.sh with
# the Bun package named in board/<board>/meta): no npm or bun runs inside the Buildroot build, and nothing
# is downloaded here. rsync'd into the build directory like any local source.
NASD_SITE = $(call qstrip,$(BR2_PACKAGE_NASD_BUNDLE_DIR))
NASD_SITE_METHOD = local
NASD_LICENSE = Proprietary
NASD_DEPENDENCIES = ffmpeg

define NASD_INSTALL_TARGET_CMDS
	$(BR2_EXTERNAL_NAS_PATH)/package/nasd/install.sh $(@D) $(TARGET_DIR)
endef

define NASD_USERS
	nasd -1 nasd -1 * /data/nasd - video,render NAS services
endef

$(eval $(generic-package))
