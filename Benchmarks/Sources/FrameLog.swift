import Foundation

/// `--frames PATH` of the end-to-end suite: every key's frame as ncurses wrote it and as the shortest
/// writing (`ShortestFrame`) would, one after the other, with Escape shown as ⎋ and other control
/// bytes as ^ and their number, for reading where the bytes go.
struct FrameLog {
    private let handle: FileHandle

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw BenchmarkFailure("cannot write the frames to \(path)")
        }
        self.handle = handle
    }

    func append(key: String, cells: Int, written: [UInt8], shortest: [UInt8]) {
        let entry = "=== \(key): \(cells) cells changed, \(written.count) bytes written, \(shortest.count) in the shortest writing\n"
            + Self.visible(written) + "\n--- shortest\n" + Self.visible(shortest) + "\n"
        handle.write(Data(entry.utf8))
    }

    static func visible(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self).unicodeScalars.map { scalar in
            switch scalar.value {
            case 0x1B: "⎋"
            case 0..<0x20, 0x7F: "^\(scalar.value)"
            default: String(scalar)
            }
        }.joined()
    }
}
