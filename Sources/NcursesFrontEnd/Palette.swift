import CNcurses
import ConsoleView

/// Styles as ncurses attributes and colour pairs; without colour (NO_COLOR, a monochrome
/// terminal, or one whose default colours ncurses cannot restore) colours become bold so errors
/// and keys still stand out.
///
/// Text without a colour of its own is drawn in a pair of the terminal's default colours rather
/// than pair 0: ncurses leaves a coloured run for pair 0 with a colour reset and a full attribute
/// reset (`⎋[39m⎋(B⎋[m`), and for the default pair with the colour alone (`⎋[39m`). Both look the
/// same; the second is half the bytes on every coloured word of every frame. A terminal that
/// cannot show some attributes with a colour (`ncv`: the Linux console loses dim and underline)
/// keeps pair 0, where they show.
struct Palette {
    let colors: Bool
    private let plainPair: Int16

    init(useColor: Bool) {
        // Every pair keeps the terminal's own background (-1). A terminal that cannot return to its
        // default colours would be painted white on black, its pairs black on black: it is drawn
        // without colour, in its own.
        plainPair = helpdesk_attributes_lost_with_color() == 0 ? Self.defaultPair : 0
        guard useColor, has_colors(), helpdesk_restores_default_colors() != 0 else {
            colors = false
            return
        }
        start_color()
        guard use_default_colors() == OK, helpdesk_colors() >= 8 else {
            colors = false
            return
        }
        var paired = init_pair(Self.defaultPair, -1, -1) == OK
        for color in Color.allCases {
            paired = paired && init_pair(Int16(color.rawValue + 1), Int16(color.rawValue), -1) == OK
        }
        colors = paired
    }

    /// The terminal's own foreground and background, as a pair of its own.
    static let defaultPair = Int16(Color.allCases.count + 1)

    func attributes(for style: Style) -> (attr_t, Int16) {
        var attributes = helpdesk_a_normal()
        if style.bold { attributes |= helpdesk_a_bold() }
        if style.dim { attributes |= helpdesk_a_dim() }
        if style.reverse { attributes |= helpdesk_a_reverse() }
        if style.underline { attributes |= helpdesk_a_underline() }
        guard let foreground = style.foreground else { return (attributes, colors ? plainPair : 0) }
        guard colors else {
            if foreground == .red || foreground == .yellow { attributes |= helpdesk_a_bold() }
            return (attributes, 0)
        }
        return (attributes, Int16(foreground.rawValue + 1))
    }
}
