# Seeed XIAO nRF52840 Sense: Adafruit-style UF2 bootloader at 0xF4000, MBR +
# S140 7.3.0 SoftDevice below 0x27000. Both are left untouched.
APP_START = 0x27000
FLASH_END = 0xF4000
# The filesystem (FAT, the USB drive; or littlefs), then the ROMFS region
# (memory-mapped models) up to the bootloader: 0x80000-0xA0000 and
# 0xA0000-0xF4000 here; the firmware has 0x27000-0x80000 (356 KB).
FS_BYTES = 0x20000
ROMFS_BYTES = 0x54000
# The MBR keeps a word at the start of RAM (interrupt forwarding address).
RAM_START = 0x20000008
UF2_FAMILY = 0xADA52840
