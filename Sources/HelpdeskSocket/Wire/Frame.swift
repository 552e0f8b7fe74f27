import Foundation

/// The socket's framing: a 4-byte big-endian length, then that many bytes of one JSON object.
public enum Frame {
    public static let headerSize = 4

    /// The frame for `payload`.
    public static func encode(_ payload: Data) -> Data {
        var frame = Data(capacity: headerSize + payload.count)
        let length = UInt32(payload.count)
        frame.append(contentsOf: [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)])
        frame.append(payload)
        return frame
    }
}

/// Cuts a byte stream into frames, refusing a frame longer than `maximum` before reading its body.
public struct FrameDecoder: Sendable {
    /// Why the stream cannot go on.
    public enum Failure: Error, Equatable, Sendable {
        case tooLarge(Int)
        case empty
    }

    public let maximum: Int
    private var buffer = Data()

    public init(maximum: Int) {
        self.maximum = maximum
    }

    /// True while part of a frame is waiting for the rest.
    public var hasPartialFrame: Bool { !buffer.isEmpty }

    /// Adds bytes and returns every frame now complete.
    public mutating func push(_ bytes: some Sequence<UInt8>) throws(Failure) -> [Data] {
        buffer.append(contentsOf: bytes)
        var frames: [Data] = []
        while buffer.count >= Frame.headerSize {
            let start = buffer.startIndex
            let length = Int(buffer[start]) << 24 | Int(buffer[start + 1]) << 16 | Int(buffer[start + 2]) << 8 | Int(buffer[start + 3])
            guard length > 0 else { throw .empty }
            guard length <= maximum else { throw .tooLarge(length) }
            guard buffer.count >= Frame.headerSize + length else { break }
            frames.append(Data(buffer[(start + Frame.headerSize)..<(start + Frame.headerSize + length)]))
            buffer.removeFirst(Frame.headerSize + length)
        }
        if buffer.isEmpty { buffer = Data() }
        return frames
    }
}
