import Foundation
import Synchronization

/// Where a command writes text: standard output or error, or a buffer in tests.
protocol OutputSink: Sendable {
    func write(_ text: String)
}

extension OutputSink {
    func line(_ text: String = "") { write(text + "\n") }
}

/// A file descriptor (1 or 2).
struct FileOutput: OutputSink {
    let handle: FileHandle

    func write(_ text: String) {
        handle.write(Data(text.utf8))
    }
}

/// Collects everything written, for tests.
final class CapturedOutput: OutputSink {
    private let buffer = Mutex("")

    init() {}

    func write(_ text: String) {
        buffer.withLock { $0 += text }
    }

    var text: String { buffer.withLock { $0 } }
}
