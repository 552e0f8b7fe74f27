import Foundation
import HelpdeskCore

/// What the console's effects run on: the helpdesk service (in-process or over the socket), and
/// the console's own timings.
public struct ConsoleServices: Sendable {
    public let service: any HelpdeskService
    /// The demo only: the service as another persona.
    public let persona: (@Sendable (String) -> (any HelpdeskService)?)?
    public let clock: any Clock
    /// Pause before loading a requester's card, so scrolling past requests does not call Okta for each.
    public let cardDelay: TimeInterval
    /// How long a loaded card is reused.
    public let cardLifetime: TimeInterval
    /// How long a read from Okta (a card, who may approve) may take before it is an error.
    public let oktaTimeout: TimeInterval

    public init(service: any HelpdeskService, persona: (@Sendable (String) -> (any HelpdeskService)?)? = nil, clock: any Clock = SystemClock(),
                cardDelay: TimeInterval = 0.12, cardLifetime: TimeInterval = 60, oktaTimeout: TimeInterval = 20) {
        self.oktaTimeout = oktaTimeout
        self.service = service
        self.persona = persona
        self.clock = clock
        self.cardDelay = cardDelay
        self.cardLifetime = cardLifetime
    }
}
