import Foundation
import HelpdeskTestSupport
@testable import helpdesk
import Synchronization
import Testing

/// Standard output and error as the program writes them.
@Suite struct FileOutputTests {
    @Test func textThatCannotBeWrittenIsKeptAsTheFailureWithoutStoppingTheProgram() throws {
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        defer { try? full.close() }
        let output = FileOutput(descriptor: full.fileDescriptor, kind: .stream)
        #expect(output.failure == nil)
        output.write("the disk under the log is full\n")
        output.line("and stays so")
        #expect(output.failure == String(cString: strerror(ENOSPC)))
    }

    @Test func aStreamStopsAtItsFirstFailureAndMessagesAreEachTried() throws {
        let folder = TemporaryDirectory("helpdesk-output")
        for kind in [FileOutput.Kind.stream, .messages] {
            // The descriptor is read-only for the first line and the file for the second: a
            // failure that passes, as a disk that has room again.
            let path = folder.file("\(kind).txt")
            #expect(FileManager.default.createFile(atPath: path, contents: nil))
            let file = try #require(FileHandle(forWritingAtPath: path))
            let descriptor = dup(file.fileDescriptor)
            let readOnly = open("/dev/null", O_RDONLY)
            dup2(readOnly, descriptor)
            let output = FileOutput(descriptor: descriptor, kind: kind)
            output.line("lost")
            dup2(file.fileDescriptor, descriptor)
            output.line("after")
            close(descriptor)
            close(readOnly)
            try file.close()
            #expect(output.failure == String(cString: strerror(EBADF)))
            #expect(try String(contentsOfFile: path, encoding: .utf8) == (kind == .stream ? "" : "after\n"), "\(kind)")
        }
    }

    @Test func aNonBlockingDescriptorIsWaitedForNotTakenForAFailure() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]) }
        _ = fcntl(ends[1], F_SETFL, fcntl(ends[1], F_GETFL) | O_NONBLOCK)
        let output = FileOutput(descriptor: ends[1], kind: .stream)
        let text = String(repeating: "x", count: 1 << 20)
        // More than a pipe holds: the writer waits while a reader drains it.
        let readEnd = ends[0]
        let reader = Thread {
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            var total = 0
            while total < text.utf8.count + 4 {
                let count = read(readEnd, &buffer, buffer.count)
                guard count > 0 else { break }
                total += count
            }
        }
        reader.start()
        output.write(text)
        output.line("end")
        close(ends[1])
        #expect(output.failure == nil)
    }

    @Test func everyByteIsWrittenInOrder() throws {
        let folder = TemporaryDirectory("helpdesk-output")
        let path = folder.file("out.txt")
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let file = try #require(FileHandle(forWritingAtPath: path))
        let output = FileOutput(descriptor: file.fileDescriptor, kind: .stream)
        let long = String(repeating: "é line\n", count: 100_000)
        output.write(long)
        output.line("end")
        try file.close()
        #expect(output.failure == nil)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == long + "end\n")
    }

    @Test(arguments: [["--version"], ["--help"], ["list"], ["export"], ["show", "REQ-1"], ["new", "--requester", "jane.doe@example.com", "--subject", "Lost my phone"]])
    func aRunWhoseOutputCannotBeWrittenFailsAndSaysSo(command: [String]) async throws {
        let cli = CLIHarness()
        #expect(await cli.run(["new", "--requester", "jane.doe@example.com", "--subject", "Lost my phone"]).status == 0)
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        defer { try? full.close() }
        let result = await cli.run(command, out: FileOutput(descriptor: full.fileDescriptor, kind: .stream))
        #expect(result.status == 1)
        #expect(result.err.hasSuffix("helpdesk: the command ran, but its output could not all be written (\(String(cString: strerror(ENOSPC))))\n"), "\(result.err)")
    }

    @Test func anExportStopsReadingOnceItsOutputCannotBeWritten() async throws {
        var cli = CLIHarness()
        var feed = ""
        for line in 1...(ExportCommand.pageSize * 3) { feed += #"{"externalId": "E-\#(line)", "requester": "a@example.com", "subject": "line \#(line)"}"# + "\n" }
        cli.stdin = Data(feed.utf8)
        #expect(await cli.run(["import", "-"]).status == 0)
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        defer { try? full.close() }
        let output = CountedOutput(FileOutput(descriptor: full.fileDescriptor, kind: .stream))
        #expect(await cli.run(["export"], out: output).status == 1)
        #expect(output.writes == 2, "the first page could not be written, and the page read ahead was the last read")
    }
}

/// A sink that counts the texts written through it.
final class CountedOutput: OutputSink {
    private let sink: any OutputSink
    private let count = Mutex(0)

    init(_ sink: any OutputSink) { self.sink = sink }

    func write(_ text: String) {
        count.withLock { $0 += 1 }
        sink.write(text)
    }

    var failure: String? { sink.failure }
    var writes: Int { count.withLock { $0 } }
}
