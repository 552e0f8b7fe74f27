import ConsoleViewModel

/// The eight terminal colours; monochrome terminals get attributes only.
public enum Color: Int, Hashable, Sendable, CaseIterable {
    case black, red, green, yellow, blue, magenta, cyan, white
}

/// How a cell looks.
public struct Style: Hashable, Sendable {
    public var foreground: Color?
    public var background: Color?
    public var bold = false
    public var dim = false
    public var reverse = false
    public var underline = false

    public init(foreground: Color? = nil, background: Color? = nil, bold: Bool = false, dim: Bool = false, reverse: Bool = false, underline: Bool = false) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.dim = dim
        self.reverse = reverse
        self.underline = underline
    }

    /// True when a space in this style looks like a plain one: only weight and the text colour differ.
    public var looksTheSameOnABlank: Bool { !reverse && !underline && background == nil }

    public static let plain = Style()
    public static let bold = Style(bold: true)
    public static let dim = Style(dim: true)
    public static let selected = Style(reverse: true)
    public static let title = Style(foreground: .cyan, bold: true)
    public static let error = Style(foreground: .red, bold: true)
    public static let success = Style(foreground: .green)
    public static let warning = Style(foreground: .yellow)
    public static let accent = Style(foreground: .cyan)
    /// A key to press: colour alone, so a row of hints costs the terminal a colour change per key
    /// rather than a full attribute reset.
    public static let key = Style(foreground: .yellow)
    /// An urgent request's priority in the queue: red without weight, which a selected row's
    /// reverse video can hold without an attribute change mid-row.
    public static let urgent = Style(foreground: .red)
}


extension Style {
    /// The look of a tone the view model chose.
    init(_ tone: StyledText.Tone) {
        self = switch tone {
        case .plain: .plain
        case .dim: .dim
        case .accent: .accent
        case .bold: .title
        case .success: .success
        case .warning: .warning
        case .error: .error
        }
    }
}
