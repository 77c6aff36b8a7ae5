/* Stand-in for bionic's <stdlib.h> (see assert.h here): what the JNI glue calls. */
#include <stddef.h>
void *malloc(size_t n);
void free(void *p);
