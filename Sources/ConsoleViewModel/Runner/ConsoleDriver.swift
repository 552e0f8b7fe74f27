import Foundation
import Synchronization

/// Holds the console's state on the UI thread: messages go through `update`, the effects it
/// returns go to the runner, and the runner's answers come back through the inbox.
public final class ConsoleDriver {
    public private(set) var state: AppState
    public let runner: EffectRunner
    private let inbox: MessageInbox
    public private(set) var shouldQuit = false

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

    /// Waits until every effect has answered and every answer is handled (tests, scripted sessions).
    public func settle() async {
        repeat {
            await runner.waitUntilIdle()
            drain()
        } while !runner.isIdle || inbox.hasMessages
    }

    /// Stops listening to the service (the console is closing).
    public func stop() {
        let runner = self.runner
        Task { await runner.stop() }
    }

    private func apply(_ effects: [Effect]) {
        if effects.contains(.quit) { shouldQuit = true }
        runner.submit(effects)
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
