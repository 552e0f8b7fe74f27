import Foundation

/// Lines read from input a chunk at a time, so an import of any size holds one chunk and one
/// line in memory: each line with its 1-based number, a trailing carriage return dropped. A
/// line longer than `maxLineBytes` is skipped as it streams past and reported as too long. Input
/// that pauses says so, so what came before the pause need not wait for more.
struct LineStream {
    /// One line, the number of a line too long to keep, a pause before line `next`, or a while
    /// spent reading line `next` (its bytes keep coming, its end has not).
    enum Line {
        case text(number: Int, Data)
        case tooLong(number: Int)
        /// Nothing came for a while; the line that comes next is numbered `next`.
        case waiting(next: Int)
        /// Line `next` has been read for a while without its end: no pause, but a moment to look up.
        case reading(next: Int)
    }

    private let read: () throws -> Data?
    private let maxLineBytes: Int
    /// How long one call may read without finding a line's end before it says `.reading`.
    private let pause: Duration
    private var buffer = Data()
    private var start = 0
    private var number = 0
    private var ended = false
    /// True while the rest of a too-long line is being skipped.
    private var skipping = false

    /// `read` returns the next chunk of input, empty at its end, or nil when nothing came for a
    /// while (it is asked again); it throws when the input cannot be read. Input that keeps coming
    /// without a line's end (a long line on a slow link, a skipped one) is `.reading` after `pause`.
    init(maxLineBytes: Int, pause: Duration = .milliseconds(200), read: @escaping () throws -> Data?) {
        self.maxLineBytes = maxLineBytes
        self.pause = pause
        self.read = read
    }

    mutating func next() throws -> Line? {
        var readingSince: ContinuousClock.Instant?
        while true {
            if let newline = newlineIndex() {
                var line = buffer[start..<newline]
                start = newline + 1
                number += 1
                compact()
                if skipping {
                    skipping = false
                    return .tooLong(number: number)
                }
                if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
                if line.count > maxLineBytes { return .tooLong(number: number) }
                return .text(number: number, Data(line))
            }
            // One byte more than a line may hold: its carriage return, dropped when its end comes.
            if buffer.count - start > maxLineBytes + 1 {
                // No end of line in sight: drop what is held and skip to the next newline.
                skipping = true
                buffer = Data()
                start = 0
            }
            if ended {
                guard buffer.count > start || skipping else { return nil }
                number += 1
                let line = buffer[start...]
                buffer = Data()
                start = 0
                if skipping {
                    skipping = false
                    return .tooLong(number: number)
                }
                return .text(number: number, Data(line.last == UInt8(ascii: "\r") ? line.dropLast() : line))
            }
            if let readingSince {
                if readingSince.duration(to: .now) >= pause { return .reading(next: number + 1) }
            } else {
                readingSince = .now
            }
            guard let chunk = try read() else { return .waiting(next: number + 1) }
            if chunk.isEmpty { ended = true } else { buffer.append(chunk) }
        }
    }

    /// The index of the first newline at or after `start` (the buffer always starts at index 0).
    private func newlineIndex() -> Int? {
        buffer.withUnsafeBytes { bytes -> Int? in
            guard let base = bytes.baseAddress, start < bytes.count,
                  let found = memchr(base + start, Int32(UInt8(ascii: "\n")), bytes.count - start) else { return nil }
            return base.distance(to: UnsafeRawPointer(found))
        }
    }

    /// Drops the lines already handed out once they are most of the buffer.
    private mutating func compact() {
        if start > 1 << 20 || start == buffer.count {
            buffer = Data(buffer[start...])
            start = 0
        }
    }
}
