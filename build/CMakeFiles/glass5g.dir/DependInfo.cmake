
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/src/cli/cmd_auth.c" "CMakeFiles/glass5g.dir/src/cli/cmd_auth.c.o" "gcc" "CMakeFiles/glass5g.dir/src/cli/cmd_auth.c.o.d"
  "/work/main/src/cli/cmd_codec.c" "CMakeFiles/glass5g.dir/src/cli/cmd_codec.c.o" "gcc" "CMakeFiles/glass5g.dir/src/cli/cmd_codec.c.o.d"
  "/work/main/src/cli/cmd_run.c" "CMakeFiles/glass5g.dir/src/cli/cmd_run.c.o" "gcc" "CMakeFiles/glass5g.dir/src/cli/cmd_run.c.o.d"
  "/work/main/src/cli/cmd_subscriber.c" "CMakeFiles/glass5g.dir/src/cli/cmd_subscriber.c.o" "gcc" "CMakeFiles/glass5g.dir/src/cli/cmd_subscriber.c.o.d"
  "/work/main/src/cli/cmd_suci.c" "CMakeFiles/glass5g.dir/src/cli/cmd_suci.c.o" "gcc" "CMakeFiles/glass5g.dir/src/cli/cmd_suci.c.o.d"
  "/work/main/src/cli/glass5g.c" "CMakeFiles/glass5g.dir/src/cli/glass5g.c.o" "gcc" "CMakeFiles/glass5g.dir/src/cli/glass5g.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/main/build/CMakeFiles/glass5g_lib.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
