#ifndef HELPDESK_CNCURSES_SHIM_H
#define HELPDESK_CNCURSES_SHIM_H
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <ncursesw/curses.h>

/* Function-like macros and globals that Swift 6 cannot import or use safely. */
static inline int helpdesk_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline attr_t helpdesk_a_bold(void) { return A_BOLD; }
static inline attr_t helpdesk_a_dim(void) { return A_DIM; }
static inline attr_t helpdesk_a_reverse(void) { return A_REVERSE; }
static inline attr_t helpdesk_a_underline(void) { return A_UNDERLINE; }
static inline attr_t helpdesk_a_normal(void) { return A_NORMAL; }
static inline int helpdesk_lines(void) { return LINES; }
static inline int helpdesk_cols(void) { return COLS; }
static inline int helpdesk_colors(void) { return COLORS; }
static inline WINDOW *helpdesk_stdscr(void) { return stdscr; }
/* Attributes the terminal cannot show together with a colour (no_color_video), 0 when none. */
static inline int helpdesk_attributes_lost_with_color(void) {
    int lost = tigetnum("ncv");
    return lost > 0 ? lost : 0;
}
/* True when the terminal can return to its own colours (orig_pair or orig_colors). */
static inline int helpdesk_restores_default_colors(void) {
    char *pair = tigetstr("op"), *colors = tigetstr("oc");
    return (pair != NULL && pair != (char *)-1) || (colors != NULL && colors != (char *)-1);
}
#include <stdio.h>
static inline FILE *helpdesk_stdin(void) { return stdin; }
static inline FILE *helpdesk_stdout(void) { return stdout; }
#endif
