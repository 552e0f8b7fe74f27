import Dispatch
import Foundation
import Synchronization

/// Stop signals (SIGINT, SIGTERM, SIGHUP) turned into a question a long command asks between
/// steps, so it can finish the step it is in and say what it did instead of dying half way. The
/// first signal is noted and the signal's default comes back, so a second one ends the program
/// at once (a command waiting on input that does not come).
final class StopSignals: Sendable {
    static let watched = [SIGINT, SIGTERM, SIGHUP]

    private let state = Mutex<(received: Int32?, sources: [any DispatchSourceSignal])>((nil, []))

    /// Starts watching; until then the signals keep their default (the program ends).
    static func watch() -> StopSignals {
        let signals = StopSignals()
        let queue = DispatchQueue(label: "helpdesk-stop-signals")
        for number in watched {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [signals] in signals.note(number) }
            source.resume()
            signals.state.withLock { $0.sources.append(source) }
        }
        return signals
    }

    /// The first stop signal received, if one was.
    var received: Int32? { state.withLock { $0.received } }

    private func note(_ number: Int32) {
        state.withLock { state in
            guard state.received == nil else { return }
            state.received = number
            for watched in Self.watched { signal(watched, SIG_DFL) }
        }
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
