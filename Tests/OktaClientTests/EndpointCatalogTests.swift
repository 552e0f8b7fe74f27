import Foundation
@testable import OktaClient
import Testing

/// The requests the client can send are pinned in `Fixtures/endpoints.txt` and checked against
/// Okta's official OpenAPI spec when it is present beside the project.
@Suite struct EndpointCatalogTests {
    static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let fixture = testsFolder.appendingPathComponent("Fixtures/endpoints.txt")
    static var specPath: String? {
        if let path = ProcessInfo.processInfo.environment["OKTA_SPEC_PATH"], FileManager.default.fileExists(atPath: path) { return path }
        var folder = testsFolder
        for _ in 0..<5 {
            let candidate = folder.appendingPathComponent("shared/okta/management-minimal.yaml").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }

    static var catalogText: String { Endpoint.all.map(\.fixtureLine).sorted().joined(separator: "\n") + "\n" }

    @Test func theFixtureListsExactlyWhatTheClientCanSend() throws {
        if ProcessInfo.processInfo.environment["RECORD_FIXTURES"] != nil {
            try Self.catalogText.write(to: Self.fixture, atomically: true, encoding: .utf8)
        }
        let pinned = try String(contentsOf: Self.fixture, encoding: .utf8)
        #expect(pinned == Self.catalogText, "Endpoint.all changed; review it and re-record with RECORD_FIXTURES=1")
        #expect(Set(Endpoint.all.map(\.operationID)).count == Endpoint.all.count)
    }

    @Test(.enabled(if: specPath != nil, "the official spec is not beside the project"))
    func everyPinnedRequestIsInOktasSpec() throws {
        let spec = try OpenAPIPaths(yaml: String(contentsOfFile: Self.specPath!, encoding: .utf8))
        let pinned = try String(contentsOf: Self.fixture, encoding: .utf8).split(separator: "\n")
        #expect(pinned.count == Endpoint.all.count)
        for line in pinned {
            let words = line.split(separator: " ").map(String.init)
            let (method, path, query) = (words[0].lowercased(), words[1], Set(words.dropFirst(2)))
            let operation = spec.operations[path]?[method]
            #expect(operation != nil, "\(method.uppercased()) \(path) is not in the spec")
            if let operation {
                #expect(query.isSubset(of: operation.query), "\(line): the spec's query names are \(operation.query.sorted())")
            }
        }
        let endpoint = try #require(Endpoint.all.first { $0.operationID == "resetFactors" })
        #expect(spec.operations[endpoint.template]?["post"]?.operationID == "resetFactors")
    }
}

/// Just enough of an OpenAPI YAML reader: paths, methods, operation ids and query parameter names,
/// following `$ref`s into `components/parameters`.
struct OpenAPIPaths {
    struct Operation {
        var operationID: String?
        var query: Set<String> = []
    }

    private(set) var operations: [String: [String: Operation]] = [:]

    init(yaml: String) throws {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let components = Self.componentParameters(lines)
        var inPaths = false
        var path: String?
        var method: String?
        var pathLevel: Set<String> = []
        var pendingName: String?
        func indent(_ line: String) -> Int { line.prefix { $0 == " " }.count }
        func record(_ name: String) {
            guard let path else { return }
            if let method { operations[path]![method]!.query.insert(name) } else { pathLevel.insert(name) }
        }
        for line in lines {
            if line == "paths:" { inPaths = true; continue }
            guard inPaths else { continue }
            if !line.isEmpty, indent(line) == 0 { break }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if indent(line) == 2, trimmed.hasPrefix("/"), trimmed.hasSuffix(":") {
                path = String(trimmed.dropLast())
                operations[path!] = [:]
                method = nil
                pathLevel = []
                continue
            }
            if indent(line) == 4, let key = ["get:", "post:", "put:", "delete:", "patch:"].first(where: { trimmed == $0 }) {
                method = String(key.dropLast())
                operations[path!]![method!] = Operation(query: pathLevel)
                continue
            }
            if let ref = trimmed.range(of: "#/components/parameters/") {
                let name = trimmed[ref.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
                if let parameter = components[name], parameter.in == "query" { record(parameter.name) }
                continue
            }
            if trimmed.hasPrefix("- name: ") { pendingName = String(trimmed.dropFirst(8)); continue }
            if trimmed == "in: query", let name = pendingName { record(name); pendingName = nil; continue }
            if trimmed.hasPrefix("in: ") { pendingName = nil }
            if indent(line) == 6, trimmed.hasPrefix("operationId: "), let path, let method {
                operations[path]![method]!.operationID = String(trimmed.dropFirst(13))
            }
        }
        guard !operations.isEmpty else { throw CocoaError(.fileReadCorruptFile) }
    }

    private static func componentParameters(_ lines: [String]) -> [String: (name: String, in: String)] {
        var result: [String: (name: String, in: String)] = [:]
        var inComponents = false
        var inParameters = false
        var current: String?
        var name: String?
        for line in lines {
            if line == "components:" { inComponents = true; continue }
            guard inComponents else { continue }
            if line == "  parameters:" { inParameters = true; continue }
            guard inParameters else { continue }
            let indent = line.prefix { $0 == " " }.count
            if !line.isEmpty, indent <= 2 { break }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if indent == 4, trimmed.hasSuffix(":") { current = String(trimmed.dropLast()); name = nil; continue }
            if indent == 6, trimmed.hasPrefix("name: ") { name = String(trimmed.dropFirst(6)) }
            if indent == 6, trimmed.hasPrefix("in: "), let current, let name { result[current] = (name, String(trimmed.dropFirst(4))) }
        }
        return result
    }
}
