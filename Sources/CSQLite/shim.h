#ifndef HELPDESK_CSQLITE_SHIM_H
#define HELPDESK_CSQLITE_SHIM_H
#include <sqlite3.h>

/* sqlite3_config is variadic, which Swift cannot call: the one setting the store makes. */
static inline int helpdesk_sqlite_keep_no_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
#endif
