import Synchronization

/// A flag raised once and read from any thread: a stop asked for, seen by work between its
/// steps; work finished, seen by what waits for it with a time limit.
public final class AtomicFlag: Sendable {
    private let raised = Atomic<Bool>(false)

    public init() {}

    public func raise() { raised.store(true, ordering: .relaxed) }

    public var isRaised: Bool { raised.load(ordering: .relaxed) }
}
