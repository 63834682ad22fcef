// The few C functions Embedded Swift's code needs on bare wasm32: memory, comparing bytes,
// random bytes for hashing seeds, and 128-bit multiplication.
typedef unsigned long size_t;
typedef unsigned int uint32_t;
typedef unsigned long long uint64_t;

extern unsigned char __heap_base;
static unsigned char *heap_top = 0;

// Size classes 16 << k (k = 0 ... 26); each block carries its class in an 8-byte header,
// so freed blocks go back to their class's list.
#define CLASSES 27
static void *free_list[CLASSES];

static int class_of(size_t size) {
    int k = 0;
    size_t cap = 16;
    while (cap < size + 8 && k < CLASSES - 1) { cap <<= 1; k++; }
    return cap < size + 8 ? -1 : k;
}

static unsigned char *grow(size_t bytes, size_t align) {
    if (!heap_top) heap_top = &__heap_base;
    size_t at = ((size_t)heap_top + align - 1) & ~(align - 1);
    size_t end = at + bytes;
    size_t have = __builtin_wasm_memory_size(0) * 65536;
    if (end > have) {
        size_t pages = (end - have + 65535) / 65536;
        if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) return 0;
    }
    heap_top = (unsigned char *)end;
    return (unsigned char *)at;
}

static void *alloc(size_t size, size_t align) {
    int k = class_of(size);
    if (k < 0) return 0;
    if (align < 16) align = 16;
    // Blocks of a class are 16-aligned once their header is past; larger alignments are
    // rare (Swift asks for at most 16 here) and get a fresh block.
    if (free_list[k] && align == 16) {
        void *block = free_list[k];
        free_list[k] = *(void **)block;
        return block;
    }
    unsigned char *raw = grow((16u << k) + align, align);
    if (!raw) return 0;
    unsigned char *user = raw + align;
    ((uint32_t *)user)[-1] = (uint32_t)k;
    ((uint32_t *)user)[-2] = align == 16 ? 0x6b747831u : 0; // reusable only when 16-aligned
    return user;
}

void *malloc(size_t size) { return alloc(size, 16); }

int posix_memalign(void **out, size_t align, size_t size) {
    void *p = alloc(size, align);
    if (!p) return 12;
    *out = p;
    return 0;
}

void free(void *p) {
    if (!p) return;
    unsigned char *user = p;
    if (((uint32_t *)user)[-2] != 0x6b747831u) return;
    uint32_t k = ((uint32_t *)user)[-1];
    *(void **)user = free_list[k];
    free_list[k] = user;
}

int memcmp(const void *a, const void *b, size_t n) {
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++) if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
}

// Hashing seeds: fixed, so a run is reproducible (nothing here hashes untrusted keys
// in a way an attacker could exploit: a page holds one clerk's own data).
void arc4random_buf(void *buf, size_t n) {
    unsigned char *b = buf;
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < n; i++) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; b[i] = (unsigned char)x; }
}

// 128-bit multiplication (low 128 bits), as compiler-rt's __multi3 on a 32-bit target.
typedef struct { uint64_t lo, hi; } u128;
u128 __multi3(uint64_t alo, uint64_t ahi, uint64_t blo, uint64_t bhi) {
    uint64_t a0 = alo & 0xffffffffu, a1 = alo >> 32, b0 = blo & 0xffffffffu, b1 = blo >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
    u128 r;
    r.lo = (p00 & 0xffffffffu) | (mid << 32);
    r.hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32) + alo * bhi + ahi * blo;
    return r;
}
