import Dispatch
import Foundation
import Synchronization

/// Stop signals (SIGINT, SIGTERM, SIGHUP) turned into a question a long command asks between
/// steps, so it can finish the step it is in and say what it did instead of dying half way. The
/// first signal is noted; after it, a second one ends the program at once (a command waiting on
/// input that does not come) or, for the service finishing its actions, is ignored. A signal
/// the program was started with ignored (`nohup`, `trap '' HUP`, a shell's background job) stays
/// ignored.
final class StopSignals: Sendable {
    static let watched = [SIGINT, SIGTERM, SIGHUP]

    /// What a signal after the first does.
    enum Second: Sendable {
        /// Ends the program (the signal's default).
        case endsAtOnce
        /// Nothing: what the first started is finished.
        case isIgnored
    }

    /// The first signal received, 0 until one is: read once a line, so without a lock.
    private let first = Atomic<Int32>(0)
    private let sources = Mutex(SignalSources())
    private let second: Second
    private let onFirst: @Sendable (Int32) -> Void

    private init(second: Second, onFirst: @escaping @Sendable (Int32) -> Void) {
        self.second = second
        self.onFirst = onFirst
    }

    /// Starts watching those of `numbers` not ignored; `onFirst` is told of the first one received.
    static func watch(_ numbers: [Int32] = watched, then second: Second = .endsAtOnce, onFirst: @escaping @Sendable (Int32) -> Void) -> StopSignals {
        let signals = StopSignals(second: second, onFirst: onFirst)
        let queue = DispatchQueue(label: "helpdesk-stop-signals")
        for number in numbers where !isIgnored(number) {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [signals] in signals.note(number) }
            source.resume()
            signals.sources.withLock { $0.list.append(source) }
        }
        return signals
    }

    /// Stops watching: each signal watched is back to its default, as it was before `watch` (a
    /// program that runs commands in process, as the tests do, gets its signals back).
    func end() {
        sources.withLock { sources in
            for source in sources.list {
                source.cancel()
                signal(Int32(source.handle), SIG_DFL)
            }
            sources.list = []
        }
    }

    /// The first stop signal received, if one was.
    var received: Int32? {
        let number = first.load(ordering: .acquiring)
        return number == 0 ? nil : number
    }

    private func note(_ number: Int32) {
        guard first.compareExchange(expected: 0, desired: number, ordering: .acquiringAndReleasing).exchanged else {
            // Dispatch may take the signal for its source whatever its disposition (on Linux it
            // reads signals a thread has blocked), so a second one that should end the program
            // ends it here, with the status a shell gives a program a signal ended.
            if second == .endsAtOnce { _exit(128 + number) }
            return
        }
        if second == .endsAtOnce {
            sources.withLock { sources in
                for source in sources.list { signal(Int32(source.handle), SIG_DFL) }
            }
        }
        onFirst(number)
    }

    /// Whether the program started with `number` ignored.
    static func isIgnored(_ number: Int32) -> Bool {
        var current = sigaction()
        guard sigaction(number, nil, &current) == 0 else { return false }
        return unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }

    /// The signal's name, as `kill -l` spells it.
    static func name(_ number: Int32) -> String {
        switch number {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        case SIGHUP: "SIGHUP"
        default: "signal \(number)"
        }
    }
}

/// The signal sources a `StopSignals` keeps alive. Dispatch's sources may be used from any thread.
private struct SignalSources: @unchecked Sendable {
    var list: [any DispatchSourceSignal] = []
}
