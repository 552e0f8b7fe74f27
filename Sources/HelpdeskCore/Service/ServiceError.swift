/// A failure as it crosses the service boundary: a stable code a program can act on, and the
/// sentence for the person. Okta's own error travels whole, so a client can tell a refused
/// token from an unknown outcome.
public struct ServiceError: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        /// A rule said no (`Refusal`), or the input was not acceptable.
        case refused
        /// No such request or approval.
        case notFound = "not-found"
        /// Someone else changed the request first.
        case conflict
        /// Okta refused or failed; `directory` has the details.
        case okta
        /// The store could not do it (locked, damaged, read-only).
        case store
        /// The connecting login is not an operator of this helpdesk.
        case notAnOperator = "not-an-operator"
        /// The client spoke the protocol wrongly (a malformed or oversized frame, an unknown method).
        case protocolError = "protocol"
        /// Too much at once from this client; try again.
        case busy
        /// The service cannot be reached, or went away mid-call.
        case unavailable
        /// The client cancelled the request (it only read, and stopped).
        case cancelled
        /// Anything else; the message says what.
        case `internal`
    }

    public let code: Code
    public let message: String
    public let directory: DirectoryError?

    public init(_ code: Code, _ message: String, directory: DirectoryError? = nil) {
        self.code = code
        self.message = message
        self.directory = directory
    }

    /// Any error the core throws, as the boundary reports it.
    public init(_ error: any Error) {
        switch error {
        case let error as ServiceError: self = error
        case let error as Refusal: self.init(.refused, error.message)
        case let error as ValidationError: self.init(.refused, error.message)
        case let error as DirectoryError: self.init(.okta, error.message, directory: error)
        case is CancellationError: self = .cancelled
        case let error as StoreError:
            switch error {
            case .notFound, .approvalNotFound: self.init(.notFound, error.description)
            case .conflict: self.init(.conflict, error.description)
            default: self.init(.store, error.description)
            }
        default: self.init(.internal, TextSafety.quoted("\(error)", limit: 400))
        }
    }

    /// A read stopped because the client no longer needed it.
    public static let cancelled = ServiceError(.cancelled, "cancelled by the client before it finished; it only read, so nothing changed")

    /// The error a caller of the in-process service would have seen: Okta's error as itself.
    public var underlying: any Error { directory ?? self }

    public var description: String { directory?.description ?? message }
}
