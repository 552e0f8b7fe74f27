import Dispatch
import Foundation
import Synchronization

/// Stop signals (SIGINT, SIGTERM, SIGHUP) turned into a question a long command asks between
/// steps, so it can finish the step it is in and say what it did instead of dying half way. The
/// first signal is noted and its default comes back, so a second one ends the program at once
/// (a command waiting on input that does not come). A signal the program was started with
/// ignored (`nohup`, `trap '' HUP`, a shell's background job) stays ignored.
final class StopSignals: Sendable {
    static let watched = [SIGINT, SIGTERM, SIGHUP]

    private let state = Mutex<(received: Int32?, sources: [any DispatchSourceSignal])>((nil, []))
    private let onFirst: @Sendable (Int32) -> Void

    private init(onFirst: @escaping @Sendable (Int32) -> Void) { self.onFirst = onFirst }

    /// Starts watching the signals not ignored; `onFirst` is told of the first one received.
    static func watch(onFirst: @escaping @Sendable (Int32) -> Void) -> StopSignals {
        let signals = StopSignals(onFirst: onFirst)
        let queue = DispatchQueue(label: "helpdesk-stop-signals")
        for number in watched where !isIgnored(number) {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [signals] in signals.note(number) }
            source.resume()
            signals.state.withLock { $0.sources.append(source) }
        }
        return signals
    }

    /// Stops watching: each signal watched is back to its default (a program that runs commands
    /// in process, as the tests do, is left as it was found).
    func end() {
        state.withLock { state in
            for source in state.sources {
                source.cancel()
                signal(Int32(source.handle), SIG_DFL)
            }
            state.sources = []
        }
    }

    /// The first stop signal received, if one was.
    var received: Int32? { state.withLock { $0.received } }

    private func note(_ number: Int32) {
        let first = state.withLock { state in
            guard state.received == nil else { return false }
            state.received = number
            for source in state.sources { signal(Int32(source.handle), SIG_DFL) }
            return true
        }
        if first { onFirst(number) }
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
