import Foundation
import Synchronization

/// Holds the console's state on the UI thread: messages go through `update`, the effects it
/// returns go to the runner when `startWork()` is called, and the runner's answers come back
/// through the inbox.
///
/// Effects wait for `startWork()` so that a loop can draw the frame a key changed before the work
/// the key asked for (a search, a card from Okta) competes with drawing it for the processor;
/// work whose answer is all the key shows goes first (`startAwaitedWork()`).
public final class ConsoleDriver {
    public private(set) var state: AppState
    public let runner: EffectRunner
    private let inbox: MessageInbox
    public private(set) var shouldQuit = false
    private var waiting: [Effect] = []
    let prewrap = TimelinePrewrap()

    /// `onMessage` is called (on any thread) when an answer arrives, so the loop can wake for it.
    public init(state: AppState, services: ConsoleServices, onMessage: @escaping @Sendable () -> Void = {}) {
        self.state = state
        let inbox = MessageInbox(onPost: onMessage)
        self.inbox = inbox
        runner = EffectRunner(services: services) { inbox.post($0) }
    }

    /// Loads the queue and starts watching the store.
    public func start() {
        apply(Console.start(&state))
    }

    public func send(_ message: Message) {
        apply(Console.update(&state, message))
    }

    /// Handles every answer that has arrived; true when there was one.
    @discardableResult
    public func drain() -> Bool {
        let messages = inbox.takeAll()
        for message in messages { send(message) }
        return !messages.isEmpty
    }

    /// True when answers have arrived that the loop has not handled yet.
    public var hasAnswersWaiting: Bool { inbox.hasMessages }

    /// Hands the effects that messages asked for since the last call to the runner.
    public func startWork() {
        guard !waiting.isEmpty else { return }
        let effects = waiting
        waiting = []
        runner.submit(effects)
    }

    /// Wraps the selected timeline for reading whole on a thread of its own, when it changed
    /// (the loop calls it once a frame is drawn).
    public func prewrapTimeline() {
        prewrap.prepare(for: state)
    }

    /// Starts the waiting work at once when a key shows nothing until its answer comes (Home, End,
    /// a move past the window): the read runs while the loop draws.
    public func startAwaitedWork() {
        if waiting.contains(where: \.isAwaitedByItsKey) { startWork() }
    }

    /// Starts the waiting work and waits, up to `seconds`, for the work that records something (a
    /// note typed just before quitting) — the console is closing and would take it along.
    public func finishRecording(within seconds: TimeInterval) {
        startWork()
        let deadline = Date().addingTimeInterval(seconds)
        while runner.isRecording, Date() < deadline { usleep(2_000) }
    }

    /// Starts the waiting work, then waits until every effect has answered and every answer is
    /// handled, with the work those answers ask for (tests, scripted sessions).
    public func settle() async {
        repeat {
            startWork()
            await runner.waitUntilIdle()
            drain()
        } while !waiting.isEmpty || !runner.isIdle || inbox.hasMessages
    }

    /// Stops listening to the service (the console is closing).
    public func stop() {
        let runner = self.runner
        Task { await runner.stop() }
    }

    private func apply(_ effects: [Effect]) {
        if effects.contains(.quit) { shouldQuit = true }
        waiting += effects
    }
}

/// Answers waiting for the UI thread.
final class MessageInbox: Sendable {
    private let messages = Mutex<[Message]>([])
    private let onPost: @Sendable () -> Void

    init(onPost: @escaping @Sendable () -> Void = {}) {
        self.onPost = onPost
    }

    func post(_ message: Message) {
        messages.withLock { $0.append(message) }
        onPost()
    }

    func takeAll() -> [Message] {
        messages.withLock { queue in
            defer { queue.removeAll() }
            return queue
        }
    }

    var hasMessages: Bool { messages.withLock { !$0.isEmpty } }
}
