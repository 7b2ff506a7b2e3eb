file(REMOVE_RECURSE
  "CMakeFiles/glass5g_lib.dir/src/core/buf.c.o"
  "CMakeFiles/glass5g_lib.dir/src/core/buf.c.o.d"
  "CMakeFiles/glass5g_lib.dir/src/core/err.c.o"
  "CMakeFiles/glass5g_lib.dir/src/core/err.c.o.d"
  "CMakeFiles/glass5g_lib.dir/src/core/hex.c.o"
  "CMakeFiles/glass5g_lib.dir/src/core/hex.c.o.d"
  "CMakeFiles/glass5g_lib.dir/src/core/log.c.o"
  "CMakeFiles/glass5g_lib.dir/src/core/log.c.o.d"
  "CMakeFiles/glass5g_lib.dir/src/core/loop.c.o"
  "CMakeFiles/glass5g_lib.dir/src/core/loop.c.o.d"
  "CMakeFiles/glass5g_lib.dir/src/core/yaml.c.o"
  "CMakeFiles/glass5g_lib.dir/src/core/yaml.c.o.d"
  "CMakeFiles/glass5g_lib.dir/src/gtpu/gtpu_json.c.o"
  "CMakeFiles/glass5g_lib.dir/src/gtpu/gtpu_json.c.o.d"
  "CMakeFiles/glass5g_lib.dir/src/nas/nas_json.c.o"
  "CMakeFiles/glass5g_lib.dir/src/nas/nas_json.c.o.d"
  "CMakeFiles/glass5g_lib.dir/src/nf/config.c.o"
  "CMakeFiles/glass5g_lib.dir/src/nf/config.c.o.d"
  "CMakeFiles/glass5g_lib.dir/src/ngap/ngap_json.c.o"
  "CMakeFiles/glass5g_lib.dir/src/ngap/ngap_json.c.o.d"
  "CMakeFiles/glass5g_lib.dir/src/pfcp/pfcp_json.c.o"
  "CMakeFiles/glass5g_lib.dir/src/pfcp/pfcp_json.c.o.d"
  "libglass5g_lib.a"
  "libglass5g_lib.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/glass5g_lib.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
