# Empty dependencies file for glass5g_lib.
# This may be replaced when dependencies are built.
