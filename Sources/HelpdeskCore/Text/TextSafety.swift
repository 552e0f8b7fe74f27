/// Outside text inside a one-line message (an error, a refusal, a log line): made safe by
/// `SafeText` and cut at `limit` characters, so a name from Okta or a typed word can neither carry
/// an escape sequence nor flood the line. The work is bounded by `limit` whatever the input: only
/// so many code points are read, however few characters they make (one letter can carry a
/// million combining marks).
public enum TextSafety {
    public static func quoted(_ text: String, limit: Int = 80) -> String {
        let cap = max(limit, 1) * 8
        var scalars = text.unicodeScalars.prefix(cap + 1)
        let cutScalars = scalars.count > cap
        if cutScalars { scalars = scalars.prefix(cap) }
        let safe = SafeText.forTerminal(String(String.UnicodeScalarView(scalars)))
        if safe.count > limit { return String(safe.prefix(limit)) + "…" }
        return cutScalars ? safe + "…" : safe
    }
}
