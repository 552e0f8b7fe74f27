import Foundation

/// Reads `Link: <https://…?after=abc>; rel="next", <…>; rel="self"`.
enum LinkHeader {
    /// The URL of the link with `rel="next"`, exactly as given.
    static func next(_ header: String?) -> URL? {
        guard let header else { return nil }
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let target = pieces.first, target.hasPrefix("<"), target.hasSuffix(">") else { continue }
            let isNext = pieces.dropFirst().contains { parameter in
                let lowered = parameter.lowercased().replacingOccurrences(of: " ", with: "")
                return lowered == "rel=\"next\"" || lowered == "rel=next"
            }
            if isNext { return URL(string: String(target.dropFirst().dropLast())) }
        }
        return nil
    }
}
