/* imu-test-util.h — helpers shared by the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A new empty temporary directory, removed (recursively) at exit. */
char       *imu_test_tmpdir (void);
/* A path for a new library file in a fresh temporary directory. */
char       *imu_test_library_path (void);
/* ../shared/data/real/<rel>, or NULL after g_test_skip() with a message when
 * ../shared/data is absent. */
char       *imu_test_real_file (const char *rel);
/* tests/<rel> in the source tree. */
char       *imu_test_src_file (const char *rel);
/* The build directory of the tests (for screenshots and generated files). */
const char *imu_test_builddir (void);
/* Writes @contents to a new file in a temporary directory; returns its path. */
char       *imu_test_write_file (const char *name, const char *contents, gssize len);
/* The SHA-256 of a file, in lowercase hex (GChecksum, independent of the code under test). */
char       *imu_test_sha256_file (const char *path);
/* Removes a directory tree. */
void        imu_test_rm_rf (const char *path);

G_END_DECLS
