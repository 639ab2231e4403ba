#!/usr/bin/env python3
"""Draws the kernelspec logos (logo-32x32.png, logo-64x64.png): a 2×2 mosaic
of tesserae, the Kronecker pattern of [1 1; 1 1] ⊗ a coloured tile. Standard
library only (zlib, struct)."""
import pathlib
import struct
import zlib

TILES = [(0x2B, 0x6C, 0xB0), (0xE0, 0x8E, 0x2B), (0x3A, 0xA1, 0x6B), (0xC8, 0x3E, 0x4D)]


def png(size):
    gap = max(1, size // 16)
    half = size // 2
    rows = []
    for y in range(size):
        row = bytearray([0])  # filter: none
        for x in range(size):
            inside = (x % half) >= gap and (y % half) >= gap
            r, g, b = TILES[(y // half) * 2 + (x // half)] if inside else (255, 255, 255)
            row += bytes([r, g, b, 255 if inside else 0])
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


here = pathlib.Path(__file__).parent
for size in (32, 64):
    (here / f"logo-{size}x{size}.png").write_bytes(png(size))
