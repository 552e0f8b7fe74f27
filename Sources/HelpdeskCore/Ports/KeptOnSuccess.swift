import Synchronization

/// A value made by the first call that succeeds and kept for every later one; a call that fails
/// keeps nothing, so the next call tries again (a library installed since, a descriptor free
/// again). Calls made while one is making the value wait for it.
public final class KeptOnSuccess<Value: Sendable>: Sendable {
    private let kept = Mutex<Value?>(nil)

    public init() {}

    /// The kept value, or the one `make` gives now (kept when it is given).
    @inline(never) // callers may be async (DECISIONS.md, "Locks on both sides of an `await`")
    public func value<Failure: Error>(_ make: () throws(Failure) -> Value) throws(Failure) -> Value {
        try kept.withLock { (value: inout Value?) throws(Failure) -> Value in
            if let value { return value }
            let made = try make()
            value = made
            return made
        }
    }
}
