import ConsoleViewModel
import Foundation

/// The console's run loop: handle the answers that arrived, tick, draw what changed, then hand
/// the work the changes asked for to the runner, and wait for a key or an answer (on one thread
/// with the drawing, as ncurses needs; a backend that can be woken returns as an answer arrives).
/// A key's frame is on its way before its work (a search, a card) takes a processor, unless the
/// work's answer is all the key will show (Home, End).
public final class ConsoleApp {
    private let driver: ConsoleDriver
    private let backend: any TerminalBackend
    private let now: () -> Date
    /// How long a closing console waits for work that records something.
    private let closingWait: TimeInterval
    public static let tickInterval: TimeInterval = 0.25

    public init(driver: ConsoleDriver, backend: any TerminalBackend, now: @escaping () -> Date = Date.init, closingWait: TimeInterval = 5) {
        self.driver = driver
        self.backend = backend
        self.now = now
        self.closingWait = closingWait
    }

    /// Runs until the operator quits or a signal asks to; then finishes what is being recorded.
    public func run() {
        var frames = FrameDiff()
        loop(&frames)
        driver.startWork()
        guard driver.runner.isRecording else { return }
        // Something is still being recorded (a note typed just before quitting, an Okta action
        // the operator chose not to wait for): say so while it finishes.
        driver.send(.closing)
        backend.draw(frames.next(driver.state))
        driver.finishRecording(within: closingWait)
    }

    private func loop(_ frames: inout FrameDiff) {
        let size = backend.size
        driver.send(.resize(columns: size.columns, rows: size.rows))
        driver.start()
        var lastState: AppState?
        // Ticks are timed on a monotonic clock: the wall clock may be set back or forward.
        let clock = ContinuousClock()
        var lastTick = clock.now
        let tickMilliseconds = Int(Self.tickInterval * 1000)
        while !driver.shouldQuit {
            driver.drain()
            if lastTick.duration(to: clock.now) >= .milliseconds(tickMilliseconds) {
                lastTick = clock.now
                driver.send(.tick(now()))
            }
            driver.startAwaitedWork()
            if frames.needsFullFrame || driver.state != lastState {
                backend.draw(frames.next(driver.state))
                lastState = driver.state
            }
            driver.startWork()
            driver.prewrapTimeline()
            // Until the next tick; a backend that cannot be woken by answers is polled every 40 ms.
            let elapsed = lastTick.duration(to: clock.now).components
            let elapsedMilliseconds = Int(elapsed.seconds) * 1000 + Int(elapsed.attoseconds / 1_000_000_000_000_000)
            let untilTick = min(tickMilliseconds, max(0, tickMilliseconds - elapsedMilliseconds))
            switch backend.read(timeoutMilliseconds: backend.wakesForAnswers ? untilTick : min(40, untilTick)) {
            case .key(let key)?: driver.send(.key(key))
            case .resize(let columns, let rows)?:
                driver.send(.resize(columns: columns, rows: rows))
                frames.forget()
            case .resumed?: frames.forget()
            case .interrupt?: return
            case nil: break
            }
        }
    }
}
