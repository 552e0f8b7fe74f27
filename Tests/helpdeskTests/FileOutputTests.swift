import Foundation
@testable import helpdesk
import Testing

/// Standard output and error as the program writes them.
@Suite struct FileOutputTests {
    @Test func textThatCannotBeWrittenIsDroppedWithoutStoppingTheProgram() throws {
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        defer { try? full.close() }
        FileOutput(handle: full).write("the disk under the log is full\n")
        FileOutput(handle: full).line("and stays so")
    }
}
