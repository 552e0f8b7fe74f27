import Foundation
import HelpdeskTestSupport
@testable import helpdesk
import Testing

/// Standard output and error as the program writes them.
@Suite struct FileOutputTests {
    @Test func textThatCannotBeWrittenIsKeptAsTheFailureWithoutStoppingTheProgram() throws {
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        defer { try? full.close() }
        let output = FileOutput(descriptor: full.fileDescriptor)
        #expect(output.failure == nil)
        output.write("the disk under the log is full\n")
        output.line("and stays so")
        #expect(output.failure == String(cString: strerror(ENOSPC)))
    }

    @Test func everyByteIsWrittenInOrder() throws {
        let folder = TemporaryDirectory("helpdesk-output")
        let path = folder.file("out.txt")
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let file = try #require(FileHandle(forWritingAtPath: path))
        let output = FileOutput(descriptor: file.fileDescriptor)
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
        let result = await cli.run(command, out: FileOutput(descriptor: full.fileDescriptor))
        #expect(result.status == 1)
        #expect(result.err.hasSuffix("helpdesk: the output could not be written (\(String(cString: strerror(ENOSPC)))), so what was written is incomplete\n"), "\(result.err)")
    }
}
