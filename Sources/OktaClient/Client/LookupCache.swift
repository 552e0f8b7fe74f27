import Foundation
import HelpdeskCore

/// Values that rarely change (a group's type), kept for a while; concurrent look-ups of the same
/// key share one request. A caller cancelled while it waits stops waiting; the request goes on
/// for the others (and is kept).
actor LookupCache<Value: Sendable> {
    private var entries: [String: (task: Task<Value, any Error>, at: Date)] = [:]
    private let clock: any Clock
    private let lifetime: TimeInterval

    init(clock: any Clock, lifetime: TimeInterval) {
        self.clock = clock
        self.lifetime = lifetime
    }

    /// Drops what is kept for `key` (Okta said it is gone or changed); the next look-up asks again.
    func forget(_ key: String) {
        entries[key] = nil
    }

    func value(for key: String, load: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let now = clock.now()
        if let entry = entries[key], now.timeIntervalSince(entry.at) < lifetime {
            return try await FirstResult.value(of: entry.task)
        }
        let task = Task { try await load() }
        entries[key] = (task, now)
        do {
            return try await FirstResult.value(of: task)
        } catch is CancellationError where Task.isCancelled {
            throw CancellationError()
        } catch {
            // A failed look-up is not kept.
            if entries[key]?.at == now { entries[key] = nil }
            throw error
        }
    }
}
