import Foundation

/// An import batch's lines read and checked a chunk at a time, in order, so the store writes one
/// chunk while the next is read. The caller reads the first chunk, a small one, before it holds
/// the store; a thread of the batch's own reads the rest meanwhile and while the store writes.
/// That thread is not one of the cooperative pool's: a writer waiting for a chunk must never wait
/// for a thread that other waiting work holds. Each chunk is claimed before it is read, and a
/// writer that needs a chunk nobody has claimed reads it itself, so a thread that is slow to
/// start, or never starts, costs time and never holds the store.
final class ImportReading: @unchecked Sendable {
    /// Lines of the first chunk: few, since the store waits for them.
    static let firstChunkLines = 32
    /// Lines of every later chunk: large enough that a chunk is written in a few statements.
    static let chunkLines = 128

    /// A line that became a request, with its number in the input.
    typealias Good = (line: Int, request: NewRequest)

    let chunkCount: Int
    private let lines: [ImportInput]
    private let ranges: [Range<Int>]
    private let condition = NSCondition()
    // Guarded by `condition`: the first chunk nobody has claimed, and each chunk once read.
    private var unclaimed = 0
    private var chunks: [[Good]?]
    private var refused: [[ImportReport.Refused]]

    /// Claims the first chunk, starts the thread on the rest, and reads the first.
    init(_ lines: [ImportInput], startingThread: DedicatedThread.Starter = DedicatedThread.start) {
        self.lines = lines
        ranges = Self.chunkRanges(count: lines.count)
        chunkCount = ranges.count
        chunks = Array(repeating: nil, count: ranges.count)
        refused = Array(repeating: [], count: ranges.count)
        guard chunkCount > 0 else { return }
        unclaimed = 1
        if chunkCount > 1 {
            startingThread("hd-import-read") { [self] in
                while let index = claim() { read(index) }
            }
        }
        read(0)
    }

    /// The chunks of a batch of `count` lines: a short first one, then full ones.
    static func chunkRanges(count: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        while start < count {
            let end = min(start + (ranges.isEmpty ? firstChunkLines : chunkLines), count)
            ranges.append(start..<end)
            start = end
        }
        return ranges
    }

    /// The requests of chunk `index`: read here when nobody has claimed it, else once it has been.
    func chunk(_ index: Int) -> [Good] {
        condition.lock()
        defer { condition.unlock() }
        while unclaimed <= index {
            let claimed = unclaimed
            unclaimed += 1
            condition.unlock()
            read(claimed)
            condition.lock()
        }
        while chunks[index] == nil { condition.wait() }
        return chunks[index] ?? []
    }

    /// Every refused line in input order, once all are read (reading any nobody has claimed).
    func refusedLines() -> [ImportReport.Refused] {
        for index in 0..<chunkCount { _ = chunk(index) }
        condition.lock()
        defer { condition.unlock() }
        return refused.flatMap { $0 }
    }

    /// The next chunk nobody has claimed, now claimed by the caller; nil when none is left.
    private func claim() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        guard unclaimed < chunkCount else { return nil }
        unclaimed += 1
        return unclaimed - 1
    }

    private func read(_ index: Int) {
        var good: [Good] = []
        var bad: [ImportReport.Refused] = []
        for input in lines[ranges[index]] {
            do throws(ValidationError) {
                good.append((input.line, try ImportLine.parse(Substring(input.text))))
            } catch {
                bad.append(.init(line: input.line, reason: error.message))
            }
        }
        condition.lock()
        chunks[index] = good
        refused[index] = bad
        condition.broadcast()
        condition.unlock()
    }
}
