import Foundation

/// Where a personal configuration is: `--config PATH`, else `$HELPDESK_CONFIG`, else
/// `$XDG_CONFIG_HOME/helpdesk/config.json` (`~/.config/helpdesk/config.json`).
/// `/etc/helpdesk/config.json` is the service's, read by `helpdesk serve`.
enum ConfigurationLocation {
    struct Found {
        let path: String?
        /// Every place looked, in order, for the "not found" message.
        let searched: [String]
    }

    static func find(option: String?, environment: ProgramEnvironment) throws -> Found {
        if let option {
            guard FileManager.default.fileExists(atPath: option) else {
                throw CLIError.failed("the configuration file \(option) given with --config does not exist")
            }
            return Found(path: option, searched: [option])
        }
        if let variable = environment.variable("HELPDESK_CONFIG") {
            guard FileManager.default.fileExists(atPath: variable) else {
                throw CLIError.failed("the configuration file \(variable) named by HELPDESK_CONFIG does not exist")
            }
            return Found(path: variable, searched: [variable])
        }
        var candidates: [String] = []
        if let configHome = environment.variable("XDG_CONFIG_HOME"), configHome.hasPrefix("/") {
            candidates.append(configHome + "/helpdesk/config.json")
        } else if let home = environment.variable("HOME") {
            candidates.append(home + "/.config/helpdesk/config.json")
        }
        return Found(path: candidates.first { FileManager.default.fileExists(atPath: $0) }, searched: candidates)
    }
}
