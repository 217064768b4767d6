package dev.modelvet.container;

/**
 * One central-directory entry of a zip, with what its local header says.
 *
 * @param name             name from the central directory
 * @param localName        name from the local header (may differ: a parser differential)
 * @param flags            general-purpose flags (central)
 * @param localFlags       general-purpose flags (local)
 * @param method           compression method
 * @param crc              declared CRC-32
 * @param compressedSize   bytes of data
 * @param uncompressedSize declared size after decompression
 * @param localOffset      offset of the local header (after prefix correction)
 * @param dataOffset       offset of the data
 */
record ZipEntryRecord(String name, String localName, int flags, int localFlags, int method, long crc,
                      long compressedSize, long uncompressedSize, long localOffset, long dataOffset) {

    boolean isDirectory() {
        return name.endsWith("/") && compressedSize == 0;
    }
}
