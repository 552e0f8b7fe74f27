/// Reads the scalars of a String's UTF-8 storage (always valid) from a byte offset: quicker than
/// a slice of the unicode-scalar view for the sanitizer's checks, which go over pages of output.
struct UTF8ScalarReader {
    let bytes: UnsafeBufferPointer<UInt8>
    private var offset: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>, from offset: Int) {
        self.bytes = bytes
        self.offset = offset
    }

    /// Moves past the bytes from here on that pass `test`, and returns them: a run of plain text
    /// is copied or passed over whole. `test` must pass ASCII bytes only (each a scalar of its
    /// own): a byte of a longer character would leave the reader inside that character.
    mutating func skip(while test: (UInt8) -> Bool) -> UnsafeBufferPointer<UInt8> {
        let start = offset
        while offset < bytes.count, test(bytes[offset]) { offset += 1 }
        return UnsafeBufferPointer(rebasing: bytes[start..<offset])
    }

    mutating func next() -> Unicode.Scalar? {
        guard offset < bytes.count else { return nil }
        let lead = bytes[offset]
        if lead < 0x80 {
            offset += 1
            return Unicode.Scalar(lead)
        }
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        var value = UInt32(lead) & (0x7F >> length)
        for next in 1..<length { value = value << 6 | UInt32(bytes[offset + next] & 0x3F) }
        offset += length
        return Unicode.Scalar(value) ?? "\u{FFFD}"
    }
}
