CMakeFiles/glass5g_lib.dir/src/core/err.c.o: /work/main/src/core/err.c \
 /usr/include/stdc-predef.h /work/main/src/core/err.h
