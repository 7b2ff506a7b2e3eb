# Empty dependencies file for glass5g.
# This may be replaced when dependencies are built.
