import CSQLite
import Foundation
import HelpdeskCore
import StoreSQL

/// A prepared statement owned by a connection's cache.
final class Statement {
    let handle: OpaquePointer
    unowned let connection: SQLiteConnection
    /// The bytes of the text values bound now, copied once into one block that lives until the
    /// bindings are cleared: SQLite reads them in place instead of copying each value itself.
    private var boundText: UnsafeMutableRawBufferPointer?

    init(handle: OpaquePointer, connection: SQLiteConnection) {
        self.handle = handle
        self.connection = connection
    }

    deinit {
        sqlite3_finalize(handle)
        boundText?.deallocate()
    }

    /// Ends a run of the statement and clears its bindings (and the text they point into).
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        boundText?.deallocate()
        boundText = nil
    }

    /// Binds every parameter, ending any run of the statement that still holds earlier text.
    func bind(_ values: [SQLValue]) throws(StoreError) {
        if boundText != nil { reset() }
        var textBytes: Int?
        for case .text(let text) in values { textBytes = (textBytes ?? 0) + text.utf8.count }
        // A block only for statements with text; one byte at least, so empty text is not NULL.
        let block = textBytes.map { UnsafeMutableRawBufferPointer.allocate(byteCount: max($0, 1), alignment: 1) }
        boundText = block
        var offset = 0
        for (position, value) in values.enumerated() {
            let index = Int32(position + 1)
            let code: Int32
            switch value {
            case .integer(let number): code = sqlite3_bind_int64(handle, index, number)
            case .text(let text):
                // With its byte length, so text is stored whole even past a NUL.
                guard let block, let base = block.baseAddress else { code = SQLITE_MISUSE; break }
                let start = offset
                offset += UnsafeMutableRawBufferPointer(rebasing: block[start...]).copyUTF8(of: text)
                code = sqlite3_bind_text(handle, index, (base + start).assumingMemoryBound(to: CChar.self), Int32(offset - start), nil)
            case .null: code = sqlite3_bind_null(handle, index)
            }
            guard code == SQLITE_OK else { throw connection.error(code: code, message: connection.errorMessage) }
        }
    }

    /// Advances; true when a row is available.
    func step() throws(StoreError) -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE:
            sqlite3_reset(handle)
            return false
        default:
            let message = connection.errorMessage
            sqlite3_reset(handle)
            throw connection.error(code: code, message: message)
        }
    }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    /// The column as it is stored: an integer, text or NULL.
    func value(_ column: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_NULL: .null
        case SQLITE_INTEGER: .integer(int64(column))
        default: .text(text(column))
        }
    }
    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func text(_ column: Int32) -> String {
        guard let pointer = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }
}

/// The current row of a statement, read by column index.
struct Row: StoreRow {
    let statement: Statement

    func isNull(_ column: Int32) -> Bool { statement.isNull(column) }
    func int64(_ column: Int32) -> Int64 { statement.int64(column) }
    func text(_ column: Int32) -> String { statement.text(column) }
}

extension UnsafeMutableRawBufferPointer {
    /// Copies `text`'s UTF-8 bytes to the start of this buffer, which has room for them; their count.
    fileprivate func copyUTF8(of text: String) -> Int {
        var text = text
        return text.withUTF8 { bytes in
            guard let source = bytes.baseAddress, let target = baseAddress else { return 0 }
            target.copyMemory(from: source, byteCount: bytes.count)
            return bytes.count
        }
    }
}
