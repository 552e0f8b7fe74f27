import Foundation

/// Polls `condition` every 10 ms until it holds, up to `timeout` seconds; the last answer decides.
/// The wait is long because it bounds a failure, not a speed: the whole suite runs at once on a
/// cooperative pool of one thread per core, so on two cores the work a condition waits for can
/// queue behind hundreds of other tests' jobs (fifteen seconds ran out on a machine whose page
/// cache had been emptied).
public func eventually(_ timeout: TimeInterval = 60, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(nanoseconds: 10_000_000)
    }
    return try await condition()
}
