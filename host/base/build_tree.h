/* build_tree.h - whether the host runs from the tree it was built in, to find what it built. */
#ifndef HOST_BUILD_TREE_H
#define HOST_BUILD_TREE_H

/* True when this executable lives in the build tree it was configured in (BUILD_TOP_DIR). */
int running_in_build_tree(void);

#endif
