"""Reading a built disk image from outside: its MBR, the FAT boot partition (mtools) and the
ext4 root (its superblock, and debugfs for file lookups). No mounts, no loop devices."""

from __future__ import annotations

import dataclasses
import struct
import subprocess
from pathlib import Path

SECTOR = 512
EXT4_MAGIC = 0xEF53


class ImageError(RuntimeError):
    """The image does not have the expected structure."""


@dataclasses.dataclass(frozen=True, slots=True)
class Partition:
    """One MBR primary partition."""

    number: int
    bootable: bool
    type_id: int
    start: int  # bytes
    size: int  # bytes


def partitions(image: Path) -> list[Partition]:
    """The used primary partitions of `image`'s MBR, in table order."""
    with image.open("rb") as f:
        mbr = f.read(SECTOR)
    if mbr[510:512] != b"\x55\xaa":
        raise ImageError(f"{image}: no MBR boot signature")
    found = []
    for i in range(4):
        entry = mbr[446 + 16 * i : 446 + 16 * (i + 1)]
        status, type_id = entry[0], entry[4]
        lba, sectors = struct.unpack("<II", entry[8:16])
        if type_id:
            found.append(Partition(i + 1, status == 0x80, type_id, lba * SECTOR, sectors * SECTOR))
    return found


def ext4_label(image: Path, part: Partition) -> str:
    """The volume label of the ext2/3/4 file system in `part` (its superblock, at +1024)."""
    with image.open("rb") as f:
        f.seek(part.start + 1024)
        sb = f.read(1024)
    (magic,) = struct.unpack_from("<H", sb, 0x38)
    if magic != EXT4_MAGIC:
        raise ImageError(f"partition {part.number}: no ext4 superblock")
    return sb[0x78 : 0x78 + 16].rstrip(b"\0").decode()


def _run(argv: list[str]) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0:
        raise ImageError(f"{' '.join(argv)}: {done.stderr.strip()}")
    return done.stdout


def _fat(image: Path, part: Partition) -> str:
    return f"{image}@@{part.start}"


def fat_label(image: Path, part: Partition) -> str:
    """The FAT volume label (mlabel -s prints ` Volume label is NAME`)."""
    out = _run(["mlabel", "-s", "-i", _fat(image, part), "::"])
    return out.split("is", 1)[-1].strip()


def fat_files(image: Path, part: Partition) -> set[str]:
    """Every file path in the FAT partition, relative, with `/` separators."""
    out = _run(["mdir", "-/", "-b", "-i", _fat(image, part), "::"])
    return {line.removeprefix("::/") for line in out.splitlines() if line.startswith("::/")}


def fat_read(image: Path, part: Partition, name: str) -> str:
    """A text file from the FAT partition."""
    return _run(["mtype", "-i", _fat(image, part), f"::{name}"])


def fat_write(image: Path, part: Partition, name: str, text: str, scratch: Path) -> None:
    """Writes (or replaces) a file in the FAT partition, as a person would with a card reader."""
    scratch.write_text(text)
    _run(["mcopy", "-o", "-i", _fat(image, part), str(scratch), f"::{name}"])


def ext4_stat(image: Path, part: Partition, path: str) -> str:
    """debugfs's `stat` of `path` in the ext4 partition (raises when it does not exist)."""
    out = _run(["debugfs", "-R", f"stat {path}", f"{image}?offset={part.start}"])
    if "Inode:" not in out:
        raise ImageError(f"{path}: not in the root file system")
    return out


def ext4_read(image: Path, part: Partition, path: str) -> bytes:
    """The bytes of a file in the ext4 partition (debugfs `cat`)."""
    argv = ["debugfs", "-R", f"cat {path}", f"{image}?offset={part.start}"]
    done = subprocess.run(argv, capture_output=True, timeout=60, check=False)
    if done.returncode != 0 or not done.stdout:
        raise ImageError(f"{path}: cannot read from the root file system")
    return done.stdout
