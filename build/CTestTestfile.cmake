# CMake generated Testfile for 
# Source directory: /work/main
# Build directory: /work/main/build
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[unit/test_core_buf]=] "/work/main/build/test_core_buf")
set_tests_properties([=[unit/test_core_buf]=] PROPERTIES  TIMEOUT "300" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;76;add_test;/work/main/CMakeLists.txt;0;")
add_test([=[unit/test_core_config]=] "/work/main/build/test_core_config")
set_tests_properties([=[unit/test_core_config]=] PROPERTIES  TIMEOUT "300" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;76;add_test;/work/main/CMakeLists.txt;0;")
add_test([=[unit/test_core_loop]=] "/work/main/build/test_core_loop")
set_tests_properties([=[unit/test_core_loop]=] PROPERTIES  TIMEOUT "300" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;76;add_test;/work/main/CMakeLists.txt;0;")
