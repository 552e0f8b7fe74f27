import Foundation

/// A C library opened when it is first needed rather than when the program starts, and its
/// functions looked up by name. A library linked to the program is loaded, with every library it
/// needs, by every run of it; one opened here costs only the runs that use it, and its absence
/// is an error those runs can report instead of a program that cannot start.
public struct SharedLibrary: @unchecked Sendable {
    // dlopen's handle: never closed, so the functions looked up stay valid for the process.
    private let handle: UnsafeMutableRawPointer
    /// The library's file name, as the system looks it up (`libcurl.so.4`).
    public let name: String

    /// Opens `name` (resolving every symbol now, so a missing one fails here, not mid-call).
    public init(_ name: String) throws(SharedLibraryFailure) {
        guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else {
            throw SharedLibraryFailure(library: name, reason: Self.lastError())
        }
        self.handle = handle
        self.name = name
    }

    /// The function `symbol` as `type`, which must be the C function's own type. When it is
    /// missing, the failure names the file the system opened for the library (another copy of it
    /// found first on the library path is the usual cause).
    public func function<T>(_ symbol: String, as type: T.Type) throws(SharedLibraryFailure) -> T {
        _ = dlerror()
        guard let address = dlsym(handle, symbol) else {
            throw SharedLibraryFailure(library: name, reason: "\(Self.openedFile(from: Self.lastError()) ?? "it") has no function \(symbol)")
        }
        return unsafeBitCast(address, to: type)
    }

    /// The file named by a failed look-up's message (`/usr/lib/…/libcurl.so.4: undefined symbol: …`).
    private static func openedFile(from message: String) -> String? {
        guard message.hasPrefix("/"), let end = message.range(of: ": undefined symbol") else { return nil }
        return String(message[..<end.lowerBound])
    }

    private static func lastError() -> String {
        dlerror().map { String(cString: $0) } ?? "unknown error"
    }
}

/// A library that could not be opened, or lacks a function the program calls.
public struct SharedLibraryFailure: Error, CustomStringConvertible {
    public let library: String
    public let reason: String

    public init(library: String, reason: String) {
        self.library = library
        self.reason = reason
    }

    public var description: String { "\(library) could not be loaded: \(reason)" }
}
