import Foundation
import HelpdeskCore
import Synchronization

/// Where a command writes text: standard output or error, or a buffer in tests.
protocol OutputSink: Sendable {
    func write(_ text: String)
}

extension OutputSink {
    func line(_ text: String = "") { write(text + "\n") }
}

/// A file descriptor (1 or 2). Everything written passes the one sanitizer: whatever a command
/// prints from Okta, the store or another operator, no escape sequence reaches the terminal.
struct FileOutput: OutputSink {
    let handle: FileHandle

    func write(_ text: String) {
        handle.write(Data(SafeText.forOutput(text).utf8))
    }
}

/// Collects everything written, sanitized as the terminal would get it, for tests.
final class CapturedOutput: OutputSink {
    private let buffer = Mutex("")

    init() {}

    func write(_ text: String) {
        buffer.withLock { $0 += SafeText.forOutput(text) }
    }

    var text: String { buffer.withLock { $0 } }
}
