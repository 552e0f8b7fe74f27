import Foundation

/// An import batch's lines read and checked on a thread of their own, a chunk at a time and in
/// order, so the store writes one chunk while the next is read. The thread is not one of the
/// cooperative pool's: a writer waiting for a chunk must never wait for a thread that other
/// waiting work holds.
final class ImportReading: @unchecked Sendable {
    /// Lines read per chunk: small enough that the store starts soon, large enough that a
    /// chunk is written in a few statements.
    static let chunkLines = 128

    /// A line that became a request, with its number in the input.
    typealias Good = (line: Int, request: NewRequest)

    let chunkCount: Int
    private let condition = NSCondition()
    // Guarded by `condition`; the reading thread only appends.
    private var chunks: [[Good]] = []
    private var refused: [ImportReport.Refused] = []

    /// Starts reading `lines` at once.
    init(_ lines: [ImportInput]) {
        chunkCount = (lines.count + Self.chunkLines - 1) / Self.chunkLines
        guard chunkCount > 0 else { return }
        let thread = Thread { [self] in
            for start in stride(from: 0, to: lines.count, by: Self.chunkLines) {
                var good: [Good] = []
                var bad: [ImportReport.Refused] = []
                for input in lines[start..<min(start + Self.chunkLines, lines.count)] {
                    do throws(ValidationError) {
                        good.append((input.line, try ImportLine.parse(Substring(input.text))))
                    } catch {
                        bad.append(.init(line: input.line, reason: error.message))
                    }
                }
                condition.lock()
                chunks.append(good)
                refused += bad
                condition.broadcast()
                condition.unlock()
            }
        }
        thread.name = "helpdesk import reading"
        thread.start()
    }

    /// The requests of chunk `index`, once it has been read.
    func chunk(_ index: Int) -> [Good] {
        condition.lock()
        defer { condition.unlock() }
        while chunks.count <= index { condition.wait() }
        return chunks[index]
    }

    /// Every refused line, once all are read.
    func refusedLines() -> [ImportReport.Refused] {
        condition.lock()
        defer { condition.unlock() }
        while chunks.count < chunkCount { condition.wait() }
        return refused
    }
}
