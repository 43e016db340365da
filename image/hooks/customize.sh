#!/bin/bash
# mmdebstrap customize hook: tapedeck, its unit, the appliance settings, the boot partition tree.
#   customize.sh ROOT ARCH REPO BOOT_DIR
# Runs on the host after every package is installed; commands inside the image go through chroot
# (qemu-user via binfmt_misc for a foreign arch).
set -euo pipefail
ROOT=$1
ARCH=$2
REPO=$3
BOOT=$4
HERE=$(cd "$(dirname "$0")/.." && pwd)

# A clean environment inside the chroot: the host's pip settings (find-links, certs) do not apply.
in_root() {
	chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
		${http_proxy:+http_proxy=$http_proxy} ${https_proxy:+https_proxy=$https_proxy} "$@"
}

install_tapedeck() {
	local src=/tmp/tapedeck-src
	# systemd-resolved's postinst pointed /etc/resolv.conf at its (absent) stub; pip needs DNS now.
	rm -f "$ROOT/etc/resolv.conf"
	cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf"
	# The build host's CA bundle, for pip only (a TLS-inspecting proxy's CA, for example); the
	# image keeps Debian's own.
	cp -L /etc/ssl/certs/ca-certificates.crt "$ROOT/tmp/build-host-ca.crt"
	mkdir -p "$ROOT$src"
	tar -C "$REPO" --exclude=__pycache__ -cf - pyproject.toml README.md player cache | tar -C "$ROOT$src" -xf -
	in_root python3 -m venv /opt/tapedeck/venv
	# lgpio: gpiozero's pin driver on Bookworm-era Pis (the only one that works on a Pi 5).
	local extra=()
	[ "$ARCH" = arm64 ] && extra=(lgpio)
	in_root PIP_CERT=/tmp/build-host-ca.crt /opt/tapedeck/venv/bin/pip install --no-cache-dir \
		--disable-pip-version-check -q "$src" "${extra[@]}"
	# pip compiled the bytecode; the code dataclasses generate at every start is compiled here
	# once, beside it (player/system/codecache.py: ~60 ms of each start on a read-only venv)
	in_root /opt/tapedeck/venv/bin/python -m player.system.codecache
	rm -rf "$ROOT$src" "$ROOT/tmp/build-host-ca.crt"
	install -D -m 0644 "$REPO/systemd/tapedeck.service" "$ROOT/usr/lib/systemd/system/tapedeck.service"
	install -D -m 0644 "$REPO/systemd/tapedeck.sysusers" "$ROOT/usr/lib/sysusers.d/tapedeck.conf"
	# The "shutdown" button's road to a clean power-off (systemd/README.md).
	install -m 0644 "$REPO/systemd/tapedeck-poweroff.path" "$REPO/systemd/tapedeck-poweroff.service" \
		"$ROOT/usr/lib/systemd/system/"
	in_root systemd-sysusers
	install -d -m 0755 "$ROOT/etc/tapedeck"
}

enable_units() {
	systemctl --root="$ROOT" enable tapedeck.service tapedeck-poweroff.path tapedeck-bootconfig.service \
		tapedeck-growroot.service tapedeck-persist.service systemd-networkd.service \
		systemd-resolved.service systemd-timesyncd.service avahi-daemon.service \
		snapserver.service snapclient.service
	# (the two Snapcast units start only on a multiroom source: see their drop-ins and snapcast-role)
	# Updates are a deliberate act on an appliance (apt-get by hand, or a new image); no
	# background package downloads writing to the card.
	systemctl --root="$ROOT" disable apt-daily.timer apt-daily-upgrade.timer
	systemctl --root="$ROOT" mask apt-daily.service apt-daily-upgrade.service
	# Wi-Fi starts when a wlan0 appears (and only with credentials, see the drop-in).
	local wants=$ROOT/etc/systemd/system/sys-subsystem-net-devices-wlan0.device.wants
	mkdir -p "$wants"
	ln -sf /usr/lib/systemd/system/wpa_supplicant@.service "$wants/wpa_supplicant@wlan0.service"
}

settings() {
	echo tapedeck >"$ROOT/etc/hostname"
	printf '127.0.0.1\tlocalhost\n127.0.1.1\ttapedeck\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' \
		>"$ROOT/etc/hosts"
	ln -sf /run/systemd/resolve/stub-resolv.conf "$ROOT/etc/resolv.conf"
	# The journal lives in RAM only (journald.conf.d); an existing /var/log/journal would win.
	rm -rf "$ROOT/var/log/journal"
	# Options that only matter while building; path-exclude stays (keeps later installs small).
	sed -i '/^force-conf/d' "$ROOT/etc/dpkg/dpkg.cfg.d/99mmdebstrap" 2>/dev/null || true
}

boot_tree() {
	if [ "$ARCH" = arm64 ]; then
		# raspi-firmware's hooks filled /boot/firmware: firmware, kernel, initrd, DTBs, config.txt,
		# cmdline.txt. It becomes the FAT partition; the directory stays as its mount point.
		cp -a "$ROOT/boot/firmware/." "$BOOT/"
		find "$ROOT/boot/firmware" -mindepth 1 -delete
	else
		install -D -m 0644 "$ROOT/usr/lib/systemd/boot/efi/systemd-bootx64.efi" "$BOOT/EFI/BOOT/BOOTX64.EFI"
		# One kernel in a fresh image; systemd-boot's entry names fixed paths.
		cp "$ROOT"/boot/vmlinuz-* "$BOOT/vmlinuz"
		cp "$ROOT"/boot/initrd.img-* "$BOOT/initrd.img"
	fi
	cp -a "$HERE/bootfs/common/." "$BOOT/"
	[ -d "$HERE/bootfs/$ARCH" ] && cp -a "$HERE/bootfs/$ARCH/." "$BOOT/"
	return 0
}

install_tapedeck
"$HERE/hooks/overlay.sh" "$ROOT" "$ARCH"
enable_units
settings
boot_tree
