/// What `StoreWriter.createOnce` did with one request: wrote it, or found the request that
/// already had its external id.
public enum OnceWrite: Sendable, Equatable {
    case created(RequestID)
    case found(RequestID)
}
