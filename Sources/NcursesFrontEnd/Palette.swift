import CNcurses
import ConsoleView

/// Styles as ncurses attributes and colour pairs; without colour (NO_COLOR, a monochrome
/// terminal) colours become bold so errors and keys still stand out.
struct Palette {
    let colors: Bool

    init(useColor: Bool) {
        guard useColor, has_colors() else {
            colors = false
            return
        }
        start_color()
        use_default_colors()
        guard helpdesk_colors() >= 8 else {
            colors = false
            return
        }
        colors = true
        for color in Color.allCases {
            init_pair(Int16(color.rawValue + 1), Int16(color.rawValue), -1)
        }
    }

    func attributes(for style: Style) -> (attr_t, Int16) {
        var attributes = helpdesk_a_normal()
        if style.bold { attributes |= helpdesk_a_bold() }
        if style.dim { attributes |= helpdesk_a_dim() }
        if style.reverse { attributes |= helpdesk_a_reverse() }
        if style.underline { attributes |= helpdesk_a_underline() }
        guard let foreground = style.foreground else { return (attributes, 0) }
        guard colors else {
            if foreground == .red || foreground == .yellow { attributes |= helpdesk_a_bold() }
            return (attributes, 0)
        }
        return (attributes, Int16(foreground.rawValue + 1))
    }
}
