#!/bin/bash
# Copies the image's own files (rootfs/common, rootfs/<arch>) into the root tree $1, owned by root.
#   overlay.sh ROOT ARCH
set -euo pipefail
ROOT=$1
ARCH=$2
HERE=$(cd "$(dirname "$0")/.." && pwd)
for part in common "$ARCH"; do
	[ -d "$HERE/rootfs/$part" ] || continue
	tar -C "$HERE/rootfs/$part" --owner=root --group=root --exclude=.gitkeep -cf - . | tar -C "$ROOT" -xpf - --no-overwrite-dir
done
