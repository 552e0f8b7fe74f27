import Foundation
import Synchronization

/// A timeline's entries as already wrapped, so a frame or a scroll does not wrap them again: each
/// entry's lines by its place in the timeline and the line limit, the request's body by the limit
/// and its exact bytes, all at one width (another width starts afresh). `DetailState` makes a new
/// one whenever its timeline changes. It is a cache, not part of the state's meaning, so any two
/// are equal.
public final class WrappedLines: Sendable, Equatable {
    private struct Kept {
        var width = 0
        var entries: [EntryKey: [String]] = [:]
        var bodies: [Int?: (text: String, lines: [String])] = [:]
    }

    private struct EntryKey: Hashable {
        let index: Int
        let limit: Int?
    }

    private let kept = Mutex(Kept())

    public init() {}

    /// The timeline entry at `index` wrapped to `width` and `limit`, by `wrap` the first time.
    func entry(_ index: Int, width: Int, limit: Int?, wrap: () -> [String]) -> [String] {
        let key = EntryKey(index: index, limit: limit)
        if let lines = kept.withLock({ $0.width == width ? $0.entries[key] : nil }) { return lines }
        let lines = wrap()
        kept.withLock { kept in
            Self.use(width, &kept)
            kept.entries[key] = lines
        }
        return lines
    }

    /// `text` wrapped to `width` and `limit`, by `wrap` unless the same bytes were wrapped so before.
    func body(_ text: String, width: Int, limit: Int?, wrap: () -> [String]) -> [String] {
        let known = kept.withLock { $0.width == width ? $0.bodies[limit] : nil }
        if let known, Self.sameBytes(known.text, text) { return known.lines }
        let lines = wrap()
        kept.withLock { kept in
            Self.use(width, &kept)
            kept.bodies[limit] = (text, lines)
        }
        return lines
    }

    public static func == (lhs: WrappedLines, rhs: WrappedLines) -> Bool { true }

    private static func use(_ width: Int, _ kept: inout Kept) {
        guard kept.width != width else { return }
        kept = Kept(width: width)
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
