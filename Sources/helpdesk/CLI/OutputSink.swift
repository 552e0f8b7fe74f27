import Foundation
import HelpdeskCore
import Synchronization

/// Where a command writes text: standard output or error, or a buffer in tests.
protocol OutputSink: Sendable {
    func write(_ text: String)
    /// Why text could not be written (the system's words), once some could not; nil while all was.
    var failure: String? { get }
}

extension OutputSink {
    func line(_ text: String = "") { write(text + "\n") }
    var failure: String? { nil }
}

/// The one sanitizer in front of a sink: whatever a command prints from Okta, the store or
/// another operator, no escape sequence reaches the terminal. `Program.run` puts it in front of
/// both of a run's sinks.
struct SanitizedOutput: OutputSink {
    let sink: any OutputSink

    init(_ sink: any OutputSink) { self.sink = sink }

    func write(_ text: String) {
        sink.write(SafeText.forOutput(text))
    }

    var failure: String? { sink.failure }
}

/// A file descriptor (1 or 2), written as given, each text whole before the next. Text that
/// cannot be written (a full disk, a closed descriptor) does not stop the program, but the first
/// failure is kept, and `Program.run` turns it into the run's failure: a cut-off export must not
/// look like a whole one. Output is a stream, so nothing is written after a failure (a gap in the
/// middle would be worse than a cut end); messages stand alone, so each is tried, and the
/// service's log comes back when its disk has room again.
final class FileOutput: OutputSink {
    enum Kind {
        /// Bytes that must arrive whole and in order (standard output).
        case stream
        /// Lines each of which is worth writing on its own (standard error, a log).
        case messages
    }

    private let descriptor: Int32
    private let kind: Kind
    private let firstFailure = Mutex<String?>(nil)

    init(descriptor: Int32, kind: Kind) {
        self.descriptor = descriptor
        self.kind = kind
    }

    func write(_ text: String) {
        firstFailure.withLock { failure in
            guard failure == nil || kind == .messages else { return }
            if let reason = Self.writeAll(Array(text.utf8), to: descriptor), failure == nil { failure = reason }
        }
    }

    var failure: String? { firstFailure.withLock { $0 } }

    /// Writes every byte, through interruptions, short writes and a descriptor left non-blocking
    /// (waiting up to 10 s for room); the system's reason if it cannot.
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> String? {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    var ready = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                    if poll(&ready, 1, 10_000) > 0 { continue }
                    errno = EAGAIN
                }
                return String(cString: strerror(errno))
            }
            offset += written
        }
        return nil
    }
}

/// Collects exactly what a run wrote, for tests.
final class CapturedOutput: OutputSink {
    private let buffer = Mutex("")

    init() {}

    func write(_ text: String) {
        buffer.withLock { $0 += text }
    }

    var text: String { buffer.withLock { $0 } }
}
