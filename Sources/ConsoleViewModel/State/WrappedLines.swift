import Foundation
import Synchronization

/// A request's timeline entries as already wrapped, so a frame or a scroll does not wrap them
/// again: each entry's lines by its id (the store never changes an entry), the width and the line
/// limit, the request's body by the width, the limit and its exact bytes. Two widths are kept (the
/// timeline beside the panel and read whole); a third, after a resize, starts afresh. `DetailState`
/// makes a new one when its timeline is replaced other than by a reread of the same request's. It
/// is a cache, not part of the state's meaning, so any two are equal.
public final class WrappedLines: Sendable, Equatable {
    private struct Kept {
        var widths: [Int] = []
        var entries: [EntryKey: [String]] = [:]
        var bodies: [BodyKey: (text: String, lines: [String])] = [:]
    }

    private struct EntryKey: Hashable {
        let id: Int64
        let width: Int
        let limit: Int?
    }

    private struct BodyKey: Hashable {
        let width: Int
        let limit: Int?
    }

    private let kept = Mutex(Kept())

    public init() {}

    /// The timeline entry `id` wrapped to `width` and `limit`, by `wrap` the first time.
    func entry(_ id: Int64, width: Int, limit: Int?, wrap: () -> [String]) -> [String] {
        let key = EntryKey(id: id, width: width, limit: limit)
        if let lines = kept.withLock({ $0.entries[key] }) { return lines }
        let lines = wrap()
        kept.withLock { kept in
            Self.use(width, &kept)
            kept.entries[key] = lines
        }
        return lines
    }

    /// `text` wrapped to `width` and `limit`, by `wrap` unless the same bytes were wrapped so before.
    func body(_ text: String, width: Int, limit: Int?, wrap: () -> [String]) -> [String] {
        let key = BodyKey(width: width, limit: limit)
        let known = kept.withLock { $0.bodies[key] }
        if let known, Self.sameBytes(known.text, text) { return known.lines }
        let lines = wrap()
        kept.withLock { kept in
            Self.use(width, &kept)
            kept.bodies[key] = (text, lines)
        }
        return lines
    }

    /// Entries and bodies wrapped so far (tests).
    var count: Int { kept.withLock { $0.entries.count + $0.bodies.count } }

    public static func == (lhs: WrappedLines, rhs: WrappedLines) -> Bool { true }

    private static func use(_ width: Int, _ kept: inout Kept) {
        guard !kept.widths.contains(width) else { return }
        if kept.widths.count == 2 { kept = Kept() }
        kept.widths.append(width)
    }

    /// Byte for byte, not by Unicode's equivalence (which normalizes both sides of a long text).
    static func sameBytes(_ first: String, _ second: String) -> Bool {
        var first = first
        var second = second
        return first.withUTF8 { a in
            second.withUTF8 { b in
                guard a.count == b.count else { return false }
                guard let x = a.baseAddress, let y = b.baseAddress, x != y else { return true }
                return memcmp(x, y, a.count) == 0
            }
        }
    }
}
