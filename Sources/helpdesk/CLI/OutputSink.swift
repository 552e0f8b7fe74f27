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

/// The one sanitizer in front of a sink: whatever a command prints from Okta, the store or
/// another operator, no escape sequence reaches the terminal. `Program.run` puts it in front of
/// both of a run's sinks.
struct SanitizedOutput: OutputSink {
    let sink: any OutputSink

    init(_ sink: any OutputSink) { self.sink = sink }

    func write(_ text: String) {
        sink.write(SafeText.forOutput(text))
    }
}

/// A file descriptor (1 or 2), written as given. Text that cannot be written (a full disk under
/// the service's log, a reader that went away) is dropped: no program stops for its output.
struct FileOutput: OutputSink {
    let handle: FileHandle

    func write(_ text: String) {
        try? handle.write(contentsOf: Data(text.utf8))
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
