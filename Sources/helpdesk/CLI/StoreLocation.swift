import Foundation

/// Where the store file is: `--db PATH`, else `$HELPDESK_DB`, else the configuration's
/// `store.path`, else `$XDG_DATA_HOME/helpdesk/helpdesk.db` (`~/.local/share/helpdesk/helpdesk.db`).
enum StoreLocation {
    static func resolve(option: String?, environment: ProgramEnvironment, configured: String?) throws -> String {
        if let option {
            guard !option.isEmpty else { throw CLIError.usage("--db needs a path", command: nil) }
            return absolute(option)
        }
        if let variable = environment.variable("HELPDESK_DB") { return absolute(variable) }
        if let configured { return absolute(configured) }
        if let dataHome = environment.variable("XDG_DATA_HOME"), dataHome.hasPrefix("/") {
            return dataHome + "/helpdesk/helpdesk.db"
        }
        guard let home = environment.variable("HOME") else {
            throw CLIError.failed("cannot find the store: HOME is not set; pass --db PATH or set HELPDESK_DB")
        }
        return home + "/.local/share/helpdesk/helpdesk.db"
    }

    private static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") || path == ":memory:" { return path }
        return FileManager.default.currentDirectoryPath + "/" + path
    }
}
