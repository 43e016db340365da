#!/bin/bash
# Assembles a disk image from a root tree and a boot tree, without loop devices or mounts:
#   mkimage.sh ROOT_DIR BOOT_DIR OUT.img ARCH
# MBR (the Pi firmware reads only MBR on every model), partition 1 FAT32 "TAPEBOOT" (type 0x0c on
# the Pi, 0xef = EFI system partition on amd64), partition 2 ext4 "TAPEROOT", grown to fill the
# card on first boot (tapedeck-growroot.service).
set -euo pipefail
ROOT=$1
BOOT=$2
OUT=$3
ARCH=$4
BOOT_MIB=${BOOT_MIB:-256}
OFFSET_MIB=4 # room for the partition table; aligned for SD cards' erase blocks

root_mib=$(du -s -m -x "$ROOT" | cut -f1)
# 25% + 256 MiB headroom for the first boot; the partition grows to the card's size anyway.
root_mib=$((root_mib * 5 / 4 + 256))
tmp=$(mktemp -d "$(dirname "$OUT")/mkimage.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

mkfs.vfat -F 32 -n TAPEBOOT -C "$tmp/boot.vfat" $((BOOT_MIB * 1024)) >/dev/null
# mtools copies the tree into the FAT image file; no mount needed.
MTOOLS_SKIP_CHECK=1 mcopy -s -p -Q -m -i "$tmp/boot.vfat" "$BOOT"/* ::/
mkfs.ext4 -q -L TAPEROOT -m 2 -E root_owner=0:0 -d "$ROOT" "$tmp/root.ext4" "${root_mib}M"

boot_type=c
[ "$ARCH" = amd64 ] && boot_type=ef
total_mib=$((OFFSET_MIB + BOOT_MIB + root_mib))
rm -f "$OUT"
truncate -s "${total_mib}M" "$OUT"
sfdisk -q "$OUT" <<EOF
label: dos
unit: sectors

start=$((OFFSET_MIB * 2048)), size=$((BOOT_MIB * 2048)), type=$boot_type, bootable
start=$(((OFFSET_MIB + BOOT_MIB) * 2048)), size=$((root_mib * 2048)), type=83
EOF
dd if="$tmp/boot.vfat" of="$OUT" bs=1M seek="$OFFSET_MIB" conv=notrunc,sparse status=none
dd if="$tmp/root.ext4" of="$OUT" bs=1M seek=$((OFFSET_MIB + BOOT_MIB)) conv=notrunc,sparse status=none
echo "$OUT: ${total_mib} MiB (boot ${BOOT_MIB} MiB, root ${root_mib} MiB)"
