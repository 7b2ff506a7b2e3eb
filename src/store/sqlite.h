/* The SQLite backend of the subscriber store (the embedded default). Callers use
 * g5_store_open() from store.h; this header exists for the dispatcher and for tests that
 * build databases at an older schema version. */
#ifndef G5_STORE_SQLITE_H
#define G5_STORE_SQLITE_H

#include <stddef.h>

#include "store/store.h"

int g5_store_sqlite_open(const g5_store_params *p, g5_store **out, char *err, size_t errlen);

/* Schema migrations: step i (0-based) takes the schema from user_version i to i + 1. */
typedef struct g5_sqlite_migration {
    const char *description;
    const char *sql;
} g5_sqlite_migration;

extern const g5_sqlite_migration g5_sqlite_migrations[];
extern const int g5_sqlite_schema_version; /* number of steps = newest known version */

#endif
