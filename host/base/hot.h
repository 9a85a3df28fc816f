/*
 * hot.h - HOT marks a static helper of the per-operation path that is to be
 * inlined into its callers whatever the compiler's size heuristics say: a
 * call and its saved registers cost as much as the smallest of them do.
 */
#ifndef HOST_BASE_HOT_H
#define HOST_BASE_HOT_H

#if defined(__GNUC__)
#define HOT static inline __attribute__((always_inline))
#else
#define HOT static inline
#endif

#endif
