/// A one-line text input: typing appends, Backspace removes, Ctrl-U clears.
public struct TextField: Sendable, Equatable {
    public var text: String
    public let limit: Int

    public init(_ text: String = "", limit: Int = 500) {
        self.text = text
        self.limit = limit
    }

    /// Applies an editing key; false when the key does not edit text.
    public mutating func handle(_ key: Key) -> Bool {
        switch key {
        case .char(let character):
            guard text.count < limit, !character.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return true }
            text.append(character)
            return true
        case .backspace, .delete:
            if !text.isEmpty { text.removeLast() }
            return true
        case .ctrl("u"):
            text = ""
            return true
        default:
            return false
        }
    }

    public var trimmed: String { text.trimmingCharacters(in: .whitespaces) }
}
