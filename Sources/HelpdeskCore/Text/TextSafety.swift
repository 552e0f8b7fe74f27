/// Outside text inside a one-line message (an error, a refusal, a log line): made safe by
/// `SafeText` and cut at `limit` characters, so a name from Okta or a typed word can neither carry
/// an escape sequence nor flood the line.
public enum TextSafety {
    public static func quoted(_ text: String, limit: Int = 80) -> String {
        let safe = SafeText.forTerminal(text)
        guard safe.count > limit else { return safe }
        return String(safe.prefix(limit)) + "…"
    }
}
