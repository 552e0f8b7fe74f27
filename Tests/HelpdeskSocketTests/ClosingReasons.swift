import Synchronization

/// Why a client connection was closed, each time its `onClose` was told.
final class ClosingReasons: Sendable {
    private let reasons = Mutex<[String]>([])
    func add(_ reason: String) { reasons.withLock { $0.append(reason) } }
    var all: [String] { reasons.withLock { $0 } }
}
