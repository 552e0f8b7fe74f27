import HelpdeskCore

/// `import --json` when the import stopped early: every line's result until then, the lines that
/// were on their way when the service stopped answering (they may have been written), and why.
struct StoppedImport: Encodable {
    let report: ImportReport
    let unanswered: [Int]
    let failure: String

    private enum Keys: String, CodingKey { case imported, alreadyImported, refused, unanswered, failure }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(report.imported, forKey: .imported)
        try container.encode(report.alreadyImported, forKey: .alreadyImported)
        try container.encode(report.refused, forKey: .refused)
        try container.encode(unanswered, forKey: .unanswered)
        try container.encode(failure, forKey: .failure)
    }
}
