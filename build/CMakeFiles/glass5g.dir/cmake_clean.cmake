file(REMOVE_RECURSE
  "CMakeFiles/glass5g.dir/src/cli/cmd_auth.c.o"
  "CMakeFiles/glass5g.dir/src/cli/cmd_auth.c.o.d"
  "CMakeFiles/glass5g.dir/src/cli/cmd_codec.c.o"
  "CMakeFiles/glass5g.dir/src/cli/cmd_codec.c.o.d"
  "CMakeFiles/glass5g.dir/src/cli/cmd_run.c.o"
  "CMakeFiles/glass5g.dir/src/cli/cmd_run.c.o.d"
  "CMakeFiles/glass5g.dir/src/cli/cmd_subscriber.c.o"
  "CMakeFiles/glass5g.dir/src/cli/cmd_subscriber.c.o.d"
  "CMakeFiles/glass5g.dir/src/cli/cmd_suci.c.o"
  "CMakeFiles/glass5g.dir/src/cli/cmd_suci.c.o.d"
  "CMakeFiles/glass5g.dir/src/cli/glass5g.c.o"
  "CMakeFiles/glass5g.dir/src/cli/glass5g.c.o.d"
  "glass5g"
  "glass5g.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/glass5g.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
