
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/src/core/buf.c" "CMakeFiles/glass5g_lib.dir/src/core/buf.c.o" "gcc" "CMakeFiles/glass5g_lib.dir/src/core/buf.c.o.d"
  "/work/main/src/core/err.c" "CMakeFiles/glass5g_lib.dir/src/core/err.c.o" "gcc" "CMakeFiles/glass5g_lib.dir/src/core/err.c.o.d"
  "/work/main/src/core/hex.c" "CMakeFiles/glass5g_lib.dir/src/core/hex.c.o" "gcc" "CMakeFiles/glass5g_lib.dir/src/core/hex.c.o.d"
  "/work/main/src/core/log.c" "CMakeFiles/glass5g_lib.dir/src/core/log.c.o" "gcc" "CMakeFiles/glass5g_lib.dir/src/core/log.c.o.d"
  "/work/main/src/core/loop.c" "CMakeFiles/glass5g_lib.dir/src/core/loop.c.o" "gcc" "CMakeFiles/glass5g_lib.dir/src/core/loop.c.o.d"
  "/work/main/src/core/yaml.c" "CMakeFiles/glass5g_lib.dir/src/core/yaml.c.o" "gcc" "CMakeFiles/glass5g_lib.dir/src/core/yaml.c.o.d"
  "/work/main/src/gtpu/gtpu_json.c" "CMakeFiles/glass5g_lib.dir/src/gtpu/gtpu_json.c.o" "gcc" "CMakeFiles/glass5g_lib.dir/src/gtpu/gtpu_json.c.o.d"
  "/work/main/src/nas/nas_json.c" "CMakeFiles/glass5g_lib.dir/src/nas/nas_json.c.o" "gcc" "CMakeFiles/glass5g_lib.dir/src/nas/nas_json.c.o.d"
  "/work/main/src/nf/config.c" "CMakeFiles/glass5g_lib.dir/src/nf/config.c.o" "gcc" "CMakeFiles/glass5g_lib.dir/src/nf/config.c.o.d"
  "/work/main/src/ngap/ngap_json.c" "CMakeFiles/glass5g_lib.dir/src/ngap/ngap_json.c.o" "gcc" "CMakeFiles/glass5g_lib.dir/src/ngap/ngap_json.c.o.d"
  "/work/main/src/pfcp/pfcp_json.c" "CMakeFiles/glass5g_lib.dir/src/pfcp/pfcp_json.c.o" "gcc" "CMakeFiles/glass5g_lib.dir/src/pfcp/pfcp_json.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
