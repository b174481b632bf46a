################################################################################
#
# restic: Debian bookworm's build of restic, the program app/backup runs
#
################################################################################

# The same restic as the Debian image (one version to test: app/backup's tests run Debian's 0.14). Buildroot has no
# restic package, and building it from the release tarball as a golang-package needs Buildroot's Go vendoring at
# download time, whose tarball hash could not be computed where this package was written (see restic.hash): the
# binary package of Debian is fetched instead, its SHA-256 taken from Debian's signed package index.
RESTIC_VERSION = 0.14.0
RESTIC_DEB_VERSION = $(RESTIC_VERSION)-1+b5
RESTIC_DEB_ARCH = $(if $(BR2_aarch64),arm64,amd64)
RESTIC_SOURCE = restic_$(RESTIC_DEB_VERSION)_$(RESTIC_DEB_ARCH).deb
RESTIC_SITE = http://deb.debian.org/debian/pool/main/r/restic
RESTIC_LICENSE = BSD-2-Clause
RESTIC_LICENSE_FILES = usr/share/doc/restic/copyright
# data.tar.xz inside the .deb: xzcat, from the host or built (host-xz) when the host has none.
RESTIC_EXTRACT_DEPENDENCIES = $(BR2_XZCAT_HOST_DEPENDENCY)

# A .deb is an ar archive; only the program and its copyright file are taken from its data.tar.xz.
define RESTIC_EXTRACT_CMDS
	cd $(@D) && $(HOSTAR) x $(RESTIC_DL_DIR)/$(RESTIC_SOURCE) data.tar.xz
	$(XZCAT) $(@D)/data.tar.xz | $(TAR) -x -C $(@D) -f - ./usr/bin/restic ./usr/share/doc/restic/copyright
	rm -f $(@D)/data.tar.xz
endef

define RESTIC_INSTALL_TARGET_CMDS
	$(INSTALL) -D -m 0755 $(@D)/usr/bin/restic $(TARGET_DIR)/usr/bin/restic
endef

$(eval $(generic-package))
