import Foundation

/// An import batch's lines read and checked a chunk at a time, in order, so the store writes one
/// chunk while the next is read. The caller reads the first chunk, a small one, before it holds
/// the store; a thread of the batch's own reads the rest meanwhile and while the store writes.
/// That thread is not one of the cooperative pool's: a writer waiting for a chunk must never wait
/// for a thread that other waiting work holds.
final class ImportReading: @unchecked Sendable {
    /// Lines of the first chunk: few, since the store waits for them.
    static let firstChunkLines = 32
    /// Lines of every later chunk: large enough that a chunk is written in a few statements.
    static let chunkLines = 128

    /// A line that became a request, with its number in the input.
    typealias Good = (line: Int, request: NewRequest)

    let chunkCount: Int
    private let condition = NSCondition()
    // Guarded by `condition`; each chunk is set once, by whoever read it.
    private var chunks: [[Good]?]
    private var refused: [[ImportReport.Refused]]

    /// Starts the thread on the later chunks and reads the first.
    init(_ lines: [ImportInput]) {
        let ranges = Self.chunkRanges(count: lines.count)
        chunkCount = ranges.count
        chunks = Array(repeating: nil, count: ranges.count)
        refused = Array(repeating: [], count: ranges.count)
        guard let first = ranges.first else { return }
        if ranges.count > 1 {
            let thread = Thread { [self] in
                for (index, range) in ranges.enumerated().dropFirst() { read(lines[range], as: index) }
            }
            thread.name = "helpdesk import reading"
            thread.start()
        }
        read(lines[first], as: 0)
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

    /// The requests of chunk `index`, once it has been read.
    func chunk(_ index: Int) -> [Good] {
        condition.lock()
        defer { condition.unlock() }
        while chunks[index] == nil { condition.wait() }
        return chunks[index] ?? []
    }

    /// Every refused line in input order, once all are read.
    func refusedLines() -> [ImportReport.Refused] {
        condition.lock()
        defer { condition.unlock() }
        while chunks.contains(where: { $0 == nil }) { condition.wait() }
        return refused.flatMap { $0 }
    }

    private func read(_ lines: ArraySlice<ImportInput>, as index: Int) {
        var good: [Good] = []
        var bad: [ImportReport.Refused] = []
        for input in lines {
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
