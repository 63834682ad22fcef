#ifndef KTX_CMALLOC_H
#define KTX_CMALLOC_H

#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif

/// Limits glibc's malloc to `count` arenas (M_ARENA_MAX); 0 where glibc is absent.
static inline int ktx_limit_malloc_arenas(int count) {
#if defined(M_ARENA_MAX)
    return mallopt(M_ARENA_MAX, count);
#else
    (void)count;
    return 0;
#endif
}

#endif
