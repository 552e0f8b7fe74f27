/// The program's version, for `--version` and Okta's `User-Agent`.
public enum HelpdeskVersion {
    public static let current = "0.1.0"
}
