# Adafruit Feather nRF52840 Sense: UF2 bootloader at 0xF4000, MBR + S140 6.1.1
# below 0x26000. Both are left untouched.
APP_START = 0x26000
FLASH_END = 0xF4000
# Filesystem (FAT: the USB drive; or littlefs) 128 KB, then ROMFS 336 KB up to the bootloader.
FS_BYTES = 0x20000
ROMFS_BYTES = 0x54000
RAM_START = 0x20000008
UF2_FAMILY = 0xADA52840
