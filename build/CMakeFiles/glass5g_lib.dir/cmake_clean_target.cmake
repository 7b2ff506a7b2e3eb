file(REMOVE_RECURSE
  "libglass5g_lib.a"
)
