#!/bin/bash
# Builds build/tapedeck-<arch>.img from Debian bookworm packages and this checkout.
#   ./build.sh amd64|arm64
# Needs root (mmdebstrap --mode=root) and, for a foreign arch, qemu-user-static + binfmt_misc.
# No loop devices or mounts: the file systems are made from directories (mkfs.ext4 -d, mtools).
set -euo pipefail

ARCH=${1:?usage: build.sh amd64|arm64}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
OUT=${BUILD_DIR:-$HERE/build}
SUITE=${SUITE:-bookworm}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY=${SECURITY_MIRROR:-http://deb.debian.org/debian-security}
WORK=$OUT/$ARCH
CACHE=$OUT/apt-cache/$ARCH

case $ARCH in
amd64 | arm64) ;;
*) echo "unknown arch: $ARCH (amd64 or arm64)" >&2 && exit 2 ;;
esac

packages() { grep -hv '^#' "$HERE/packages/common" "$HERE/packages/$ARCH" | paste -sd, -; }

# A previous, interrupted run may have left the chroot's /proc, /sys and /dev (bound from the
# host!) mounted: unmount them, deepest first, and never delete through a mount.
mounts_below() { findmnt -rn -o TARGET | { grep -F "$WORK/" || true; } | sort -r; }
mounts_below | xargs -r -n1 umount -l
if [ -n "$(mounts_below)" ]; then
	echo "still mounted below $WORK, not deleting:" >&2 && mounts_below >&2 && exit 1
fi
rm -rf --one-file-system "$WORK"
mkdir -p "$WORK/boot" "$CACHE"

COMPONENTS="main non-free-firmware"
# The Pi firmware hooks copy the kernel, initrd and device trees into /boot/firmware, which
# becomes the FAT boot partition. Overlay files go in before the packages (so conffiles such as
# /etc/default/raspi-firmware are ours) and again at the end (so nothing overwrote them).
# shellcheck disable=SC2016 # "$1" in the hooks is the chroot, expanded by mmdebstrap's shell
mmdebstrap --mode=root --arch="$ARCH" --variant=apt \
	--components="$COMPONENTS" \
	--include="$(packages)" \
	--aptopt='APT::Install-Recommends "false"' \
	--dpkgopt='force-confold' --dpkgopt='force-confdef' \
	--dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	--dpkgopt='path-include=/usr/share/locale/locale.alias' \
	--dpkgopt='path-exclude=/usr/share/doc/*' \
	--dpkgopt='path-include=/usr/share/doc/*/copyright' \
	--skip=essential/unlink \
	--setup-hook='mkdir -p "$1/var/cache/apt/archives" "$1/boot/firmware"' \
	--setup-hook="sync-in '$CACHE' /var/cache/apt/archives/" \
	--essential-hook="'$HERE/hooks/overlay.sh' \"\$1\" $ARCH" \
	--customize-hook="sync-out /var/cache/apt/archives '$CACHE'" \
	--customize-hook="'$HERE/hooks/customize.sh' \"\$1\" $ARCH '$REPO' '$WORK/boot'" \
	"$SUITE" "$WORK/rootfs" \
	"deb $MIRROR $SUITE $COMPONENTS" \
	"deb $MIRROR $SUITE-updates $COMPONENTS" \
	"deb $SECURITY $SUITE-security $COMPONENTS"

"$HERE/mkimage.sh" "$WORK/rootfs" "$WORK/boot" "$OUT/tapedeck-$ARCH.img.tmp" "$ARCH"
mv "$OUT/tapedeck-$ARCH.img.tmp" "$OUT/tapedeck-$ARCH.img"
# The root tree is only an intermediate; the boot tree is kept for inspection.
rm -rf "$WORK/rootfs"
echo "built $OUT/tapedeck-$ARCH.img"
