import Foundation
import Testing

/// Compares text with a snapshot file in `Snapshots/` beside the test file. A missing file, or
/// `RECORD_SNAPSHOTS=1`, writes the snapshot and fails, so every new baseline gets a look.
public func assertSnapshot(_ actual: String, named name: String, filePath: String = #filePath, sourceLocation: SourceLocation = #_sourceLocation) {
    let folder = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    let file = folder.appendingPathComponent("\(name).txt")
    let recording = ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] != nil
    guard !recording, let expected = try? String(contentsOf: file, encoding: .utf8) else {
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try? (actual + "\n").write(to: file, atomically: true, encoding: .utf8)
        Issue.record("Recorded the snapshot \(file.path); review it and run the tests again", sourceLocation: sourceLocation)
        return
    }
    let wanted = expected.hasSuffix("\n") ? String(expected.dropLast()) : expected
    guard actual != wanted else { return }
    Issue.record("Snapshot \(name) differs:\n\(lineDiff(expected: wanted, actual: actual))", sourceLocation: sourceLocation)
}

/// Lines only in one of the texts, marked - (expected) and + (actual), with their numbers.
func lineDiff(expected: String, actual: String) -> String {
    let old = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let new = actual.split(separator: "\n", omittingEmptySubsequences: false)
    var lines: [String] = []
    for index in 0..<max(old.count, new.count) {
        let before = index < old.count ? String(old[index]) : nil
        let after = index < new.count ? String(new[index]) : nil
        guard before != after else { continue }
        if let before { lines.append(String(format: "-%3d|%@", index + 1, before)) }
        if let after { lines.append(String(format: "+%3d|%@", index + 1, after)) }
    }
    return lines.joined(separator: "\n")
}
