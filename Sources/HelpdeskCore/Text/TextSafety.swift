/// Makes outside text safe to put in a one-line message: control characters become `?`, and
/// long text is cut. The console's sanitizer does the full job for the screen; this keeps error
/// messages and logs from carrying escape sequences.
public enum TextSafety {
    public static func quoted(_ text: String, limit: Int = 80) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            if result.count >= limit {
                result += "…"
                break
            }
            let category = scalar.properties.generalCategory
            if category == .control || category == .format || category == .lineSeparator || category == .paragraphSeparator {
                result += "?"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
