import HelpdeskCore

/// A message from outside (the service's refusal, Okta's error) shown in a few lines: cleaned and
/// measured only as far as they can show, the last line ending in "…" when text was left out.
public enum MessageLines {
    /// `message` wrapped to `width` in at most `lines` lines.
    public static func wrapped(_ message: String, width: Int, lines: Int) -> [String] {
        let (text, cut) = start(of: message, lines: lines + 1, width: width)
        let wrapped = TerminalText.wrap(text, width: max(1, width), maxLines: lines)
        guard wrapped.count > lines || cut else { return wrapped.isEmpty ? [""] : wrapped }
        var kept = Array(wrapped.prefix(lines))
        guard !kept.isEmpty else { return ["…"] }
        kept[kept.count - 1] = TerminalText.prefix(kept[kept.count - 1], columns: width - 2) + " …"
        return kept
    }

    /// The cleaned start of `text` that `lines` lines of `width` columns could show, and whether
    /// text was left out: as many scalars as those lines have columns, each line a column wider
    /// (its break), twice over (cleaning may join characters). Text from outside may be megabytes
    /// long, or one letter under as many marks; a frame cleans and measures only this much of it.
    public static func start(of text: String, lines: Int, width: Int) -> (text: String, cut: Bool) {
        let room = 2 * lines * (max(1, width) + 1)
        let scalars = text.unicodeScalars
        let end = scalars.index(scalars.startIndex, offsetBy: room, limitedBy: scalars.endIndex) ?? scalars.endIndex
        return (TerminalText.sanitize(String(scalars[..<end])), end < scalars.endIndex)
    }
}
