/// A command line read against a `CommandSpec`.
struct ParsedArguments: Sendable, Equatable {
    private(set) var values: [String: String] = [:]
    /// Every value of an option given more than once (`--field a=1 --field b=2`), in order.
    private(set) var allValues: [String: [String]] = [:]
    private(set) var flags: Set<String> = []
    private(set) var positionals: [String] = []

    /// Reads `--name value`, `--name=value`, flags and positionals; `--` ends options.
    /// Every mistake is a `CLIError.usage` naming the command.
    init(_ words: [String], spec: CommandSpec) throws(CLIError) {
        var index = 0
        var onlyPositionals = false
        while index < words.count {
            let word = words[index]
            index += 1
            if onlyPositionals || !word.hasPrefix("--") || word == "-" {
                if !onlyPositionals, word.hasPrefix("-"), word.count > 1, word != "-", !Self.isNegativeNumber(word) {
                    throw .usage("unknown option \(TextSafetyForCLI.quoted(word)) for helpdesk \(spec.name); options start with --", command: spec.name)
                }
                positionals.append(word)
                continue
            }
            if word == "--" {
                onlyPositionals = true
                continue
            }
            var name = String(word.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let option = spec.options.first(where: { $0.name == name }) else {
                throw .usage("unknown option --\(TextSafetyForCLI.bare(name)) for helpdesk \(spec.name)\(Self.suggestion(name, spec))", command: spec.name)
            }
            if option.value == nil {
                guard inlineValue == nil else { throw .usage("--\(name) takes no value", command: spec.name) }
                flags.insert(name)
                continue
            }
            if let inlineValue {
                values[name] = inlineValue
                allValues[name, default: []].append(inlineValue)
            } else {
                guard index < words.count else {
                    throw .usage("--\(name) needs a value (\(option.value!))", command: spec.name)
                }
                values[name] = words[index]
                allValues[name, default: []].append(words[index])
                index += 1
            }
        }
        try checkPositionals(spec)
    }

    private mutating func checkPositionals(_ spec: CommandSpec) throws(CLIError) {
        let required = spec.arguments.filter { !$0.optional }.count
        let takesRest = spec.arguments.last?.rest == true
        if positionals.count < required {
            let missing = spec.arguments[positionals.count].name
            throw .usage("\(spec.name) needs \(missing)", command: spec.name)
        }
        if !takesRest, positionals.count > spec.arguments.count {
            throw .usage("unexpected argument \(TextSafetyForCLI.quoted(positionals[spec.arguments.count])) for helpdesk \(spec.name)", command: spec.name)
        }
        if takesRest, positionals.count > spec.arguments.count {
            let head = Array(positionals.prefix(spec.arguments.count - 1))
            let rest = positionals.dropFirst(spec.arguments.count - 1).joined(separator: " ")
            positionals = head + [rest]
        }
    }

    func value(_ name: String) -> String? { values[name] }
    func values(_ name: String) -> [String] { allValues[name] ?? [] }
    func flag(_ name: String) -> Bool { flags.contains(name) }
    func positional(_ index: Int) -> String? { index < positionals.count ? positionals[index] : nil }

    private static func isNegativeNumber(_ word: String) -> Bool {
        word.dropFirst().allSatisfy(\.isNumber)
    }

    private static func suggestion(_ name: String, _ spec: CommandSpec) -> String {
        let close = spec.options.map(\.name).filter { $0.hasPrefix(String(name.prefix(2))) }
        guard let first = close.first else { return "; see helpdesk \(spec.name) --help" }
        return " (did you mean --\(first)?)"
    }
}

/// Quoting for words echoed back in usage errors.
enum TextSafetyForCLI {
    static func quoted(_ word: String) -> String {
        "\"" + bare(word) + "\""
    }

    static func bare(_ word: String) -> String {
        String(word.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : Character($0) }.prefix(60))
    }
}
