import Foundation
@testable import helpdesk
import Testing

/// The import's input, read a chunk at a time.
@Suite struct LineStreamTests {
    func lines(_ text: String, chunk: Int, max: Int = 10) -> [String] {
        var data = Data(text.utf8)
        var stream = LineStream(maxLineBytes: max) { () -> Data in
            let piece = data.prefix(chunk)
            data = Data(data.dropFirst(piece.count))
            return Data(piece)
        }
        return Self.everyLine(of: &stream)
    }

    /// Each line as the stream gives it, until its end or a failure.
    static func everyLine(of stream: inout LineStream) -> [String] {
        var result: [String] = []
        while let line = try? stream.next() { result.append(described(line)) }
        return result
    }

    static func described(_ line: LineStream.Line) -> String {
        switch line {
        case .text(let number, let bytes): "\(number):\(String(decoding: bytes, as: UTF8.self))"
        case .tooLong(let number): "\(number):too long"
        case .waiting(let next): "waiting for \(next)"
        case .reading(let next): "reading \(next)"
        }
    }

    /// Input that pauses (nil: nothing came for a while) says so where it pauses, even inside a
    /// line, and goes on from there.
    @Test func aPauseIsSaidWhereItComes() {
        var pieces: [Data?] = [Data("one\ntw".utf8), nil, nil, Data("o\nthree".utf8), nil, Data("\n".utf8), Data()]
        var stream = LineStream(maxLineBytes: 10) { pieces.removeFirst() }
        #expect(Self.everyLine(of: &stream) == ["1:one", "waiting for 2", "waiting for 2", "2:two", "waiting for 3", "3:three"])
    }

    /// Input that keeps coming without a line's end (a long line on a slow link, endless bytes
    /// being skipped) is said to be still reading, once it has been read for the pause's length.
    @Test(arguments: [20, 100_000])
    func aLineThatKeepsComingIsSaidToBeReadingAfterAWhile(maxLineBytes: Int) {
        var served = 0
        var stream = LineStream(maxLineBytes: maxLineBytes, pause: .milliseconds(50)) {
            guard served < 300 else { return Data() }
            served += 1
            usleep(5_000)
            return Data(repeating: UInt8(ascii: "x"), count: 10)
        }
        let first = (try? stream.next()).map(Self.described)
        #expect(first == "reading 1", "after 50 ms of reading, not at the input's end")
        #expect(served < 100, "\(served) reads")
        let again = (try? stream.next()).map(Self.described)
        #expect(again == "reading 1", "and again after another 50 ms")
    }

    @Test(arguments: [1, 2, 3, 7, 64])
    func linesCrossChunksAndKeepTheirNumbers(chunk: Int) {
        #expect(lines("one\ntwo\r\n\nthree", chunk: chunk) == ["1:one", "2:two", "3:", "4:three"])
        #expect(lines("a\nbbbbbbbbbbbbbbbbbbbbbbbbbbbb\nc\n", chunk: chunk) == ["1:a", "2:too long", "3:c"], "a line too long is skipped as it passes")
        #expect(lines("a\n" + String(repeating: "x", count: 50), chunk: chunk) == ["1:a", "2:too long"])
        #expect(lines("", chunk: chunk) == [])
        #expect(lines("only\n", chunk: chunk) == ["1:only"])
        #expect(lines("0123456789\r\nnext", chunk: chunk) == ["1:0123456789", "2:next"], "a line at the limit keeps it, whatever its CRLF")
        #expect(lines("0123456789X\r\n", chunk: chunk) == ["1:too long"])
    }

    @Test func aHugeLineIsNeverHeldWhole() {
        var served = 0
        var stream = LineStream(maxLineBytes: 1_000) {
            guard served < 200 else { return served == 200 ? { served += 1; return Data("\nnext\n".utf8) }() : Data() }
            served += 1
            return Data(repeating: UInt8(ascii: "x"), count: 10_000)
        }
        guard case .tooLong(1)? = try? stream.next(), case .text(2, let next)? = try? stream.next() else { Issue.record("expected a skipped line, then the next"); return }
        #expect(String(decoding: next, as: UTF8.self) == "next")
    }

    @Test func aReadErrorIsAnErrorNotTheEnd() {
        struct Broken: Error {}
        var served = false
        var stream = LineStream(maxLineBytes: 100) { () throws -> Data in
            if served { throw Broken() }
            served = true
            return Data("one\ntw".utf8)
        }
        #expect(throws: Never.self) { _ = try stream.next() }
        #expect(throws: Broken.self) { _ = try stream.next() }
    }
}
