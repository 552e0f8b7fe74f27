/// An external id as the unique index tells ids apart: by its bytes. Swift's `==` on strings would
/// make `café` and `cafe\u{301}` one.
struct ExternalIDKey: Hashable {
    let text: String

    init(_ text: String) {
        self.text = text
    }

    static func == (left: ExternalIDKey, right: ExternalIDKey) -> Bool {
        left.text.utf8.elementsEqual(right.text.utf8)
    }

    func hash(into hasher: inout Hasher) {
        var text = text
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
