/// A rule said no: the operator may not do this, or not now. The sentence says why and what to do.
public struct Refusal: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
