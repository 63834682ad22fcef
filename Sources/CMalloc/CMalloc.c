// The header's one inline function is the whole target (a C target needs a source file).
#include "CMalloc.h"
