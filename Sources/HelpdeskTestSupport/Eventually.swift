import Foundation

/// Polls `condition` every 10 ms until it holds, up to `timeout` seconds; the last answer decides.
public func eventually(_ timeout: TimeInterval = 15, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(nanoseconds: 10_000_000)
    }
    return try await condition()
}
