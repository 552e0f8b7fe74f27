import Foundation
import HelpdeskCore

/// The ports and services the console's effects run on.
public struct ConsoleServices: Sendable {
    public let store: any RequestStore
    public let directory: any IdentityDirectory
    public let engine: ActionEngine
    public let work: RequestWork
    public let clock: any Clock
    /// Pause before loading a requester's card, so scrolling past requests does not call Okta for each.
    public let cardDelay: TimeInterval
    /// How long a loaded card is reused.
    public let cardLifetime: TimeInterval

    public init(engine: ActionEngine, cardDelay: TimeInterval = 0.12, cardLifetime: TimeInterval = 60) {
        store = engine.store
        directory = engine.directory
        self.engine = engine
        work = RequestWork(store: engine.store, clock: engine.clock, team: engine.team)
        clock = engine.clock
        self.cardDelay = cardDelay
        self.cardLifetime = cardLifetime
    }
}
